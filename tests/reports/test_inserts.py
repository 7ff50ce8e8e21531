"""The driver-level insert converts values exactly as SQLAlchemy's own types do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Table, select
from sqlalchemy.dialects import sqlite
from tests import factories

from trucewatch.reports.inserts import _processor, insert_rows_returning
from trucewatch.reports.models import Report
from trucewatch.reports.service import file_report
from trucewatch.storage import Store

_REPORTS = cast(Table, Report.__table__)
_DIALECT = sqlite.dialect()
_OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: UTC if minutes == 0 else timezone(timedelta(minutes=minutes)))


def _sqlalchemy(value: datetime | None) -> object:
    """What a Core insert binds: the column type's own processor after its decorator's."""
    column_type = _REPORTS.c.received_at.type
    bound = column_type.process_bind_param(value, _DIALECT)  # type: ignore[attr-defined]
    process = column_type.impl_instance.dialect_impl(_DIALECT).bind_processor(_DIALECT)  # type: ignore[attr-defined]
    return process(bound) if process else bound


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=_OFFSETS))
def test_a_sqlite_timestamp_is_written_as_sqlalchemy_writes_it(value: datetime) -> None:
    process = _processor(_REPORTS, "received_at", _DIALECT)
    assert process is not None
    assert process(value) == _sqlalchemy(value)


def test_null_and_naive_times_as_sqlalchemy_treats_them() -> None:
    process = _processor(_REPORTS, "received_at", _DIALECT)
    assert process is not None
    assert process(None) is None is _sqlalchemy(None)
    with pytest.raises(ValueError, match="naive"):
        process(datetime(2017, 1, 24, 12))
    with pytest.raises(ValueError, match="naive"):
        _sqlalchemy(datetime(2017, 1, 24, 12))


def test_ids_come_back_in_the_rows_order_where_the_driver_says_them(store: Store) -> None:
    with store.session() as s:
        truce = factories.truce(s)
        org = factories.organisation(s)
        first = file_report(s, data=factories.report(truce=truce), organisation=org, actor="t")
        template = {c.name: getattr(s.get(Report, first.id), c.name)
                    for c in _REPORTS.columns if c.name != "id"}
    rows = [dict(template, idempotency_key=f"order-{k}", fingerprint=f"{k:064x}",
                 narrative=f"report {k}") for k in (5, 1, 4, 2, 3)]
    with store.session() as s:
        ids = insert_rows_returning(s, _REPORTS, rows)
        stored = dict(s.execute(select(Report.idempotency_key, Report.id).where(
            Report.idempotency_key.like("order-%"))).all())
        s.rollback()  # rows with no log entry: not kept
    if store.dialect == "postgresql":
        assert ids == [stored[r["idempotency_key"]] for r in rows] and len(set(ids)) == 5
    else:
        assert ids is None and len(stored) == 5  # SQLite's driver says nothing: read back
