"""Read reports: one, or many through filters, and their public and confidential views.

Given a ``principal``, a reader sees its own organisation's reports (``report.read_own``),
other organisations' unpublished reports only with ``report.read_unpublished_other``, and
everyone's reports linked to a published incident. A report the caller may not see is
reported as not found, so a refusal does not reveal that it exists. Without a principal
(the operator's tools, the services' own look-ups) everything is visible.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, exists, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from trucewatch.actors.models import Actor
from trucewatch.actors.service import find_actor
from trucewatch.auth.policy import Action, allowed, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput, NotFound
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.log import service as log
from trucewatch.reports.models import (
    AttachmentBlob,
    Casualty,
    ConfidentialSource,
    Report,
    ReportAttachment,
)
from trucewatch.reports.taxonomy import BY_CODE
from trucewatch.reports.when import parse_when
from trucewatch.truces.models import Truce

UNLINKED = "unlinked"


@dataclass(frozen=True)
class ReportFilter:
    """Filters for listing reports; every one is optional and they combine with AND."""

    occurred_from: str | None = None  # ISO date / week / month: reports overlapping from then on
    occurred_to: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    category: str | None = None
    alleged_actor: str | None = None
    status: str | None = None  # an incident status, or "unlinked"
    truce: str | None = None
    filed_by: str | None = None
    text: str | None = None


def get_report(session: Session, report_id: int, *, principal: Principal | None = None) -> Report:
    query = select(Report).where(Report.id == report_id)
    visible = visible_to(principal)
    if visible is not None:
        query = query.where(visible)
    report = session.scalar(_with_relations(query))
    if report is None:
        raise NotFound(f"no report {report_id}", field="report")
    return report


def report_views(session: Session, report_ids: Sequence[int], *,
                 principal: Principal | None = None,
                 new: Collection[int] = (),
                 unattached: Collection[int] = ()) -> dict[int, dict[str, Any]]:
    """Each report's :func:`report_view`, as ``get_report`` finds it for ``principal``, by id.

    For answering the reports a filing has just written: three Core queries, built once,
    for all of them (the reports with their actors' slugs, the casualties, the attachments),
    not the ORM's three per report. Reports in ``new`` were filed in this transaction, so
    they are in no incident and that is not looked up; those in ``unattached`` were filed
    in it without attachments, so when all are, attachments are not looked up either."""
    ids = sorted(set(report_ids))
    conn = session.connection()
    rows = {row.id: row for row in conn.execute(_VIEWED, {"ids": ids})}
    _check_visible(session, principal, rows)
    for report_id in report_ids:
        if report_id not in rows:
            raise NotFound(f"no report {report_id}", field="report")
    casualties: dict[int, list[dict[str, Any]]] = {report_id: [] for report_id in ids}
    for c in conn.execute(_CASUALTIES_VIEWED, {"ids": ids}):
        casualties[c.report_id].append({"outcome": c.outcome, "group": c.group, "low": c.low,
                                        "best": c.best, "high": c.high})
    attachments: dict[int, list[dict[str, Any]]] = {report_id: [] for report_id in ids}
    attached = [] if set(ids) <= set(unattached) else ids
    for a in conn.execute(_ATTACHMENTS_VIEWED, {"ids": attached}) if attached else ():
        attachments[a.report_id].append({"filename": a.filename, "sha256": a.sha256,
                                         "size": a.size, "media_type": a.media_type})
    older = [report_id for report_id in ids if report_id not in new]
    incidents: dict[int, int] = {}
    if older:
        incidents = {link.report_id: link.incident_id
                     for link in conn.execute(_LINKS_VIEWED, {"ids": older})}
    return {report_id: _row_view(row, casualties[report_id], attachments[report_id],
                                 incidents.get(report_id))
            for report_id, row in rows.items()}


def _check_visible(session: Session, principal: Principal | None, rows: dict[int, Any]) -> None:
    """Leave in ``rows`` only the reports ``principal`` may read (as :func:`visible_to`): its
    own organisation's without a query, any other through the condition."""
    if principal is None or allowed(principal, Action.REPORT_READ_UNPUBLISHED_OTHER):
        return
    own = principal.organisation_id
    reads_own = own is not None and allowed(principal, Action.REPORT_READ_OWN,
                                            organisation_id=own)
    others = [report_id for report_id, row in rows.items()
              if not (reads_own and row.filed_by_org_id == own)]
    if not others:
        return
    condition = visible_to(principal)
    assert condition is not None
    seen = set(session.scalars(select(Report.id).where(Report.id.in_(others), condition)))
    for report_id in others:
        if report_id not in seen:
            del rows[report_id]


def _views_queries() -> tuple[Select[Any], Select[Any], Select[Any], Select[Any]]:
    reports = cast(Table, Report.__table__)
    actors = cast(Table, Actor.__table__)
    casualties = cast(Table, Casualty.__table__)
    attached = cast(Table, ReportAttachment.__table__)
    blobs = cast(Table, AttachmentBlob.__table__)
    links = cast(Table, IncidentLink.__table__)
    filed_by, alleged, affected = actors.alias(), actors.alias(), actors.alias()
    ids: Any = bindparam("ids", expanding=True)
    viewed = (select(*(reports.c[name] for name in _VIEW_COLUMNS), reports.c.filed_by_org_id,
                     filed_by.c.slug.label("filed_by"), alleged.c.slug.label("alleged"),
                     affected.c.slug.label("affected"))
              .join_from(reports, filed_by, filed_by.c.id == reports.c.filed_by_org_id)
              .outerjoin(alleged, alleged.c.id == reports.c.alleged_actor_id)
              .outerjoin(affected, affected.c.id == reports.c.affected_actor_id)
              .where(reports.c.id.in_(ids)))
    casualties_viewed = (select(casualties.c.report_id, casualties.c.outcome,
                                casualties.c.group, casualties.c.low, casualties.c.best,
                                casualties.c.high)
                         .where(casualties.c.report_id.in_(ids)).order_by(casualties.c.id))
    attachments_viewed = (select(attached.c.report_id, attached.c.filename, attached.c.sha256,
                                 blobs.c.size, blobs.c.media_type)
                          .join_from(attached, blobs, blobs.c.sha256 == attached.c.sha256)
                          .where(attached.c.report_id.in_(ids)).order_by(attached.c.id))
    links_viewed = select(links.c.report_id, links.c.incident_id).where(
        links.c.report_id.in_(ids), links.c.unlinked_at.is_(None))
    return viewed, casualties_viewed, attachments_viewed, links_viewed


_VIEW_COLUMNS = ("id", "truce_id", "idempotency_key", "source_kind", "source_description",
                 "received_at", "occurred_start", "occurred_end", "time_precision",
                 "place_name", "latitude", "longitude", "geo_precision", "zone_id", "category",
                 "narrative", "synthetic")
_VIEWED, _CASUALTIES_VIEWED, _ATTACHMENTS_VIEWED, _LINKS_VIEWED = _views_queries()


def _row_view(row: Any, casualties: list[dict[str, Any]], attachments: list[dict[str, Any]],
              incident_id: int | None) -> dict[str, Any]:
    """:func:`report_view` of a row of ``_VIEWED``."""
    return {
        "id": row.id,
        "truce": row.truce_id,
        "filed_by": row.filed_by,
        "idempotency_key": row.idempotency_key,
        "source_kind": row.source_kind,
        "source_description": row.source_description,
        "received_at": _iso(row.received_at),
        "occurred_start": _iso(row.occurred_start),
        "occurred_end": _iso(row.occurred_end),
        "time_precision": row.time_precision,
        "place_name": row.place_name,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "geo_precision": row.geo_precision,
        "zone_id": row.zone_id,
        "category": row.category,
        "alleged_actor": row.alleged,
        "affected_actor": row.affected,
        "casualties": casualties,
        "narrative": row.narrative,
        "attachments": attachments,
        "incident": incident_id,
        "synthetic": row.synthetic,
    }


def list_reports(session: Session, *, filters: ReportFilter = ReportFilter(),
                 after_id: int = 0, limit: int | None = 100,
                 principal: Principal | None = None) -> list[Report]:
    """Reports in filing order, after the cursor ``after_id``; only those ``principal`` may see."""
    query = _with_relations(_filtered(session, filters)).where(Report.id > after_id)
    visible = visible_to(principal)
    if visible is not None:
        query = query.where(visible)
    query = query.order_by(Report.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def visible_to(principal: Principal | None) -> ColumnElement[bool] | None:
    """The condition on reports that ``principal`` may read (None: it may read them all)."""
    if principal is None or allowed(principal, Action.REPORT_READ_UNPUBLISHED_OTHER):
        return None
    published = exists(
        select(IncidentLink.id).join(Incident)
        .where(IncidentLink.report_id == Report.id, IncidentLink.unlinked_at.is_(None),
               Incident.published_at.is_not(None))
    )
    own = principal.organisation_id
    if own is not None and allowed(principal, Action.REPORT_READ_OWN, organisation_id=own):
        return or_(Report.filed_by_org_id == own, published)
    return published


def _with_relations(query: Select[Report]) -> Select[Report]:
    """What ``report_view`` reads: the actors (joined: one query, not three; their names are
    not read), the casualties, and each attachment's size and type (its bytes stay in the
    database until asked for)."""
    return query.options(
        joinedload(Report.filed_by_org),
        joinedload(Report.alleged_actor),
        joinedload(Report.affected_actor),
        selectinload(Report.casualties),
        selectinload(Report.attachments).selectinload(ReportAttachment.blob)
        .load_only(AttachmentBlob.size, AttachmentBlob.media_type),
    )


def _filtered(session: Session, f: ReportFilter) -> Select[Report]:
    query = select(Report)
    if f.occurred_from:
        start = parse_when(f.occurred_from, field="occurred_from").start
        query = query.where(Report.occurred_end > start)
    if f.occurred_to:
        end = parse_when(f.occurred_to, field="occurred_to").end
        query = query.where(Report.occurred_start < end)
    if f.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = f.bbox
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise InvalidInput("bbox must be min_lon,min_lat,max_lon,max_lat within WGS 84 "
                               "bounds, min before max", field="bbox")
        query = query.where(Report.longitude.between(min_lon, max_lon),
                            Report.latitude.between(min_lat, max_lat))
    if f.category:
        if f.category not in BY_CODE:
            raise InvalidInput(f"{f.category!r} is not in the taxonomy", field="category")
        query = query.where(Report.category == f.category)
    if f.alleged_actor:
        actor = find_actor(session, f.alleged_actor, field="alleged_actor")
        query = query.where(Report.alleged_actor_id == actor.id)
    if f.filed_by:
        org = find_actor(session, f.filed_by, field="filed_by")
        query = query.where(Report.filed_by_org_id == org.id)
    if f.truce:
        query = query.where(Report.truce_id.in_(select(Truce.id).where(Truce.slug == f.truce)))
    if f.status:
        query = query.where(_status_clause(f.status))
    if f.text:
        like = f"%{f.text}%"
        query = query.where(or_(Report.narrative.ilike(like), Report.place_name.ilike(like)))
    return query


def _status_clause(status: str) -> Any:
    from trucewatch.incidents.workflow import STATUSES

    active = select(IncidentLink.report_id).where(IncidentLink.unlinked_at.is_(None))
    if status == UNLINKED:
        return Report.id.not_in(active)
    if status not in STATUSES:
        raise InvalidInput(f"{status!r} is not a status ({', '.join(STATUSES)}, {UNLINKED})",
                           field="status")
    return exists(
        select(IncidentLink.id).join(Incident)
        .where(IncidentLink.report_id == Report.id, IncidentLink.unlinked_at.is_(None),
               Incident.status == status)
    )


def incident_of(session: Session, report_id: int) -> int | None:
    return session.scalar(select(IncidentLink.incident_id).where(
        IncidentLink.report_id == report_id, IncidentLink.unlinked_at.is_(None)))


def report_view(report: Report, *, incident_id: int | None = None,
                confidential: ConfidentialSource | None = None) -> dict[str, Any]:
    """The report as shown to readers; the confidential source only when passed in explicitly."""
    view: dict[str, Any] = {
        "id": report.id,
        "truce": report.truce_id,
        "filed_by": report.filed_by_org.slug,
        "idempotency_key": report.idempotency_key,
        "source_kind": report.source_kind,
        "source_description": report.source_description,
        "received_at": _iso(report.received_at),
        "occurred_start": _iso(report.occurred_start),
        "occurred_end": _iso(report.occurred_end),
        "time_precision": report.time_precision,
        "place_name": report.place_name,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "geo_precision": report.geo_precision,
        "zone_id": report.zone_id,
        "category": report.category,
        "alleged_actor": report.alleged_actor.slug if report.alleged_actor else None,
        "affected_actor": report.affected_actor.slug if report.affected_actor else None,
        "casualties": [
            {"outcome": c.outcome, "group": c.group, "low": c.low, "best": c.best, "high": c.high}
            for c in report.casualties
        ],
        "narrative": report.narrative,
        "attachments": [
            {"filename": a.filename, "sha256": a.sha256, "size": a.blob.size,
             "media_type": a.blob.media_type}
            for a in report.attachments
        ],
        "incident": incident_id,
        "synthetic": report.synthetic,
    }
    if confidential is not None:
        view["confidential_source"] = {"identity": confidential.identity,
                                       "contact": confidential.contact}
    return view


def reveal_confidential_source(session: Session, *, report_id: int, actor: str,
                               principal: Principal | None = None) -> ConfidentialSource | None:
    """The confidential source of a report; every reading is itself recorded in the log.

    Given a principal, only the filing organisation's reporters (and the operator) may."""
    if principal is not None:
        report = get_report(session, report_id, principal=principal)
        require(principal, Action.REPORT_READ_CONFIDENTIAL_SOURCE,
                organisation_id=report.filed_by_org_id)
    source = session.get(ConfidentialSource, report_id)
    if source is not None:
        log.append(session, kind="report.source_revealed", subject=f"report:{report_id}",
                   actor=actor, payload={"report": report_id})
    return source


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def attachment_content(session: Session, report_id: int, sha256: str, *,
                       principal: Principal | None = None) -> tuple[str, bytes]:
    if principal is not None:
        get_report(session, report_id, principal=principal)
    row = session.scalar(select(ReportAttachment).where(
        ReportAttachment.report_id == report_id, ReportAttachment.sha256 == sha256))
    if row is None:
        raise NotFound(f"report {report_id} has no attachment {sha256}", field="attachment")
    return row.blob.media_type, row.blob.content
