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
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session


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
            processors=tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                             for name in names),
            positional=positional,
        )
    return found
