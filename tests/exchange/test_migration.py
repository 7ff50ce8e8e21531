"""Migration 0007 adds the exchange records to a database of the revision before it, keeping
its data, and removes them again on downgrade."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from trucewatch.storage import open_store
from trucewatch.storage.engine import make_engine
from trucewatch.storage.migrate import alembic_config, current_revision, upgrade

BEFORE = str(ScriptDirectory.from_config(alembic_config()).get_revision("0007").down_revision)
TABLE = "report_exchange_records"


def test_upgrading_the_previous_revision_adds_the_records_and_keeps_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, BEFORE)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO actors (id, slug, kind, organisation_type, description, created_at) "
            "VALUES (1, 'acled', 'organisation', 'ngo', '', '2017-01-01 00:00:00')"))
    assert TABLE not in sa.inspect(engine).get_table_names()
    engine.dispose()
    store = open_store(url)
    assert TABLE in sa.inspect(store.engine).get_table_names()
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT slug FROM actors")).scalar() == "acled"
    command.downgrade(alembic_config(store.engine), BEFORE)
    assert current_revision(store.engine) == BEFORE
    assert TABLE not in sa.inspect(store.engine).get_table_names()
    store.dispose()
