"""Publication: the coordinator publishes decided incidents; only those reach public views."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from trucewatch.actors.models import Actor
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict
from trucewatch.incidents.listing import IncidentFields
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import get_incident, incident_view
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow
from trucewatch.verification.models import DecisionSignature, ReviewRound
from trucewatch.verification.seats import iso

DECIDED: frozenset[str] = frozenset({"confirmed", "not_confirmed", "disputed"})


def publish_incident(session: Session, *, principal: Principal, incident_id: int,
                     now: datetime | None = None) -> Incident:
    """Publish an incident's latest decision (again, after a later round decides anew)."""
    require(principal, Action.INCIDENT_PUBLISH)
    now = now or utcnow()
    log.lock(session)
    incident = get_incident(session, incident_id)
    session.refresh(incident)
    if incident.status not in DECIDED:
        raise Conflict(f"incident {incident_id} is {incident.status}: only decided incidents "
                       "are published", field="incident")
    rnd = published_round(session, incident, upto=None)
    if rnd is None or rnd.decision != incident.status:
        raise Conflict(f"incident {incident_id} was not decided by a review round",
                       field="incident")
    assert rnd.decided_at is not None
    if incident.published_at is not None and incident.published_at >= rnd.decided_at:
        raise Conflict(f"the decision of round {rnd.number} is published already",
                       field="incident")
    incident.published_at, incident.published_by = now, principal.actor
    incident.version += 1
    session.flush()
    log.append(session, kind="incident.published", subject=f"incident:{incident.id}",
               actor=principal.actor,
               payload={"incident": incident.id, "round": rnd.number, "decision": rnd.decision,
                        "published_at": iso(now)})
    return incident


def published_round(session: Session, incident: Incident,
                    upto: datetime | None) -> ReviewRound | None:
    """The latest decided round (decided by ``upto``, if given)."""
    query = select(ReviewRound).where(ReviewRound.incident_id == incident.id,
                                      ReviewRound.status == "decided")
    if upto is not None:
        query = query.where(ReviewRound.decided_at <= upto)
    return session.scalar(query.order_by(ReviewRound.number.desc()).limit(1))


def published_incidents(session: Session, *, truce_id: int | None = None) -> list[Incident]:
    """What public views and exports may show: published incidents only."""
    query = select(Incident).where(Incident.published_at.is_not(None)).order_by(Incident.id)
    if truce_id is not None:
        query = query.where(Incident.truce_id == truce_id)
    return list(session.scalars(query.options(selectinload(Incident.links))))


def public_incident_view(session: Session, incident: Incident) -> dict[str, Any]:
    """The incident with the decision that was published (dissents and signatures included)."""
    if incident.published_at is None:
        raise Conflict(f"incident {incident.id} is not published", field="incident")
    return public_incident_views(session, [incident])[0]


def public_incident_views(session: Session, incidents: Sequence[IncidentFields], *,
                          report_ids: dict[int, list[int]] | None = None) -> list[dict[str, Any]]:
    """``public_incident_view`` of many published incidents in three queries, not three each
    (``report_ids``: each incident's linked reports, when its links are not loaded; with
    rows of ``incidents.listing.PAGE_COLUMNS`` instead of incidents, they must be given)."""
    published = {i.id: i.published_at for i in incidents if i.published_at is not None}
    if len(published) != len(incidents):
        raise Conflict("only published incidents have a public view", field="incident")
    # incident id -> (round id, decision body, signatures) of its published round
    rounds: dict[int, tuple[int, str | None, list[dict[str, str]]]] = {}
    if published:
        found = session.execute(DECISIONS, {"incidents": list(published)})
        for incident_id, round_id, decided_at, body, slug, key_id, signature in found:
            at = published[incident_id]
            if decided_at is None or at is None or decided_at > at:
                continue
            if incident_id not in rounds or rounds[incident_id][0] != round_id:
                rounds[incident_id] = (round_id, body, [])  # the latest by publication wins
            if slug is not None:
                rounds[incident_id][2].append(
                    {"guarantor": slug, "key_id": key_id, "signature": signature})
    views = []
    for incident in incidents:
        _, body, signatures = rounds.get(incident.id, (0, None, []))
        view = incident_view(incident, report_ids=None if report_ids is None
                             else report_ids[incident.id])
        view["published_at"] = iso(incident.published_at)
        view["decision"] = json.loads(body) if body else None
        view["decision_signatures"] = signatures
        views.append(view)
    return views


# The decided rounds of the incidents, each with its signatures and their guarantors' slugs,
# in round order: one statement, built once (the ORM's rounds, their signatures and the
# slugs took three queries and ~1 ms of a page's CPU with no rounds to read).
DECISIONS = (
    select(ReviewRound.incident_id, ReviewRound.id, ReviewRound.decided_at,
           ReviewRound.decision_body, Actor.slug, DecisionSignature.key_id,
           DecisionSignature.signature)
    .outerjoin(DecisionSignature, DecisionSignature.round_id == ReviewRound.id)
    .outerjoin(Actor, Actor.id == DecisionSignature.guarantor_id)
    .where(ReviewRound.incident_id.in_(bindparam("incidents", expanding=True)),
           ReviewRound.status == "decided")
    .order_by(ReviewRound.incident_id, ReviewRound.number, DecisionSignature.id))
