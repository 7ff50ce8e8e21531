"""Migration 0012 adds the dataset tables to a database of the revision before it, on both
stores, keeping its data, and removes them again on downgrade."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from trucewatch.storage.engine import make_engine
from trucewatch.storage.migrate import alembic_config, current_revision, upgrade

BEFORE = str(ScriptDirectory.from_config(alembic_config()).get_revision("0012").down_revision)
TABLES = {"dataset_imports", "dataset_acled_events"}


def test_0012_adds_the_dataset_tables_and_downgrade_removes_them(db_url: str) -> None:
    """The fixture's database is at the head: brought down to the revision before 0012."""
    engine = make_engine(db_url)
    try:
        command.downgrade(alembic_config(engine), BEFORE)
        assert current_revision(engine) == BEFORE
        assert not TABLES & set(sa.inspect(engine).get_table_names())
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO actors (slug, kind, organisation_type, description, created_at) "
                "VALUES ('acled', 'organisation', 'ngo', '', '2017-01-01 00:00:00')"))
        upgrade(engine, "0012")
        assert set(sa.inspect(engine).get_table_names()) >= TABLES
        columns = {c["name"] for c in sa.inspect(engine).get_columns("dataset_acled_events")}
        assert len(columns) == 31 + 4  # the codebook, the import, the line, verbatim, extra
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT slug FROM actors")).scalar() == "acled"
        command.downgrade(alembic_config(engine), BEFORE)
        assert not TABLES & set(sa.inspect(engine).get_table_names())
        upgrade(engine, "head")  # the fixture's database goes back as it came
    finally:
        engine.dispose()
