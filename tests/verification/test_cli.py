"""Joint verification through the command line, on both stores, acting as the demo's users."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trucewatch.cli.main import app
from trucewatch.keys.service import register_public_key
from trucewatch.keys.signing import b64, public_bytes, sign
from trucewatch.storage import open_store


class Cli:
    def __init__(self, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.db_url, self.capsys = db_url, capsys

    def __call__(self, *args: str, user: str | None = None) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            app(["--db", self.db_url, *(["--as", user] if user else []), *args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *args: str, user: str | None = None) -> str:
        code, out, err = self(*args, user=user)
        assert code == 0, err
        return out

    def json(self, *args: str, user: str | None = None) -> object:
        return json.loads(self.ok(*args, user=user))


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    runner = Cli(db_url, capsys)
    out = runner.ok("demo")
    assert "3 review rounds (2 decided, 1 published); 3 signing keys" in out
    return runner


def test_demo_rounds_and_a_round_assessed_by_three_guarantors(cli: Cli, tmp_path: Path) -> None:
    confirmed = cli.json("round", "show", "1", "--json")
    assert confirmed["decision"]["decision"] == "confirmed" and confirmed["signatures_verified"]
    assert len(confirmed["decision_signatures"]) == 3
    disputed = cli.json("round", "show", "3", "--json")
    assert disputed["decision"]["decision"] == "disputed"
    assert [d["guarantor"] for d in disputed["decision"]["dissents"]] == ["turkey"]
    open_round = cli.json("round", "show", "2", "--json")
    assert open_round["status"] == "open"

    code, _, err = cli("assess", "2", "--finding", "violation", "--confidence", "fair",
                       "--reasons", "r", "--responsible", "syrian-government")
    assert code == 2 and "principal" in err  # the operator assesses for no state
    for user in ("ru-officer", "tr-officer"):
        out = cli.ok("assess", "2", "--finding", "violation", "--confidence", "fair",
                     "--reasons", "Two accounts and the monitor's.", "--responsible",
                     "syrian-government", user=user)
        assert "filed assessment v1" in out
    # Iran signs on its own machine with a key the server never held.
    private = Ed25519PrivateKey.generate()
    store = open_store(cli.db_url)
    with store.session() as session:
        key_id = register_public_key(session, organisation="iran", actor="test",
                                     public_key=b64(public_bytes(private))).key_id
    store.dispose()
    args = ["assess", "2", "--finding", "not_violation", "--confidence", "contested",
            "--reasons", "The convoy was turned back by a third group."]
    body = cli.ok(*args, "--print-body", user="ir-officer").strip().encode()
    assert json.loads(body)["guarantor"] == "iran"
    code, _, err = cli(*args, "--key-id", key_id, "--signature", sign(private, b"other"),
                       user="ir-officer")
    assert code == 2 and "signature" in err
    out = cli.ok(*args, "--key-id", key_id, "--signature", sign(private, body), user="ir-officer")
    assert "the round is decided: disputed" in out
    text = cli.ok("round", "show", "2")
    assert "DECISION disputed" in text and "dissent  iran (finding): not_violation" in text
    cli.ok("round", "sign", "2", user="ru-officer")
    decision = cli.ok("round", "sign", "2", "--print-body").strip().encode()
    cli.ok("round", "sign", "2", "--key-id", key_id, "--signature", sign(private, decision),
           user="ir-officer")
    shown = cli.json("round", "show", "2", "--json")
    assert [s["guarantor"] for s in shown["decision_signatures"]] == ["russia", "iran"]
    assert shown["signatures_verified"]
    listed = cli.json("round", "list", "4", "--json")
    assert [(r["id"], r["status"]) for r in listed] == [(2, "decided")]


def test_publish_deadline_investigation_denial_and_measure(cli: Cli) -> None:
    code, _, err = cli("incident", "publish", "6", user="ru-officer")
    assert code == 2 and "principal" in err
    assert "published incident 6 (disputed)" in cli.ok("incident", "publish", "6",
                                                       user="un-coordinator")
    code, _, err = cli("incident", "publish", "6", user="un-coordinator")
    assert code == 2 and "published already" in err

    out = cli.ok("round", "open", "1", "--days", "3", user="tr-officer")
    round_id = out.split()[3]
    code, _, err = cli("round", "close", round_id, user="un-coordinator")
    assert code == 2 and "deadline" in err
    assert cli.ok("round", "overdue").splitlines()[0].startswith("id")

    out = cli.ok("investigation", "task", "1", "--assignee", "Team C", "--due", "2099-01-01",
                 user="ir-officer")
    inv = out.split()[2]
    cli.ok("investigation", "update", inv, "--status", "in_progress", "--site-visit", "denied",
           "--denied-by", "armed-opposition", "--denied-at", "2017-01-30T09:00:00+02:00",
           "--evidence", "photo:Checkpoint|IMG_0042", user="ir-officer")
    code, _, err = cli("investigation", "update", inv, "--findings", "x", user="ru-officer")
    assert code == 2 and "principal" in err
    shown = cli.json("investigation", "show", inv, "--json")
    assert shown["site_visit"] == "denied" and shown["denials"][0]["denied_by"] == "armed-opposition"
    cli.ok("denial", "record", "--by", "armed-opposition", "--kind", "movement", "--at",
           "2017-01-31T10:00:00+02:00", "--place", "Road to Atareb", user="tr-officer")
    counts = cli.json("denial", "list", "--by-party", "--json")
    assert {"party": "armed-opposition", "access": 1, "movement": 1, "total": 2} in counts
    assert "jabhat-fateh-al-sham" in cli.ok("denial", "list")

    measures = cli.json("measure", "show", "1", "--json")
    assert measures["status"] == "agreed" and measures["against"] == "armed-opposition"
    out = cli.ok("measure", "propose", "3", "--kind", "demarche", "--description",
                 "A demarche to the delegation.", user="ru-officer")
    measure = out.split()[2]
    for user in ("ru-officer", "tr-officer", "ir-officer"):
        out = cli.ok("measure", "vote", measure, "agree", user=user)
    assert out.strip().endswith("it is agreed")
    cli.ok("measure", "status", measure, "carried_out", "--reason", "Delivered.", user="tr-officer")
    text = cli.ok("measure", "show", measure)
    assert "[carried_out]" in text and "agreed → carried_out" in text
