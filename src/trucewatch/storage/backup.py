"""Consistent online backups and restores into an empty store, checked against the log.

SQLite: the backup API copies a consistent snapshot page by page while writers go on.
PostgreSQL: ``pg_dump --format=custom`` (one snapshot of the whole database) and
``pg_restore`` into an empty database; both must be on the PATH (Debian's
``postgresql-client``). A restore is only ever made into an empty store, so it cannot mix
two histories; afterwards the whole log and every table are audited, and tree heads that
guarantors kept ("witnesses") show whether the backup is older than what they signed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from trucewatch.errors import Conflict, InvalidInput
from trucewatch.storage.engine import make_engine, normalise_url


@dataclass(frozen=True)
class BackupDone:
    path: Path
    dialect: str
    size_bytes: int


def backup(url: str, dest: Path) -> BackupDone:
    """Write a consistent snapshot of the store at ``url`` to ``dest`` (which must not exist)."""
    if dest.exists():
        raise Conflict(f"{dest} exists: a backup never overwrites a file", field="file")
    if not dest.parent.is_dir():
        raise InvalidInput(f"no directory {dest.parent}", field="file")
    url = normalise_url(url)
    backend = _backend(url)
    partial = dest.with_name(dest.name + ".partial")
    try:
        if backend == "sqlite":
            _sqlite_copy(_sqlite_path(url), partial)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", _libpq(url)])
        os.replace(partial, dest)  # the name appears only once the snapshot is whole
    finally:
        partial.unlink(missing_ok=True)
    return BackupDone(dest, backend, dest.stat().st_size)


def restore_into_empty(src: Path, url: str) -> str:
    """Restore the backup ``src`` into the empty store at ``url``; returns the dialect.

    Refuses a store that holds any table: a restore never merges into existing data.
    """
    if not src.is_file():
        raise InvalidInput(f"no backup file {src}", field="file")
    url = normalise_url(url)
    backend = _backend(url)
    if backend == "sqlite":
        target = _sqlite_path(url)
        if target.exists() and target.stat().st_size > 0:
            raise Conflict(f"{target} exists: restore into a new, empty store", field="db")
        _check_sqlite_backup(src)
        partial = target.with_name(target.name + ".partial")
        try:
            _sqlite_copy(src, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    else:
        engine = make_engine(url)
        try:
            tables = inspect(engine).get_table_names()
        finally:
            engine.dispose()
        if tables:
            raise Conflict(f"the database holds {len(tables)} tables: restore into a new, "
                           "empty database", field="db")
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={_libpq(url)}", str(src)])
    return backend


def _backend(url: str) -> str:
    try:
        backend = make_url(url).get_backend_name()
    except Exception:
        raise InvalidInput(f"not a database URL: {url!r}", field="db") from None
    if backend not in ("sqlite", "postgresql"):
        raise InvalidInput(f"unsupported database {backend!r}", field="db")
    return backend


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput("back up or restore a SQLite file, not a memory database", field="db")
    return Path(database)


def _sqlite_copy(src: Path, dest: Path) -> None:
    if not src.is_file():
        raise InvalidInput(f"no SQLite database at {src}", field="db")
    source = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # a consistent snapshot even while others write
    finally:
        target.close()
        source.close()


def _check_sqlite_backup(src: Path) -> None:
    try:
        conn = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()
            has_log = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'log_entries'"
                                   ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{src} is not a trucewatch SQLite backup ({exc})", field="file") \
            from None
    if verdict != ("ok",):
        raise InvalidInput(f"{src} is damaged: {verdict[0] if verdict else 'unreadable'}",
                           field="file")
    if has_log is None:
        raise InvalidInput(f"{src} is not a trucewatch backup (no log)", field="file")


def _libpq(url: str) -> str:
    """The URL as libpq takes it (no ``+psycopg`` driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    program = command[0]
    if shutil.which(program) is None:
        raise InvalidInput(f"{program} is not installed (Debian: apt-get install "
                           "postgresql-client)", field="db")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InvalidInput(f"{program} failed: {done.stderr.strip()[-500:]}", field="db")
