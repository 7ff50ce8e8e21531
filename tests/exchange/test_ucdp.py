"""The real UCDP GED Syria extract imports without loss: every mapped field compared.

The rows come from ``../shared/data/events/`` (never copied into the repository). The
tests on both stores take the first rows and every row whose own figures break
low ≤ best ≤ high; one test imports the whole file into SQLite.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trucewatch.exchange import ucdp
from trucewatch.exchange.importing import import_csv
from trucewatch.exchange.models import ExchangeRecord
from trucewatch.reports.models import Report
from trucewatch.storage import Store

GED = (Path(__file__).resolve().parents[3] / "shared" / "data" / "events"
       / "ucdp-ged-syria-2016-01-01_2019-11-30.csv.gz")
EVENTS = 16_566


def _ged_text() -> str:
    if not GED.exists():
        pytest.fail(f"the UCDP GED extract is missing: {GED}")
    with gzip.open(GED, "rt", encoding="utf-8", newline="") as stream:
        return stream.read()


def _subset(text: str, first: int = 250) -> str:
    """The header, the first rows and every row whose figures are out of order."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    at = {name: i for i, name in enumerate(header)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i, row in enumerate(reader):
        low, best, high = (float(row[at[c]]) for c in ("low", "best", "high"))
        if i < first or not low <= best <= high:
            writer.writerow(row)
    return out.getvalue()


def _check_every_field(session: Session, text: str) -> int:
    """Compare each row of ``text`` with the report it became; return how many."""
    reports = {r.idempotency_key: r for r in session.scalars(
        select(Report).options(selectinload(Report.casualties),
                               selectinload(Report.alleged_actor),
                               selectinload(Report.affected_actor)))}
    kept = {report_id: json.loads(fields) for report_id, fields in session.execute(
        select(ExchangeRecord.report_id, ExchangeRecord.fields)
        .where(ExchangeRecord.format == "ucdp"))}
    n = 0
    for row in csv.DictReader(io.StringIO(text)):
        n += 1
        report = reports[f"ucdp:{int(float(row['id']))}"]
        start, end = date.fromisoformat(row["date_start"]), date.fromisoformat(row["date_end"])
        span = (report.occurred_start.date(), report.occurred_end.date() - timedelta(days=1))
        assert span[0] <= start <= end <= span[1] or report.time_precision == "month", row["id"]
        assert span[0] <= start <= span[1]
        expected_precision = ("day" if start == end else "week"
                              if start.isocalendar()[:2] == end.isocalendar()[:2] else "month")
        assert report.time_precision == expected_precision
        assert report.latitude == float(row["latitude"])
        assert report.longitude == float(row["longitude"])
        assert report.geo_precision == ucdp.GEO_PRECISION[int(float(row["where_prec"]))]
        assert report.place_name == row["where_coordinates"].strip()
        assert report.category == ucdp.CATEGORY[int(float(row["type_of_violence"]))]
        low, best, high = (int(float(row[c])) for c in ("low", "best", "high"))
        (cell,) = report.casualties
        assert (cell.outcome, cell.group, cell.best) == ("killed", "unknown", best)
        assert (cell.low, cell.high) == (min(low, best, high), max(low, best, high))
        assert report.source_description == row["source_office"].strip()
        assert report.narrative == row["source_headline"].strip()
        assert report.source_kind == "monitor" and report.filed_by_org.slug == "ucdp"
        # Every column the report has no field for, and any figure it could not hold, is kept.
        record = kept[report.id]
        for column, value in row.items():
            if column not in ucdp.MAPPED:
                assert record[column] == value, (row["id"], column)
        if not low <= best <= high:
            assert (record["low"], record["high"]) == (row["low"], row["high"])
    return n


def test_the_ged_extract_imports_field_by_field(store: Store) -> None:
    text = _subset(_ged_text())
    with store.session() as session:
        result = import_csv(session, format="ucdp", stream=io.StringIO(text), actor="test")
    assert result.rejected == 0 and result.filed == text.count("\n") - 1
    with store.session() as session:
        assert _check_every_field(session, text) == result.filed > 300


def test_the_whole_ged_extract_imports(tmp_path: Path) -> None:
    from trucewatch.storage import open_store

    store = open_store(f"sqlite:///{tmp_path / 'ged.db'}")
    text = _ged_text()
    with store.session() as session:
        result = import_csv(session, format="ucdp", stream=io.StringIO(text), actor="test")
    assert (result.rows, result.filed, result.rejected) == (EVENTS, EVENTS, 0)
    with store.session() as session:
        assert _check_every_field(session, text) == EVENTS
    store.dispose()
