"""The whole-log audit: signed tree heads, countersignatures, exports, and tables against the log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.auth.principal import Principal, Role
from trucewatch.errors import Conflict, InvalidInput, PermissionDenied
from trucewatch.keys.service import create_key
from trucewatch.keys.signing import Keystore, sign
from trucewatch.log.export import audit_database, audit_export, write_export
from trucewatch.log.merkle import verify_consistency, verify_inclusion
from trucewatch.log.state import UnloggedChange
from trucewatch.log.treeheads import (
    countersign,
    get_tree_head,
    sign_tree_head,
    tree,
    tree_head_body,
)
from trucewatch.storage import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def keystore(tmp_path: Path) -> Keystore:
    return Keystore(tmp_path / "keys")


def _officer(session: Session, org: str) -> Principal:
    from trucewatch.actors.service import find_actor

    return Principal(actor=f"user:{org}-officer", organisation_id=find_actor(session, org).id,
                     organisation_slug=org, user_id=1, roles=frozenset({Role.GUARANTOR_OFFICER}))


def test_demo_log_verifies_with_signed_and_countersigned_heads(demo_store: Store,
                                                               keystore: Keystore) -> None:
    with demo_store.session() as s:
        create_key(s, keystore=keystore, organisation="russia", actor="test")
        head = sign_tree_head(s, keystore=keystore, actor="test")
        countersign(s, principal=_officer(s, "russia"), size=head.size, keystore=keystore)
    with demo_store.session() as s:
        report = audit_database(s)
    assert report.ok, report.problems
    assert report.tree_heads == 1 and report.signatures >= 2 and report.rows_checked > 100


def test_a_countersignature_made_elsewhere_is_accepted_only_if_it_verifies(
        demo_store: Store, keystore: Keystore, tmp_path: Path) -> None:
    elsewhere = Keystore(tmp_path / "turkish-ministry")
    with demo_store.session() as s:
        key = create_key(s, keystore=elsewhere, organisation="turkey", actor="test")
        head = sign_tree_head(s, keystore=keystore, actor="test")
        body = tree_head_body(head.size, head.root_hash, head.timestamp)
        good = sign(elsewhere.load(key.key_id), body)
        with pytest.raises(InvalidInput) as err:
            countersign(s, principal=_officer(s, "turkey"), size=head.size, key_id=key.key_id,
                        signature=sign(elsewhere.load(key.key_id), b"something else"))
        assert err.value.field == "signature"
        with pytest.raises(InvalidInput):  # Iran cannot present Turkey's key
            countersign(s, principal=_officer(s, "iran"), size=head.size, key_id=key.key_id,
                        signature=good)
        countersign(s, principal=_officer(s, "turkey"), size=head.size, key_id=key.key_id,
                    signature=good)


def test_the_same_countersignature_twice_at_once_is_a_conflict(demo_store: Store,
                                                               keystore: Keystore) -> None:
    """Two sessions countersign one head with one key: the second meets a Conflict, not the
    unique index (it waits for the log's lock, then sees the first one's row)."""
    import threading

    with demo_store.session() as s:
        key = create_key(s, keystore=keystore, organisation="russia", actor="test")
        head = sign_tree_head(s, keystore=keystore, actor="test")
        body = tree_head_body(head.size, head.root_hash, head.timestamp)
        size, key_id, signature = head.size, key.key_id, sign(keystore.load(key.key_id), body)
    first_in = threading.Event()
    outcome: list[BaseException | None] = []

    def second() -> None:
        first_in.wait()
        try:
            with demo_store.session() as s:
                countersign(s, principal=_officer(s, "russia"), size=size, key_id=key_id,
                            signature=signature)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - the test reads what it was
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    with demo_store.session() as s:
        countersign(s, principal=_officer(s, "russia"), size=size, key_id=key_id,
                    signature=signature)
        first_in.set()
        thread.join(0.5)  # the second is waiting for the lock, or already refused
    thread.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome


def test_the_database_audit_reads_one_snapshot(demo_store: Store) -> None:
    with demo_store.session() as s:
        assert audit_database(s).ok
        if s.get_bind().dialect.name == "postgresql":
            assert s.connection().get_isolation_level() == "REPEATABLE READ"


def test_only_a_guarantor_officer_countersigns(demo_store: Store, keystore: Keystore) -> None:
    with demo_store.session() as s:
        head = sign_tree_head(s, keystore=keystore, actor="test")
        reporter = Principal(actor="user:x", organisation_id=1, user_id=9,
                             roles=frozenset({Role.REPORTER}))
        with pytest.raises(PermissionDenied):
            countersign(s, principal=reporter, size=head.size, keystore=keystore)


def test_proofs_from_signed_heads_verify(demo_store: Store, keystore: Keystore) -> None:
    with demo_store.session() as s:
        first = sign_tree_head(s, keystore=keystore, actor="test")
        factories.organisation(s, "late-comer")
    with demo_store.session() as s:
        second = sign_tree_head(s, keystore=keystore, actor="test")
        merkle = tree(s, second.size)
        leaf = bytes.fromhex(s.scalar(sa.text("SELECT leaf_hash FROM log_entries WHERE seq = 7")))
        assert verify_inclusion(leaf, 6, second.size, merkle.inclusion_proof(6),
                                bytes.fromhex(second.root_hash))
        assert verify_consistency(first.size, second.size, bytes.fromhex(first.root_hash),
                                  bytes.fromhex(second.root_hash),
                                  merkle.consistency_proof(first.size))


def test_an_sql_update_is_named_with_its_entry_and_field(demo_store: Store) -> None:
    with demo_store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE incidents SET status = 'closed' WHERE id = 3"))
    with demo_store.session() as s:
        problems = audit_database(s).problems
    (problem,) = problems
    assert problem.where == "incidents 3 status" and problem.seq is not None
    assert f"log entry {problem.seq}" in problem.message


def test_sql_deletes_and_inserts_are_found(demo_store: Store) -> None:
    with demo_store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM report_casualties WHERE id = 1"))
        conn.execute(sa.text("INSERT INTO user_roles (user_id, role, granted_at, granted_by) "
                             "VALUES (1, 'administrator', '2017-01-01 00:00:00', 'sql')"))
    with demo_store.session() as s:
        messages = sorted(p.message for p in audit_database(s).problems)
    assert len(messages) == 2
    assert "deleted outside the mechanism" in messages[1] or "deleted" in messages[0]
    assert any("not in the log" in m for m in messages)


def test_a_change_without_a_log_entry_cannot_commit(demo_store: Store) -> None:
    from trucewatch.incidents.models import Incident

    with pytest.raises(UnloggedChange), demo_store.session() as s:
        s.get(Incident, 1).title = "quietly renamed"
    with demo_store.session() as s:
        assert s.get(Incident, 1).title != "quietly renamed"


def test_export_verifies_offline_and_detects_tampering(demo_store: Store, keystore: Keystore,
                                                       tmp_path: Path) -> None:
    with demo_store.session() as s:
        sign_tree_head(s, keystore=keystore, actor="test")
    path = tmp_path / "log.jsonl"
    with demo_store.session() as s, path.open("w") as out:
        write_export(s, out)
    report = audit_export(path)
    assert report.ok and report.entries > 100 and report.tree_heads == 1
    lines = path.read_text().split("\n")
    i = next(i for i, line in enumerate(lines) if '"seq": 5,' in line)
    assert json.loads(lines[i])["body_follows"] is True  # the body is the next line, as hashed
    tampered = lines[i + 1].replace('"actor":"test"', '"actor":"someone else"')
    assert tampered != lines[i + 1]
    path.write_text("\n".join([*lines[:i + 1], tampered, *lines[i + 2:]]))
    problems = audit_export(path).problems
    assert problems and problems[0].where == "entry 5"
    # Format 1 (each body inside its record, as a JSON string) is still read.
    v1 = [json.dumps({"format": "trucewatch-log/1"})]
    for j, line in enumerate(lines[1:], start=1):
        if not line or lines[j - 1].endswith('"body_follows": true}'):
            continue
        record = json.loads(line)
        if record.pop("body_follows", False):
            record["body"] = lines[j + 1]
        v1.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(v1) + "\n")
    assert audit_export(path).ok and audit_export(path).entries == report.entries
    # A record whose body line is missing is refused.
    path.write_text("\n".join(lines[:i + 1]) + "\n")
    with pytest.raises(InvalidInput, match="body line is missing"):
        audit_export(path)
    with pytest.raises(InvalidInput):
        path.write_text("not an export\n")
        audit_export(path)


def test_an_export_record_spelt_differently_reads_the_same(demo_store: Store,
                                                           tmp_path: Path) -> None:
    """Records as write_export spells them take a fast path; any other spelling of the same
    JSON is parsed, with the same result, and a wrong hash is caught either way."""
    path = tmp_path / "log.jsonl"
    with demo_store.session() as s, path.open("w") as out:
        write_export(s, out)
    lines = path.read_text().split("\n")
    entries = [i for i, line in enumerate(lines) if line.startswith('{"type": "entry"')]
    respelt = list(lines)
    for i in entries[::2]:  # every other record compact, keys reversed
        record = json.loads(lines[i])
        respelt[i] = json.dumps(dict(reversed(record.items())), separators=(",", ":"))
    path.write_text("\n".join(respelt))
    report = audit_export(path)
    assert report.ok and report.entries == len(entries)
    for i in (entries[2], entries[3]):  # one respelt record, one as written
        broken = list(respelt)
        record = json.loads(broken[i])
        record["chain_hash"] = "0" * 64
        broken[i] = (json.dumps(record) if i == entries[3]
                     else json.dumps(record, separators=(",", ":")))
        path.write_text("\n".join(broken))
        problems = audit_export(path).problems
        assert problems and problems[0].message.startswith("chain hash does not follow"), i


def test_an_export_of_a_body_tampered_with_a_line_break_still_reads(demo_store: Store,
                                                                   tmp_path: Path) -> None:
    """A canonical body has no line break; one put there with SQL is written inside its record."""
    with demo_store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE log_entries SET body = replace(body, '\"kind\"', "
                             "'\n\"kind\"') WHERE seq = 3"))
    path = tmp_path / "log.jsonl"
    with demo_store.session() as s, path.open("w") as out:
        write_export(s, out)
    report = audit_export(path)
    assert [(p.where, p.message) for p in report.problems] == [
        ("entry 3", "body does not match its leaf hash")]


def test_the_documented_proof_checker_works(demo_store: Store, keystore: Keystore,
                                            tmp_path: Path) -> None:
    """The stand-alone program in docs/log.md checks real proofs (and rejects a bad one)."""
    text = (ROOT / "docs" / "log.md").read_text()
    program = text.split("```python\n")[1].split("```")[0]
    checker = tmp_path / "check_proof.py"
    checker.write_text(program)
    with demo_store.session() as s:
        first = sign_tree_head(s, keystore=keystore, actor="test")
        factories.organisation(s, "another")
    with demo_store.session() as s:
        second = sign_tree_head(s, keystore=keystore, actor="test")
        merkle = tree(s, second.size)
        body = s.scalar(sa.text("SELECT body FROM log_entries WHERE seq = 3"))
        leaf_hash = s.scalar(sa.text("SELECT leaf_hash FROM log_entries WHERE seq = 3"))
        proofs = [
            {"body": body, "leaf_index": 2, "leaf_hash": leaf_hash,
             "tree_head": {"size": second.size, "root_hash": second.root_hash},
             "inclusion_path": [p.hex() for p in merkle.inclusion_proof(2)]},
            {"old": {"size": first.size, "root_hash": first.root_hash},
             "new": {"size": second.size, "root_hash": second.root_hash},
             "consistency_path": [p.hex() for p in merkle.consistency_proof(first.size)]},
        ]
        assert get_tree_head(s).size == second.size
    for proof in proofs:
        ok = subprocess.run([sys.executable, str(checker)], input=json.dumps(proof), text=True,
                            capture_output=True)
        assert ok.returncode == 0 and "proof holds" in ok.stdout
    proofs[0]["body"] = proofs[0]["body"].replace("test", "tset")
    bad = subprocess.run([sys.executable, str(checker)], input=json.dumps(proofs[0]),
                         text=True, capture_output=True)
    assert bad.returncode == 1


def test_a_confidential_source_cannot_be_guessed_from_the_log(store: Store) -> None:
    import hashlib

    from trucewatch.reports.service import file_report

    with store.session() as s:
        filer = factories.organisation(s, "filer")
        filed = file_report(s, data=factories.report(confidential_source={
            "identity": "Abu Khalid", "contact": ""}), organisation=filer, actor="test")
        bodies = " ".join(e[0] for e in s.execute(sa.text("SELECT body FROM log_entries")))
    assert "Abu Khalid" not in bodies
    assert hashlib.sha256(b"Abu Khalid").hexdigest() not in bodies
    with store.session() as s:
        assert audit_database(s).ok
        assert filed.created
