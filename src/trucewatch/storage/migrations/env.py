"""Alembic environment: runs on the engine handed over by trucewatch.storage.migrate."""

from __future__ import annotations

from alembic import context

import trucewatch.models  # noqa: F401  (registers every table on Base.metadata)
from trucewatch.storage.base import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # plain `alembic` command line: use TRUCEWATCH_DB
    from trucewatch.config import load_settings
    from trucewatch.storage.engine import make_engine

    engine = make_engine(load_settings().db)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
