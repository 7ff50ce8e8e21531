"""Migration 0011 adds the sign-in failures to a database of the revision before it, keeping
its users, and removes them again on downgrade; on both stores."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from trucewatch.storage import open_store
from trucewatch.storage.engine import make_engine
from trucewatch.storage.migrate import alembic_config, current_revision, upgrade

BEFORE = str(ScriptDirectory.from_config(alembic_config()).get_revision("0011").down_revision)
TABLE = "sign_in_failures"


def test_upgrading_the_previous_revision_adds_the_failures_and_keeps_users(db_url: str) -> None:
    # An empty database of its own: db_url's is migrated already.
    on_pg = db_url.startswith("postgresql")
    url = _new_pg_database(db_url) if on_pg else db_url.replace("trucewatch.db", "old.db")
    engine = make_engine(url)
    upgrade(engine, BEFORE)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO actors (id, slug, kind, organisation_type, description, created_at) "
            "VALUES (1, 'russia', 'organisation', 'state', '', '2017-01-01 00:00:00')"))
        conn.execute(sa.text(
            "INSERT INTO users (id, username, display_name, organisation_id, created_at, "
            "is_active) VALUES (1, 'ru-officer', '', 1, '2017-01-01 00:00:00', true)"))
    assert TABLE not in sa.inspect(engine).get_table_names()
    engine.dispose()
    store = open_store(url)
    try:
        assert TABLE in sa.inspect(store.engine).get_table_names()
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT username FROM users")).scalar() == "ru-officer"
        command.downgrade(alembic_config(store.engine), BEFORE)
        assert current_revision(store.engine) == BEFORE
        assert TABLE not in sa.inspect(store.engine).get_table_names()
    finally:
        store.dispose()
        if on_pg:
            _drop_pg_database(db_url, url)


def _admin(db_url: str) -> sa.Engine:
    return sa.create_engine(sa.engine.make_url(db_url), isolation_level="AUTOCOMMIT")


def _new_pg_database(db_url: str) -> str:
    name = f"trucewatch_mig_{uuid.uuid4().hex[:12]}"
    admin = _admin(db_url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.engine.make_url(db_url).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(db_url: str, url: str) -> None:
    admin = _admin(db_url)
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}" WITH (FORCE)')
    admin.dispose()
