"""The hash-linked log: entries in order, canonical bodies, and tampering detected."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.log.models import LogEntry, LogHead
from trucewatch.log.service import EMPTY_CHAIN, append, canonical, leaf_hash, verify
from trucewatch.storage import Store


def test_canonical_json_is_rfc8785() -> None:
    assert canonical({"b": 1, "a": [1.0, "é"], "c": None}) == '{"a":[1,"é"],"b":1,"c":null}'.encode()


def test_leaf_hash_is_rfc6962() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").hexdigest()


def test_entries_are_numbered_and_chained(session: Session) -> None:
    for i in range(3):
        append(session, kind="test.event", subject=f"thing:{i}", actor="t", payload={"i": i})
    entries = session.scalars(sa.select(LogEntry).order_by(LogEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3]
    chain = EMPTY_CHAIN
    for e in entries:
        assert e.leaf_hash == hashlib.sha256(b"\x00" + e.body.encode()).hexdigest()
        chain = hashlib.sha256(bytes.fromhex(chain) + bytes.fromhex(e.leaf_hash)).hexdigest()
        assert e.chain_hash == chain
        assert json.loads(e.body)["seq"] == e.seq
    assert session.get(LogHead, 1).chain_hash == chain
    assert verify(session) == []


def _tamper(store: Store, sql: str) -> list[int]:
    with store.session() as s:
        for i in range(4):
            factories.organisation(s, f"org-{i}")
    with store.engine.begin() as conn:
        conn.execute(sa.text(sql))
    with store.session() as s:
        return [p.seq for p in verify(s)]


def test_an_edited_entry_is_detected(store: Store) -> None:
    bad = _tamper(store, "UPDATE log_entries SET body = replace(body, 'org-2', 'org-X') WHERE seq = 3")
    assert bad and bad[0] == 3


def test_a_deleted_entry_is_detected(store: Store) -> None:
    assert _tamper(store, "DELETE FROM log_entries WHERE seq = 2")


def test_a_truncated_log_is_detected_by_the_head(store: Store) -> None:
    assert _tamper(store, "DELETE FROM log_entries WHERE seq = 4")


def test_a_rehashed_entry_still_breaks_the_chain(store: Store) -> None:
    with store.session() as s:
        for i in range(3):
            factories.organisation(s, f"org-{i}")
        entry = s.get(LogEntry, 2)
        body = entry.body.replace("org-1", "org-Z")
        entry.body, entry.leaf_hash = body, leaf_hash(body.encode())
    with store.session() as s:
        assert [p.seq for p in verify(s)][:1] == [2]
