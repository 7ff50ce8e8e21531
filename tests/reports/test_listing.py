"""Listing reports with filters, on the demo scenario."""

from __future__ import annotations

import pytest

from trucewatch.errors import InvalidInput
from trucewatch.incidents.service import list_incidents
from trucewatch.reports.reading import ReportFilter, list_reports
from trucewatch.storage import Store


def _ids(store: Store, **filters: object) -> list[int]:
    with store.session() as s:
        return [r.id for r in list_reports(s, filters=ReportFilter(**filters), limit=None)]


def test_filters_select_what_they_say(demo_store: Store) -> None:
    everything = _ids(demo_store)
    assert len(everything) == 30
    with demo_store.session() as s:
        reports = list_reports(s, limit=None)
        shelling = {r.id for r in reports if r.category == "shelling"}
        in_ghouta = {r.id for r in reports if r.latitude and 33.4 <= r.latitude <= 33.7
                     and 36.3 <= r.longitude <= 36.5}
        by_gov = {r.id for r in reports if r.alleged_actor and r.alleged_actor.slug == "syrian-government"}
        january_late = {r.id for r in reports if r.occurred_start.day >= 20
                        and r.occurred_start.month == 1}
        linked = {lk.report_id for i in list_incidents(s, limit=None) for lk in i.active_links}
    assert set(_ids(demo_store, category="shelling")) == shelling and shelling
    assert set(_ids(demo_store, bbox=(36.3, 33.4, 36.5, 33.7))) == in_ghouta
    assert set(_ids(demo_store, alleged_actor="Syrian government")) == by_gov and by_gov
    assert set(_ids(demo_store, occurred_from="2017-01-20", occurred_to="2017-01")) == january_late
    assert set(_ids(demo_store, status="unlinked")) == set(everything) - linked
    from trucewatch.incidents.workflow import STATUSES

    by_status = [set(_ids(demo_store, status=status)) for status in STATUSES]
    assert set().union(*by_status) == linked
    assert sum(len(ids) for ids in by_status) == len(linked)  # each report in one incident
    assert _ids(demo_store, text="SYNTHETIC") == everything


def test_cursor_pagination_visits_every_report_once(demo_store: Store) -> None:
    seen: list[int] = []
    after = 0
    while True:
        with demo_store.session() as s:
            page = [r.id for r in list_reports(s, after_id=after, limit=7)]
        if not page:
            break
        seen += page
        after = page[-1]
    assert seen == _ids(demo_store)


@pytest.mark.parametrize("filters, field", [
    ({"category": "bombing"}, "category"),
    ({"status": "lost"}, "status"),
    ({"bbox": (37.0, 33.0, 36.0, 34.0)}, "bbox"),
    ({"occurred_from": "soon"}, "occurred_from"),
    ({"alleged_actor": "Nobody"}, "alleged_actor"),
])
def test_bad_filters(demo_store: Store, filters: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as err, demo_store.session() as s:
        list_reports(s, filters=ReportFilter(**filters))
    assert err.value.field == field
