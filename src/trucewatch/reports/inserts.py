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
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from trucewatch.storage.base import UTCDateTime

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class _Statement:
    sql: str
    names: tuple[str, ...]  # the parameters, in the order a positional driver takes them
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool


_STATEMENTS: dict[tuple[str, str, str, tuple[str, ...]], _Statement] = {}


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (each with the same columns) into ``table`` in the session's transaction."""
    if rows:
        _insert(session, table, rows, returning=False)


def insert_rows_returning(session: Session, table: Table,
                          rows: Sequence[dict[str, Any]]) -> list[int] | None:
    """:func:`insert_rows`, and the ids given to the rows, in the rows' order, where the
    driver can say them in one trip: PostgreSQL's (psycopg's ``executemany`` with
    ``returning``, an INSERT … RETURNING per row in one pipeline). None elsewhere (SQLite's
    driver returns nothing from ``executemany``): the caller reads them back."""
    if not rows:
        return []
    return _insert(session, table, rows, returning=session.get_bind().dialect.name == "postgresql")


def _insert(session: Session, table: Table, rows: Sequence[dict[str, Any]], *,
            returning: bool) -> list[int] | None:
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
    if not returning:
        connection.exec_driver_sql(statement.sql, params)
        return None
    # PostgreSQL's INSERT compiles with the table's implicit RETURNING of its key.
    sql = statement.sql if " RETURNING " in statement.sql else (
        f"{statement.sql} RETURNING {next(iter(table.primary_key.columns)).name}")
    driver = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
    ids: list[int] = []
    with driver.cursor() as cursor:
        cursor.executemany(sql, params, returning=True)
        while True:  # one result per row, in the rows' order
            row = cursor.fetchone()
            if row is None:
                raise RuntimeError(f"an INSERT into {table.name} returned no id")
            ids.append(row[0])
            if not cursor.nextset():
                break
    if len(ids) != len(rows):
        raise RuntimeError(f"{len(rows)} rows inserted into {table.name}, {len(ids)} ids back")
    return ids


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
