"""Investigations and denials of access, on both stores."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session
from tests.verification.world import NOW, World

from trucewatch.auth.principal import operator
from trucewatch.errors import Conflict, InvalidInput, InvalidTransition, PermissionDenied
from trucewatch.log.service import entries_for
from trucewatch.verification.service import (
    denials_by_party,
    investigation_view,
    investigations_of,
    record_access_denial,
    task_investigation,
    update_investigation,
)

DUE = date(2017, 2, 10)


def test_investigation_from_tasking_to_could_not_be_attributed(session: Session,
                                                                world: World) -> None:
    incident = world.incident(session)
    tasking = world.officer(1)
    inv = task_investigation(session, principal=tasking, now=NOW, data={
        "incident": incident, "assignee": "Joint team B (two monitors)", "due_on": DUE})
    assert (inv.status, inv.site_visit, inv.guarantor_id) == ("tasked", "not_attempted",
                                                              tasking.organisation_id)
    with pytest.raises(InvalidInput) as err:  # a denied visit names who denied it
        update_investigation(session, principal=tasking, investigation_id=inv.id, now=NOW,
                             data={"site_visit": "denied"})
    assert err.value.field == "denial"
    update_investigation(session, principal=tasking, investigation_id=inv.id, now=NOW, data={
        "status": "in_progress", "site_visit": "denied",
        "denial": {"denied_by": world.parties[0], "kind": "access",
                   "occurred_at": (NOW - timedelta(hours=3)).isoformat(),
                   "place_name": "Checkpoint north of the town",
                   "description": "The team was turned back at the checkpoint."}})
    update_investigation(session, principal=tasking, investigation_id=inv.id, now=NOW, data={
        "site_visit": "made", "interviews": "Four residents; the clinic's doctor.",
        "evidence": [{"kind": "photo", "description": "Crater, north-east wall",
                      "reference": "sha256:ab12"}]})
    with pytest.raises(InvalidInput) as err:
        update_investigation(session, principal=tasking, investigation_id=inv.id,
                             data={"status": "completed"})
    assert err.value.field == "result"
    with pytest.raises(InvalidInput) as err:
        update_investigation(session, principal=tasking, investigation_id=inv.id,
                             data={"result": "could_not_be_attributed",
                                   "responsible": world.parties[0]})
    assert err.value.field == "responsible"
    update_investigation(session, principal=tasking, investigation_id=inv.id, now=NOW, data={
        "findings": "Shelling confirmed; the firing position could not be established.",
        "result": "could_not_be_attributed", "status": "completed"})
    view = investigation_view(session, inv)
    assert (view["status"], view["result"], view["responsible"]) == (
        "completed", "could_not_be_attributed", None)
    assert view["site_visit"] == "made" and len(view["evidence"]) == 1
    assert view["evidence"][0]["added_by"] == tasking.actor
    assert [d["denied_by"] for d in view["denials"]] == [world.parties[0]]
    assert [i.id for i in investigations_of(session, incident)] == [inv.id]
    with pytest.raises(Conflict):
        update_investigation(session, principal=tasking, investigation_id=inv.id,
                             data={"findings": "more"})
    kinds = [e.kind for e in entries_for(session, f"incident:{incident}")]
    assert kinds.count("investigation.updated") == 3 and "access_denial.recorded" in kinds


def test_attributed_result_names_the_party(session: Session, world: World) -> None:
    inv = task_investigation(session, principal=world.officer(0), now=NOW, data={
        "incident": world.incident(session), "assignee": "A. Monitor", "due_on": DUE})
    with pytest.raises(InvalidInput) as err:
        update_investigation(session, principal=world.officer(0), investigation_id=inv.id,
                             data={"result": "attributed"})
    assert err.value.field == "responsible"
    update_investigation(session, principal=world.officer(0), investigation_id=inv.id,
                         data={"result": "attributed", "responsible": world.parties[1],
                               "status": "completed"})
    assert investigation_view(session, inv)["responsible"] == world.parties[1]


def test_who_may_task_and_update(session: Session, world: World) -> None:
    incident = world.incident(session)
    for who in (operator("cli:root"), world.coordinator):
        with pytest.raises(PermissionDenied):
            task_investigation(session, principal=who, now=NOW, data={
                "incident": incident, "assignee": "x", "due_on": DUE})
    inv = task_investigation(session, principal=world.officer(0), now=NOW, data={
        "incident": incident, "assignee": "x", "due_on": DUE})
    with pytest.raises(PermissionDenied):  # another guarantor does not run this one
        update_investigation(session, principal=world.officer(1), investigation_id=inv.id,
                             data={"findings": "y"})
    with pytest.raises(InvalidInput) as err:
        task_investigation(session, principal=world.officer(0), now=NOW, data={
            "incident": incident, "assignee": "x", "due_on": date(2017, 1, 1)})
    assert err.value.field == "due_on"
    with pytest.raises(InvalidInput):
        update_investigation(session, principal=world.officer(0), investigation_id=inv.id,
                             data={})


def test_site_visit_follows_its_table(session: Session, world: World) -> None:
    inv = task_investigation(session, principal=world.officer(0), now=NOW, data={
        "incident": world.incident(session), "assignee": "x", "due_on": DUE})
    update_investigation(session, principal=world.officer(0), investigation_id=inv.id,
                         data={"site_visit": "made"})
    with pytest.raises(InvalidTransition) as err:
        update_investigation(session, principal=world.officer(0), investigation_id=inv.id,
                             data={"site_visit": "denied"})
    assert err.value.field == "site_visit"


def test_denials_are_counted_per_party(session: Session, world: World) -> None:
    when = (NOW - timedelta(days=1)).isoformat()
    incident = world.incident(session)
    for party, kind in ((world.parties[0], "access"), (world.parties[0], "movement"),
                        (world.parties[1], "movement"), (world.excluded, "access")):
        record_access_denial(session, principal=world.officer(2), now=NOW, data={
            "denied_by": party, "kind": kind, "occurred_at": when, "truce": world.truce})
    record_access_denial(session, principal=world.officer(2), now=NOW, data={
        "denied_by": world.parties[0], "kind": "access", "occurred_at": when,
        "incident": incident, "latitude": 35.8, "longitude": 36.6})
    counts = {row["party"]: (row["access"], row["movement"]) for row in denials_by_party(session)}
    assert counts == {world.parties[0]: (2, 1), world.parties[1]: (0, 1), world.excluded: (1, 0)}
    with pytest.raises(InvalidInput) as err:
        record_access_denial(session, principal=world.officer(2), now=NOW, data={
            "denied_by": world.parties[0], "kind": "access", "truce": world.truce,
            "occurred_at": (NOW + timedelta(days=1)).isoformat()})
    assert err.value.field == "occurred_at"
    with pytest.raises(PermissionDenied):
        record_access_denial(session, principal=world.coordinator, now=NOW, data={
            "denied_by": world.parties[0], "kind": "access", "occurred_at": when,
            "truce": world.truce})
