"""The incident status workflow as a table of allowed transitions (walked by a test)."""

from __future__ import annotations

from trucewatch.errors import InvalidInput, InvalidTransition

STATUSES: tuple[str, ...] = (
    "open", "under_review", "confirmed", "not_confirmed", "disputed", "closed",
)

# status → the statuses it may move to. A decided incident goes back under review when
# new evidence opens a new round; a closed one can only be reopened.
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"under_review", "closed"}),
    "under_review": frozenset({"confirmed", "not_confirmed", "disputed", "open"}),
    "confirmed": frozenset({"under_review", "closed"}),
    "not_confirmed": frozenset({"under_review", "closed"}),
    "disputed": frozenset({"under_review", "closed"}),
    "closed": frozenset({"open"}),
}

# Statuses only a review round's decision can set.
DECIDED: frozenset[str] = frozenset({"confirmed", "not_confirmed", "disputed"})

# Statuses in which reports may still be linked to or unlinked from the incident.
LINKABLE: frozenset[str] = frozenset({"open", "under_review"})


def check_transition(current: str, target: str) -> None:
    if target not in STATUSES:
        raise InvalidInput(f"{target!r} is not a status ({', '.join(STATUSES)})", field="status")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current]))
        raise InvalidTransition(f"an incident that is {current} can move to {allowed}, "
                                f"not {target}", field="status")
