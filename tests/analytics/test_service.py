"""Counts, hotspots and escalation over the demo, on both stores; through the CLI and the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from trucewatch.analytics import service as analytics
from trucewatch.app import create_app
from trucewatch.auth.principal import PUBLIC
from trucewatch.errors import InvalidInput
from trucewatch.incidents.listing import IncidentFilter
from trucewatch.incidents.models import Incident
from trucewatch.storage import Store
from trucewatch.truces.models import Truce, TruceZone

EVERYTHING = IncidentFilter()


def test_counts_by_each_dimension_add_up(demo_store: Store, tmp_path: Path) -> None:
    with demo_store.session() as session:
        total = len(list(session.scalars(select(Incident.id))))
        published = len(list(session.scalars(select(Incident.id).where(
            Incident.published_at.is_not(None)))))
        for by in analytics.Dimension:
            found = analytics.counts(session, principal=None, filters=EVERYTHING, by=by.value,
                                     data_dir=tmp_path)
            assert sum(r["count"] for r in found) == total, by
            public = analytics.counts(session, principal=PUBLIC, filters=EVERYTHING,
                                      by=by.value, data_dir=tmp_path)
            assert sum(r["count"] for r in public) == published, by
        months = analytics.counts(session, principal=None, filters=EVERYTHING, by="month",
                                  data_dir=tmp_path)
        assert months == [{"key": "2017-01", "count": total}]
        zones = {r["key"] for r in analytics.counts(session, principal=None,
                                                     filters=EVERYTHING, by="zone",
                                                     data_dir=tmp_path)}
        assert "Idlib and surroundings" in zones
        # No governorates imported: the zone stands in.
        assert analytics.counts(session, principal=None, filters=EVERYTHING, by="governorate",
                                data_dir=tmp_path) == analytics.counts(
            session, principal=None, filters=EVERYTHING, by="zone", data_dir=tmp_path)
        confirmed = analytics.counts(session, principal=PUBLIC, filters=EVERYTHING,
                                     by="responsible", data_dir=tmp_path)
        assert {"key": "armed-opposition", "count": 1} in confirmed
        with pytest.raises(InvalidInput) as bad:
            analytics.counts(session, principal=None, filters=EVERYTHING, by="weather",
                             data_dir=tmp_path)
        assert bad.value.field == "by"


def test_counts_by_imported_governorate(demo_store: Store, tmp_path: Path) -> None:
    from trucewatch.web.basemap import import_governorates

    source = tmp_path / "g.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "North"},
         "geometry": {"type": "Polygon", "coordinates": [[[35, 35], [43, 35], [43, 38],
                                                           [35, 38], [35, 35]]]}}]}))
    import_governorates(tmp_path, source)
    with demo_store.session() as session:
        found = {r["key"]: r["count"] for r in analytics.counts(
            session, principal=None, filters=EVERYTHING, by="governorate", data_dir=tmp_path)}
        north = sum(1 for lat, in session.execute(select(Incident.latitude))
                    if lat is not None and lat >= 35)
        assert found["North"] == north > 0 and set(found) <= {"North", "unknown"}


def test_hotspots_and_an_escalation_in_a_zone(demo_store: Store) -> None:
    with demo_store.session() as session:
        truce = session.scalars(select(Truce).order_by(Truce.id)).first()
        assert truce is not None
        zone = session.scalars(select(TruceZone).where(TruceZone.truce_id == truce.id)
                               .order_by(TruceZone.id)).first()
        assert zone is not None
        ring = zone.geometry["coordinates"][0]
        lon = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
        lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
        start = datetime(2017, 3, 1, tzinfo=UTC)
        rows = []
        for day in range(90):  # one a day, then six a day from day 60
            for n in range(1 if day < 60 else 6):
                at = start + timedelta(days=day, hours=n)
                rows.append({"truce_id": truce.id, "title": "synthetic", "status": "open",
                             "occurred_start": at, "occurred_end": at + timedelta(hours=1),
                             "time_precision": "hour", "place_name": "", "latitude": lat,
                             "longitude": lon, "category": "shelling", "version": 1})
        session.execute(insert(Incident), rows)
        window = IncidentFilter(occurred_from="2017-03-01", occurred_to="2017-06-01")
        alarms = analytics.escalation(session, principal=None, filters=window)
        assert alarms and {a["zone"] for a in alarms} == {zone.name}
        assert alarms[0]["day"] >= "2017-04-30" and alarms[0]["day"] <= "2017-05-03"
        assert analytics.escalation(session, principal=PUBLIC, filters=window) == []
        [top] = analytics.hotspots(session, principal=None, filters=window, top=1)
        assert top["count"] == len(rows)
        assert analytics.hotspots(session, principal=PUBLIC, filters=window) == []
        session.rollback()


@pytest.mark.parametrize("demo_db_url", ["sqlite"], indirect=True)
def test_through_the_api_and_the_command_line(demo_store: Store, demo_db_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli.test_cli import Cli

    api = TestClient(create_app(demo_store), base_url="https://testserver")
    answer = api.get("/api/v1/analytics/counts", params={"by": "zone"})
    assert answer.status_code == 200
    with demo_store.session() as session:
        published = session.scalar(select(Incident.id).where(Incident.published_at.is_not(None)))
    assert sum(r["count"] for r in answer.json()) == 1 and published
    assert api.get("/api/v1/analytics/counts", params={"by": "weather"}).status_code == 422
    assert api.get("/api/v1/analytics/hotspots").status_code == 200
    assert api.get("/api/v1/analytics/escalation").json() == []
    code, out, err = Cli(demo_db_url, capsys)("analytics", "counts", "--by", "category")
    assert code == 0, err
    assert sum(r["count"] for r in json.loads(out)) == 9  # the operator sees every incident
    code, _, err = Cli(demo_db_url, capsys)("analytics", "counts", "--by", "weather")
    assert code == 2 and "by" in err
