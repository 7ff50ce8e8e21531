"""The incident workflow table, walked exhaustively through the service."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.errors import InvalidInput, InvalidTransition
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import change_status, create_incident
from trucewatch.incidents.workflow import DECIDED, STATUSES, TRANSITIONS, check_transition
from trucewatch.reports.service import file_report


def test_every_status_has_a_row_and_every_target_is_a_status() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    for targets in TRANSITIONS.values():
        assert targets <= set(STATUSES)


@pytest.mark.parametrize("current, target", list(itertools.product(STATUSES, STATUSES)))
def test_each_pair_is_allowed_exactly_when_the_table_says(current: str, target: str) -> None:
    if target in TRANSITIONS[current]:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


def test_unknown_status() -> None:
    with pytest.raises(InvalidInput) as err:
        check_transition("open", "resolved")
    assert err.value.field == "status"


def _path_to(status: str) -> list[str]:
    """Shortest path of transitions from open to ``status`` (breadth first over the table)."""
    paths = {"open": ["open"]}
    queue = ["open"]
    while queue:
        here = queue.pop(0)
        for nxt in sorted(TRANSITIONS[here]):
            if nxt not in paths:
                paths[nxt] = paths[here] + [nxt]
                queue.append(nxt)
    return paths[status]


@pytest.mark.parametrize("current", STATUSES)
def test_the_service_follows_the_table_from_every_status(session: Session, current: str) -> None:
    filer = factories.organisation(session)
    for target in STATUSES:
        report = file_report(session, data=factories.report(), organisation=filer, actor="t")
        incident = create_incident(session, data={"reports": [report.id]}, actor="t")
        for step in _path_to(current)[1:]:
            change_status(session, incident_id=incident.id, status=step, actor="t",
                          by_round=True)
        if target in TRANSITIONS[current]:
            change_status(session, incident_id=incident.id, status=target, actor="t",
                          by_round=True)
            assert session.get(Incident, incident.id).status == target
        else:
            with pytest.raises((InvalidTransition, InvalidInput)):
                change_status(session, incident_id=incident.id, status=target, actor="t",
                              by_round=True)
            assert session.get(Incident, incident.id).status == current


@pytest.mark.parametrize("decision", sorted(DECIDED))
def test_decisions_are_not_set_by_hand(session: Session, decision: str) -> None:
    filer = factories.organisation(session)
    report = file_report(session, data=factories.report(), organisation=filer, actor="t")
    incident = create_incident(session, data={"reports": [report.id]}, actor="t")
    change_status(session, incident_id=incident.id, status="under_review", actor="t")
    with pytest.raises(InvalidTransition, match="decided by a review round"):
        change_status(session, incident_id=incident.id, status=decision, actor="t")
