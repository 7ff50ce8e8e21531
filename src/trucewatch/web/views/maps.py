"""The public page, the map of incidents with filters, the truce page, and the basemap layers."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session

from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput, NotFound
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import incident_view, list_incidents
from trucewatch.incidents.workflow import STATUSES
from trucewatch.reports.taxonomy import TAXONOMY
from trucewatch.truces.service import get_truce, truce_view, zones_geojson
from trucewatch.verification.publication import published_incidents
from trucewatch.web import basemap
from trucewatch.web.app import json_for_script
from trucewatch.web.context import principal_of, render, settings_of, store_of

router = APIRouter()
EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}


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
             slider: bool = False) -> str:
    return json_for_script({"zones": zones, "incidents": points(incidents), "slider": slider,
                            "basemap": ["/basemap/countries.geojson",
                                        "/basemap/governorates.geojson"]})


@router.get("/", response_class=HTMLResponse)
def public_page(request: Request) -> HTMLResponse:
    """Published incidents only, whoever is signed in: what the public may see."""
    with store_of(request).session() as session:
        me = principal_of(request, session)
        incidents = [incident_view(i) for i in published_incidents(session)]
        truce, zones = truce_and_zones(session)
    return render(request, "incidents.html", {
        "incidents": incidents, "truce": truce, "map_data": map_data(zones, incidents)},
        principal=me)


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None


def _matches(incident: Incident, f: dict[str, Any]) -> bool:
    day = incident.occurred_start.date()
    return ((not f["category"] or incident.category == f["category"])
            and (not f["status"] or incident.status == f["status"])
            and (f["from_day"] is None or day >= f["from_day"])
            and (f["to_day"] is None or day <= f["to_day"]))


def visible_incidents(session: Session, me: Principal) -> list[Incident]:
    return list_incidents(session, limit=None, principal=me)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, category: str = "", status: str = "", date_from: str = "",
             date_to: str = "") -> HTMLResponse:
    """Every incident the caller may see, filtered on the server (works without JavaScript);
    the time slider narrows the markers in the browser."""
    with store_of(request).session() as session:
        me = principal_of(request, session)
        error = None
        try:
            f = {"category": category, "status": status,
                 "from_day": _day(date_from, "date_from"), "to_day": _day(date_to, "date_to")}
        except InvalidInput as exc:
            error, f = str(exc), {"category": category, "status": status, "from_day": None,
                                  "to_day": None}
        incidents = [incident_view(i) for i in visible_incidents(session, me) if _matches(i, f)]
        truce, zones = truce_and_zones(session)
    return render(request, "map.html", {
        "incidents": incidents, "truce": truce, "error": error,
        "filters": {"category": category, "status": status, "date_from": date_from,
                    "date_to": date_to},
        "categories": TAXONOMY, "statuses": STATUSES,
        "map_data": map_data(zones, incidents, slider=True)}, principal=me)


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
