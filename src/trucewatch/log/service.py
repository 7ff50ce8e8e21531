"""Append to the log and check its hash chain.

Every service function that changes state calls :func:`append` inside the same
transaction as the change, so the change and its entry land together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from trucewatch.log import state
from trucewatch.log.canonical import canonical
from trucewatch.log.models import LogEntry, LogHead
from trucewatch.log.state import RowState
from trucewatch.storage.base import utcnow

EMPTY_CHAIN = hashlib.sha256(b"").hexdigest()
_ENTRIES = cast(Table, LogEntry.__table__)  # for Core executemany, without ORM bookkeeping
_HEAD = cast(Table, LogHead.__table__)


@dataclass(frozen=True)
class PendingEntry:
    kind: str
    subject: str
    payload: dict[str, Any]
    rows: tuple[RowState, ...] = ()  # rows written with Core; ORM rows are collected itself
    # Rows written with Core, already as the body holds them (``RowState.as_json``): bulk
    # writers build them from the values in hand. They follow ``rows`` in the body.
    snapshots: Sequence[dict[str, Any]] = ()


def leaf_hash(body: bytes) -> str:
    """RFC 6962 leaf hash: SHA-256 of a zero byte followed by the entry."""
    return hashlib.sha256(b"\x00" + body).hexdigest()


def next_chain_hash(previous: str, leaf: str) -> str:
    return hashlib.sha256(bytes.fromhex(previous) + bytes.fromhex(leaf)).hexdigest()


def entry_body(*, seq: int, recorded_at: datetime, kind: str, subject: str, actor: str,
               payload: dict[str, Any], rows: Sequence[RowState] = (),
               snapshots: Sequence[dict[str, Any]] = ()) -> bytes:
    body: dict[str, Any] = {
        "seq": seq,
        "recorded_at": recorded_at.isoformat(),
        "kind": kind,
        "subject": subject,
        "actor": actor,
        "payload": payload,
    }
    if rows or snapshots:
        body["rows"] = [r.as_json() for r in rows] if rows else []
        body["rows"].extend(snapshots)
    return canonical(body)


def lock(session: Session) -> None:
    """Take the log's write lock now, for a check-then-write that must not interleave."""
    _lock_head(session)


_HELD = "trucewatch.log_head"  # session.info: (size, chain hash) of the head this
# transaction holds locked, as its own appends left it


@event.listens_for(Session, "after_transaction_end")
def _release(session: Session, _transaction: Any) -> None:
    """The lock ends with the transaction (a savepoint's end too: its appends may be gone)."""
    session.info.pop(_HELD, None)


def _lock_head(session: Session) -> tuple[int, str]:
    """Lock the head row (creating it for the first entry); its size and chain hash. Read
    once a transaction: while it holds the lock, only its own appends move the head, and
    they record where they left it."""
    held: tuple[int, str] | None = session.info.get(_HELD)
    if held is not None:
        return held
    row = session.execute(select(_HEAD.c.size, _HEAD.c.chain_hash)
                          .where(_HEAD.c.id == 1).with_for_update()).first()
    if row is None:
        session.execute(insert(_HEAD).values(id=1, size=0, chain_hash=EMPTY_CHAIN))
        held = (0, EMPTY_CHAIN)
    else:
        held = (row.size, row.chain_hash)
    session.info[_HELD] = held
    return held


def append(session: Session, *, kind: str, subject: str, actor: str,
           payload: dict[str, Any]) -> LogEntry:
    """Append one entry and return it (flushed, not committed)."""
    return append_many(session, actor=actor, entries=[PendingEntry(kind, subject, payload)])[0]


def append_many(session: Session, *, actor: str, entries: Sequence[PendingEntry]) -> list[LogEntry]:
    """Append several entries in order under one lock of the head row."""
    return [LogEntry(**row) for row in _append_rows(session, actor=actor, entries=entries)]


def record_many(session: Session, *, actor: str, entries: Sequence[PendingEntry]) -> None:
    """:func:`append_many` for bulk writers that do not need the entries back."""
    _append_rows(session, actor=actor, entries=entries)


def _append_rows(session: Session, *, actor: str,
                 entries: Sequence[PendingEntry]) -> list[dict[str, Any]]:
    if not entries:
        return []
    session.flush()  # the change this entry records must be visible to the same transaction
    collected = state.drain(session)  # rows the ORM wrote since the last entry
    size, chain = _lock_head(session)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    last = len(entries) - 1
    for i, pending in enumerate(entries):
        size += 1
        body = entry_body(seq=size, recorded_at=now, kind=pending.kind, subject=pending.subject,
                          actor=actor, payload=pending.payload, rows=pending.rows,
                          snapshots=([*pending.snapshots, *(r.as_json() for r in collected)]
                                     if i == last and collected else pending.snapshots))
        leaf = leaf_hash(body)
        chain = next_chain_hash(chain, leaf)
        rows.append({"seq": size, "recorded_at": now, "kind": pending.kind,
                     "subject": pending.subject, "actor": actor, "body": body.decode(),
                     "leaf_hash": leaf, "chain_hash": chain})
    session.execute(insert(_ENTRIES), rows)
    session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(size=size, chain_hash=chain))
    session.info[_HELD] = (size, chain)
    loaded = session.identity_map.get(identity_key(LogHead, 1))
    if loaded is not None:  # a head read earlier in this transaction is stale now
        session.expire(loaded)
    return rows


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(entries: Iterable[LogEntry], head: LogHead | None = None) -> list[ChainProblem]:
    """Recompute every leaf and chain hash; return what does not match (empty when intact)."""
    problems: list[ChainProblem] = []
    chain, expected_seq = EMPTY_CHAIN, 1
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(ChainProblem(entry.seq, f"expected entry {expected_seq}: entries missing"))
            expected_seq = entry.seq
        body = entry.body.encode()
        if leaf_hash(body) != entry.leaf_hash:
            problems.append(ChainProblem(entry.seq, "entry body does not match its leaf hash"))
        chain = next_chain_hash(chain, leaf_hash(body))
        if chain != entry.chain_hash:
            problems.append(ChainProblem(entry.seq, "chain hash does not follow from the entries before"))
            chain = entry.chain_hash
        expected_seq += 1
    if head is not None and (head.size != expected_seq - 1 or head.chain_hash != chain):
        problems.append(ChainProblem(head.size, "head does not match the last entry"))
    return problems


def iter_entries(session: Session, *, after: int = 0, batch: int = 5000) -> Iterator[LogEntry]:
    while True:
        rows = session.execute(
            select(LogEntry).where(LogEntry.seq > after).order_by(LogEntry.seq).limit(batch)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def verify(session: Session) -> list[ChainProblem]:
    head = session.get(LogHead, 1)
    return verify_chain(iter_entries(session), head)


def entries_for(session: Session, subject: str) -> list[LogEntry]:
    return list(session.execute(
        select(LogEntry).where(LogEntry.subject == subject).order_by(LogEntry.seq)
    ).scalars())
