"""Migration 0007 adds the exchange records to a database of the revision before it, keeping
its data, and removes them again on downgrade."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tests.migrations import ACTOR, migrated_from
from trucewatch.storage.migrate import alembic_config

BEFORE = str(ScriptDirectory.from_config(alembic_config()).get_revision("0007").down_revision)
TABLE = "report_exchange_records"


def test_upgrading_the_previous_revision_adds_the_records_and_keeps_data(tmp_path: Path) -> None:
    with migrated_from(f"sqlite:///{tmp_path / 'old.db'}", BEFORE, {TABLE},
                       ACTOR.format(slug="acled", kind="ngo")) as store, \
            store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT slug FROM actors")).scalar() == "acled"
