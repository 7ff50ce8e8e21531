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
    """Log-odds weights of each component for agreement (its name) and for disagreement
    (``<name>_against``), the prior log-odds of a candidate pair being one event, and the
    two thresholds on the resulting probability.

    A pair scoring at least ``link_threshold`` is linked into one incident automatically;
    one scoring at least ``review_threshold`` waits in the queue for an officer. The
    defaults were fitted by logistic regression on the synthetic stream's seed 1
    (``bench/correlate.py --fit 1``; docs/correlation.md), never on the seed reported.
    """

    time: float = 3.1
    place: float = 4.5
    category: float = 0.0
    alleged_actor: float = 1.6
    affected_actor: float = 1.2
    casualties: float = 0.3
    narrative: float = 8.0
    time_against: float = 7.0
    place_against: float = 26.9
    category_against: float = 3.8
    alleged_actor_against: float = 2.0
    affected_actor_against: float = 12.2
    casualties_against: float = 12.5
    narrative_against: float = 4.8
    prior: float = -4.6
    link_threshold: float = 0.7
    review_threshold: float = 0.05

    def weights(self) -> tuple[float, ...]:
        """The agreement weight of each component, in the order of :data:`COMPONENTS`."""
        return tuple(getattr(self, name) for name in COMPONENTS)

    def against(self) -> tuple[float, ...]:
        """The disagreement weight of each component."""
        return tuple(getattr(self, f"{name}_against") for name in COMPONENTS)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT = Tuning()


def tuning_from(values: dict[str, Any], *, base: Tuning = DEFAULT,
                field: str = "tuning") -> Tuning:
    """``base`` with the given values replaced, each checked: weights ≥ 0 (the prior any
    number), 0 < review ≤ link ≤ 1."""
    known = {f.name for f in fields(Tuning)}
    changes: dict[str, float] = {}
    for name, value in values.items():
        if name not in known:
            raise InvalidInput(f"{name!r} is not a tuning parameter ({', '.join(sorted(known))})",
                               field=f"{field}.{name}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise InvalidInput(f"{value!r} is not a number", field=f"{field}.{name}")
        if name != "prior" and value < 0:
            raise InvalidInput(f"{value!r} is not a number ≥ 0", field=f"{field}.{name}")
        changes[name] = float(value)
    tuned = replace(base, **changes)
    if sum(tuned.weights()) <= 0:
        raise InvalidInput("at least one agreement weight must be above 0", field=field)
    if not 0 < tuned.review_threshold <= tuned.link_threshold <= 1:
        raise InvalidInput("need 0 < review_threshold ≤ link_threshold ≤ 1",
                           field=f"{field}.review_threshold")
    return tuned
