"""The fast path of the dataset import (Arrow, ADBC) stores what the row path stores: the same
rows, digests, log entries, export bytes, errors and side file, and nothing on error; a
file it cannot read as the csv module does goes to the row path whole."""

from __future__ import annotations

import io
import json
import math
import shutil
import struct
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from tests.exchange.acled_rows import row, to_csv
from tests.exchange.test_dataset_chunks import CHOICES, USUAL
from trucewatch.exchange import acled, acled_arrow
from trucewatch.exchange import acled_columns as columns
from trucewatch.exchange.acled_chunks import convert
from trucewatch.exchange.acled_columns import Layout
from trucewatch.exchange.dataset_export import export_dataset
from trucewatch.exchange.dataset_staging import MAX_ATTACHED
from trucewatch.exchange.datasets import (
    CHUNK_KIND,
    IMPORT_KIND,
    DatasetResult,
    ImportRefused,
    chunk_digest,
    import_dataset,
)
from trucewatch.exchange.models import DatasetAcledEvent, DatasetImport
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogEntry
from trucewatch.storage import Store, open_store

TODAY = date(2026, 11, 29)
LAYOUT = Layout.of(acled.COLUMNS)


class _Stream:
    """The file's bytes through ``read`` only: not seekable, so the row path reads them."""

    def __init__(self, data: bytes) -> None:
        self.raw = io.BytesIO(data)

    def read(self, size: int = -1, /) -> bytes:
        return self.raw.read(size)


