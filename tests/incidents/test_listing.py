"""The incident list and map (``incidents.listing``) against a plain Python reading of the rows.

Reports are filed through the domain; the incidents that group them are written as rows
(the listing only reads them), with random statuses, categories, times, points and
publication, so every filter, page and cluster count can be checked against Python.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.auth.principal import PUBLIC, operator
from trucewatch.errors import InvalidInput
from trucewatch.incidents.listing import (
    IncidentFilter,
    cell_of,
    cluster_incidents,
    count_incidents,
    day_range,
    incident_rows,
    list_incidents,
)
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.incidents.service import incident_view
from trucewatch.reports.service import file_reports
from trucewatch.storage import Store

N = 150
CATEGORIES = ("shelling", "air_strike", "ground_assault")
STATUSES = ("open", "under_review", "confirmed")
OFFICER = operator("test")  # sees unpublished incidents, as a guarantor officer does


@dataclass(frozen=True)
class Row:
    id: int
    status: str
    category: str
    start: datetime
    end: datetime
    lat: float | None
    lon: float | None
    published: bool
    title: str
    alleged: str


@pytest.fixture
def rows(store: Store) -> list[Row]:
    rng = random.Random(4)
    with store.session() as s:
        truce = factories.truce(s)
        parties = _parties(s, truce)
        org = factories.organisation(s)
        alleged = [rng.choice(parties) for _ in range(N)]
        filed = file_reports(s, organisation=org, actor="test", submissions=[
            factories.report(truce=truce, alleged_actor=who) for who in alleged])
        made: list[Row] = []
        for i, who in enumerate(alleged):
            start = datetime(2017, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(24 * 60))
            placed = rng.random() < 0.9
            made.append(Row(
                id=i + 1, status=rng.choice(STATUSES), category=rng.choice(CATEGORIES),
                start=start, end=start + timedelta(hours=rng.choice((1, 24))),
                lat=round(rng.uniform(32.4, 37.2), 5) if placed else None,
                lon=round(rng.uniform(35.8, 42.2), 5) if placed else None,
                published=rng.random() < 0.4,
                title=f"{'Market' if i % 5 == 0 else 'Road'} incident {i}", alleged=who))
        s.execute(insert(Incident), [
            {"id": r.id, "title": r.title, "status": r.status, "occurred_start": r.start,
             "occurred_end": r.end, "time_precision": "hour", "place_name": "somewhere",
             "latitude": r.lat, "longitude": r.lon, "geo_precision": "exact",
             "category": r.category,
             "published_at": datetime(2017, 3, 1, tzinfo=UTC) if r.published else None}
            for r in made])
        s.execute(insert(IncidentLink), [
            {"incident_id": r.id, "report_id": f.id, "linked_by": "test", "link_reason": ""}
            for r, f in zip(made, filed, strict=True)])
    if store.engine.dialect.name == "postgresql":  # rows were given their ids
        with store.engine.begin() as conn:
            conn.exec_driver_sql("SELECT setval('incidents_id_seq', (SELECT max(id) FROM incidents))")
    return made


def _parties(session: Session, truce: str) -> list[str]:
    from trucewatch.truces.service import get_truce, truce_view

    return list(truce_view(get_truce(session, truce))["parties"])


CASES = [
    (IncidentFilter(), lambda r: True),
    (IncidentFilter(status="open"), lambda r: r.status == "open"),
    (IncidentFilter(category="air_strike", status="confirmed"),
     lambda r: r.category == "air_strike" and r.status == "confirmed"),
    (IncidentFilter(occurred_from="2017-02-01", occurred_to="2017-02-10"),
     lambda r: r.end > datetime(2017, 2, 1, tzinfo=UTC)
     and r.start < datetime(2017, 2, 11, tzinfo=UTC)),
    (IncidentFilter(bbox=(36.0, 33.0, 39.5, 35.5)),
     lambda r: r.lat is not None and r.lon is not None and 36.0 <= r.lon <= 39.5
     and 33.0 <= r.lat <= 35.5),
    (IncidentFilter(text="MARKET"), lambda r: r.title.startswith("Market")),
]


@pytest.mark.parametrize(("filters", "wanted"), CASES)
def test_filters_and_counts_match_the_rows(store: Store, rows: list[Row], filters: IncidentFilter,
                                           wanted: object) -> None:
    assert callable(wanted)
    with store.session() as s:
        for who, visible in ((OFFICER, rows), (PUBLIC, [r for r in rows if r.published])):
            expected = [r.id for r in visible if wanted(r)]
            got = list_incidents(s, principal=who, filters=filters, limit=None)
            assert [i.id for i in got] == expected
            assert count_incidents(s, principal=who, filters=filters) == len(expected)


def test_alleged_party_is_a_linked_report_s(store: Store, rows: list[Row]) -> None:
    party = rows[0].alleged
    with store.session() as s:
        got = list_incidents(s, principal=OFFICER, filters=IncidentFilter(alleged=party),
                             limit=None)
        assert [i.id for i in got] == [r.id for r in rows if r.alleged == party]
        assert [incident_view(i)["reports"] for i in got[:1]] == [[got[0].links[0].report_id]]
        with pytest.raises(InvalidInput) as refused:
            list_incidents(s, principal=OFFICER, filters=IncidentFilter(alleged="nobody"))
        assert refused.value.field == "alleged"


def test_pages_visit_every_incident_once(store: Store, rows: list[Row]) -> None:
    filters = IncidentFilter(status="under_review")
    with store.session() as s:
        seen: list[int] = []
        after = 0
        while page := list_incidents(s, principal=OFFICER, filters=filters, after_id=after,
                                     limit=7):
            assert len(page) <= 7
            seen += [i.id for i in page]
            after = page[-1].id
    assert seen == [r.id for r in rows if r.status == "under_review"]


@pytest.mark.parametrize("zoom", [0, 3, 6, 9, 12])
def test_cluster_counts_are_the_matching_incidents_in_each_cell(store: Store, rows: list[Row],
                                                               zoom: int) -> None:
    bbox = (35.0, 32.0, 43.0, 38.0) if zoom < 9 else (36.0, 33.0, 37.5, 34.5)
    for who, filters, wanted in ((OFFICER, IncidentFilter(bbox=bbox), lambda r: True),
                                 (PUBLIC, IncidentFilter(bbox=bbox, category="shelling"),
                                  lambda r: r.category == "shelling")):
        visible = [r for r in rows if (who is OFFICER or r.published) and wanted(r)
                   and r.lat is not None and r.lon is not None
                   and bbox[0] <= r.lon <= bbox[2] and bbox[1] <= r.lat <= bbox[3]]
        cells: dict[tuple[int, int], list[Row]] = {}
        for r in visible:
            assert r.lat is not None and r.lon is not None
            cells.setdefault(cell_of(r.lat, r.lon, zoom), []).append(r)
        with store.session() as s:
            found = cluster_incidents(s, principal=who, filters=filters, zoom=zoom)
            assert found.total == len(visible) == count_incidents(s, principal=who,
                                                                  filters=filters)
        assert {(c.column, c.row): c.count for c in found.clusters} == {
            cell: len(members) for cell, members in cells.items()}
        for c in found.clusters:
            members = cells[(c.column, c.row)]
            assert c.first_id == min(r.id for r in members)
            assert c.latitude == pytest.approx(sum(r.lat or 0 for r in members) / len(members))
            assert c.longitude == pytest.approx(sum(r.lon or 0 for r in members) / len(members))


def test_clusters_refuse_a_view_of_too_many_cells(store: Store, rows: list[Row]) -> None:
    with store.session() as s, pytest.raises(InvalidInput) as refused:
        cluster_incidents(s, principal=PUBLIC, filters=IncidentFilter(bbox=(-180, -90, 180, 90)),
                          zoom=12)
    assert refused.value.field == "bbox"


def test_day_range_of_the_matching_incidents(store: Store, rows: list[Row]) -> None:
    confirmed = [r.start for r in rows if r.status == "confirmed"]
    with store.session() as s:
        assert day_range(s, principal=OFFICER, filters=IncidentFilter(status="confirmed")) == (
            min(confirmed).date().isoformat(), max(confirmed).date().isoformat())
        assert day_range(s, principal=OFFICER, filters=IncidentFilter(text="nowhere")) is None


def test_page_rows_are_the_listed_incidents_and_their_views(store: Store, rows: list[Row]) -> None:
    """``incident_rows`` (the API's page, Core rows and report ids in one query) gives what
    ``list_incidents`` and ``incident_view`` give, an unlinked report left out."""
    with store.session() as s:
        org, truce = factories.organisation(s), factories.truce(s)
        extra = file_reports(s, organisation=org, actor="test", submissions=[
            factories.report(truce=truce) for _ in range(3)])
        s.execute(insert(IncidentLink), [
            {"incident_id": 1, "report_id": extra[0].id, "linked_by": "test", "link_reason": ""},
            {"incident_id": 1, "report_id": extra[1].id, "linked_by": "test", "link_reason": "",
             "unlinked_at": datetime(2017, 4, 1, tzinfo=UTC), "unlinked_by": "test",
             "unlink_reason": "not the same event"},
            {"incident_id": 2, "report_id": extra[2].id, "linked_by": "test", "link_reason": "",
             "unlinked_at": datetime(2017, 4, 1, tzinfo=UTC), "unlinked_by": "test",
             "unlink_reason": "not the same event"}])
    with store.session() as s:
        for filters, _ in CASES:
            for who in (OFFICER, PUBLIC):
                for after, limit in ((0, 500), (40, 9)):
                    listed = list_incidents(s, principal=who, filters=filters, after_id=after,
                                            limit=limit)
                    got, reports = incident_rows(s, principal=who, filters=filters,
                                                 after_id=after, limit=limit)
                    assert [r.id for r in got] == [i.id for i in listed]
                    assert [incident_view(r, report_ids=reports[r.id]) for r in got] == [
                        incident_view(i) for i in listed]
        first, firsts = incident_rows(s, principal=OFFICER, filters=IncidentFilter(), limit=2)
        assert firsts[1] == sorted([1, extra[0].id]) and firsts[2] == [2]
        assert len(first) == 2 and first[0].id == 1
