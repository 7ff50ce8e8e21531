"""The log's head is read once a transaction: the transaction that locked it knows where
its own appends left it; a savepoint rolled back, or the transaction's end, forgets it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from trucewatch.log import service as log
from trucewatch.log.models import LogHead
from trucewatch.storage import Store


@contextmanager
def head_reads(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "log_head" in statement:
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def _append(session: Session, n: int) -> None:
    log.append(session, kind="test.noted", subject=f"test:{n}", actor="test", payload={"n": n})


def test_a_transaction_reads_the_head_once(store: Store) -> None:
    with store.session() as s:
        _append(s, 0)  # the head row exists
    with head_reads(store) as seen, store.session() as s:
        log.lock(s)
        _append(s, 1)
        _append(s, 2)
        log.lock(s)
        _append(s, 3)
    assert len(seen) == 1
    with store.session() as s:
        assert log.verify(s) == []
        assert s.get(LogHead, 1).size == 4  # type: ignore[union-attr]


def test_a_savepoint_rolled_back_and_a_new_transaction_read_it_again(store: Store) -> None:
    with store.session() as s:
        _append(s, 0)
        nested = s.begin_nested()
        _append(s, 1)
        nested.rollback()  # entry 2 is gone: the next append is entry 2 again
        _append(s, 2)
    with store.session() as other:  # another writer moves the head between two transactions
        _append(other, 3)
    with head_reads(store) as seen, store.session() as s:
        _append(s, 4)
    assert len(seen) == 1
    with store.session() as s:
        assert log.verify(s) == []
        assert s.get(LogHead, 1).size == 4  # type: ignore[union-attr]
