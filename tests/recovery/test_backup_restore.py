"""Backup while the store runs, restore into an empty store, and a rollback caught by a
tree head a guarantor kept: on SQLite (backup API) and PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories
from tests.cli.test_cli import Cli, demo_cli  # noqa: F401  (fixture)
from tests.conftest import PG_ADMIN_URL
from trucewatch.auth.principal import Principal, Role
from trucewatch.errors import Conflict, InvalidInput
from trucewatch.keys.signing import Keystore
from trucewatch.log.treeheads import countersign, sign_tree_head, tree_head_view
from trucewatch.recovery.service import backup, restore
from trucewatch.recovery.witnesses import load_witnesses
from trucewatch.storage import Store


@pytest.fixture
def empty_url(demo_db_url: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty store of the same kind as the demo store, to restore into."""
    if demo_db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"trucewatch_restore_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _russia(session: sa.orm.Session) -> Principal:
    from trucewatch.actors.service import find_actor

    return Principal(actor="user:ru-officer", organisation_id=find_actor(session, "russia").id,
                     organisation_slug="russia", user_id=1,
                     roles=frozenset({Role.GUARANTOR_OFFICER}))


def test_restore_verifies_and_a_rollback_is_caught(demo_store: Store, demo_db_url: str,
                                                   empty_url: str, tmp_path: Path) -> None:
    keystore = Keystore(Path(os.environ["TRUCEWATCH_KEYS_DIR"]))
    with demo_store.session() as s:
        old_head = tree_head_view(s, sign_tree_head(s, keystore=keystore, actor="test"))
    saved = backup(demo_db_url, tmp_path / "store.backup")
    assert saved.size_bytes > 0
    with pytest.raises(Conflict):  # never over an existing file
        backup(demo_db_url, saved.path)
    # Life goes on after the backup; Russia countersigns a later head and keeps a copy.
    with demo_store.session() as s:
        factories.organisation(s, "after-the-backup")
        head = sign_tree_head(s, keystore=keystore, actor="test")
        countersign(s, principal=_russia(s), size=head.size, keystore=keystore)
        kept = tree_head_view(s, head)
    witness = tmp_path / "russia-kept.json"
    witness.write_text(json.dumps([old_head, kept]))

    check = restore(saved.path, empty_url, witnesses=load_witnesses(witness))
    assert check.problems == []  # the backup itself is whole: log and tables agree
    assert check.log_size >= old_head["size"]  # the head signed before the backup is in it
    assert check.rows["actors"] > 0 and check.rows["reports"] == 30
    assert len(check.rollback) == 1 and not check.ok
    assert f"tree head of {kept['size']} (countersigned by russia)" in check.rollback[0]
    assert "older than that head" in check.rollback[0]
    with pytest.raises(Conflict):  # a restore never merges into a store that holds data
        restore(saved.path, empty_url)


def test_a_current_backup_passes_and_bad_files_are_refused(demo_db_url: str, empty_url: str,
                                                           tmp_path: Path) -> None:
    saved = backup(demo_db_url, tmp_path / "store.backup")
    check = restore(saved.path, empty_url)
    assert check.ok and check.rows["reports"] == 30
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    other = (f"sqlite:///{tmp_path / 'other.db'}" if demo_db_url.startswith("sqlite")
             else empty_url)
    with pytest.raises((InvalidInput, Conflict)):
        restore(junk, other)
    with pytest.raises(InvalidInput):
        restore(tmp_path / "missing.backup", other)
    bad_witness = tmp_path / "heads.json"
    bad_witness.write_text('[{"size": 3}]')
    with pytest.raises(InvalidInput, match="needs size and root_hash"):
        load_witnesses(bad_witness)


def test_backup_and_restore_from_the_command_line(demo_cli: Cli, empty_url: str,  # noqa: F811
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.backup"
    code, out, err = demo_cli("backup", str(path))
    assert code == 0 and "backed up the" in out, err
    restored = Cli(empty_url, capsys)
    code, out, err = restored("restore", str(path))
    assert code == 0, err
    assert "the log and every table verify" in out
    code, out, err = restored("restore", str(path))
    assert code == 2 and "restore into a new, empty" in err
