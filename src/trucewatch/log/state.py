"""Row snapshots: every row a change writes is recorded in the log entry of that change.

A session hook collects each row the ORM inserts, updates or deletes; the next log
entry carries their snapshots, and a commit with uncollected changes is refused, so
no state change can land without its entry. Bulk paths that write with Core pass their
rows to :func:`trucewatch.log.service.append_many` themselves. ``check_state`` later
compares every table with the latest snapshot of each row and names the entry and the
field that no longer match — the trace of a direct ``UPDATE`` or ``DELETE`` in SQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.orm import Session

from trucewatch.errors import TrucewatchError
from trucewatch.storage.base import Base

if TYPE_CHECKING:
    from trucewatch.log.audit import AuditReport

PENDING = "trucewatch.pending_rows"

# Tables that are the log itself, or that the log's signatures already protect.
UNTRACKED = frozenset({"log_entries", "log_head", "tree_heads", "alembic_version"})
# Checks of untracked tables whose rows the log covers by a digest of each chunk written,
# not by one snapshot per row (datasets: exchange/models.py); check_state runs each.
DIGEST_CHECKS: list[Callable[[Session, AuditReport], None]] = []
# Columns that change without being a state change of the mechanism.
VOLATILE = {"api_tokens": frozenset({"last_used_at"})}
# Columns the log must not reveal: it records a digest of them instead. Where a table has
# a secret salt column (named here), the digest is salted with it, so that a guessable
# value (a source's name) cannot be found by hashing guesses.
SALTED_BY = {"report_confidential_sources": "salt"}
SEALED = {
    "report_confidential_sources": frozenset({"identity", "contact", "salt"}),
    "users": frozenset({"password_hash"}),
    "api_tokens": frozenset({"token_hash"}),
    "attachment_blobs": frozenset({"content"}),
}


class UnloggedChange(TrucewatchError):
    """A transaction tried to commit a change that no log entry records (a bug, not input)."""

    http_status = 500


@dataclass(frozen=True)
class RowState:
    table: str
    key: tuple[Any, ...]
    values: dict[str, Any] | None  # None: the row was deleted

    def as_json(self) -> dict[str, Any]:
        # str(): a table's name is SQLAlchemy's quoted_name, a str subclass that would send
        # every entry body down canonical()'s slow path.
        return {"table": str(self.table), "key": list(self.key), "values": self.values}


def json_value(table: str, column: str, value: Any, salt: str = "") -> Any:
    if column in SEALED.get(table, ()):
        if value is None:
            return None
        raw = value if isinstance(value, bytes) else str(value).encode()
        return {"sha256": hashlib.sha256(salt.encode() + raw).hexdigest()}
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    return value


# Values that :func:`json_value` returns unchanged from a column that is not sealed.
_AS_IS = frozenset({str, int, float, bool, type(None)})


@dataclass(frozen=True)
class _Columns:
    """What a snapshot of one table takes, worked out once per table (bulk paths log many rows)."""

    names: tuple[str, ...]  # the logged columns, in table order
    sealed: frozenset[str]
    salt: str | None
    key: tuple[str, ...]


_COLUMNS: dict[str, _Columns] = {}  # by table name: hashing a Table is slow


def _columns(table: Table) -> _Columns:
    found = _COLUMNS.get(table.name)
    if found is None:
        skip = VOLATILE.get(table.name, frozenset())
        found = _COLUMNS[table.name] = _Columns(
            names=tuple(c.name for c in table.columns if c.name not in skip),
            sealed=SEALED.get(table.name, frozenset()),
            salt=SALTED_BY.get(table.name),
            key=tuple(c.name for c in table.primary_key.columns))
    return found


def row_values(table: Table, row: Any) -> dict[str, Any]:
    """The loggable values of a row (an ORM object or a mapping of column name → value)."""
    columns = _columns(table)
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, _attr(row, name)))
    values = {name: get(name) for name in columns.names}
    # Most values are logged as they are; only the rest take a call each (bulk filing
    # snapshots every row it writes, so this loop runs for every column of every row).
    odd = [name for name, value in values.items()
           if type(value) not in _AS_IS or name in columns.sealed]
    if odd:
        salt = str(get(columns.salt)) if columns.salt else ""
        for name in odd:
            values[name] = json_value(table.name, name, values[name],
                                      salt if name != columns.salt else "")
    return values


def _attr(obj: Any, column: str) -> str:
    mapper = inspect(obj).mapper
    return mapper.get_property_by_column(mapper.local_table.c[column]).key


def key_of(table: Table, row: Any) -> tuple[Any, ...]:
    if isinstance(row, dict):
        return tuple([row[name] for name in _columns(table).key])
    return tuple(inspect(row).mapper.primary_key_from_instance(row))


def row_state(obj: Any, *, deleted: bool = False) -> RowState:
    table = obj.__table__
    return RowState(table.name, key_of(table, obj), None if deleted else row_values(table, obj))


def core_row_state(table: Table, row: dict[str, Any]) -> RowState:
    return RowState(table.name, key_of(table, row), row_values(table, row))


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    pending: dict[tuple[str, tuple[Any, ...]], tuple[Any, bool]] = session.info.setdefault(
        PENDING, {})
    for obj, deleted in _changed(session):
        table = getattr(obj, "__table__", None)
        if table is None or table.name in UNTRACKED:
            continue
        pending[(table.name, key_of(table, obj))] = (obj, deleted)


def _changed(session: Session) -> Iterator[tuple[Any, bool]]:
    for obj in session.new:
        yield obj, False
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            yield obj, False
    for obj in session.deleted:
        yield obj, True


@event.listens_for(Session, "before_commit")
def _refuse_unlogged(session: Session) -> None:
    session.flush()
    pending = session.info.get(PENDING)
    if pending:
        tables = ", ".join(sorted({t for t, _ in pending}))
        raise UnloggedChange(f"changes to {tables} have no log entry", field="log")


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)


def drain(session: Session) -> list[RowState]:
    """The snapshots of every row changed since the last entry, for the entry being written."""
    pending = session.info.pop(PENDING, {})
    return [row_state(obj, deleted=deleted) for obj, deleted in pending.values()]


def digest(values: dict[str, Any] | None) -> bytes:
    from trucewatch.log.service import canonical

    return hashlib.sha256(canonical(values)).digest()[:16]


def tracked_tables() -> list[Table]:
    import trucewatch.models  # noqa: F401  (every table, whatever the caller happened to import)

    return [t for t in Base.metadata.sorted_tables if t.name not in UNTRACKED]


class LoggedRows:
    """The latest snapshot of every row, gathered from entry bodies given in order of seq."""

    def __init__(self) -> None:
        # table → key → the digest of the values (16 bytes) and the entry's seq (8 bytes) in
        # one bytes object: a tuple for each of millions of rows would take a third more memory.
        self.latest: dict[str, dict[tuple[Any, ...], bytes]] = {}

    def add(self, seq: int, body: str) -> None:
        snapshots = _snapshots_as_written(body)
        if snapshots is None:  # not canonical JSON as append writes it: parse it and rewrite
            snapshots = [(row["table"], tuple(row["key"]), _canonical_text(row["values"]))
                         for row in json.loads(body).get("rows", ())]
        at = seq.to_bytes(8, "big")
        for table, key, values in snapshots:
            self.latest.setdefault(table, {})[key] = hashlib.sha256(values.encode()).digest()[:16] + at


# (text, index) → (the JSON value there, the index after it); the json module's C scanner.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _snapshots_as_written(body: str) -> list[tuple[str, tuple[Any, ...], str]] | None:
    """Each row snapshot of a body as (table, key, the values' text in the body), or None.

    A body is canonical JSON, so each row's values already stand in it in canonical form:
    reading their text saves parsing and writing them again. A body this cannot walk (it
    is not compact JSON object syntax) gives None. If a body's text were not canonical,
    its rows would not match the tables' canonical values, and ``check_state`` looks again
    at such a row through the parsed body before reporting it.
    """
    rows: list[tuple[str, tuple[Any, ...], str]] = []
    try:
        if body[0] != "{":
            return None
        i = 1
        while True:
            if body[i] != '"':
                return None
            name, i = _scan(body, i)
            if body[i] != ":":
                return None
            if name == "rows":
                found, i = _row_list(body, i + 1)
                if found is None:
                    return None
                rows = found  # as json.loads does, the last "rows" counts
            else:
                _, i = _scan(body, i + 1)
            if body[i] == "}":
                return rows if i + 1 == len(body) else None
            if body[i] != ",":
                return None
            i += 1
    except (StopIteration, LookupError, TypeError, ValueError):
        return None


def _row_list(body: str, i: int) -> tuple[list[tuple[str, tuple[Any, ...], str]] | None, int]:
    if body[i] != "[":
        return None, i
    rows = []
    i += 1
    while body[i] != "]":
        if body[i] != "{":
            return None, i
        member: dict[str, Any] = {}
        i += 1
        while True:
            if body[i] != '"':
                return None, i
            name, i = _scan(body, i)
            if body[i] != ":":
                return None, i
            start = i + 1
            value, i = _scan(body, start)
            member[name] = body[start:i] if name == "values" else value
            if body[i] == "}":
                break
            if body[i] != ",":
                return None, i
            i += 1
        rows.append((member["table"], tuple(member["key"]), member["values"]))
        i += 1
        if body[i] == ",":
            i += 1
        elif body[i] != "]":
            return None, i
    return rows, i + 1


def _canonical_text(values: dict[str, Any] | None) -> str:
    from trucewatch.log.service import canonical

    return canonical(values).decode()


def check_state(session: Session, report: AuditReport, logged: LoggedRows | None = None) -> None:
    """Compare every tracked table with the latest snapshot of each of its rows in the log.

    ``logged`` holds the snapshots when the caller has read the entries already.
    """
    from trucewatch.log.audit import Problem
    from trucewatch.log.models import LogEntry

    if logged is None:
        logged = LoggedRows()
        for seq, body in session.execute(select(LogEntry.seq, LogEntry.body)
                                          .order_by(LogEntry.seq)):
            logged.add(seq, body)
    deleted = digest(None)
    for table in tracked_tables():
        latest = logged.latest.pop(table.name, {})
        names = [c.name for c in table.columns]
        for values_row in session.execute(select(table)):
            row = dict(zip(names, values_row, strict=True))
            values = row_values(table, row)
            key = key_of(table, row)
            report.rows_checked += 1
            found = latest.pop(key, None)
            if found is None:
                report.problems.append(Problem(f"{table.name} {_label(key)}", "row is not in "
                                               "the log: written around the mechanism"))
            elif found[:16] != digest(values):
                seq = int.from_bytes(found[16:], "big")
                fields = _changed_fields(session, seq, table.name, key, values)
                if fields:  # none: equal values, in a body that was not written canonically
                    report.problems.append(Problem(
                        f"{table.name} {_label(key)} {', '.join(fields)}",
                        f"differs from log entry {seq}: changed outside the mechanism", seq))
        logged.latest[table.name] = latest  # what is left was not found in the table
    for table_name, rows in logged.latest.items():
        for key, found in rows.items():
            if found[:16] != deleted:
                seq = int.from_bytes(found[16:], "big")
                report.problems.append(Problem(f"{table_name} {_label(key)}",
                                               f"recorded by log entry {seq} but missing: "
                                               "deleted outside the mechanism", seq))
    for check in DIGEST_CHECKS:
        check(session, report)


def _label(key: Iterable[Any]) -> str:
    return "/".join(str(k) for k in key)


def _changed_fields(session: Session, seq: int, table: str, key: tuple[Any, ...],
                    values: dict[str, Any]) -> list[str]:
    from trucewatch.log.models import LogEntry

    entry = session.get(LogEntry, seq)
    if entry is None:
        return ["(entry missing)"]
    found = [row for row in json.loads(entry.body).get("rows", ())
             if row["table"] == table and tuple(row["key"]) == key]
    if not found:
        return ["(row)"]
    if digest(found[-1]["values"]) == digest(values):
        return []
    logged = found[-1]["values"] or {}
    return sorted(c for c in set(logged) | set(values)
                  if logged.get(c) != values.get(c)) or ["(row)"]
