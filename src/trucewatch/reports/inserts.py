"""Insert many rows of one table with the database driver's own executemany.

A Core executemany converts every row's parameters in Python through SQLAlchemy's
statement machinery (about a third of the cost of filing a report on SQLite). Here the
INSERT is compiled once per table, database kind and column list; each value goes
through its column type's own bind processor, so the stored values are exactly those a
Core insert stores, and the rows go to the driver in one ``executemany``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from trucewatch.storage.base import UTCDateTime


@dataclass(frozen=True)
class _Statement:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order a positional driver takes them
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool


_STATEMENTS: dict[tuple[str, str, str, tuple[str, ...]], _Statement] = {}


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (each with the same columns) into ``table`` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    statement = _statement(table, connection.dialect, tuple(rows[0]))
    width = len(statement.names)
    if any(len(row) != width for row in rows):
        raise ValueError(f"every row for {table.name} must have the columns {statement.names}")
    pairs = list(zip(statement.names, statement.processors, strict=True))
    params: list[Any]
    if statement.positional:
        params = [tuple([row[name] if process is None else process(row[name])
                         for name, process in pairs]) for row in rows]
    else:
        params = [{name: row[name] if process is None else process(row[name])
                   for name, process in pairs} for row in rows]
    connection.exec_driver_sql(statement.sql, params)


def _statement(table: Table, dialect: Dialect, columns: tuple[str, ...]) -> _Statement:
    key = (table.name, dialect.name, dialect.paramstyle, columns)
    found = _STATEMENTS.get(key)
    if found is None:
        # A Python-side default would be applied by a Core insert and not here.
        missing = [c.name for c in table.columns
                   if c.name not in columns and (c.default is not None or c.onupdate is not None)]
        if missing:
            raise ValueError(f"give {', '.join(missing)} for {table.name}: their defaults "
                             "are applied by SQLAlchemy, not by the database")
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        positional = bool(compiled.positional)
        names = tuple(compiled.positiontup or ()) if positional else columns
        found = _STATEMENTS[key] = _Statement(
            sql=str(compiled),
            names=names,
            # The dialect's own form of each type, as a Core insert converts with it.
            processors=tuple(_processor(table, name, dialect) for name in names),
            positional=positional,
        )
    return found


def _processor(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The dialect's own conversion of the column's values, as a Core insert makes it.

    On SQLite a UTC timestamp's two steps (to naive UTC, then SQLAlchemy's text
    ``YYYY-MM-DD HH:MM:SS.ffffff``) are done as one: ``isoformat`` writes that text for
    every year SQLite's column can hold (tests/reports/test_inserts.py holds the two
    alike), at a third of the cost, three times per report filed."""
    column_type = table.c[name].type
    if dialect.name == "sqlite" and isinstance(column_type, UTCDateTime):
        return _sqlite_utc_text
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _sqlite_utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")
