"""The verification rule as one pure function: seats, k and the current findings → the decision.

Each seat has one vote; confidence grades are shown, never weighed. A violation is
*confirmed* when at least k seats find one; *not confirmed* when at least k seats find
no violation or cannot determine one; otherwise (neither side has k, or, with k ≤ n/2,
both have) the round is *disputed*. A seat that has not assessed counts for neither side.
docs/verification.md explains the choices.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trucewatch.verification.schemas import Confidence, Decision, Finding

# Strongest first: the decision's grade is the weakest grade among the seats that carry it.
GRADE_ORDER: tuple[Confidence, ...] = tuple(Confidence)


@dataclass(frozen=True)
class Position:
    """One seat's current assessment, as the rule sees it."""

    finding: Finding
    responsible: int | None  # an actor id, or None: not attributed
    confidence: Confidence


@dataclass(frozen=True)
class Dissent:
    seat: int
    kind: str  # "finding": disagrees with the outcome; "attribution": names another party
    position: Position


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    responsible: int | None  # for a confirmed violation: the party k seats hold responsible
    confidence: Confidence | None  # the weakest grade among the prevailing seats
    dissents: tuple[Dissent, ...]
    absent: tuple[int, ...]  # seats that did not assess (rounds closed after the deadline)
    violation_seats: int
    other_seats: int

    @property
    def attributed(self) -> bool:
        return self.responsible is not None


def decide(*, seats: Sequence[int], k: int, positions: Mapping[int, Position],
           final: bool) -> Outcome | None:
    """Apply the rule, or return None while a seat has still to assess and the round runs on.

    ``final`` is True when the round is closed after its deadline: the missing seats are
    then recorded as absent and count for neither side.
    """
    if not 1 <= k <= len(seats):
        raise ValueError(f"k={k} with {len(seats)} seats")
    unknown = set(positions) - set(seats)
    if unknown:
        raise ValueError(f"positions for seats {sorted(unknown)} that are not in the round")
    absent = tuple(s for s in seats if s not in positions)
    if absent and not final:
        return None
    filed = [s for s in seats if s in positions]
    for_violation = [s for s in filed if positions[s].finding is Finding.VIOLATION]
    against = [s for s in filed if positions[s].finding is not Finding.VIOLATION]
    confirmed, not_confirmed = len(for_violation) >= k, len(against) >= k
    if confirmed and not not_confirmed:
        decision, prevailing, minority = Decision.CONFIRMED, for_violation, against
    elif not_confirmed and not confirmed:
        decision, prevailing, minority = Decision.NOT_CONFIRMED, against, for_violation
    else:
        # No side has k seats (or, when k <= n/2, both have): the larger side is the
        # majority whose opponents are shown as dissents; a tie singles nobody out.
        decision = Decision.DISPUTED
        if len(for_violation) > len(against):
            prevailing, minority = for_violation, against
        elif len(against) > len(for_violation):
            prevailing, minority = against, for_violation
        else:
            prevailing, minority = [], []
    dissents = [Dissent(s, "finding", positions[s]) for s in minority]
    responsible = None
    if decision is Decision.CONFIRMED:
        responsible = _attribution(for_violation, positions, k)
        dissents += [Dissent(s, "attribution", positions[s]) for s in for_violation
                     if positions[s].responsible != responsible]
    grade = None
    if decision is not Decision.DISPUTED:
        grade = max((positions[s].confidence for s in prevailing), key=GRADE_ORDER.index)
    return Outcome(decision=decision, responsible=responsible, confidence=grade,
                   dissents=tuple(sorted(dissents, key=lambda d: seats.index(d.seat))),
                   absent=absent, violation_seats=len(for_violation),
                   other_seats=len(against))


def _attribution(violation_seats: Sequence[int], positions: Mapping[int, Position],
                 k: int) -> int | None:
    """The party at least k of the violation seats name; None ("could not be attributed")."""
    named = Counter(positions[s].responsible for s in violation_seats
                    if positions[s].responsible is not None)
    agreed = [party for party, count in named.items() if count >= k]
    return agreed[0] if len(agreed) == 1 else None
