"""The first page: incidents on a map, with Leaflet served from its registry package."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from trucewatch.storage import Store
from trucewatch.web.app import create_app


def test_page_lists_incidents_and_embeds_map_data(demo_store: Store) -> None:
    client = TestClient(create_app(demo_store))
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "Nationwide ceasefire in Syria of 30 December 2016" in html
    assert html.count('<tr><td>') == 9
    data = json.loads(re.search(r'id="map-data">(.*?)</script>', html, re.S).group(1))
    assert len(data["zones"]["features"]) == 4
    assert len(data["incidents"]["features"]) == 9
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
        create_incident(s, data={"reports": [free.id], "title": "<script>alert(1)</script>"},
                        actor="test")
    html = TestClient(create_app(demo_store)).get("/").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    data = json.loads(re.search(r'id="map-data">(.*?)</script>', html, re.S).group(1))
    titles = [f["properties"]["title"] for f in data["incidents"]["features"]]
    assert "<script>alert(1)</script>" in titles  # intact as data, inert as markup
