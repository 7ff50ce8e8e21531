"""Migration 0011 adds the sign-in failures to a database of the revision before it, keeping
its users, and removes them again on downgrade; on both stores."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from tests.migrations import ACTOR, empty_database, migrated_from

from trucewatch.storage.migrate import alembic_config

BEFORE = str(ScriptDirectory.from_config(alembic_config()).get_revision("0011").down_revision)
TABLE = "sign_in_failures"


def test_upgrading_the_previous_revision_adds_the_failures_and_keeps_users(db_url: str) -> None:
    with empty_database(db_url) as url, migrated_from(  # db_url's own is migrated already
            url, BEFORE, {TABLE}, ACTOR.format(slug="russia", kind="state"),
            "INSERT INTO users (id, username, display_name, organisation_id, created_at, "
            "is_active) VALUES (1, 'ru-officer', '', 1, '2017-01-01 00:00:00', true)") as store, \
            store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT username FROM users")).scalar() == "ru-officer"
