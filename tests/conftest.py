"""Fixtures: a ``store`` parametrised over SQLite and PostgreSQL, and the demo loaded into it.

PostgreSQL tests run against ``TRUCEWATCH_TEST_PG`` (default: the local server's
``test`` database, where each test run creates and drops its own database). With
``CI=true`` an unreachable server fails the run; locally those tests skip with a reason.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from trucewatch.storage import Store, open_store
from trucewatch.storage.base import Base

PG_ADMIN_URL = os.environ.get("TRUCEWATCH_TEST_PG",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# The files whose tests take longest (tens of seconds each), run first: with ``-n 2`` the
# workers then share them, and the many short tests fill in at the end, instead of one
# worker running a long test alone while the other has finished.
LONGEST_FIRST = (
    "tests/reliability/",
    "tests/test_docs.py",
    "tests/auth/test_access_matrix.py",
    "tests/log/test_concurrent_appends.py",
    "tests/exchange/test_ucdp.py",
    "tests/web/test_browser_flow.py",
    "tests/api/test_schemathesis.py",
    "tests/api/test_ingest_api.py",
    "tests/test_lint.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, in the order above; the rest keep their order (a stable sort)."""
    def rank(item: pytest.Item) -> int:
        return next((i for i, prefix in enumerate(LONGEST_FIRST)
                     if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))
    items.sort(key=rank)


@pytest.fixture(autouse=True)
def _keys_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Private keys that commands (``trucewatch demo``) create go to the test's own folder."""
    monkeypatch.setenv("TRUCEWATCH_KEYS_DIR", str(tmp_path / "trucewatch-keys"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    store = open_store(f"sqlite:///{path}")
    store.dispose()  # closing the last connection checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of our own for this test process, migrated once."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
        pytest.skip(message)
    name = f"trucewatch_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        # The tests' own throw-away databases do not wait for each commit's WAL to reach
        # the disk: a commit is as visible, atomic and ordered as with it on; only a crash
        # of the PostgreSQL server itself (which no test causes) could lose the last few.
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    store = open_store(url)
    store.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _empty_pg(store: Store) -> None:
    """Every row deleted, children first, and every used sequence set back to its start.

    On the few rows a test leaves this takes milliseconds where TRUNCATE of the 56 tables
    took most of a second (it gives each table a new file and syncs it at commit). The
    tables are listed when called, when every model has been imported; a table in the
    database that no model declares fails the set-up rather than keep its rows.
    """
    statements = [f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)]
    statements.append(
        "SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), 1, false) "
        "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL")
    with store.engine.begin() as conn:
        tables = set(conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").scalars())
        missing = tables - {"alembic_version"} - {t.name for t in Base.metadata.sorted_tables}
        assert not missing, f"tables no model declares, left unemptied: {sorted(missing)}"
        conn.exec_driver_sql("; ".join(statements))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL holding an empty, migrated schema of its own."""
    if request.param == "sqlite":
        path = tmp_path / "trucewatch.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_database")
    store = open_store(url, migrate=False)
    _empty_pg(store)
    store.dispose()
    yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    st = open_store(db_url)
    yield st
    st.dispose()


@pytest.fixture
def session(store: Store) -> Iterator[Session]:
    """A session whose changes are committed when the test ends without error."""
    with store.session() as s:
        yield s


@pytest.fixture(scope="session")
def demo_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The private keys the demo templates were loaded with (copied into each demo test)."""
    return tmp_path_factory.mktemp("demo-keys")


def _load_demo(url: str, keys: Path) -> None:
    from trucewatch.demo.service import load_demo
    from trucewatch.keys.signing import Keystore

    store = open_store(url)
    with store.session() as s:
        load_demo(s, actor="test", keystore=Keystore(keys))
    store.dispose()


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory,
                         demo_keys: Path) -> Path:
    """The demo loaded once into SQLite; tests get a copy (loading it per test is slow)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    _load_demo(f"sqlite:///{path}", demo_keys)
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_database: str, demo_keys: Path) -> Iterator[str]:
    """The demo loaded once into a PostgreSQL database that serves as a CREATE DATABASE template."""
    url = sa.engine.make_url(pg_database)
    name = f"{url.database}_demo"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    _load_demo(url.set(database=name).render_as_string(hide_password=False), demo_keys)
    yield name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_db_url(request: pytest.FixtureRequest, tmp_path: Path, demo_keys: Path) -> Iterator[str]:
    """A database holding the demo scenario of its own, and the demo's keys in the keys dir."""
    keys = tmp_path / "trucewatch-keys"
    if request.param == "sqlite":
        path = tmp_path / "demo.db"
        shutil.copy(request.getfixturevalue("sqlite_demo_template"), path)
        shutil.copytree(demo_keys, keys, dirs_exist_ok=True)  # after the template made them
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_demo_template")
    dropper: _Dropper = request.getfixturevalue("pg_dropper")
    shutil.copytree(demo_keys, keys, dirs_exist_ok=True)
    name = f"trucewatch_demo_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')  # as above
    admin.dispose()  # no idle connection left waiting for the drop
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        dropper.drop(name)


class _Dropper:
    """Drops the tests' PostgreSQL databases in the background, one at a time.

    ``DROP DATABASE`` waits for a checkpoint (about a second on a busy machine); the next
    test need not wait for it.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-drop")
        self._dropping: list[Future[None]] = []
        # One connection at a time, opened for each drop: the server's connections are few.
        self._admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT",
                                       poolclass=sa.pool.NullPool)

    def drop(self, name: str) -> None:
        self._dropping.append(self._pool.submit(_drop_database, self._admin, name))

    def finish(self) -> None:
        self._pool.shutdown(wait=True)
        self._admin.dispose()
        for future in self._dropping:
            future.result()  # a drop that failed fails the run here


@pytest.fixture(scope="session")
def pg_dropper() -> Iterator[_Dropper]:
    """Every drop has finished when the test session ends."""
    dropper = _Dropper()
    yield dropper
    dropper.finish()


def _drop_database(admin: sa.Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def demo_store(demo_db_url: str) -> Iterator[Store]:
    st = open_store(demo_db_url)
    yield st
    st.dispose()
