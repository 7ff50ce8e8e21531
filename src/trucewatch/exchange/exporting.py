"""Exports of reports and incidents as ACLED CSV, CSV, GeoJSON and JSON Lines, streamed.

Each export is a generator of text chunks that reads the database in keyset pages, so
an export of any size holds one page in memory. It shows what ``principal`` may read
(the public: published material only), through the same reading functions as the API;
a confidential source is never part of any export.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.exchange import acled
from trucewatch.exchange.models import ExchangeRecord
from trucewatch.incidents.listing import IncidentFilter, active_report_ids, list_incidents
from trucewatch.incidents.models import IncidentLink
from trucewatch.incidents.service import incident_view
from trucewatch.reports.models import Report
from trucewatch.reports.reading import ReportFilter, list_reports, report_view
from trucewatch.reports.when import parse_when

PAGE = 500
FORMATS = ("acled", "csv", "geojson", "jsonl")
SUBJECTS = ("reports", "incidents")
MEDIA_TYPES = {"acled": "text/csv; charset=utf-8", "csv": "text/csv; charset=utf-8",
               "geojson": "application/geo+json", "jsonl": "application/jsonl"}
SUFFIXES = {"acled": ".acled.csv", "csv": ".csv", "geojson": ".geojson", "jsonl": ".jsonl"}

REPORT_COLUMNS: tuple[str, ...] = (
    "id", "truce", "filed_by", "idempotency_key", "source_kind", "source_description",
    "received_at", "occurred_start", "occurred_end", "time_precision", "place_name",
    "latitude", "longitude", "geo_precision", "zone_id", "category", "alleged_actor",
    "affected_actor", "casualties", "narrative", "attachments", "incident", "synthetic")
INCIDENT_COLUMNS: tuple[str, ...] = (
    "id", "truce", "title", "status", "occurred_start", "occurred_end", "time_precision",
    "place_name", "latitude", "longitude", "geo_precision", "category", "reports", "version",
    "published_at")


@dataclass(frozen=True)
class ExportFilter:
    occurred_from: str | None = None  # ISO date, week or month: overlapping from then on
    occurred_to: str | None = None
    truce: str | None = None  # slug


def export(session: Session, *, subject: str, format: str, principal: Principal | None,
           filters: ExportFilter = ExportFilter(), page: int = PAGE) -> Iterator[str]:
    """The export as text chunks; every argument is checked here, before the first chunk."""
    check_export(subject, format, filters)
    if subject == "reports":
        pages = report_pages(session, principal, filters, page)
        if format == "acled":
            return _acled(session, pages)
        views, columns = _report_views(session, pages), REPORT_COLUMNS
    else:
        views, columns = incident_pages(session, principal, filters, page), INCIDENT_COLUMNS
    if format == "csv":
        return _csv(views, columns)
    if format == "geojson":
        return _geojson(views)
    return _jsonl(views)


def check_export(subject: str, format: str, filters: ExportFilter) -> None:
    if subject not in SUBJECTS:
        raise InvalidInput(f"{subject!r} is not reports or incidents", field="subject")
    if format not in FORMATS:
        raise InvalidInput(f"{format!r} is not an export format ({', '.join(FORMATS)})",
                           field="format")
    if format == "acled" and subject != "reports":
        raise InvalidInput("the ACLED format holds reports (one event per row)", field="format")
    if filters.occurred_from:
        parse_when(filters.occurred_from, field="occurred_from")
    if filters.occurred_to:
        parse_when(filters.occurred_to, field="occurred_to")


def report_pages(session: Session, principal: Principal | None, filters: ExportFilter,
                 page: int) -> Iterator[list[Report]]:
    wanted = ReportFilter(occurred_from=filters.occurred_from, occurred_to=filters.occurred_to,
                          truce=filters.truce)
    after = 0
    while True:
        rows = list_reports(session, filters=wanted, after_id=after, limit=page,
                            principal=principal)
        if not rows:
            return
        yield rows  # the session's identity map holds its objects weakly: one page in memory
        after = rows[-1].id


def _report_views(session: Session,
                  pages: Iterator[list[Report]]) -> Iterator[list[dict[str, Any]]]:
    for rows in pages:
        ids = [r.id for r in rows]
        linked = dict(session.execute(
            select(IncidentLink.report_id, IncidentLink.incident_id)
            .where(IncidentLink.report_id.in_(ids), IncidentLink.unlinked_at.is_(None))).all())
        yield [report_view(r, incident_id=linked.get(r.id)) for r in rows]


def incident_pages(session: Session, principal: Principal | None, filters: ExportFilter,
                   page: int) -> Iterator[list[dict[str, Any]]]:
    wanted = IncidentFilter(occurred_from=filters.occurred_from,
                            occurred_to=filters.occurred_to, truce=filters.truce)
    after = 0
    while True:
        rows = list_incidents(session, principal=principal, filters=wanted, after_id=after,
                              limit=page, links=False)
        if not rows:
            return
        reports = active_report_ids(session, [i.id for i in rows])
        views = []
        for incident in rows:
            view = incident_view(incident, report_ids=reports[incident.id])
            view["published_at"] = (incident.published_at.isoformat().replace("+00:00", "Z")
                                    if incident.published_at else None)
            views.append(view)
        yield views
        after = rows[-1].id


def kept_of(session: Session, report_ids: list[int]) -> dict[int, dict[str, str]]:
    rows = session.execute(select(ExchangeRecord.report_id, ExchangeRecord.fields)
                           .where(ExchangeRecord.report_id.in_(report_ids),
                                  ExchangeRecord.format == acled.FORMAT))
    return {report_id: json.loads(fields) for report_id, fields in rows}


def report_facts(report: Report) -> acled.Facts:
    return acled.Facts(
        key=report.idempotency_key, report_id=report.id, occurred_start=report.occurred_start,
        time_precision=report.time_precision, place_name=report.place_name,
        latitude=report.latitude, longitude=report.longitude,
        geo_precision=report.geo_precision, category=report.category,
        alleged=report.alleged_actor.name if report.alleged_actor else "",
        affected=report.affected_actor.name if report.affected_actor else "",
        source_description=report.source_description, narrative=report.narrative,
        killed=sum(c.best for c in report.casualties if c.outcome == "killed"))


def _acled(session: Session, pages: Iterator[list[Report]]) -> Iterator[str]:
    yield _csv_line(acled.COLUMNS)
    for rows in pages:
        kept = kept_of(session, [r.id for r in rows])
        yield "".join(_csv_line(acled.export_row(report_facts(r), kept.get(r.id, {})))
                      for r in rows)


def _csv(pages: Iterator[list[dict[str, Any]]], columns: tuple[str, ...]) -> Iterator[str]:
    yield _csv_line(columns)
    for views in pages:
        yield "".join(_csv_line([csv_cell(v.get(c)) for c in columns]) for v in views)


def csv_cell(value: Any) -> str:
    """A view's value in a CSV cell: lists and objects as JSON, null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _csv_line(values: tuple[str, ...] | list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue()


def feature(view: dict[str, Any]) -> dict[str, Any]:
    """An RFC 7946 Feature: the point (null without coordinates), the view as properties."""
    lon, lat = view.get("longitude"), view.get("latitude")
    geometry = ({"type": "Point", "coordinates": [lon, lat]}
                if lon is not None and lat is not None else None)
    return {"type": "Feature", "id": view["id"], "geometry": geometry, "properties": view}


def _geojson(pages: Iterator[list[dict[str, Any]]]) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    first = True
    for views in pages:
        for view in views:
            yield ("\n" if first else ",\n") + json.dumps(feature(view), ensure_ascii=False)
            first = False
    yield "\n]}\n"


def _jsonl(pages: Iterator[list[dict[str, Any]]]) -> Iterator[str]:
    for views in pages:
        yield "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in views)
