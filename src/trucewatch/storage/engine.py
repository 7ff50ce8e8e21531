"""Create engines: SQLite with WAL, foreign keys and immediate write locks; PostgreSQL via psycopg 3."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from trucewatch.errors import InvalidInput

_BUSY_SECONDS = 30
_TURN = "trucewatch_write_turn"  # in a pooled connection's info: it holds the turn


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as shorthands for psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


# Connections one process may hold: a request holds one or two (its own session, and at
# times one more, e.g. the pages' unread count), and the server lets ``max_in_flight``
# requests (16 by default) in at once, so the pool never runs dry. A dry pool under FastAPI's
# thread pool can deadlock: requests holding connections wait for a thread while threads
# wait for a connection.
POOL_SIZE, MAX_OVERFLOW = 20, 20


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    try:
        backend = make_url(url).get_backend_name()
    except Exception as exc:  # sqlalchemy raises ArgumentError with no field
        raise InvalidInput(f"not a database URL: {url!r}", field="db") from exc
    if backend == "sqlite":
        if make_url(url).database not in (None, "", ":memory:"):
            kwargs = {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW, **kwargs}
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        kwargs = {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW, **kwargs}
        return create_engine(url, pool_pre_ping=True, **kwargs)
    raise InvalidInput(f"unsupported database {backend!r}: use sqlite or postgresql", field="db")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_SECONDS * 1000}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # The threads of one process take turns on a lock of their own before asking SQLite
    # for its write lock, and hold the turn until the connection goes back to the pool.
    # SQLite's busy handler sleeps in steps of up to 100 ms, so a queue of a few requests
    # in one server process waited seconds; a thread lock wakes the next one at once.
    # Other processes still wait through busy_timeout, as before.
    turn = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Take the write lock at the start: two writers never deadlock on an upgrade,
        # and the log's sequence numbers are handed out one writer at a time.
        info = conn.connection.info
        if not info.get(_TURN):
            if not turn.acquire(timeout=_BUSY_SECONDS):
                raise OperationalError("BEGIN IMMEDIATE", None,
                                       sqlite3.OperationalError("database is locked"))
            info[_TURN] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            info.pop(_TURN, None)
            turn.release()
            raise

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_TURN, False):
            turn.release()
