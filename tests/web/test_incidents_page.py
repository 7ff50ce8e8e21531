"""The first page: incidents on a map, with Leaflet served from its registry package."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from trucewatch.incidents.service import list_incidents
from trucewatch.storage import Store
from trucewatch.web.app import create_app


def test_page_lists_incidents_and_embeds_map_data(demo_store: Store) -> None:
    client = TestClient(create_app(demo_store))
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "Nationwide ceasefire in Syria of 30 December 2016" in html
    with demo_store.session() as s:
        published = [i.id for i in list_incidents(s, limit=None) if i.published_at is not None]
    assert published, "the demo publishes a decided incident"
    assert html.count('<tr><td>') == len(published)  # the public sees published ones only
    data = json.loads(re.search(r'id="map-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["zones"]["features"]) == 4
    assert data["clusters"] == "/map/clusters?published=1"  # the map asks for its view
    shown = client.get(data["clusters"] + "&bbox=-180,-90,180,90&zoom=0").json()
    assert shown["total"] == len(published) == sum(c["count"] for c in shown["clusters"])
    for asset in ("/static/leaflet/leaflet.js", "/static/leaflet/leaflet.css",
                  "/static/markercluster/leaflet.markercluster.js",
                  "/static/app/incidents-map.js", "/static/app/site.css"):
        assert asset in html
        assert client.get(asset).status_code == 200, asset
    assert "http://" not in html and "https://" not in html  # nothing fetched from the internet


def test_empty_store_says_how_to_start(store: Store) -> None:
    page = TestClient(create_app(store)).get("/")
    assert page.status_code == 200 and "trucewatch demo" in page.text


def test_titles_are_escaped(demo_store: Store) -> None:
    from trucewatch.incidents.service import create_incident
    from trucewatch.reports.reading import ReportFilter, list_reports

    with demo_store.session() as s:
        free = list_reports(s, filters=ReportFilter(status="unlinked"), limit=1)[0]
        incident = create_incident(s, data={"reports": [free.id],
                                            "title": "<script>alert(1)</script>"}, actor="test")
        s.flush()
        publish_by_hand(s, incident.id)
        lon, lat = incident.longitude, incident.latitude
    html = TestClient(create_app(demo_store)).get("/").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    clusters = TestClient(create_app(demo_store)).get(
        f"/map/clusters?published=1&bbox={lon - .01},{lat - .01},{lon + .01},{lat + .01}"
        "&zoom=16").json()["clusters"]
    titles = [c.get("title") for c in clusters]
    assert "<script>alert(1)</script>" in titles  # intact as data, inert as markup


def publish_by_hand(session: object, incident_id: int) -> None:
    """Mark an incident published through the log, as the publication service does."""
    from trucewatch.incidents.models import Incident
    from trucewatch.log import service as log
    from trucewatch.storage.base import utcnow

    incident = session.get(Incident, incident_id)  # type: ignore[attr-defined]
    incident.published_at, incident.published_by = utcnow(), "test"
    log.append(session, kind="incident.published", subject=f"incident:{incident_id}",  # type: ignore[arg-type]
               actor="test", payload={"incident": incident_id})
