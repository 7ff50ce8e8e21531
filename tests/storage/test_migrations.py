"""Migrations are the schema: upgrading an empty database yields exactly the models' tables."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import trucewatch.models  # noqa: F401
from trucewatch.storage import Store
from trucewatch.storage.base import Base


def test_models_and_migrations_agree(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_opening_twice_is_harmless(db_url: str) -> None:
    from trucewatch.storage import open_store

    for _ in range(2):
        st = open_store(db_url)
        with st.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
        st.dispose()


def test_upgrading_a_0001_database_keeps_its_users(tmp_path) -> None:
    from trucewatch.storage import open_store
    from trucewatch.storage.engine import make_engine
    from trucewatch.storage.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO actors (id, slug, kind, organisation_type, description, created_at) "
            "VALUES (1, 'russia', 'organisation', 'state', '', '2017-01-01 00:00:00')"))
        conn.execute(sa.text(
            "INSERT INTO users (id, username, display_name, organisation_id, created_at) "
            "VALUES (1, 'ru-officer', '', 1, '2017-01-01 00:00:00')"))
    engine.dispose()
    store = open_store(f"sqlite:///{tmp_path / 'old.db'}")
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT username, is_active, password_hash FROM users")).one()
    assert tuple(row) == ("ru-officer", 1, None)
    store.dispose()
