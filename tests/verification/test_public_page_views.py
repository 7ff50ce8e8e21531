"""The public views of a page of incidents (``public_incident_views``, one query for every
incident's published round, its signatures and their guarantors) hold what each incident's
rounds say: the latest round decided by publication, its signatures in signing order."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.verification.world import World, assessment

from trucewatch.actors.models import Actor
from trucewatch.incidents.listing import IncidentFilter, incident_rows
from trucewatch.incidents.models import Incident
from trucewatch.verification.models import ReviewRound
from trucewatch.verification.publication import public_incident_views
from trucewatch.verification.service import (
    file_assessment,
    open_round,
    publish_incident,
    sign_decision,
)


def decide(session: Session, world: World, incident: int, finding: str,
           signers: list[int]) -> None:
    rnd = open_round(session, principal=world.officer(0),
                     data={"incident": incident, "reason": "evidence"})
    for i in range(3):
        party = world.parties[0] if finding == "violation" else None
        file_assessment(session, principal=world.officer(i), round_id=rnd.id,
                        keystore=world.keystore, data=assessment(finding, party))
    for i in signers:
        sign_decision(session, principal=world.officer(i), round_id=rnd.id,
                      keystore=world.keystore)


def test_each_incident_shows_its_published_round_and_signatures(session: Session,
                                                                 world: World) -> None:
    twice, once, unsigned = (world.incident(session) for _ in range(3))
    decide(session, world, twice, "not_violation", signers=[2, 0])
    publish_incident(session, principal=world.coordinator, incident_id=twice)
    decide(session, world, twice, "violation", signers=[1])  # decided, not yet published
    decide(session, world, once, "violation", signers=[0, 1, 2])
    publish_incident(session, principal=world.coordinator, incident_id=once)
    decide(session, world, unsigned, "violation", signers=[])
    publish_incident(session, principal=world.coordinator, incident_id=unsigned)

    incidents = [session.get(Incident, i) for i in (twice, once, unsigned)]
    rows, reports = incident_rows(session, principal=None, filters=IncidentFilter(), limit=500)
    page = [r for r in rows if r.id in (twice, once, unsigned)]
    from_rows = public_incident_views(session, page, report_ids=reports)
    from_incidents = public_incident_views(session, [i for i in incidents if i is not None])
    assert from_rows == from_incidents
    views = {v["id"]: v for v in from_rows}
    for incident, number, signers in ((twice, 1, [2, 0]), (once, 1, [0, 1, 2]),
                                      (unsigned, 1, [])):
        rnd = session.scalars(select(ReviewRound).where(
            ReviewRound.incident_id == incident, ReviewRound.number == number)).one()
        assert views[incident]["decision"] == json.loads(rnd.decision_body or "null")
        assert [s["guarantor"] for s in views[incident]["decision_signatures"]] == [
            world.guarantors[i] for i in signers]
        slugs = {a.id: a.slug for a in session.scalars(select(Actor))}
        assert views[incident]["decision_signatures"] == [
            {"guarantor": slugs[s.guarantor_id], "key_id": s.key_id, "signature": s.signature}
            for s in rnd.decision_signatures]
    assert views[twice]["decision"]["decision"] == "not_confirmed"
