"""A dataset's rows staged in a SQLite file of their own by ADBC, then moved into the store
in the caller's transaction with one ``INSERT INTO … SELECT``.

ADBC's bulk ingest binds whole Arrow columns in C, far quicker than an executemany, but on
a connection of its own. So the rows go first to a staging file beside the database (its
own connection, no journal: it is thrown away), and :meth:`Staging.move` attaches it to
the session's connection and copies them in, in the session's transaction: the rows and
the log entries land together or not at all. SQLite does not detach a database inside a
transaction that read it, so the file is unlinked at once and detached when the connection
goes back to the pool.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
import weakref
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import adbc_driver_sqlite.dbapi as adbc
import pyarrow as pa
from sqlalchemy import Pool, event
from sqlalchemy.orm import Session

TABLE = "rows"
WAITING = 2  # batches handed to the writing thread and not yet written


def _directory(session: Session) -> str | None:
    """Beside the database file (the same disk), else the system's temporary directory."""
    database = session.get_bind().engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        return str(Path(database).resolve().parent)
    return None


class Staging:
    """A staging file the rows are appended to in Arrow record batches."""

    def __init__(self, session: Session, schema: pa.Schema) -> None:
        self.session, self.schema = session, schema
        self.directory = tempfile.mkdtemp(prefix="trucewatch-staging-", dir=_directory(session))
        self.path = os.path.join(self.directory, "rows.db")
        self.connection = adbc.connect(self.path, autocommit=True)  # a transaction per batch
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.adbc_ingest(TABLE, schema.empty_table(), mode="create")
        self.rows = 0
        # Batches are written by one thread of their own (ADBC lets go of the GIL), while
        # the next chunk is checked; at most WAITING wait, so the memory held stays bounded.
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="trucewatch-staging")
        self.pending: deque[Future[str]] = deque()

    def append(self, batch: pa.RecordBatch | pa.Table,
               digest: Callable[[], str] = str) -> Future[str]:
        """Write ``batch`` (and compute its ``digest``, in the same thread): the digest's
        future."""
        while len(self.pending) >= WAITING:
            self.pending.popleft().result()
        written = self.writer.submit(self._ingest, batch, digest)
        self.pending.append(written)
        self.rows += batch.num_rows
        return written

    def _ingest(self, batch: pa.RecordBatch | pa.Table, digest: Callable[[], str]) -> str:
        with self.connection.cursor() as cursor:
            cursor.adbc_ingest(TABLE, batch, mode="append")
        return digest()

    def _written(self) -> None:
        """Wait for the batches still being written (raising what writing one raised)."""
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            self.writer.shutdown(wait=True, cancel_futures=True)

    def move(self, table: str, constants: dict[str, int]) -> None:
        """Copy every staged row into ``table`` (its columns: ``constants``' then the staged
        ones), in the session's transaction; the staging file is gone afterwards."""
        try:
            self._written()
        except BaseException:
            self.discard()
            raise
        self.connection.close()
        alias = f"trucewatch_staging_{secrets.token_hex(4)}"
        given = ", ".join(f'"{n}"' for n in constants)
        staged = ", ".join(f'"{n}"' for n in self.schema.names)
        values = ", ".join(str(int(v)) for v in constants.values())
        sql = (f'INSERT INTO main."{table}" ({given}, {staged}) '
               f'SELECT {values}, {staged} FROM {alias}."{TABLE}" ORDER BY rowid')
        connection = self.session.connection()
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("ATTACH DATABASE ? AS " + alias, (self.path,))
        try:
            driver.execute(sql)
        finally:
            _detach_on_return(self.session, connection.connection, alias)
            shutil.rmtree(self.directory, ignore_errors=True)

    def discard(self) -> None:
        with contextlib.suppress(Exception):  # what it raised no longer matters
            self._written()
        with contextlib.suppress(Exception):  # closing what is thrown away
            self.connection.close()
        shutil.rmtree(self.directory, ignore_errors=True)


_INFO = "trucewatch_staging"  # the aliases still attached, in the pooled connection's info
# SQLite attaches at most 10 databases to a connection (SQLITE_MAX_ATTACHED's default), and
# a staging file stays attached until its transaction ends: a transaction that imports
# more files than this leaves the rest to the row path.
MAX_ATTACHED = 8


def has_room(session: Session) -> bool:
    """Whether the session's connection can attach one more staging file now."""
    pooled = session.connection().connection
    return len(pooled.info.get(_INFO, ())) < MAX_ATTACHED
_WATCHED: weakref.WeakSet[Pool] = weakref.WeakSet()  # pools whose check-ins detach them


def _detach_on_return(session: Session, pooled: Any, alias: str) -> None:
    """Detach ``alias`` once the connection's transaction has ended (back in the pool)."""
    pooled.info.setdefault(_INFO, []).append(alias)
    pool = session.get_bind().engine.pool
    if pool not in _WATCHED:
        _WATCHED.add(pool)
        event.listen(pool, "checkin", _detach)


def _detach(dbapi_connection: Any, record: Any) -> None:
    aliases = record.info.pop(_INFO, ()) if record is not None else ()
    for alias in aliases:
        with contextlib.suppress(Exception):  # a closed connection has nothing attached
            dbapi_connection.execute("DETACH DATABASE " + alias)
