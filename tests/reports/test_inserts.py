"""The driver-level insert converts values exactly as SQLAlchemy's own types do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Table
from sqlalchemy.dialects import sqlite

from trucewatch.reports.inserts import _processor
from trucewatch.reports.models import Report

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
