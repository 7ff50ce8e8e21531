"""The public page, the map of incidents with filters, the truce page, and the basemap layers."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.principal import PUBLIC
from trucewatch.errors import InvalidInput, NotFound, TrucewatchError
from trucewatch.incidents.listing import (
    IncidentFilter,
    active_report_ids,
    cluster_incidents,
    count_incidents,
    day_range,
    list_incidents,
)
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import incident_view
from trucewatch.incidents.workflow import STATUSES
from trucewatch.reports.taxonomy import TAXONOMY
from trucewatch.truces.service import get_truce, truce_view, zones_geojson
from trucewatch.web import basemap
from trucewatch.web.app import json_for_script
from trucewatch.web.context import principal_of, render, settings_of, store_of

router = APIRouter()
EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}
PAGE = 100  # incidents per page of the tables; the map shows them all, as clusters


def truce_and_zones(session: Session) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    try:
        truce = get_truce(session)
    except NotFound:
        return None, EMPTY
    return truce_view(truce), zones_geojson(truce)


def points(incidents: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature",
         "geometry": {"type": "Point", "coordinates": [i["longitude"], i["latitude"]]},
         "properties": {"id": i["id"], "title": i["title"], "status": i["status"],
                        "category": i["category"], "day": i["occurred_start"][:10],
                        "reports": len(i["reports"])}}
        for i in incidents if i["latitude"] is not None]}


def map_data(zones: dict[str, Any], incidents: list[dict[str, Any]], *,
             clusters: str | None = None, days: tuple[str, str] | None = None) -> str:
    """The map's data: a few given incidents as points, or the URL of the server's clusters
    (with the first and last day for the time slider)."""
    return json_for_script({"zones": zones, "incidents": points(incidents),
                            "clusters": clusters, "days": days,
                            "basemap": ["/basemap/countries.geojson",
                                        "/basemap/governorates.geojson"]})


def _after(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 19 else 0


@router.get("/", response_class=HTMLResponse)
def public_page(request: Request, after: str = "") -> HTMLResponse:
    """Published incidents only, whoever is signed in: what the public may see."""
    with store_of(request).session() as session:
        me = principal_of(request, session)
        rows = list_incidents(session, principal=PUBLIC, filters=IncidentFilter(),
                              after_id=_after(after), limit=PAGE + 1, links=False)
        total = count_incidents(session, principal=PUBLIC, filters=IncidentFilter())
        incidents = _views(session, rows[:PAGE])
        truce, zones = truce_and_zones(session)
    more = f"/?after={incidents[-1]['id']}" if len(rows) > PAGE else None
    return render(request, "incidents.html", {
        "incidents": incidents, "total": total, "more": more, "truce": truce,
        "map_data": map_data(zones, [], clusters="/map/clusters?published=1")}, principal=me)


def _views(session: Session, incidents: list[Incident]) -> list[dict[str, Any]]:
    ids = active_report_ids(session, [i.id for i in incidents])
    return [incident_view(i, report_ids=ids[i.id]) for i in incidents]


def _day(value: str | None, field: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None


def map_filter(*, category: str, status: str, date_from: str, date_to: str,
               bbox: tuple[float, float, float, float] | None = None) -> IncidentFilter:
    """The map's form as the list's filter: an incident matches while its time overlaps the days."""
    return IncidentFilter(category=category or None, status=status or None,
                          occurred_from=_day(date_from, "date_from"),
                          occurred_to=_day(date_to, "date_to"), bbox=bbox)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, category: str = "", status: str = "", date_from: str = "",
             date_to: str = "", after: str = "") -> HTMLResponse:
    """Every incident the caller may see, filtered on the server (works without JavaScript):
    the table in pages, the map as clusters counted by the database."""
    form = {"category": category, "status": status, "date_from": date_from, "date_to": date_to}
    with store_of(request).session() as session:
        me = principal_of(request, session)
        error, rows, total, days = None, [], 0, None
        try:
            f = map_filter(category=category, status=status, date_from=date_from,
                           date_to=date_to)
            rows = list_incidents(session, principal=me, filters=f, after_id=_after(after),
                                  limit=PAGE + 1, links=False)
            total = count_incidents(session, principal=me, filters=f)
            days = day_range(session, principal=me, filters=f)
        except TrucewatchError as exc:
            error = str(exc)
        incidents = _views(session, rows[:PAGE])
        truce, zones = truce_and_zones(session)
    query = urlencode({k: v for k, v in form.items() if v})
    more = (f"/map?{query}{'&' if query else ''}after={incidents[-1]['id']}"
            if len(rows) > PAGE else None)
    return render(request, "map.html", {
        "incidents": incidents, "total": total, "more": more, "truce": truce, "error": error,
        "filters": form, "categories": TAXONOMY, "statuses": STATUSES,
        "map_data": map_data(zones, [], clusters=None if error else f"/map/clusters?{query}",
                             days=days)}, principal=me)


@router.get("/map/clusters")
def map_clusters(request: Request, bbox: str = "", zoom: str = "", category: str = "",
                 status: str = "", date_from: str = "", date_to: str = "",
                 published: str = "") -> JSONResponse:
    """The map's clusters for its view: counts per grid cell from the database; a cell of
    one incident carries its id, title, status and day for the popup."""
    with store_of(request).session() as session:
        me = PUBLIC if published else principal_of(request, session)
        try:
            f = map_filter(category=category, status=status, date_from=date_from,
                           date_to=date_to, bbox=_bbox(bbox))
            found = cluster_incidents(session, principal=me, filters=f, zoom=_zoom(zoom))
        except TrucewatchError as exc:
            return JSONResponse({"error": str(exc), "field": exc.field}, status_code=422)
        singles = {c.first_id for c in found.clusters if c.count == 1}
        about = {row.id: row for row in session.execute(
            select(Incident.id, Incident.title, Incident.status, Incident.occurred_start)
            .where(Incident.id.in_(singles)))} if singles else {}
    clusters = []
    for c in found.clusters:
        item: dict[str, Any] = {"lat": c.latitude, "lon": c.longitude, "count": c.count}
        if c.first_id in about and c.count == 1:
            row = about[c.first_id]
            item |= {"id": row.id, "title": row.title, "status": row.status,
                     "day": row.occurred_start.date().isoformat()}
        clusters.append(item)
    return JSONResponse({"total": found.total, "clusters": clusters})


def _bbox(value: str) -> tuple[float, float, float, float]:
    try:
        parts = [max(-180.0, min(180.0, float(p))) for p in value.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or any(p != p for p in parts):
        raise InvalidInput("bbox is min_lon,min_lat,max_lon,max_lat", field="bbox")
    west, south, east, north = parts
    return west, max(-90.0, south), east, min(90.0, north)


def _zoom(value: str) -> int:
    try:
        return int(float(value))
    except ValueError:
        raise InvalidInput("zoom is a number", field="zoom") from None


@router.get("/truce", response_class=HTMLResponse)
def truce_page(request: Request) -> HTMLResponse:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        truce, zones = truce_and_zones(session)
    return render(request, "truce.html", {"truce": truce, "map_data": map_data(zones, [])},
                  principal=me)


@router.get("/basemap/countries.geojson")
def countries_layer() -> JSONResponse:
    return JSONResponse(basemap.countries(), headers={"Cache-Control": "public, max-age=86400"})


@router.get("/basemap/governorates.geojson")
def governorates_layer(request: Request) -> JSONResponse:
    return JSONResponse(basemap.governorates(settings_of(request).data_dir))
