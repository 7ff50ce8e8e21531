"""Hostile ACLED rows: the importer never crashes, never writes part of a file, and names the line."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.exchange.acled_rows import row, to_csv
from trucewatch.exchange import acled
from trucewatch.exchange.csvrows import MalformedFile
from trucewatch.exchange.importing import ImportRefused, import_csv
from trucewatch.log.models import LogHead
from trucewatch.reports.models import Report
from trucewatch.storage import Store

# Text of any kind: quotes, separators, line breaks, NUL, right-to-left marks, long runs.
_ANY = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_PLAUSIBLE: dict[str, st.SearchStrategy[str]] = {
    "event_date": st.sampled_from(["2017-01-20", "20 January 2017", "2017-02-29", "2099-01-01",
                                   "1899-12-31", "2017-1-2", ""]),
    "time_precision": st.sampled_from(["1", "2", "3", "0", "4", " 1", ""]),
    "event_type": st.sampled_from(sorted(acled.EVENT_TYPES) + ["battles", ""]),
    "sub_event_type": st.sampled_from(sorted({s for _, s in acled.CATEGORY_OF}) + ["Other "]),
    "latitude": st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str),
                          st.sampled_from(["", "1e400", "-90.0001", "36,2"])),
    "longitude": st.one_of(st.floats(-200, 200).map(str), st.sampled_from(["", "nan"])),
    "geo_precision": st.sampled_from(["1", "2", "3", "4", ""]),
    "fatalities": st.one_of(st.integers(-5, 2_000_000).map(str),
                            st.sampled_from(["", "1.0", "٣", "²"])),
    "event_id_cnty": st.one_of(st.from_regex(r"[A-Z]{3}[0-9]{1,6}", fullmatch=True),
                               st.sampled_from(["", "SYR 1", "SYRé1", "X" * 240])),
}


@st.composite
def hostile_rows(draw: st.DrawFn) -> dict[str, str]:
    values = row()
    for column in draw(st.sets(st.sampled_from(acled.COLUMNS), min_size=1, max_size=6)):
        plausible = _PLAUSIBLE.get(column)
        values[column] = draw(st.one_of(plausible, _ANY) if plausible is not None else _ANY)
    return values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hostile=hostile_rows())
def test_a_hostile_row_is_filed_or_named_by_its_line_and_nothing_is_written(
        store: Store, hostile: dict[str, str]) -> None:
    text = to_csv([row(), hostile, row()])
    with store.session() as session:
        before = (session.scalar(select(func.count()).select_from(Report)),
                  session.scalar(select(LogHead.size)))
    try:
        with store.session() as session:
            result = import_csv(session, format="acled", stream=io.StringIO(text), actor="test",
                                batch=2)
    except ImportRefused as exc:
        assert [p.line for p in exc.problems] == [3], exc
        assert exc.problems[0].field is None or exc.problems[0].field in (
            *acled.COLUMNS, "occurred", "latitude", "longitude"), exc
        assert "line 3" in str(exc)
        event(f"refused ({exc.problems[0].field})")
    except MalformedFile as exc:
        assert exc.line == 3, exc
        event("unreadable")
    else:
        # An event id drawn again in a later example is an import of the same row again.
        assert (result.filed + result.existing, result.rejected) == (3, 0)
        event("filed")
        return
    with store.session() as session:
        after = (session.scalar(select(func.count()).select_from(Report)),
                 session.scalar(select(LogHead.size)))
    assert after == before
