"""Publication: the coordinator publishes decided incidents; the public sees only those."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.verification.world import World, assessment

from trucewatch.auth.principal import PUBLIC, operator
from trucewatch.errors import Conflict, PermissionDenied
from trucewatch.incidents.service import get_incident
from trucewatch.verification.service import (
    file_assessment,
    open_round,
    public_incident_view,
    publish_incident,
    published_incidents,
    rounds_of_incident,
)


def decide(session: Session, world: World, incident: int, findings: list[str],
           reason: str = "") -> None:
    rnd = open_round(session, principal=world.officer(0),
                     data={"incident": incident, "reason": reason})
    for i, finding in enumerate(findings):
        party = world.parties[0] if finding == "violation" else None
        file_assessment(session, principal=world.officer(i), round_id=rnd.id,
                        keystore=world.keystore, data=assessment(finding, party))


def test_only_decided_incidents_are_published_and_shown(session: Session, world: World) -> None:
    decided, pending = world.incident(session), world.incident(session)
    open_round(session, principal=world.officer(0), data={"incident": pending})
    with pytest.raises(Conflict):
        publish_incident(session, principal=world.coordinator, incident_id=pending)
    with pytest.raises(PermissionDenied):
        rounds_of_incident(session, principal=PUBLIC, incident_id=decided)
    decide(session, world, decided, ["violation", "violation", "not_violation"])
    for who in (world.officer(0), operator("cli:root"), PUBLIC):
        with pytest.raises(PermissionDenied):
            publish_incident(session, principal=who, incident_id=decided)
    assert published_incidents(session) == []
    incident = publish_incident(session, principal=world.coordinator, incident_id=decided)
    assert incident.published_at is not None
    assert incident.published_by == world.coordinator.actor
    assert [i.id for i in published_incidents(session)] == [decided]
    view = public_incident_view(session, incident)
    assert view["decision"]["decision"] == "disputed"
    assert [d["guarantor"] for d in view["decision"]["dissents"]] == [world.guarantors[2]]
    with pytest.raises(Conflict):
        publish_incident(session, principal=world.coordinator, incident_id=decided)
    assert [r.number for r in rounds_of_incident(session, principal=PUBLIC,
                                                 incident_id=decided)] == [1]


def test_a_later_decision_is_published_anew(session: Session, world: World) -> None:
    incident = world.incident(session)
    decide(session, world, incident, ["not_violation"] * 3)
    publish_incident(session, principal=world.coordinator, incident_id=incident)
    decide(session, world, incident, ["violation"] * 3, reason="drone footage")
    assert get_incident(session, incident).status == "confirmed"
    # the public still sees the decision that was published, not the new one
    public = rounds_of_incident(session, principal=PUBLIC, incident_id=incident)
    assert [(r.number, r.decision) for r in public] == [(1, "not_confirmed")]
    assert public_incident_view(session, get_incident(session, incident))["decision"][
        "decision"] == "not_confirmed"
    publish_incident(session, principal=world.coordinator, incident_id=incident)
    view = public_incident_view(session, get_incident(session, incident))
    assert view["decision"]["decision"] == "confirmed" and view["decision"]["round"] == 2
