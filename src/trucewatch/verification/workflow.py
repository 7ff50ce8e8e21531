"""The workflows of joint verification as tables of allowed transitions (walked by a test).

docs/verification.md prints these tables and says which step each service function takes.
"""

from __future__ import annotations

from trucewatch.errors import InvalidInput, InvalidTransition


class Workflow:
    """A named table: status → the statuses it may move to."""

    def __init__(self, name: str, transitions: dict[str, frozenset[str]], *, field: str) -> None:
        self.name, self.transitions, self.field = name, transitions, field
        self.statuses: tuple[str, ...] = tuple(transitions)

    def check(self, current: str, target: str) -> None:
        if target not in self.transitions:
            raise InvalidInput(f"{target!r} is not a {self.name} status "
                               f"({', '.join(self.statuses)})", field=self.field)
        if target not in self.transitions[current]:
            allowed = ", ".join(sorted(self.transitions[current])) or "nothing (it is final)"
            raise InvalidTransition(f"a {self.name} that is {current} can move to {allowed}, "
                                    f"not {target}", field=self.field)


# A round is decided once (when every seat has assessed, or when it is closed after its
# deadline); new evidence opens a new round. "withdrawn" is in the schema's vocabulary,
# but no step leads there: a round that should not have been opened is closed and decided.
ROUND = Workflow("review round", {
    "open": frozenset({"decided"}),
    "decided": frozenset(),
}, field="round")

INVESTIGATION = Workflow("investigation", {
    "tasked": frozenset({"in_progress", "completed", "cancelled"}),
    "in_progress": frozenset({"completed", "cancelled"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}, field="status")

# A denied visit may be tried again and made; a visit made stays made.
SITE_VISIT = Workflow("site visit", {
    "not_attempted": frozenset({"made", "denied"}),
    "denied": frozenset({"made"}),
    "made": frozenset(),
}, field="site_visit")

MEASURE = Workflow("measure", {
    "proposed": frozenset({"agreed", "dropped"}),
    "agreed": frozenset({"carried_out", "dropped"}),
    "carried_out": frozenset(),
    "dropped": frozenset(),
}, field="status")

# The measure step that follows the guarantors' signed votes under the rule; the others are
# recorded by a guarantor officer with a reason (a proposal only once its current votes can
# no longer reach k, so that no single seat drops what the rule would still let pass).
MEASURE_BY_VOTE: frozenset[tuple[str, str]] = frozenset({("proposed", "agreed")})

# Investigation fields can be edited while the investigation is one of these.
INVESTIGATION_EDITABLE: frozenset[str] = frozenset({"tasked", "in_progress"})

WORKFLOWS: tuple[Workflow, ...] = (ROUND, INVESTIGATION, SITE_VISIT, MEASURE)
