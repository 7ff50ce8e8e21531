"""ACLED files imported as datasets on both stores: the round trip, typed columns, bad rows
with their lines, nothing written on error, --skip-bad, access, and the audit of chunks."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.exchange.acled_rows import row, to_csv, varied
from trucewatch.auth.principal import PUBLIC, operator
from trucewatch.auth.service import get_user, principal_for
from trucewatch.errors import InvalidInput, NotFound, PermissionDenied
from trucewatch.exchange import acled
from trucewatch.exchange.csvrows import ERROR_COLUMN, LINE_COLUMN, MalformedFile
from trucewatch.exchange.dataset_export import export_dataset, list_datasets
from trucewatch.exchange.datasets import (
    CHUNK_KIND,
    IMPORT_KIND,
    DatasetResult,
    ImportRefused,
    import_dataset,
)
from trucewatch.exchange.models import DatasetAcledEvent, DatasetImport
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogEntry, LogHead
from trucewatch.storage import Store

SAMPLE = Path(__file__).with_name("acled_sample.csv")
TODAY = date(2026, 11, 29)


def _import(session: Session, data: str | bytes, *, name: str = "acled.csv",
            **options: object) -> DatasetResult:
    raw = data.encode() if isinstance(data, str) else data
    return import_dataset(session, format="acled", source=io.BytesIO(raw), file_name=name,
                          actor="test", today=TODAY, **options)  # type: ignore[arg-type]


def _export(session: Session, dataset: int) -> str:
    return "".join(export_dataset(session, dataset=dataset, principal=None))


def _counts(session: Session) -> tuple[int, int, int]:
    head = session.get(LogHead, 1)
    return (session.scalar(select(func.count()).select_from(DatasetImport)) or 0,
            session.scalar(select(func.count()).select_from(DatasetAcledEvent)) or 0,
            head.size if head else 0)


def generated(n: int, seed: int = 8) -> list[dict[str, str]]:
    """Rows with every kind of value, canonical or not, spread over several chunks."""
    rng = random.Random(seed)
    pairs = sorted(acled.CATEGORY_OF)
    out = []
    for i in range(n):
        event_type, sub = pairs[rng.randrange(len(pairs))]
        lat, lon = rng.uniform(-90, 90), rng.uniform(-180, 180)
        out.append(row(
            event_type=event_type, sub_event_type=sub,
            event_date=rng.choice(("2017-01-24", "24 January 2017", "2017-02-28", "1 March 2017")),
            latitude=rng.choice((f"{lat:.4f}", repr(lat), "36", "0.0001", "-0")),
            longitude=rng.choice((f"{lon:.4f}", repr(lon), "180", "-180.0")),
            fatalities=rng.choice(("0", "3", "12", " 4", "007")),
            inter1=rng.choice(("1", "", "State forces", "10")),
            iso=rng.choice(("760", "0760", "")), geo_precision=rng.choice(("1", "2", "3", "")),
            time_precision=rng.choice(("1", "2", "3", " 1")),
            notes=rng.choice(("", "a, \"quoted\"\nsecond line", "حرية", "x" * 2000)),
            timestamp=str(1_500_000_000 + i)))
    return out


def test_a_file_comes_back_identical_in_every_column(store: Store) -> None:
    rows = generated(250)
    source = to_csv(rows)
    with store.session() as session:
        result = _import(session, source, chunk=64)
    assert (result.rows, result.stored, result.rejected) == (250, 250, 0)
    assert result.file_sha256 == hashlib.sha256(source.encode()).hexdigest()
    with store.session() as session:
        assert _export(session, result.dataset or 0) == source  # byte for byte
        entries = session.scalars(select(LogEntry).where(LogEntry.kind == CHUNK_KIND)).all()
        assert len(entries) == 4  # 250 rows in chunks of 64
        report = audit_database(session)
        assert report.ok, report.problems
        assert report.rows_checked >= 250


def test_a_real_looking_file_with_lf_lines_comes_back_in_every_column(store: Store) -> None:
    with store.session() as session:
        result = _import(session, SAMPLE.read_bytes(), name=SAMPLE.name)
    with store.session() as session:
        back = _export(session, result.dataset or 0)
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(io.StringIO(back))) == list(csv.reader(f))
    assert back == SAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n").replace(
        "\r\nNo casualties", "\nNo casualties")  # only the line ends differ


def test_columns_are_typed_and_the_source_text_kept_where_a_type_loses_it(store: Store) -> None:
    rows = [row(event_date="24 January 2017", latitude="33.6667", longitude="36.1000",
                fatalities="3", inter1="State forces", iso="760", timestamp="1485273600")
            | {"data_id": "7"},
            row(event_date="2017-01-25", latitude="", longitude="", geo_precision="")]
    with store.session() as session:
        result = _import(session, to_csv(rows, (*acled.COLUMNS, "data_id")))
    with store.session() as session:
        first, second = session.scalars(select(DatasetAcledEvent)
                                        .order_by(DatasetAcledEvent.line)).all()
    assert (first.import_id, first.line, second.line) == (result.dataset, 2, 3)
    assert first.event_date == date(2017, 1, 24) and second.event_date == date(2017, 1, 25)
    assert (first.latitude, first.longitude, first.fatalities) == (33.6667, 36.1, 3)
    assert (first.inter1, first.iso, first.timestamp, first.time_precision) == (
        None, 760, 1485273600, 1)
    assert first.verbatim == ('{"event_date":"24 January 2017","inter1":"State forces",'
                              '"longitude":"36.1000"}')
    assert first.extra == '{"data_id":"7"}'
    assert (second.latitude, second.geo_precision, second.verbatim) == (None, None, None)
    assert second.extra == '{"data_id":""}'


@pytest.mark.parametrize(("overrides", "field"), [
    ({"event_date": "yesterday"}, "event_date"),
    ({"event_date": "2027-01-01"}, "event_date"),  # after TODAY
    ({"event_date": "2017-02-30"}, "event_date"),
    ({"event_type": "Battles", "sub_event_type": "Grenade"}, "sub_event_type"),
    ({"event_type": "Skirmish"}, "event_type"),
    ({"latitude": "91"}, "latitude"),
    ({"longitude": "nan"}, "longitude"),
    ({"longitude": ""}, "longitude"),
    ({"fatalities": "-1"}, "fatalities"),
    ({"fatalities": "1000001"}, "fatalities"),
    ({"time_precision": "4"}, "time_precision"),
    ({"geo_precision": "0"}, "geo_precision"),
    ({"event_id_cnty": "SYR 1"}, "event_id_cnty"),
    ({"event_id_cnty": "S" * 41}, "event_id_cnty"),
    ({"location": "x" * 1001}, "location"),
    ({"notes": "x" * 100_001}, "notes"),
    ({"notes": "a NUL \x00 here"}, "notes"),
])
def test_a_bad_row_is_named_by_line_and_column_and_nothing_is_written(
        store: Store, overrides: dict[str, str], field: str) -> None:
    good = [row(notes="two\nlines") for _ in range(4)]  # each row takes two lines
    with store.session() as session:
        before = _counts(session)
    with pytest.raises(ImportRefused) as refused, store.session() as session:
        _import(session, to_csv([*good[:2], row(**overrides), *good[2:]]), chunk=2)
    assert [(p.line, p.field) for p in refused.value.problems] == [(6, field)]
    with store.session() as session:
        assert _counts(session) == before  # no import row, no event, no log entry


def test_every_bad_line_is_named_in_one_run(store: Store) -> None:
    lines = to_csv([row(), row(latitude="x"), row(), row(fatalities="many")]).splitlines()
    lines.insert(3, "SYR9,2017-01-20,too,few")  # a row of the wrong width
    with pytest.raises(ImportRefused) as refused, store.session() as session:
        _import(session, "\r\n".join(lines) + "\r\n", chunk=2)
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (3, "latitude"), (4, None), (6, "fatalities")]
    assert "3 bad rows; nothing was imported" in str(refused.value)


def test_skip_bad_imports_the_rest_and_writes_the_rejected_rows_aside(store: Store) -> None:
    rows = [row(), row(fatalities="many"), row(), row(event_type="Skirmish")]
    side = io.StringIO()
    with store.session() as session:
        result = _import(session, to_csv(rows), skip_bad=True, rejected=side)
    assert (result.rows, result.stored, result.rejected) == (4, 2, 2)
    rejected = list(csv.DictReader(io.StringIO(side.getvalue())))
    assert [(r[LINE_COLUMN], r["fatalities"]) for r in rejected] == [("3", "many"), ("5", "3")]
    assert "event_type" in rejected[1][ERROR_COLUMN]
    with store.session() as session:
        found = session.get(DatasetImport, result.dataset)
        assert found is not None and (found.rows, found.rejected) == (2, 2)
        assert [e.line for e in session.scalars(select(DatasetAcledEvent)
                                                .order_by(DatasetAcledEvent.line))] == [2, 4]
        assert audit_database(session).ok
    # The rejected file, corrected, imports: its two added columns are not kept.
    fixed = side.getvalue().replace(",many,", ",1,").replace("Skirmish", "Battles")
    with store.session() as session:
        again = _import(session, fixed)
        assert again.stored == 2
        assert LINE_COLUMN not in _export(session, again.dataset or 0)


def test_a_gzipped_file_is_read_and_hashed_as_given(store: Store) -> None:
    packed = gzip.compress(to_csv(varied()).encode())
    with store.session() as session:
        result = _import(session, packed, name="acled.csv.gz")
    assert result.stored == len(varied())
    assert result.file_sha256 == hashlib.sha256(packed).hexdigest()
    with store.session() as session:
        entry = session.scalars(select(LogEntry).where(LogEntry.kind == IMPORT_KIND)).one()
        assert result.file_sha256 in entry.body and '"file_name":"acled.csv.gz"' in entry.body


def test_files_that_cannot_be_read_say_where(store: Store) -> None:
    with pytest.raises(MalformedFile, match="missing columns: .*fatalities"), \
            store.session() as session:
        _import(session, "event_id_cnty,event_date\r\nSYR1,2017-01-01\r\n")
    with pytest.raises(MalformedFile), store.session() as session:
        _import(session, to_csv([row()]).encode() + b"\xff\xfe,\r\n")
    packed = gzip.compress(to_csv([row()] * 50).encode())
    with pytest.raises(MalformedFile), store.session() as session:
        _import(session, packed[:len(packed) // 2], name="cut.csv.gz")
    with pytest.raises(MalformedFile), store.session() as session:
        _import(session, b"not gzip at all", name="acled.csv.gz")
    with pytest.raises(InvalidInput, match="reports only"), store.session() as session:
        import_dataset(session, format="ucdp", source=io.BytesIO(b""), file_name="g.csv",
                       actor="test")
    with store.session() as session:
        assert _counts(session)[:2] == (0, 0)


def test_who_may_import_and_read_datasets(demo_store: Store) -> None:
    with demo_store.session() as session:
        reporter = principal_for(get_user(session, "gov-reporter"))
        coordinator = principal_for(get_user(session, "un-coordinator"))
        with pytest.raises(PermissionDenied, match="exchange.import"):
            import_dataset(session, format="acled", source=io.BytesIO(to_csv([row()]).encode()),
                           file_name="a.csv", actor=reporter.actor, principal=reporter)
        result = import_dataset(session, format="acled",
                                source=io.BytesIO(to_csv([row()]).encode()),
                                file_name="a.csv", actor=coordinator.actor,
                                principal=coordinator)
    with demo_store.session() as session:
        dataset = result.dataset or 0
        assert [d["id"] for d in list_datasets(session, principal=reporter)] == [dataset]
        assert _export(session, dataset).count("\r\n") == 2
        assert "".join(export_dataset(session, dataset=dataset,
                                      principal=operator("cli:test"))).startswith("event_id")
        with pytest.raises(PermissionDenied):
            export_dataset(session, dataset=dataset, principal=PUBLIC)
        with pytest.raises(PermissionDenied):
            list_datasets(session, principal=PUBLIC)
        with pytest.raises(NotFound):
            export_dataset(session, dataset=dataset + 1, principal=reporter)
        entry = session.scalars(select(LogEntry).where(LogEntry.kind == IMPORT_KIND)).one()
        assert entry.actor == coordinator.actor


def test_the_audit_catches_a_dataset_row_edited_behind_the_log(store: Store) -> None:
    with store.session() as session:
        result = _import(session, to_csv([r | {"notes": "one line"} for r in generated(30)]),
                         chunk=10)
        assert audit_database(session).ok
    dataset = result.dataset
    with store.session() as session:
        chunks = session.scalars(select(LogEntry.seq).where(LogEntry.kind == CHUNK_KIND)
                                 .order_by(LogEntry.seq)).all()
        # One value changed; a typed value hidden behind its kept source text; a row moved
        # out of every logged range.
        session.execute(text("UPDATE dataset_acled_events SET fatalities = fatalities + 1 "
                             "WHERE import_id = :d AND line = 5"), {"d": dataset})
        session.execute(text("UPDATE dataset_acled_events SET event_date = '2017-01-23', "
                             "verbatim = '{\"event_date\":\"2017-01-24\"}' "
                             "WHERE import_id = :d AND line = 15"), {"d": dataset})
        session.execute(text("UPDATE dataset_acled_events SET line = 1000 "
                             "WHERE import_id = :d AND line = 31"), {"d": dataset})
    with store.session() as session:
        report = audit_database(session)
    found = sorted((p.where, p.seq) for p in report.problems)
    assert found == [
        ("dataset_acled_events 1", None),
        ("dataset_acled_events 1 lines 12-21", chunks[1]),
        ("dataset_acled_events 1 lines 2-11", chunks[0]),
        ("dataset_acled_events 1 lines 22-31", chunks[2]),
    ], report.problems
    assert any("1 rows outside every logged chunk" in p.message for p in report.problems)


def test_the_audit_catches_an_edited_import_row(store: Store) -> None:
    with store.session() as session:
        result = _import(session, to_csv([row()]))
    with store.session() as session:
        session.execute(text("UPDATE dataset_imports SET rows = 2 WHERE id = :d"),
                        {"d": result.dataset})
    with store.session() as session:
        report = audit_database(session)
    assert [p.where for p in report.problems] == [f"dataset_imports {result.dataset} rows"]
