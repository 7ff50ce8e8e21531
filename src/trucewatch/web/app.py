"""Build the web application for a store: pages, and Leaflet served from its registry package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from trucewatch import __version__
from trucewatch.auth.principal import PUBLIC
from trucewatch.errors import NotFound
from trucewatch.incidents.service import incident_view, list_incidents
from trucewatch.storage import Store
from trucewatch.truces.service import get_truce, truce_view, zones_geojson

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def json_for_script(value: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end it early."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def create_app(store: Store) -> FastAPI:
    """The whole application (API and pages); kept here for callers of the first version."""
    from trucewatch.app import create_app as create

    return create(store)


def install(app: FastAPI) -> None:
    """Mount the static assets and the pages on ``app`` (its ``state.store`` is the store)."""
    store: Store = app.state.store
    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/markercluster", StaticFiles(directory=markercluster.BASE_DIR),
              name="markercluster")
    app.mount("/static/app", StaticFiles(directory=HERE / "static"), name="app")

    @app.get("/", response_class=HTMLResponse)
    def incidents_page(request: Request) -> HTMLResponse:
        with store.session() as session:
            incidents = [incident_view(i) for i in list_incidents(session, limit=None,
                                                                  principal=PUBLIC)]
            try:
                truce = get_truce(session)
                truce_info: dict[str, Any] | None = truce_view(truce)
                zones = zones_geojson(truce)
            except NotFound:
                truce_info, zones = None, {"type": "FeatureCollection", "features": []}
        points = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [i["longitude"], i["latitude"]]},
                 "properties": {"id": i["id"], "title": i["title"], "status": i["status"],
                                "reports": len(i["reports"])}}
                for i in incidents if i["latitude"] is not None
            ],
        }
        return templates.TemplateResponse(request, "incidents.html", {
            "incidents": incidents,
            "truce": truce_info,
            "map_data": json_for_script({"zones": zones, "incidents": points}),
            "version": __version__,
        })
