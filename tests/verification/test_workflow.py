"""The verification workflows: every table walked pair by pair, directly and through the services."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session
from tests.verification.world import NOW, World, assessment

from trucewatch.errors import Conflict, InvalidInput, InvalidTransition
from trucewatch.verification.models import Investigation, Measure
from trucewatch.verification.service import (
    change_measure_status,
    close_round,
    file_assessment,
    open_round,
    propose_measure,
    task_investigation,
    update_investigation,
    vote_on_measure,
)
from trucewatch.verification.workflow import (
    INVESTIGATION,
    MEASURE,
    MEASURE_BY_VOTE,
    ROUND,
    WORKFLOWS,
    Workflow,
)

PAIRS = [(w, a, b) for w in WORKFLOWS for a, b in itertools.product(w.statuses, w.statuses)]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_every_target_is_a_status_and_every_status_is_reachable(workflow: Workflow) -> None:
    start = workflow.statuses[0]
    reached, frontier = {start}, [start]
    while frontier:
        for nxt in workflow.transitions[frontier.pop()]:
            assert nxt in workflow.transitions
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(workflow.statuses)


@pytest.mark.parametrize("workflow, current, target", PAIRS,
                         ids=[f"{w.name}:{a}->{b}" for w, a, b in PAIRS])
def test_each_pair_is_allowed_exactly_when_the_table_says(workflow: Workflow, current: str,
                                                          target: str) -> None:
    if target in workflow.transitions[current]:
        workflow.check(current, target)
    else:
        with pytest.raises(InvalidTransition) as err:
            workflow.check(current, target)
        assert err.value.field == workflow.field


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_an_unknown_status_names_the_field(workflow: Workflow) -> None:
    with pytest.raises(InvalidInput) as err:
        workflow.check(workflow.statuses[0], "resolved")
    assert err.value.field == workflow.field


def test_a_decided_round_takes_no_assessment_and_cannot_be_closed(session: Session,
                                                                 world: World) -> None:
    assert ROUND.transitions["decided"] == frozenset()
    rnd = open_round(session, principal=world.officer(0),
                     data={"incident": world.incident(session), "days": 1}, now=NOW)
    close_round(session, principal=world.coordinator, round_id=rnd.id, now=NOW + timedelta(2))
    with pytest.raises(Conflict):
        close_round(session, principal=world.coordinator, round_id=rnd.id,
                    now=NOW + timedelta(3))
    with pytest.raises(Conflict):
        file_assessment(session, principal=world.officer(0), round_id=rnd.id,
                        keystore=world.keystore, data=assessment())


# --- investigations through update_investigation ------------------------------------

def _investigation_at(session: Session, world: World, status: str) -> Investigation:
    inv = task_investigation(session, principal=world.officer(0), now=NOW, data={
        "incident": world.incident(session), "assignee": "team", "due_on": date(2017, 3, 1)})
    path = {"tasked": [], "in_progress": ["in_progress"], "completed": ["completed"],
            "cancelled": ["cancelled"]}[status]
    for step in path:
        _step_investigation(session, world, inv, step)
    assert inv.status == status
    return inv


def _step_investigation(session: Session, world: World, inv: Investigation, status: str) -> None:
    extra = {"result": "inconclusive"} if status == "completed" else {}
    update_investigation(session, principal=world.officer(0), investigation_id=inv.id,
                         data={"status": status, **extra})


@pytest.mark.parametrize("current, target",
                         list(itertools.product(INVESTIGATION.statuses, INVESTIGATION.statuses)))
def test_investigation_service_follows_its_table(session: Session, world: World, current: str,
                                                 target: str) -> None:
    inv = _investigation_at(session, world, current)
    if current == target:
        return  # not a transition: an update that leaves the status alone
    if target in INVESTIGATION.transitions[current]:
        _step_investigation(session, world, inv, target)
        assert inv.status == target
    else:
        with pytest.raises((InvalidTransition, Conflict)):
            _step_investigation(session, world, inv, target)
        assert inv.status == current


# --- measures through votes and change_measure_status ---------------------------------

def _measure_at(session: Session, world: World, status: str) -> Measure:
    incident = world.incident(session)
    rnd = open_round(session, principal=world.officer(0), data={"incident": incident})
    for i in range(3):
        file_assessment(session, principal=world.officer(i), round_id=rnd.id,
                        keystore=world.keystore,
                        data=assessment("violation", world.parties[0]))
    measure = propose_measure(session, principal=world.officer(0), data={
        "incident": incident, "kind": "warning", "description": "x"})
    if status == "proposed":
        # one seat disagrees, so that the rule (unanimity) can no longer carry it
        vote_on_measure(session, principal=world.officer(1), measure_id=measure.id,
                        vote="disagree", keystore=world.keystore)
    if status == "dropped":
        vote_on_measure(session, principal=world.officer(1), measure_id=measure.id,
                        vote="disagree", keystore=world.keystore)
        change_measure_status(session, principal=world.officer(0), measure_id=measure.id,
                              status="dropped", reason="cannot pass")
    if status in ("agreed", "carried_out"):
        for i in range(3):
            vote_on_measure(session, principal=world.officer(i), measure_id=measure.id,
                            vote="agree", keystore=world.keystore)
    if status == "carried_out":
        change_measure_status(session, principal=world.officer(0), measure_id=measure.id,
                              status="carried_out", reason="done")
    assert measure.status == status
    return measure


@pytest.mark.parametrize("current, target",
                         list(itertools.product(MEASURE.statuses, MEASURE.statuses)))
def test_measure_status_by_hand_follows_its_table(session: Session, world: World, current: str,
                                                  target: str) -> None:
    measure = _measure_at(session, world, current)
    by_hand = target in MEASURE.transitions[current] and (current, target) not in MEASURE_BY_VOTE
    if by_hand:
        change_measure_status(session, principal=world.officer(2), measure_id=measure.id,
                              status=target, reason="recorded")
        assert measure.status == target
    else:
        with pytest.raises(InvalidTransition):
            change_measure_status(session, principal=world.officer(2), measure_id=measure.id,
                                  status=target, reason="recorded")
        assert measure.status == current
