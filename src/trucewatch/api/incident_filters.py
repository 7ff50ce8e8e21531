"""The incident list's filters: when, where, what, who, status, text; visibility first.

``incidents.service.list_incidents`` filters by status and truce only, so the rest is
composed here, over the same visibility rule (unpublished incidents only with
``incident.read_unpublished``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from trucewatch.actors.service import find_actor
from trucewatch.auth.policy import Action, allowed
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.incidents.workflow import STATUSES
from trucewatch.reports.models import Report
from trucewatch.reports.taxonomy import BY_CODE
from trucewatch.reports.when import parse_when
from trucewatch.truces.models import Truce
from trucewatch.verification.models import ReviewRound


@dataclass(frozen=True)
class IncidentFilter:
    occurred_from: str | None = None
    occurred_to: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    category: str | None = None
    alleged: str | None = None  # a linked report alleges this actor did it
    responsible: str | None = None  # a decided review round holds this party responsible
    status: str | None = None
    truce: str | None = None
    text: str | None = None


def sees_unpublished(principal: Principal) -> bool:
    return allowed(principal, Action.INCIDENT_READ_UNPUBLISHED)


def list_incidents(session: Session, *, filters: IncidentFilter, principal: Principal,
                   after_id: int, limit: int) -> list[Incident]:
    query = _filtered(session, filters, privileged=sees_unpublished(principal))
    query = query.where(Incident.id > after_id).order_by(Incident.id).limit(limit)
    return list(session.scalars(query.options(selectinload(Incident.links))))


def _filtered(session: Session, f: IncidentFilter, *, privileged: bool) -> Select[Incident]:
    query = select(Incident)
    if not privileged:
        query = query.where(Incident.published_at.is_not(None))
    if f.occurred_from:
        query = query.where(Incident.occurred_end > parse_when(f.occurred_from,
                                                               field="occurred_from").start)
    if f.occurred_to:
        query = query.where(Incident.occurred_start < parse_when(f.occurred_to,
                                                                 field="occurred_to").end)
    if f.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = f.bbox
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise InvalidInput("bbox must be min_lon,min_lat,max_lon,max_lat within WGS 84 "
                               "bounds, min before max", field="bbox")
        query = query.where(Incident.longitude.between(min_lon, max_lon),
                            Incident.latitude.between(min_lat, max_lat))
    if f.category:
        if f.category not in BY_CODE:
            raise InvalidInput(f"{f.category!r} is not in the taxonomy", field="category")
        query = query.where(Incident.category == f.category)
    if f.status:
        if f.status not in STATUSES:
            raise InvalidInput(f"{f.status!r} is not a status ({', '.join(STATUSES)})",
                               field="status")
        query = query.where(Incident.status == f.status)
    if f.truce:
        query = query.where(Incident.truce_id.in_(select(Truce.id).where(Truce.slug == f.truce)))
    if f.alleged:
        actor = find_actor(session, f.alleged, field="alleged")
        query = query.where(exists(
            select(IncidentLink.id).join(Report, Report.id == IncidentLink.report_id)
            .where(IncidentLink.incident_id == Incident.id, IncidentLink.unlinked_at.is_(None),
                   Report.alleged_actor_id == actor.id)))
    if f.responsible:
        actor = find_actor(session, f.responsible, field="responsible")
        decided = (select(ReviewRound.id)
                   .where(ReviewRound.incident_id == Incident.id,
                          ReviewRound.status == "decided",
                          ReviewRound.responsible_actor_id == actor.id))
        if not privileged:  # only what the published decision says
            decided = decided.where(ReviewRound.decided_at <= Incident.published_at)
        query = query.where(exists(decided))
    if f.text:
        like = f"%{f.text}%"
        query = query.where(or_(Incident.title.ilike(like), Incident.place_name.ilike(like)))
    return query
