"""Publication: the coordinator publishes decided incidents; only those reach public views."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict
from trucewatch.incidents.listing import IncidentFields
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import get_incident, incident_view
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow
from trucewatch.verification.models import ReviewRound
from trucewatch.verification.seats import iso, slugs

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
    rounds: dict[int, ReviewRound] = {}
    if published:
        query = (select(ReviewRound)
                 .where(ReviewRound.incident_id.in_(published), ReviewRound.status == "decided")
                 .order_by(ReviewRound.incident_id, ReviewRound.number)
                 .options(selectinload(ReviewRound.decision_signatures)))
        for rnd in session.scalars(query):
            at = published[rnd.incident_id]
            if rnd.decided_at is not None and at is not None and rnd.decided_at <= at:
                rounds[rnd.incident_id] = rnd  # the latest decided by publication wins
    names = slugs(session, [s.guarantor_id for r in rounds.values()
                            for s in r.decision_signatures])
    views = []
    for incident in incidents:
        found = rounds.get(incident.id)
        view = incident_view(incident, report_ids=None if report_ids is None
                             else report_ids[incident.id])
        view["published_at"] = iso(incident.published_at)
        view["decision"] = (json.loads(found.decision_body)
                            if found and found.decision_body else None)
        view["decision_signatures"] = [
            {"guarantor": names[s.guarantor_id], "key_id": s.key_id, "signature": s.signature}
            for s in (found.decision_signatures if found else [])]
        views.append(view)
    return views
