"""Migration 0011 adds the sign-in failures to a database of the revision before it, keeping
its users, and removes them again on downgrade; on both stores."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from tests.migrations import empty_database

from trucewatch.storage import open_store
from trucewatch.storage.engine import make_engine
from trucewatch.storage.migrate import alembic_config, current_revision, upgrade

BEFORE = str(ScriptDirectory.from_config(alembic_config()).get_revision("0011").down_revision)
TABLE = "sign_in_failures"


def test_upgrading_the_previous_revision_adds_the_failures_and_keeps_users(db_url: str) -> None:
    with empty_database(db_url) as url:  # db_url's own is migrated already
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
