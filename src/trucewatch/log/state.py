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
from collections.abc import Iterable, Iterator
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
        return {"table": self.table, "key": list(self.key), "values": self.values}


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


def row_values(table: Table, row: Any) -> dict[str, Any]:
    """The loggable values of a row (an ORM object or a mapping of column name → value)."""
    skip = VOLATILE.get(table.name, frozenset())
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, _attr(row, name)))
    salt_column = SALTED_BY.get(table.name)
    salt = str(get(salt_column)) if salt_column else ""
    return {c.name: json_value(table.name, c.name, get(c.name),
                               salt if c.name != salt_column else "")
            for c in table.columns if c.name not in skip}


def _attr(obj: Any, column: str) -> str:
    mapper = inspect(obj).mapper
    return mapper.get_property_by_column(mapper.local_table.c[column]).key


def key_of(table: Table, row: Any) -> tuple[Any, ...]:
    if isinstance(row, dict):
        return tuple(row[c.name] for c in table.primary_key.columns)
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
    return [t for t in Base.metadata.sorted_tables if t.name not in UNTRACKED]


def check_state(session: Session, report: AuditReport) -> None:
    """Compare every tracked table with the latest snapshot of each of its rows in the log."""
    from trucewatch.log.audit import Problem
    from trucewatch.log.service import iter_entries

    latest: dict[tuple[str, tuple[Any, ...]], tuple[bytes, int]] = {}
    for entry in iter_entries(session):
        for row in json.loads(entry.body).get("rows", ()):
            latest[(row["table"], tuple(row["key"]))] = (digest(row["values"]), entry.seq)
    for table in tracked_tables():
        for row in session.execute(select(table)).mappings():
            values = row_values(table, dict(row))
            key = key_of(table, dict(row))
            report.rows_checked += 1
            logged = latest.pop((table.name, key), None)
            label = f"{table.name} {_label(key)}"
            if logged is None:
                report.problems.append(Problem(label, "row is not in the log: written "
                                               "around the mechanism"))
            elif logged[0] != digest(values):
                fields = _changed_fields(session, logged[1], table.name, key, values)
                report.problems.append(Problem(
                    f"{label} {', '.join(fields)}",
                    f"differs from log entry {logged[1]}: changed outside the mechanism",
                    logged[1]))
    for (table_name, key), (logged_digest, seq) in latest.items():
        if logged_digest != digest(None):
            report.problems.append(Problem(f"{table_name} {_label(key)}",
                                           f"recorded by log entry {seq} but missing: deleted "
                                           "outside the mechanism", seq))


def _label(key: Iterable[Any]) -> str:
    return "/".join(str(k) for k in key)


def _changed_fields(session: Session, seq: int, table: str, key: tuple[Any, ...],
                    values: dict[str, Any]) -> list[str]:
    from trucewatch.log.models import LogEntry

    entry = session.get(LogEntry, seq)
    if entry is None:
        return ["(entry missing)"]
    for row in json.loads(entry.body).get("rows", ()):
        if row["table"] == table and tuple(row["key"]) == key:
            logged = row["values"] or {}
            return sorted(c for c in set(logged) | set(values)
                          if logged.get(c) != values.get(c)) or ["(row)"]
    return ["(row)"]
