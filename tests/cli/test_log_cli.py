"""The issue's scenario end to end on the command line: a disputed decision, a verified log,
then one SQL UPDATE that `trucewatch log verify` must name with its entry (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from tests.cli.test_cli import Cli, demo_cli  # noqa: F401  (fixture)

from trucewatch.storage import open_store


def _sql(db_url: str, statement: str) -> None:
    store = open_store(db_url, migrate=False)
    with store.engine.begin() as conn:
        conn.execute(sa.text(statement))
    store.dispose()


def test_disputed_incident_verify_then_tamper(demo_cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    disputed = demo_cli.json("incident", "list", "--status", "disputed", "--json")
    assert disputed, "the demo decides one round as disputed"
    incident = disputed[0]["id"]
    code, out, err = demo_cli("log", "sign")
    assert code == 0, err
    code, out, err = demo_cli("--as", "ru-officer", "log", "countersign")
    assert code == 0, err
    code, out, err = demo_cli("log", "verify")
    assert code == 0 and out.startswith("log verified:") and "1 tree heads" in out, err
    export = tmp_path / "log.jsonl"
    assert demo_cli("log", "export", str(export))[0] == 0
    code, out, _ = demo_cli("log", "verify", "--file", str(export))
    assert code == 0

    _sql(demo_cli.db_url, f"UPDATE incidents SET status = 'confirmed' WHERE id = {incident}")
    code, out, err = demo_cli("log", "verify")
    assert code == 1
    first = err.splitlines()[0]
    assert first.startswith(f"incidents {incident} status: differs from log entry ")
    assert "log does NOT verify: 1 problem(s)" in err


def test_proofs_on_the_command_line(demo_cli: Cli) -> None:  # noqa: F811
    assert demo_cli("log", "sign")[0] == 0
    demo_cli("report", "add", "--org", "joint-group", "--source-kind", "monitor",
             "--occurred", "2017-01-21", "--place", "Douma", "--category", "shelling")
    assert demo_cli("log", "sign")[0] == 0
    heads = demo_cli.json("log", "heads", "--json")
    assert len(heads) == 2
    proof = demo_cli.json("log", "prove", "5")
    assert proof["leaf_index"] == 4 and proof["tree_head"]["size"] == heads[-1]["size"]
    consistency = demo_cli.json("log", "consistency", str(heads[0]["size"]),
                                str(heads[1]["size"]))
    assert consistency["consistency_path"]
    code, _, err = demo_cli("log", "prove", "999999")
    assert code == 2 and "seq" in err
    assert json.loads(json.dumps(proof))  # plain JSON a third party can read
