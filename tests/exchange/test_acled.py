"""ACLED import and export on both stores: the round trip, bad rows, --skip-bad, re-imports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from tests.exchange.acled_rows import row, to_csv, varied
from trucewatch.errors import InvalidInput
from trucewatch.exchange import acled
from trucewatch.exchange.csvrows import ERROR_COLUMN, LINE_COLUMN, MalformedFile
from trucewatch.exchange.exporting import export
from trucewatch.exchange.importing import ImportRefused, import_csv
from trucewatch.exchange.models import ExchangeRecord
from trucewatch.log import service as log
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogHead
from trucewatch.reports.models import Casualty, Report
from trucewatch.reports.service import file_report
from trucewatch.storage import Store


def _import(session: Session, text: str, **options: object) -> object:
    return import_csv(session, format="acled", stream=io.StringIO(text), actor="test",
                      **options)  # type: ignore[arg-type]


def _export_rows(session: Session) -> list[dict[str, str]]:
    text = "".join(export(session, subject="reports", format="acled", principal=None))
    return list(csv.DictReader(io.StringIO(text)))


def _counts(session: Session) -> tuple[int, int, int]:
    head = session.get(LogHead, 1)
    return (session.scalar(select(func.count()).select_from(Report)) or 0,
            session.scalar(select(func.count()).select_from(ExchangeRecord)) or 0,
            head.size if head else 0)


def test_an_acled_file_comes_back_identical_in_every_column(store: Store) -> None:
    rows = varied()
    extra = [r | {"data_id": str(i)} for i, r in enumerate(rows)]  # a column not in the codebook
    with store.session() as session:
        factories.organisation(session, "syrian-government", name="Syrian government",
                               aliases=("Military Forces of Syria (2000-)",))
        result = _import(session, to_csv(extra, (*acled.COLUMNS, "data_id")))
    assert result.filed == len(rows) and result.rejected == 0  # type: ignore[attr-defined]
    with store.session() as session:
        assert _export_rows(session) == rows
        # The first row's actor1 names a known actor: the report links it.
        first = session.scalar(select(Report).where(
            Report.idempotency_key == f"acled:{rows[0]['event_id_cnty']}"))
        assert first is not None and first.alleged_actor is not None
        assert first.alleged_actor.slug == "syrian-government"
        kept = json.loads(session.scalars(select(ExchangeRecord.fields)
                                          .order_by(ExchangeRecord.report_id)).first() or "{}")
        assert kept["data_id"] == "0"  # kept, though ACLED exports write codebook columns only
        assert audit_database(session).ok, audit_database(session).problems


def test_the_report_fields_follow_the_mapping(store: Store) -> None:
    week = row(time_precision="2", event_date="2017-01-25", fatalities="4",
               event_type="Explosions/Remote violence",
               sub_event_type="Shelling/artillery/missile attack", geo_precision="2")
    month = row(time_precision="3", event_date="14 February 2017", geo_precision="3")
    with store.session() as session:
        _import(session, to_csv([week, month]))
    with store.session() as session:
        a, b = session.scalars(select(Report).order_by(Report.id)).all()
        assert (a.category, a.time_precision, a.geo_precision) == ("shelling", "week", "near")
        assert a.occurred_start.isoformat() == "2017-01-23T00:00:00+00:00"  # its Monday
        assert [(c.outcome, c.group, c.low, c.best, c.high) for c in a.casualties] == [
            ("killed", "unknown", 4, 4, 4)]
        assert (a.place_name, a.latitude, a.longitude) == ("Wadi Barada", 33.6667, 36.1)
        assert a.source_description == week["source"] and a.narrative == week["notes"]
        assert (a.source_kind, a.filed_by_org.slug) == ("monitor", "acled")
        assert (b.category, b.time_precision, b.geo_precision) == ("armed_clash", "month", "region")
        assert b.occurred_start.isoformat() == "2017-02-01T00:00:00+00:00"
        kept = json.loads(session.get(ExchangeRecord, b.id).fields)  # type: ignore[union-attr]
        assert kept["event_date"] == "14 February 2017" and kept["admin1"] == "Rural Damascus"


def test_a_native_report_exports_from_its_own_fields(store: Store) -> None:
    with store.session() as session:
        org = factories.organisation(session)
        filed = file_report(session, data=factories.report(category="air_strike", casualties=[
            {"outcome": "killed", "group": "civilian", "best": 2},
            {"outcome": "killed", "group": "combatant", "best": 3},
            {"outcome": "injured", "group": "civilian", "best": 9}]),
            organisation=org, actor="test")
    with store.session() as session:
        (out,) = _export_rows(session)
    assert out["event_id_cnty"] == f"TW{filed.id}"
    assert (out["event_type"], out["sub_event_type"]) == ("Explosions/Remote violence",
                                                          "Air/drone strike")
    assert (out["event_date"], out["year"], out["time_precision"]) == ("2017-01-10", "2017", "1")
    assert (out["location"], out["latitude"], out["longitude"]) == ("Ariha", "35.81", "36.61")
    assert (out["fatalities"], out["geo_precision"], out["notes"]) == (
        "5", "1", "Shells fell on the market.")


def test_a_file_with_bad_rows_names_their_lines_and_writes_nothing(store: Store) -> None:
    good = [row() for _ in range(5)]
    text = to_csv([good[0], row(event_date="2017-13-40"), good[1],
                   row(notes="a note\nover two lines", event_type="Parade"),
                   good[2], row(latitude="95"), row(fatalities="-1"), good[3],
                   row(event_id_cnty=good[0]["event_id_cnty"], fatalities="7"), good[4]])
    text += "SYR-short,2017-01-01\r\n"
    with store.session() as session:
        before = _counts(session)
    with pytest.raises(ImportRefused) as caught, store.session() as session:
        _import(session, text, batch=2)
    problems = [(p.line, p.field) for p in caught.value.problems]
    # Line 5 holds a note over two lines, so the row after it starts on line 7.
    assert problems == [(3, "event_date"), (5, "event_type"), (8, "latitude"),
                        (9, "fatalities"), (13, None)]
    assert "line 3 (event_date)" in str(caught.value) and "nothing was imported" in str(caught.value)
    with store.session() as session:
        assert _counts(session) == before


def test_skip_bad_imports_the_rest_and_writes_the_rejected_rows_aside(store: Store) -> None:
    first, second = row(), row()
    clash = row(event_id_cnty=first["event_id_cnty"], fatalities="99")  # same id, other content
    bad = row(event_type="Parade")
    side = io.StringIO()
    with store.session() as session:
        result = _import(session, to_csv([first, bad, second, clash]), skip_bad=True,
                         rejected=side, batch=10)
    assert (result.filed, result.rejected) == (2, 2)  # type: ignore[attr-defined]
    rejected = list(csv.DictReader(io.StringIO(side.getvalue())))
    assert [r[LINE_COLUMN] for r in rejected] == ["3", "5"]
    assert "event_type" in rejected[0][ERROR_COLUMN]
    assert "already used" in rejected[1][ERROR_COLUMN]
    assert {k: v for k, v in rejected[0].items() if k in acled.COLUMNS} == bad
    with store.session() as session:
        exported = _export_rows(session)
        assert [r["event_id_cnty"] for r in exported] == [first["event_id_cnty"],
                                                          second["event_id_cnty"]]
        # The side file, once fixed, imports like any ACLED file (its two columns ignored).
        fixed = side.getvalue().replace("Parade", "Battles").replace(",Other,", ",Armed clash,")
        rejected_again = io.StringIO()
        again = _import(session, fixed, skip_bad=True, rejected=rejected_again)
        assert (again.filed, again.rejected) == (1, 1)  # type: ignore[attr-defined]


def test_importing_a_file_twice_files_nothing_new(store: Store) -> None:
    text = to_csv(varied())
    with store.session() as session:
        _import(session, text)
    with store.session() as session:
        before = _counts(session)
        again = _import(session, text)
        assert (again.filed, again.existing) == (0, len(varied()))  # type: ignore[attr-defined]
        assert session.scalar(select(func.count()).select_from(Casualty)) == len(varied())
    with store.session() as session:
        assert _counts(session)[:2] == before[:2]


@pytest.mark.parametrize(("text", "message"), [
    ("", "line 1: the file is empty"),
    ("event_id_cnty,event_date\r\nSYR1,2017-01-01\r\n", "line 1: missing columns: time_precision"),
    (to_csv([row()]).replace("notes", "tags", 1), "line 1: columns named twice: tags"),
    (to_csv([row()]) + '"SYR2,"2017\r\n', "line 3: not a readable CSV row"),
])
def test_a_file_that_cannot_be_read_says_where(store: Store, text: str, message: str) -> None:
    with pytest.raises(MalformedFile) as caught, store.session() as session:
        _import(session, text)
    assert message in str(caught.value)
    with store.session() as session:
        assert _counts(session)[0] == 0


def test_the_import_is_logged_and_the_records_are_in_the_log(store: Store) -> None:
    with store.session() as session:
        _import(session, to_csv(varied()[:3]))
    with store.session() as session:
        kinds = [e.kind for e in log.iter_entries(session)]
        assert kinds.count("reports.filed") == 1 and kinds.count("exchange.records_kept") == 1
        assert not log.verify(session)
        assert audit_database(session).ok, audit_database(session).problems


@pytest.mark.parametrize(("options", "field"), [
    ({"organisation": "no-such-org"}, "organisation"),
    ({"truce": "no-such-truce"}, "truce"),
])
def test_an_unknown_filer_or_truce_fails_the_file_not_each_row(
        store: Store, options: dict[str, str], field: str) -> None:
    for rows in ([row()], [row(), row()]):
        with pytest.raises(InvalidInput) as caught, store.session() as session:
            _import(session, to_csv(rows), skip_bad=True, rejected=io.StringIO(), **options)
        assert caught.value.field == field
    with store.session() as session:
        assert _counts(session)[0] == 0


def test_a_row_imported_before_with_other_kept_values_is_a_bad_row(store: Store) -> None:
    first = row()
    with store.session() as session:
        _import(session, to_csv([first]))
    revised = first | {"admin1": "Damascus", "timestamp": "1600000000"}
    with pytest.raises(ImportRefused) as caught, store.session() as session:
        _import(session, to_csv([row(), revised]))
    (problem,) = caught.value.problems
    assert problem.line == 3 and "admin1, timestamp" in problem.message
    with store.session() as session:
        assert _counts(session)[0] == 1
        again = _import(session, to_csv([first, revised]), skip_bad=True, rejected=io.StringIO())
        assert (again.existing, again.rejected) == (1, 1)  # type: ignore[attr-defined]
        assert _export_rows(session) == [first]
