"""For the tests of one migration: an empty database of the test's own, on the test's store.

``db_url``'s database is migrated to the head already; a migration test needs one at the
revision before its migration, so it makes another: a sibling file on SQLite, a new
database on the same PostgreSQL server (dropped afterwards).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def empty_database(db_url: str) -> Iterator[str]:
    """The URL of an empty database beside ``db_url``'s, removed when the block ends."""
    if not db_url.startswith("postgresql"):
        yield db_url.replace("trucewatch.db", f"empty-{uuid.uuid4().hex[:8]}.db")
        return
    url = sa.engine.make_url(db_url)
    name = f"trucewatch_mig_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
