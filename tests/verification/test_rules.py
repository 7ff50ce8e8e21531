"""The verification rule as a pure function: every outcome, dissents, attribution and grades."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trucewatch.verification.rules import Outcome, Position, decide
from trucewatch.verification.schemas import Confidence, Decision, Finding

SEATS = [1, 2, 3]
GOV, OPP = 10, 11
V, N, C = Finding.VIOLATION, Finding.NOT_VIOLATION, Finding.CANNOT_DETERMINE


def p(finding: Finding, responsible: int | None = None, grade: str = "fair") -> Position:
    return Position(finding, responsible, Confidence(grade))


def run(k: int, *findings: Position | None, final: bool = False) -> Outcome:
    positions = {seat: pos for seat, pos in zip(SEATS, findings, strict=False) if pos is not None}
    outcome = decide(seats=SEATS, k=k, positions=positions, final=final)
    assert outcome is not None
    return outcome


def test_unanimity_all_agree_confirmed_and_attributed() -> None:
    out = run(3, p(V, GOV), p(V, GOV, "confirmed"), p(V, GOV, "weak"))
    assert (out.decision, out.responsible, out.dissents) == (Decision.CONFIRMED, GOV, ())
    assert out.confidence is Confidence.WEAK  # the weakest grade carrying the decision


def test_unanimity_with_one_dissent_is_disputed_and_the_dissent_is_named() -> None:
    out = run(3, p(V, GOV), p(V, GOV), p(N))
    assert out.decision is Decision.DISPUTED and out.responsible is None
    assert [(d.seat, d.kind, d.position.finding) for d in out.dissents] == [(3, "finding", N)]
    assert out.confidence is None


def test_unanimity_against_is_not_confirmed_and_cannot_determine_counts_against() -> None:
    out = run(3, p(N), p(C), p(N, grade="weak"))
    assert (out.decision, out.dissents, out.confidence) == (Decision.NOT_CONFIRMED, (),
                                                            Confidence.WEAK)


def test_two_of_three_confirms_over_a_dissent() -> None:
    out = run(2, p(V, GOV), p(N), p(V, GOV))
    assert (out.decision, out.responsible) == (Decision.CONFIRMED, GOV)
    assert [d.seat for d in out.dissents] == [2]


def test_two_of_three_against_with_a_dissent_is_not_confirmed() -> None:
    out = run(2, p(V, GOV), p(N), p(C))
    assert out.decision is Decision.NOT_CONFIRMED
    assert [(d.seat, d.kind) for d in out.dissents] == [(1, "finding")]


def test_agreed_violation_without_agreed_party_could_not_be_attributed() -> None:
    out = run(3, p(V, GOV), p(V, OPP), p(V, GOV))
    assert out.decision is Decision.CONFIRMED and out.responsible is None and not out.attributed
    assert [(d.seat, d.kind) for d in out.dissents] == [(1, "attribution"), (2, "attribution"),
                                                        (3, "attribution")]


def test_two_of_three_attributes_to_the_party_two_name() -> None:
    out = run(2, p(V, GOV), p(V, OPP), p(V, GOV))
    assert out.responsible == GOV
    assert [(d.seat, d.kind) for d in out.dissents] == [(2, "attribution")]


def test_violation_not_attributed_by_anyone() -> None:
    out = run(3, p(V), p(V), p(V))
    assert out.decision is Decision.CONFIRMED and out.responsible is None and out.dissents == ()


def test_waits_for_every_seat_until_closed() -> None:
    assert decide(seats=SEATS, k=3, positions={1: p(V), 2: p(V)}, final=False) is None


def test_closed_after_deadline_absent_seats_count_for_neither_side() -> None:
    out = run(3, p(V, GOV), p(V, GOV), None, final=True)
    assert (out.decision, out.absent, out.dissents) == (Decision.DISPUTED, (3,), ())
    out = run(2, p(V, GOV), p(V, GOV), None, final=True)
    assert (out.decision, out.responsible, out.absent) == (Decision.CONFIRMED, GOV, (3,))
    out = run(2, None, None, None, final=True)
    assert (out.decision, out.absent) == (Decision.DISPUTED, (1, 2, 3))


def test_a_tie_singles_nobody_out() -> None:
    out = run(3, p(V), p(N), None, final=True)
    assert out.decision is Decision.DISPUTED and out.dissents == ()


def test_k_at_most_half_with_both_sides_reaching_k_is_disputed() -> None:
    out = run(1, p(V, GOV), p(N), p(N))
    assert out.decision is Decision.DISPUTED
    assert [d.seat for d in out.dissents] == [1]  # the minority against the larger side


@pytest.mark.parametrize("k, positions", [(0, {}), (4, {}), (2, {9: p(V)})])
def test_bad_arguments(k: int, positions: dict[int, Position]) -> None:
    with pytest.raises(ValueError):
        decide(seats=SEATS, k=k, positions=positions, final=True)


positions_strategy = st.dictionaries(
    st.sampled_from(SEATS),
    st.builds(Position, st.sampled_from(list(Finding)), st.sampled_from([None, GOV, OPP]),
              st.sampled_from(list(Confidence))))


@given(k=st.integers(1, 3), positions=positions_strategy)
def test_the_rule_in_one_sentence(k: int, positions: dict[int, Position]) -> None:
    out = decide(seats=SEATS, k=k, positions=positions, final=True)
    assert out is not None
    yes = sum(pos.finding is V for pos in positions.values())
    no = len(positions) - yes
    expected = (Decision.CONFIRMED if yes >= k > no else
                Decision.NOT_CONFIRMED if no >= k > yes else Decision.DISPUTED)
    assert out.decision is expected
    assert set(out.absent) == set(SEATS) - set(positions)
    assert {d.seat for d in out.dissents} <= set(positions)
    if out.responsible is not None:
        assert out.decision is Decision.CONFIRMED
        assert sum(pos.responsible == out.responsible for pos in positions.values()
                   if pos.finding is V) >= k
