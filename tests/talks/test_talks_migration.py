"""Migration 0004 adds the talks tables to a database of the revision before it, keeping its
data, and removes them again on downgrade."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from tests.migrations import ACTOR, migrated_from

from trucewatch.storage.migrate import alembic_config

# The revision 0004 follows, whichever it is.
BEFORE = str(ScriptDirectory.from_config(alembic_config()).get_revision("0004").down_revision)
TALKS = {"meetings", "meeting_convenors", "meeting_documents", "invitations",
         "invitation_replies", "attendances"}


def test_upgrading_the_previous_revision_adds_talks_and_keeps_data(tmp_path: Path) -> None:
    with migrated_from(f"sqlite:///{tmp_path / 'old.db'}", BEFORE, TALKS,
                       ACTOR.format(slug="hnc", kind="political_body")) as store, \
            store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT slug FROM actors")).scalar() == "hnc"
