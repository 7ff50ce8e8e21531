"""Investigations a guarantor tasks, and denials of access or movement recorded per party."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.service import find_actor
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput, NotFound
from trucewatch.geo.zones import check_coordinates
from trucewatch.incidents.service import get_incident
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow
from trucewatch.truces.models import Truce
from trucewatch.truces.service import get_truce
from trucewatch.validation import parse
from trucewatch.verification.models import AccessDenial, Investigation
from trucewatch.verification.schemas import (
    AccessDenialIn,
    InvestigationIn,
    InvestigationResult,
    InvestigationUpdateIn,
    SiteVisit,
)
from trucewatch.verification.seats import guarantor_ids, iso, seat_of, slugs, truce_of
from trucewatch.verification.workflow import INVESTIGATION, INVESTIGATION_EDITABLE, SITE_VISIT


def task_investigation(session: Session, *, principal: Principal,
                       data: InvestigationIn | dict[str, Any],
                       now: datetime | None = None) -> Investigation:
    """A guarantor tasks a team or a person to investigate an incident by a due date."""
    spec = parse(InvestigationIn, data)
    now = now or utcnow()
    incident = get_incident(session, spec.incident)
    truce = truce_of(session, incident)
    seat = seat_of(principal, Action.INVESTIGATION_TASK, seats=guarantor_ids(truce),
                   what=f"truce {truce.slug}")
    if spec.due_on < now.date():
        raise InvalidInput("the due date has passed", field="due_on")
    row = Investigation(incident_id=incident.id, tasked_by=principal.actor, tasked_at=now,
                        guarantor_id=seat, assignee=spec.assignee, due_on=spec.due_on,
                        status="tasked", site_visit=SiteVisit.NOT_ATTEMPTED.value, interviews="",
                        findings="", evidence=[])
    session.add(row)
    session.flush()
    log.append(session, kind="investigation.tasked", subject=f"incident:{incident.id}",
               actor=principal.actor, payload=investigation_view(session, row))
    return row


def get_investigation(session: Session, investigation_id: int) -> Investigation:
    row = session.get(Investigation, investigation_id)
    if row is None:
        raise NotFound(f"no investigation {investigation_id}", field="investigation")
    return row


def read_investigation(session: Session, *, principal: Principal,
                       investigation_id: int) -> Investigation:
    """Investigations are the guarantors' working material: never public."""
    require(principal, Action.INCIDENT_READ_UNPUBLISHED)
    return get_investigation(session, investigation_id)


def update_investigation(session: Session, *, principal: Principal, investigation_id: int,
                         data: InvestigationUpdateIn | dict[str, Any],
                         now: datetime | None = None) -> Investigation:
    """Record progress: site visit made or denied, interviews, findings, evidence, the result."""
    spec = parse(InvestigationUpdateIn, data)
    now = now or utcnow()
    log.lock(session)
    row = get_investigation(session, investigation_id)
    session.refresh(row)
    require(principal, Action.INVESTIGATION_TASK, organisation_id=row.guarantor_id)
    if row.status not in INVESTIGATION_EDITABLE:
        raise Conflict(f"investigation {row.id} is {row.status}", field="investigation")
    # Every check comes before the first write, so a refused update changes nothing.
    visit = spec.site_visit.value if spec.site_visit is not None else row.site_visit
    if visit != row.site_visit:
        SITE_VISIT.check(row.site_visit, visit)
        if visit == SiteVisit.DENIED.value and spec.denial is None and not session.scalar(
                select(AccessDenial.id).where(AccessDenial.investigation_id == row.id)):
            raise InvalidInput("a denied visit is recorded against the party that denied it: "
                               "give the denial", field="denial")
    result, responsible = _result(session, row, spec)
    status = spec.status if spec.status is not None else row.status
    if status != row.status:
        INVESTIGATION.check(row.status, status)
        if status == "completed" and result is None:
            raise InvalidInput("an investigation is completed with a result", field="result")
    changes: dict[str, Any] = {}
    if spec.denial is not None:
        denial = record_access_denial(session, principal=principal, now=now, data={
            **spec.denial.model_dump(exclude_unset=True), "investigation": row.id})
        changes["denial"] = denial.id
    if visit != row.site_visit:
        row.site_visit = changes["site_visit"] = visit
    for name in ("interviews", "findings"):
        value = getattr(spec, name)
        if value is not None and value != getattr(row, name):
            setattr(row, name, value)
            changes[name] = value
    if spec.evidence:
        added = [{**e.model_dump(), "added_by": principal.actor, "added_at": iso(now)}
                 for e in spec.evidence]
        row.evidence = [*row.evidence, *added]
        changes["evidence_added"] = added
    if (result, responsible) != (row.result, row.responsible_actor_id):
        row.result, row.responsible_actor_id = result, responsible
        changes["result"] = result
        changes["responsible"] = slugs(session, [responsible]).get(responsible or 0)
    if status != row.status:
        changes["status"] = {"from": row.status, "to": status}
        row.status = status
        if status == "completed":
            row.completed_at = now
    if not changes:
        raise InvalidInput("nothing to change", field="investigation")
    session.flush()
    log.append(session, kind="investigation.updated", subject=f"incident:{row.incident_id}",
               actor=principal.actor, payload={"investigation": row.id, **changes})
    return row