@pytest.fixture
def two_stores(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two SQLite stores as alike as can be: one for each path."""
    stores = []
    for name in ("fast", "rows"):
        (tmp_path / name).mkdir()
        shutil.copy(sqlite_template, tmp_path / name / "trucewatch.db")
        stores.append(open_store(f"sqlite:///{tmp_path / name / 'trucewatch.db'}"))
    yield stores[0], stores[1]
    for store in stores:
        store.dispose()


def _import(store: Store, data: bytes, *, fast: bool, **options: Any) -> DatasetResult:
    source = io.BytesIO(data) if fast else _Stream(data)
    with store.session() as session:
        return import_dataset(session, format="acled", source=source, file_name="acled.csv",
                              actor="test", today=TODAY, **options)


def _stored(store: Store) -> dict[str, Any]:
    """Everything an import leaves: rows (floats by their bits), entries, export, audit."""
    with store.session() as session:
        rows = [tuple(struct.pack("<d", v) if isinstance(v, float) else v for v in r)
                for r in session.execute(text(
                    "SELECT *, typeof(latitude), typeof(event_date), typeof(fatalities) "
                    "FROM dataset_acled_events ORDER BY import_id, line"))]
        entries = [(kind, json.loads(body)["payload"]) for kind, body in session.execute(
            select(LogEntry.kind, LogEntry.body).where(LogEntry.kind.in_((CHUNK_KIND,
                                                                           IMPORT_KIND)))
            .order_by(LogEntry.seq))]
        datasets = [(d.file_sha256, d.rows, d.rejected, d.columns)
                    for d in session.scalars(select(DatasetImport).order_by(DatasetImport.id))]
        exported = ["".join(export_dataset(session, dataset=d.id, principal=None))
                    for d in session.scalars(select(DatasetImport).order_by(DatasetImport.id))]
        report = audit_database(session)
        assert report.ok, report.problems
    return {"rows": rows, "entries": entries, "datasets": datasets, "exported": exported}


def _usual_rows(n: int) -> list[dict[str, str]]:
    return [row(latitude=f"{33 + i / 997:.4f}", longitude=f"{-36 - i / 1009:.4f}",
                fatalities=str(i % 7), notes=f'On day {i}, "quoted", near Douma.',
                actor2="" if i % 3 else "Civilians (Syria)", inter2="" if i % 3 else "7")
            for i in range(n)]


def _same_both_ways(two_stores: tuple[Store, Store], data: bytes, *, fast: bool = True,
                    **options: Any) -> tuple[DatasetResult, DatasetResult]:
    fast_store, row_store = two_stores
    got = _import(fast_store, data, fast=True, **options)
    want = _import(row_store, data, fast=False, **options)
    assert got.fast is fast and not want.fast
    assert got.as_dict() == want.as_dict()
    assert _stored(fast_store) == _stored(row_store)
    return got, want


def test_a_usual_file_is_stored_alike_by_both_paths(two_stores: tuple[Store, Store]) -> None:
    rows = _usual_rows(230)
    rows[5]["latitude"] = "33.6670"  # kept verbatim, by the fast path too
    rows[6]["longitude"] = "-0"
    rows[7]["longitude"], rows[7]["latitude"] = "", ""
    got, _ = _same_both_ways(two_stores, to_csv(rows).encode(), chunk=40)
    assert got.stored == 230


def test_mixed_chunks_and_extra_columns_are_stored_alike(two_stores: tuple[Store, Store]) -> None:
    rows = _usual_rows(200)
    rows[50]["event_date"] = "24 January 2017"  # a chunk for the row path's conversion
    rows[51]["notes"] = "tab\there"
    rows[120]["fatalities"] = "007"
    for i, r in enumerate(rows):
        r["population_best"] = str(i) if i % 2 else 'with "quotes" \\ and é'
        r["zz_extra"] = ""
    columns_ = [*acled.COLUMNS, "zz_extra", "population_best"]
    _same_both_ways(two_stores, to_csv(rows, columns_).encode(), chunk=30)


def test_bad_rows_are_named_alike_and_nothing_is_written(two_stores: tuple[Store, Store]) -> None:
    rows = _usual_rows(150)
    rows[10]["event_type"] = "Skirmish"
    rows[99]["latitude"] = "95"
    rows[140]["fatalities"] = "many"
    data = to_csv(rows).encode()
    refused = []
    for store, fast in zip(two_stores, (True, False), strict=True):
        with pytest.raises(ImportRefused) as caught, store.session() as session:
            import_dataset(session, format="acled", source=io.BytesIO(data) if fast
                           else _Stream(data), file_name="a.csv", actor="t", today=TODAY,
                           chunk=40)
        refused.append(([str(p) for p in caught.value.problems], caught.value.count))
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(DatasetImport)) == 0
            assert session.scalar(select(func.count()).select_from(DatasetAcledEvent)) == 0
    assert refused[0] == refused[1]
    assert [p.split(" (")[0] for p in refused[0][0]] == ["line 12", "line 101", "line 142"]


def test_skip_bad_sets_the_same_rows_aside(two_stores: tuple[Store, Store]) -> None:
    rows = _usual_rows(120)
    rows[3]["sub_event_type"] = "Grenade"
    rows[64]["time_precision"] = "4"
    data = to_csv(rows).encode()
    sides = []
    for store, fast in zip(two_stores, (True, False), strict=True):
        side = io.StringIO()
        result = _import(store, data, fast=fast, chunk=25, skip_bad=True, rejected=side)
        assert result.rejected == 2 and result.stored == 118
        sides.append(side.getvalue())
    assert sides[0] == sides[1] and sides[0].count("\n") == 3
    assert _stored(two_stores[0]) == _stored(two_stores[1])


@pytest.mark.parametrize("change", ["blank line", "line break in a value", "text after a quote",
                                    "bad UTF-8", "short row", "lone CR"])
def test_a_file_arrow_reads_otherwise_goes_to_the_row_path(
        two_stores: tuple[Store, Store], change: str) -> None:
    lines = to_csv(_usual_rows(60)).encode().split(b"\r\n")
    if change == "blank line":
        lines.insert(30, b"")
    elif change == "line break in a value":
        lines[40] = lines[40].replace(b'"quoted"', b'"quo\nted"')
    elif change == "text after a quote":
        lines[40] = b'"x"y' + lines[40]  # the csv module refuses it; Arrow reads xySYR…
    elif change == "bad UTF-8":
        lines[40] = lines[40].replace(b"Douma", b"Dou\xffma")
    elif change == "short row":
        lines[40] = lines[40].rsplit(b",", 1)[0]
    data = (b"\r" if change == "lone CR" else b"\r\n").join(lines)
    results = []
    for store, fast in zip(two_stores, (True, False), strict=True):
        try:
            results.append(_import(store, data, fast=fast, chunk=20).as_dict())
        except Exception as exc:  # the same refusal, naming the same line
            results.append({"error": type(exc).__name__, "message": str(exc)})
    assert results[0] == results[1], results
    if "error" not in results[0]:
        assert _stored(two_stores[0]) == _stored(two_stores[1])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the fast path is SQLite's
def test_the_staging_file_is_gone_and_detached(store: Store, tmp_path: Path) -> None:
    with store.session() as session:
        result = import_dataset(session, format="acled", source=io.BytesIO(
            to_csv(_usual_rows(30)).encode()), file_name="a.csv", actor="t", today=TODAY)
    assert result.fast and result.stored == 30
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("trucewatch-staging")]
    with store.engine.connect() as connection:
        names = [r[1] for r in connection.exec_driver_sql("PRAGMA database_list")]
    assert names == ["main"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the fast path is SQLite's
def test_a_transaction_of_many_imports_leaves_the_rest_to_the_row_path(store: Store) -> None:
    # Each staging file stays attached until the transaction ends, and SQLite attaches at
    # most ten databases to a connection.
    files = [to_csv(_usual_rows(3 + i)).encode() for i in range(MAX_ATTACHED + 3)]
    with store.session() as session:
        results = [import_dataset(session, format="acled", source=io.BytesIO(data),
                                  file_name=f"{i}.csv", actor="t", today=TODAY)
                   for i, data in enumerate(files)]
        assert [r.fast for r in results] == [True] * MAX_ATTACHED + [False] * 3
        exported = ["".join(export_dataset(session, dataset=r.dataset or 0, principal=None))
                    for r in results]
    assert [e.encode() for e in exported] == files
    with store.session() as session:  # a new transaction attaches again
        assert import_dataset(session, format="acled", source=io.BytesIO(files[0]),
                              file_name="again.csv", actor="t", today=TODAY).fast


def test_postgresql_and_a_gzipped_file_keep_the_row_path(store: Store) -> None:
    import gzip

    with store.session() as session:
        result = import_dataset(session, format="acled", source=io.BytesIO(gzip.compress(
            to_csv(_usual_rows(5)).encode())), file_name="a.csv.gz", actor="t", today=TODAY)
    assert not result.fast and result.stored == 5


# The chunk-level rules: what Arrow calls usual, the row path converts without an error
# and to the same values, and the digest is the row path's.
@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 59), st.sampled_from(sorted(CHOICES)),
                          st.integers(0, 20)), max_size=4))
def test_a_chunk_arrow_calls_usual_is_what_the_row_path_makes(
        odd: list[tuple[int, str, int]]) -> None:
    rows = [dict(USUAL) | {"event_id_cnty": f"SYR{i}"} for i in range(60)]
    for i, column, k in odd:
        rows[i][column] = CHOICES[column][k % len(CHOICES[column])]
    raws = [[r.get(c, "") for c in acled.COLUMNS] for r in rows]
    texts: list[pa.Array | None] = [pa.array([r[i] for r in raws], pa.string())
                                    for i in range(columns.WIDTH)]
    if not acled_arrow.usual(texts, [], TODAY):
        return
    chunk = convert(raws, LAYOUT, TODAY)
    assert not chunk.errors
    values = acled_arrow.stored(texts, [], LAYOUT, len(raws))
    assert [[_bits(v) for v in a.to_pylist()] for a in values] == \
        [[_bits(v) for v in column] for column in chunk.values]
    lines = list(range(2, 62))
    assert acled_arrow.digest(9, 2, 60, values) == chunk_digest(9, lines, chunk.values)


def _bits(value: Any) -> Any:
    return struct.pack("<d", value) if isinstance(value, float) else value


def _coordinate_texts() -> st.SearchStrategy[str]:
    degrees = st.floats(-90, 90, allow_nan=False)
    return st.one_of(
        degrees.map(repr),
        st.tuples(degrees, st.integers(0, 17)).map(lambda p: f"{p[0]:.{p[1]}f}"),
        st.from_regex(r"-?0?[0-8]?[0-9](\.[0-9]{1,20})?", fullmatch=True))


@settings(max_examples=2000, deadline=None)
@given(st.lists(_coordinate_texts(), min_size=1, max_size=8))
def test_arrow_reads_a_coordinate_as_python_float_does(texts: list[str]) -> None:
    """Arrow's parser gives the double float() gives, and a text is kept verbatim exactly
    where the row path keeps it, wherever the fast path takes the column."""
    array = pa.array(texts, pa.string())
    if not acled_arrow._usual_coordinates(array, array):
        # Refused or left to the row path: a value outside the range the fast path takes.
        assert any(abs(float(t)) > 90 or 0 < abs(float(t)) < 1e-4 for t in texts)
        return
    values, kept = acled_arrow._coordinate(array)
    convert_one = columns.coordinate("latitude")
    for t, value, text_kept in zip(texts, values.to_pylist(), kept.to_pylist(), strict=True):
        verbatim: dict[str, str] = {}
        expected = convert_one(t, verbatim)
        assert struct.pack("<d", value) == struct.pack("<d", expected), t
        assert text_kept == verbatim.get("latitude"), t
        assert not math.copysign(1, value) < 0 or value != 0
