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
from alembic import command

from trucewatch.storage import Store, open_store
from trucewatch.storage.engine import make_engine
from trucewatch.storage.migrate import alembic_config, current_revision, upgrade

ACTOR = ("INSERT INTO actors (id, slug, kind, organisation_type, description, created_at) "
         "VALUES (1, '{slug}', 'organisation', '{kind}', '', '2017-01-01 00:00:00')")


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


@contextmanager
def migrated_from(url: str, before: str, tables: set[str], *rows: str) -> Iterator[Store]:
    """A migration that adds ``tables``, up and down: the database at ``url`` migrated to
    ``before``, ``rows`` (SQL) written, ``tables`` checked absent; then opened as a store
    (migrated to the head) with ``tables`` present, for the block to check that the rows
    are kept; at its end migrated down to ``before`` again, without ``tables``."""
    engine = make_engine(url)
    upgrade(engine, before)
    with engine.begin() as conn:
        for row in rows:
            conn.execute(sa.text(row))
    assert not tables & set(sa.inspect(engine).get_table_names())
    engine.dispose()
    store = open_store(url)
    try:
        assert set(sa.inspect(store.engine).get_table_names()) >= tables
        yield store
        command.downgrade(alembic_config(store.engine), before)
        assert current_revision(store.engine) == before
        assert not tables & set(sa.inspect(store.engine).get_table_names())
    finally:
        store.dispose()