def _result(session: Session, row: Investigation,
            spec: InvestigationUpdateIn) -> tuple[str | None, int | None]:
    """The result and responsible party after the update; only "attributed" names a party."""
    if spec.result is None and spec.responsible is None:
        return row.result, row.responsible_actor_id
    result = spec.result or (InvestigationResult(row.result) if row.result else None)
    if result is not InvestigationResult.ATTRIBUTED:
        if spec.responsible is not None:
            raise InvalidInput("only an attributed result names a responsible party",
                               field="responsible")
        return (result.value if result else None), None
    if spec.responsible is None:
        if row.responsible_actor_id is None:
            raise InvalidInput("an attributed result names the responsible party",
                               field="responsible")
        return result.value, row.responsible_actor_id
    party = find_actor(session, spec.responsible, field="responsible", kind=ActorKind.ORGANISATION)
    return result.value, party.id


def record_access_denial(session: Session, *, principal: Principal,
                         data: AccessDenialIn | dict[str, Any],
                         now: datetime | None = None) -> AccessDenial:
    """Record that monitors were refused access or movement, against the party that refused."""
    spec = parse(AccessDenialIn, data)
    now = now or utcnow()
    incident_id = spec.incident
    if spec.investigation is not None:
        investigation = get_investigation(session, spec.investigation)
        if incident_id is not None and incident_id != investigation.incident_id:
            raise InvalidInput(f"investigation {investigation.id} is of incident "
                               f"{investigation.incident_id}", field="incident")
        incident_id = investigation.incident_id
    truce = _truce(session, incident_id, spec.truce)
    seat_of(principal, Action.ACCESS_DENIAL_RECORD, seats=guarantor_ids(truce),
            what=f"truce {truce.slug}")
    if spec.occurred_at > now:
        raise InvalidInput("a denial cannot be in the future", field="occurred_at")
    check_coordinates(spec.latitude, spec.longitude)
    party = find_actor(session, spec.denied_by, field="denied_by", kind=ActorKind.ORGANISATION)
    row = AccessDenial(investigation_id=spec.investigation, incident_id=incident_id,
                       truce_id=truce.id, denied_by_actor_id=party.id, kind=spec.kind.value,
                       occurred_at=spec.occurred_at, place_name=spec.place_name,
                       latitude=spec.latitude, longitude=spec.longitude,
                       description=spec.description, recorded_by=principal.actor,
                       recorded_at=now)
    session.add(row)
    session.flush()
    subject = f"incident:{incident_id}" if incident_id is not None else f"truce:{truce.slug}"
    log.append(session, kind="access_denial.recorded", subject=subject, actor=principal.actor,
               payload=denial_view(session, row))
    return row


def _truce(session: Session, incident_id: int | None, slug: str | None) -> Truce:
    if incident_id is not None:
        truce = truce_of(session, get_incident(session, incident_id))
        if slug is not None and slug != truce.slug:
            raise InvalidInput(f"incident {incident_id} falls under truce {truce.slug}",
                               field="truce")
        return truce
    return get_truce(session, slug)


def list_denials(session: Session, *, truce_id: int | None = None,
                 denied_by: int | None = None) -> list[AccessDenial]:
    query = select(AccessDenial).order_by(AccessDenial.occurred_at, AccessDenial.id)
    if truce_id is not None:
        query = query.where(AccessDenial.truce_id == truce_id)
    if denied_by is not None:
        query = query.where(AccessDenial.denied_by_actor_id == denied_by)
    return list(session.scalars(query))


def denials_by_party(session: Session, *, truce_id: int | None = None) -> list[dict[str, Any]]:
    """How many denials of access and of movement each party is recorded with."""
    counts: Counter[tuple[int, str]] = Counter(
        (d.denied_by_actor_id, d.kind) for d in list_denials(session, truce_id=truce_id))
    names = slugs(session, [party for party, _ in counts])
    parties = sorted({party for party, _ in counts}, key=lambda p: names[p])
    return [{"party": names[p], "access": counts[(p, "access")],
             "movement": counts[(p, "movement")],
             "total": counts[(p, "access")] + counts[(p, "movement")]} for p in parties]


def investigations_of(session: Session, incident_id: int) -> list[Investigation]:
    return list(session.scalars(select(Investigation).where(
        Investigation.incident_id == incident_id).order_by(Investigation.id)))


def investigation_view(session: Session, row: Investigation) -> dict[str, Any]:
    names = slugs(session, [row.guarantor_id, row.responsible_actor_id])
    denials = list(session.scalars(select(AccessDenial).where(
        AccessDenial.investigation_id == row.id).order_by(AccessDenial.id)))
    return {
        "id": row.id, "incident": row.incident_id, "tasked_by": row.tasked_by,
        "tasked_at": iso(row.tasked_at), "guarantor": names[row.guarantor_id],
        "assignee": row.assignee, "due_on": row.due_on.isoformat(), "status": row.status,
        "site_visit": row.site_visit, "interviews": row.interviews, "findings": row.findings,
        "evidence": list(row.evidence), "result": row.result,
        "responsible": names.get(row.responsible_actor_id or 0),
        "completed_at": iso(row.completed_at),
        "denials": [denial_view(session, d) for d in denials],
    }


def denial_view(session: Session, row: AccessDenial) -> dict[str, Any]:
    names = slugs(session, [row.denied_by_actor_id])
    return {
        "id": row.id, "denied_by": names[row.denied_by_actor_id], "kind": row.kind,
        "occurred_at": iso(row.occurred_at), "incident": row.incident_id,
        "investigation": row.investigation_id, "place_name": row.place_name,
        "latitude": row.latitude, "longitude": row.longitude, "description": row.description,
        "recorded_by": row.recorded_by, "recorded_at": iso(row.recorded_at),
    }
