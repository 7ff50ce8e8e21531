"""The weights and thresholds of the scoring, tunable per truce (docs/correlation.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from trucewatch.errors import InvalidInput

# The components of a pair's score, in the order reasons are listed.
COMPONENTS: tuple[str, ...] = (
    "time", "place", "category", "alleged_actor", "affected_actor", "casualties", "narrative",
)


@dataclass(frozen=True)
class Tuning:
    """Weights of each component (relative) and the two thresholds on the weighted score.

    A pair scoring at least ``link_threshold`` is linked into one incident automatically;
    one scoring at least ``review_threshold`` waits in the queue for an officer.
    """

    time: float = 0.20
    place: float = 0.25
    category: float = 0.15
    alleged_actor: float = 0.10
    affected_actor: float = 0.05
    casualties: float = 0.10
    narrative: float = 0.15
    link_threshold: float = 0.78
    review_threshold: float = 0.65

    def weights(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in COMPONENTS)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT = Tuning()


def tuning_from(values: dict[str, Any], *, base: Tuning = DEFAULT,
                field: str = "tuning") -> Tuning:
    """``base`` with the given values replaced, each checked: weights ≥ 0, 0 < review ≤ link ≤ 1."""
    known = {f.name for f in fields(Tuning)}
    changes: dict[str, float] = {}
    for name, value in values.items():
        if name not in known:
            raise InvalidInput(f"{name!r} is not a tuning parameter ({', '.join(sorted(known))})",
                               field=f"{field}.{name}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise InvalidInput(f"{value!r} is not a number ≥ 0", field=f"{field}.{name}")
        changes[name] = float(value)
    tuned = replace(base, **changes)
    if sum(tuned.weights()) <= 0:
        raise InvalidInput("at least one weight must be above 0", field=field)
    if not 0 < tuned.review_threshold <= tuned.link_threshold <= 1:
        raise InvalidInput("need 0 < review_threshold ≤ link_threshold ≤ 1",
                           field=f"{field}.review_threshold")
    return tuned
