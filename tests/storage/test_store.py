"""The store: migrations applied on open, SQLite pragmas, and transactions that roll back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests import factories

from trucewatch.actors.models import Actor
from trucewatch.errors import InvalidInput
from trucewatch.storage import Store, open_store
from trucewatch.storage.engine import make_engine, normalise_url
from trucewatch.storage.migrate import current_revision, head_revision


def test_open_store_is_at_head(store: Store) -> None:
    assert current_revision(store.engine) == head_revision()


def test_every_model_table_exists(store: Store) -> None:
    from trucewatch.storage.base import Base

    names = set(sa.inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= names


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.dispose()


def test_an_error_rolls_the_whole_transaction_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as s:
        factories.organisation(s, "kept-nowhere")
        raise RuntimeError("boom")
    with store.session() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Actor)) == 0


def test_foreign_keys_are_enforced(store: Store) -> None:
    from trucewatch.actors.models import ActorName

    with pytest.raises(sa.exc.IntegrityError), store.session() as s:
        s.add(ActorName(actor_id=999, name="x", lang="en", is_primary=True, normalised="x"))
        s.flush()


def test_postgres_shorthand_urls_use_psycopg3() -> None:
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_database_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as err:
        make_engine(url)
    assert err.value.field == "db"
