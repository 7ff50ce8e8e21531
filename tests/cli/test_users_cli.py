"""``trucewatch user|token|key`` over both stores, as the operator and as demo users (``--as``)."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tests.cli.test_cli import Cli, demo_cli  # noqa: F401  (fixture)

from trucewatch.auth.passwords import authenticate
from trucewatch.auth.tokens import PREFIX, resolve_token
from trucewatch.keys.signing import b64, public_bytes
from trucewatch.storage import open_store

PASSWORD = "a long enough passphrase"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_user_add_role_passwd_deactivate(demo_cli: Cli,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, PASSWORD + "\n")
    code, out, err = demo_cli("--as", "admin", "user", "add", "sy-observer", "--org", "hnc",
                              "--role", "observer", "--role", "reporter", "--password-stdin")
    assert (code, out) == (0, "added sy-observer of hnc: observer, reporter\n"), err
    assert demo_cli("--as", "admin", "user", "role", "revoke", "sy-observer", "reporter")[0] == 0
    assert demo_cli("user", "role", "grant", "sy-observer", "coordinator")[0] == 0
    users = {u["username"]: u for u in demo_cli.json("user", "list", "--json")}  # type: ignore[union-attr]
    assert users["sy-observer"]["roles"] == ["observer", "coordinator"]
    assert users["sy-observer"]["has_password"] and users["admin"]["roles"] == ["administrator"]
    store = open_store(demo_cli.db_url, migrate=False)
    with store.session() as session:
        assert authenticate(session, username="sy-observer", password=PASSWORD).actor == \
            "user:sy-observer"
    _stdin(monkeypatch, "another long passphrase\n")
    assert demo_cli("--as", "sy-observer", "user", "passwd", "--password-stdin")[0] == 0
    assert demo_cli("--as", "admin", "user", "deactivate", "sy-observer")[0] == 0
    code, _, err = demo_cli("--as", "sy-observer", "user", "list")
    assert code == 2 and err == "error: user: sy-observer is deactivated\n"
    with store.engine.connect() as conn:
        bodies = list(conn.execute(sa.text("SELECT body FROM log_entries")).scalars())
    store.dispose()
    assert not any(PASSWORD in body or "another long passphrase" in body for body in bodies)
    assert sum('"kind":"user.password_set"' in body and '"user:sy-observer"' in body
               for body in bodies) == 2  # the demo's own users have passwords too


def test_refusals_exit_2_naming_the_principal(demo_cli: Cli,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    before = demo_cli.count("log_entries")
    for args in (["user", "add", "x1", "--org", "hnc"], ["user", "role", "grant", "gov-reporter",
                                                         "coordinator"],
                 ["user", "deactivate", "opp-reporter"], ["user", "list"],
                 ["key", "create", "--org", "russia"], ["token", "list", "admin"]):
        code, _, err = demo_cli("--as", "gov-reporter", *args)
        assert code == 2 and err.startswith("error: "), (args, err)
    code, _, err = demo_cli("--as", "admin", "user", "role", "grant", "admin", "guarantor_officer")
    assert code == 2 and "own roles" in err
    _stdin(monkeypatch, "short\n")
    code, _, err = demo_cli("user", "passwd", "gov-reporter", "--password-stdin")
    assert code == 2 and err.startswith("error: password:")
    code, _, err = demo_cli("user", "passwd", "--password-stdin")
    assert code == 2 and err.startswith("error: username:")
    assert demo_cli.count("log_entries") == before


def test_tokens_are_printed_once_and_revocable(demo_cli: Cli) -> None:  # noqa: F811
    code, out, err = demo_cli("--as", "ru-officer", "token", "create", "--name", "laptop",
                              "--days", "30")
    assert code == 0 and "shown only this once" in err
    token = out.strip()
    assert token.startswith(PREFIX) and "\n" not in token
    listed = demo_cli.json("--as", "ru-officer", "token", "list", "--json")
    assert isinstance(listed, list) and len(listed) == 1 and listed[0]["state"] == "active"
    assert token not in json.dumps(listed)
    code, _, err = demo_cli("--as", "admin", "token", "create", "ru-officer", "--name", "x")
    assert code == 2 and "own user" in err
    store = open_store(demo_cli.db_url, migrate=False)
    with store.session() as session:
        assert resolve_token(session, token).actor == "user:ru-officer"
    assert demo_cli("--as", "admin", "token", "revoke", str(listed[0]["id"]))[0] == 0
    assert demo_cli.json("token", "list", "ru-officer", "--json")[0]["state"] == "revoked"  # type: ignore[index]
    store.dispose()


def test_key_create_register_revoke_list(demo_cli: Cli) -> None:  # noqa: F811
    before = {k["key_id"] for k in demo_cli.json("key", "list", "--json")}  # type: ignore[union-attr]
    code, out, err = demo_cli("--as", "admin", "key", "create", "--org", "turkey")
    assert code == 0 and out.startswith("created key "), err
    created = out.split()[2]
    public = b64(public_bytes(Ed25519PrivateKey.generate()))
    code, out, err = demo_cli("key", "register", "--org", "hnc", public)
    assert code == 0, err
    registered = out.split()[2]
    keys = {k["key_id"]: k for k in demo_cli.json("key", "list", "--json")}  # type: ignore[union-attr]
    assert set(keys) - before == {created, registered}
    assert keys[registered]["public_key"] == public and keys[created]["organisation"] == "turkey"
    code, _, err = demo_cli("--as", "ru-officer", "key", "revoke", created)
    assert code == 2 and "key.manage" in err
    assert demo_cli("--as", "admin", "key", "revoke", created)[0] == 0
    keys = {k["key_id"]: k for k in demo_cli.json("key", "list", "--json")}  # type: ignore[union-attr]
    assert keys[created]["revoked_at"] is not None
    code, _, err = demo_cli("key", "register", "--org", "hnc", "bm90IGEga2V5")
    assert code == 2 and err.startswith("error: public_key:")
