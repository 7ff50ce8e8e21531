"""Everything the mechanism does with incidents: create from reports, link, unlink, move status.

Given a ``principal``, triage needs ``incident.triage`` and an unpublished incident is
visible only with ``incident.read_unpublished`` (to anyone else it does not exist).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from trucewatch.auth.policy import Action, allowed, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput, InvalidTransition, NotFound, StaleWrite
from trucewatch.geo.zones import check_coordinates
from trucewatch.incidents import listing
from trucewatch.incidents.models import Incident, IncidentLink, IncidentStatusChange
from trucewatch.incidents.schemas import IncidentIn
from trucewatch.incidents.workflow import DECIDED, LINKABLE, check_transition
from trucewatch.log import service as log
from trucewatch.reports.models import Report
from trucewatch.reports.reading import get_report
from trucewatch.reports.taxonomy import BY_CODE
from trucewatch.reports.when import parse_when
from trucewatch.storage.base import utcnow
from trucewatch.validation import parse


def create_incident(session: Session, *, data: IncidentIn | dict[str, Any],
                    actor: str, principal: Principal | None = None) -> Incident:
    _triage(principal)
    spec = parse(IncidentIn, data)
    if len(set(spec.reports)) != len(spec.reports):
        raise InvalidInput("a report is listed twice", field="reports")
    log.lock(session)
    reports = [_free_report(session, rid, field=f"reports.{i}")
               for i, rid in enumerate(spec.reports)]
    first = reports[0]
    if spec.category is not None and spec.category not in BY_CODE:
        raise InvalidInput(f"{spec.category!r} is not in the taxonomy", field="category")
    check_coordinates(spec.latitude, spec.longitude)
    if spec.occurred is not None:
        when = parse_when(spec.occurred, field="occurred")
        start, end, precision = when.start, when.end, when.precision.value
    else:
        start, end, precision = first.occurred_start, first.occurred_end, first.time_precision
    has_point = spec.latitude is not None
    category = spec.category or first.category
    place = spec.place_name if spec.place_name is not None else first.place_name
    incident = Incident(
        truce_id=first.truce_id,
        title=spec.title or default_title(category, place, start.date().isoformat()),
        status="open",
        occurred_start=start, occurred_end=end, time_precision=precision,
        place_name=place,
        latitude=spec.latitude if has_point else first.latitude,
        longitude=spec.longitude if has_point else first.longitude,
        geo_precision=(spec.geo_precision.value if spec.geo_precision else "exact")
        if has_point else first.geo_precision,
        category=category,
    )
    session.add(incident)
    session.flush()
    log.append(session, kind="incident.created", subject=f"incident:{incident.id}", actor=actor,
               payload=incident_view(incident, report_ids=[]))
    for report in reports:
        _link(session, incident, report, actor=actor, reason=spec.reason)
    return incident


def _triage(principal: Principal | None) -> None:
    if principal is not None:
        require(principal, Action.INCIDENT_TRIAGE)


def default_title(category: str, place: str, day: str) -> str:
    """An incident's title when none is given: its category's label, place and day."""
    label = BY_CODE[category].label
    return f"{label} — {place}, {day}" if place else f"{label}, {day}"


def _free_report(session: Session, report_id: int, *, field: str) -> Report:
    try:
        report = get_report(session, report_id)
    except NotFound:
        raise NotFound(f"no report {report_id}", field=field) from None
    current = session.scalar(select(IncidentLink.incident_id).where(
        IncidentLink.report_id == report_id, IncidentLink.unlinked_at.is_(None)))
    if current is not None:
        raise Conflict(f"report {report_id} already belongs to incident {current}; "
                       "unlink it first", field=field)
    return report


def get_incident(session: Session, incident_id: int, *,
                 principal: Principal | None = None) -> Incident:
    incident = session.scalar(
        select(Incident).where(Incident.id == incident_id)
        .options(selectinload(Incident.links).selectinload(IncidentLink.report))
    )
    if incident is None or (incident.published_at is None and not _sees_unpublished(principal)):
        raise NotFound(f"no incident {incident_id}", field="incident")
    return incident


def _sees_unpublished(principal: Principal | None) -> bool:
    return principal is None or allowed(principal, Action.INCIDENT_READ_UNPUBLISHED)


def _for_update(session: Session, incident_id: int, expected_version: int | None) -> Incident:
    log.lock(session)
    incident = get_incident(session, incident_id)
    session.refresh(incident)
    if expected_version is not None and incident.version != expected_version:
        raise StaleWrite(f"incident {incident_id} is at version {incident.version}, "
                         f"not {expected_version}: reload and try again", field="version")
    return incident


def link_report(session: Session, *, incident_id: int, report_id: int, actor: str,
                reason: str = "", expected_version: int | None = None,
                principal: Principal | None = None) -> IncidentLink:
    _triage(principal)
    incident = _for_update(session, incident_id, expected_version)
    if incident.status not in LINKABLE:
        raise Conflict(f"incident {incident_id} is {incident.status}: reports can be linked "
                       f"only while it is {' or '.join(sorted(LINKABLE))}", field="incident")
    report = _free_report(session, report_id, field="report")
    incident.version += 1  # before the entry, so that the entry records the new version
    return _link(session, incident, report, actor=actor, reason=reason)


def _link(session: Session, incident: Incident, report: Report, *, actor: str,
          reason: str) -> IncidentLink:
    link = IncidentLink(incident=incident, report_id=report.id, linked_by=actor,
                        link_reason=reason)
    session.add(link)
    session.flush()
    log.append(session, kind="incident.report_linked", subject=f"incident:{incident.id}",
               actor=actor, payload={"incident": incident.id, "report": report.id,
                                     "reason": reason})
    return link


def unlink_report(session: Session, *, incident_id: int, report_id: int, actor: str,
                  reason: str, expected_version: int | None = None,
                  principal: Principal | None = None) -> IncidentLink:
    _triage(principal)
    if not reason.strip():
        raise InvalidInput("say why the report is unlinked", field="reason")
    incident = _for_update(session, incident_id, expected_version)
    if incident.status not in LINKABLE:
        raise Conflict(f"incident {incident_id} is {incident.status}: reports can be unlinked "
                       f"only while it is {' or '.join(sorted(LINKABLE))}", field="incident")
    link = next((lk for lk in incident.active_links if lk.report_id == report_id), None)
    if link is None:
        raise Conflict(f"report {report_id} is not linked to incident {incident_id}",
                       field="report")
    link.unlinked_at = utcnow()
    link.unlinked_by = actor
    link.unlink_reason = reason
    incident.version += 1
    session.flush()
    log.append(session, kind="incident.report_unlinked", subject=f"incident:{incident.id}",
               actor=actor, payload={"incident": incident.id, "report": report_id,
                                     "reason": reason})
    return link


def change_status(session: Session, *, incident_id: int, status: str, actor: str,
                  reason: str = "", expected_version: int | None = None,
                  principal: Principal | None = None, by_round: bool = False) -> Incident:
    """Move an incident along its workflow. A decision (confirmed, not confirmed, disputed)
    comes only from a review round (``by_round``), never from a hand-set status."""
    _triage(principal)
    incident = _for_update(session, incident_id, expected_version)
    check_transition(incident.status, status)
    if status in DECIDED and not by_round:
        raise InvalidTransition(f"{status} is decided by a review round under the truce's "
                                "rule, not set by hand (trucewatch round open)", field="status")
    session.add(IncidentStatusChange(incident_id=incident.id, from_status=incident.status,
                                     to_status=status, changed_by=actor, reason=reason))
    previous, incident.status = incident.status, status
    incident.version += 1
    session.flush()
    log.append(session, kind="incident.status_changed", subject=f"incident:{incident.id}",
               actor=actor, payload={"incident": incident.id, "from": previous, "to": status,
                                     "reason": reason})
    return incident


def list_incidents(session: Session, *, status: str | None = None, truce_id: int | None = None,
                   after_id: int = 0, limit: int | None = 100,
                   principal: Principal | None = None) -> list[Incident]:
    """``listing.list_incidents`` by status and truce, for the command line and tests."""
    return listing.list_incidents(
        session, principal=principal, after_id=after_id, limit=limit,
        filters=listing.IncidentFilter(status=status, truce_id=truce_id))


def status_history(session: Session, incident_id: int) -> list[IncidentStatusChange]:
    return list(session.scalars(select(IncidentStatusChange).where(
        IncidentStatusChange.incident_id == incident_id).order_by(IncidentStatusChange.id)))


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Incident.status, func.count()).group_by(Incident.status))
    return {status: count for status, count in rows}


def incident_view(incident: listing.IncidentFields, *,
                  report_ids: list[int] | None = None) -> dict[str, Any]:
    """An ``Incident``, or a row of ``listing.PAGE_COLUMNS`` given with its ``report_ids``."""
    if report_ids is None:
        if not isinstance(incident, Incident):
            raise TypeError("a row of incident columns comes with its report_ids")
        report_ids = [lk.report_id for lk in incident.active_links]
    ids = report_ids
    return {
        "id": incident.id,
        "truce": incident.truce_id,
        "title": incident.title,
        "status": incident.status,
        "occurred_start": incident.occurred_start.isoformat().replace("+00:00", "Z"),
        "occurred_end": incident.occurred_end.isoformat().replace("+00:00", "Z"),
        "time_precision": incident.time_precision,
        "place_name": incident.place_name,
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "geo_precision": incident.geo_precision,
        "category": incident.category,
        "reports": sorted(ids),
        "version": incident.version,
    }


def link_history_view(incident: Incident) -> list[dict[str, Any]]:
    def iso(value: Any) -> str | None:
        return value.isoformat().replace("+00:00", "Z") if value else None

    return [
        {"report": lk.report_id, "linked_at": iso(lk.linked_at), "linked_by": lk.linked_by,
         "link_reason": lk.link_reason, "unlinked_at": iso(lk.unlinked_at),
         "unlinked_by": lk.unlinked_by, "unlink_reason": lk.unlink_reason}
        for lk in incident.links
    ]
