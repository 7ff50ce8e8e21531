"""A page's statement is built once per shape of filter and run with each filter's values:
filters of one shape, one after another, each get their own incidents, on both stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.incidents.test_listing import OFFICER, Row, rows  # noqa: F401  (the fixture)

from trucewatch.auth.principal import PUBLIC
from trucewatch.incidents.listing import Bbox, IncidentFilter, incident_rows, page_statement
from trucewatch.storage import Store

Wanted = Callable[[Row], bool]


def _kind(category: str, status: str) -> tuple[IncidentFilter, Wanted]:
    return (IncidentFilter(category=category, status=status),
            lambda r: r.category == category and r.status == status)


def _days(first: str, last: str) -> tuple[IncidentFilter, Wanted]:
    start = datetime.fromisoformat(first).replace(tzinfo=UTC)
    end = datetime.fromisoformat(last).replace(tzinfo=UTC) + timedelta(days=1)
    return (IncidentFilter(occurred_from=first, occurred_to=last),
            lambda r: r.end > start and r.start < end)


def _box(box: Bbox) -> tuple[IncidentFilter, Wanted]:
    return (IncidentFilter(bbox=box), lambda r: r.lat is not None and r.lon is not None
            and box[0] <= r.lon <= box[2] and box[1] <= r.lat <= box[3])


def _alleged(party: str) -> tuple[IncidentFilter, Wanted]:
    return IncidentFilter(alleged=party), lambda r: r.alleged == party


def _text(text: str) -> tuple[IncidentFilter, Wanted]:
    return IncidentFilter(text=text), lambda r: text.lower() in r.title.lower()


def test_filters_of_one_shape_each_get_their_rows(store: Store, rows: list[Row]) -> None:  # noqa: F811
    parties = sorted({r.alleged for r in rows})
    pairs = [
        [_kind("shelling", "open"), _kind("air_strike", "confirmed")],
        [_days("2017-01-05", "2017-01-20"), _days("2017-02-01", "2017-02-10")],
        [_box((36.0, 33.0, 39.5, 35.5)), _box((38.0, 32.5, 42.0, 34.0))],
        [_alleged(parties[0]), _alleged(parties[1])],
        [_text("market"), _text("road incident 1")],
    ]
    with store.session() as s:
        for pair in pairs:
            for who, visible in ((OFFICER, rows), (PUBLIC, [r for r in rows if r.published])):
                built = page_statement.cache_info().currsize
                for after in (0, 30):
                    for filters, wanted in pair:
                        got, _ = incident_rows(s, principal=who, filters=filters,
                                               after_id=after, limit=500)
                        expected = [r.id for r in visible if r.id > after and wanted(r)]
                        assert expected and [r.id for r in got] == expected, filters
                assert page_statement.cache_info().currsize <= built + 1  # one shape
