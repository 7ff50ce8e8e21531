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
