"""The command line over both stores: each command works, and bad input exits 2 writing nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from trucewatch.cli.main import app
from trucewatch.storage import open_store

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


class Cli:
    def __init__(self, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.db_url, self.capsys = db_url, capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            app(["--db", self.db_url, *args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> object:
        code, out, err = self(*args)
        assert code == 0, err
        return json.loads(out)

    def count(self, table: str) -> int:
        store = open_store(self.db_url, migrate=False)
        with store.engine.connect() as conn:
            n = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
        store.dispose()
        return int(n or 0)


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(db_url, capsys)


@pytest.fixture
def demo_cli(demo_db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    """The CLI on a store that holds the demo (a copy of one loaded by ``trucewatch demo``)."""
    return Cli(demo_db_url, capsys)


def test_init_then_demo_then_list(cli: Cli) -> None:
    code, out, err = cli("demo")
    assert code == 0 and "30 synthetic reports" in out, err
    demo_cli = cli
    code, out, _ = demo_cli("init")
    assert code == 0 and "database ready at schema" in out
    reports = demo_cli.json("report", "list", "--json")
    assert len(reports) == 30 and all(r["synthetic"] for r in reports)
    assert all("SYNTHETIC EXAMPLE" in r["narrative"] for r in reports)
    code, out, _ = demo_cli("demo")
    assert "already loaded" in out
    assert len(demo_cli.json("report", "list", "--json")) == 30


def test_report_add_from_flags_and_retry(demo_cli: Cli, tmp_path: Path) -> None:
    photo = tmp_path / "crater.png"
    photo.write_bytes(PNG)
    args = ["report", "add", "--org", "joint-group", "--user", "jg-monitor", "--key", "jg-77",
            "--source-kind", "monitor", "--occurred", "2017-01-21T10:00:00+02:00",
            "--place", "Douma", "--lat", "33.5711", "--lon", "36.4017", "--category", "shelling",
            "--alleged", "Syrian government", "--casualty", "killed,civilian,1,2,4",
            "--casualty", "injured,unknown,5", "--narrative", "Two shells.",
            "--source-identity", "Resident A", "--attach", str(photo), "--json-out"]
    (first,) = demo_cli.json(*args)
    assert first["created"]
    (again,) = demo_cli.json(*args)
    assert again == {"id": first["id"], "created": False}
    shown = demo_cli.json("report", "show", str(first["id"]), "--json")
    assert shown["zone_id"] is not None and shown["alleged_actor"] == "syrian-government"
    assert "confidential_source" not in shown and "Resident A" not in json.dumps(shown)
    assert shown["attachments"][0]["media_type"] == "image/png"
    revealed = demo_cli.json("report", "show", str(first["id"]), "--json", "--confidential")
    assert revealed["confidential_source"]["identity"] == "Resident A"


def test_report_add_from_a_json_file_with_many_reports(demo_cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(PNG)
    items = [{"idempotency_key": f"batch-{i}", "source_kind": "media", "occurred": "2017-01-22",
              "place_name": "Hama", "category": "air_strike",
              "attachments": [{"path": "a.png"}]} for i in range(3)]
    path = tmp_path / "reports.json"
    path.write_text(json.dumps(items))
    filed = demo_cli.json("report", "add", "--org", "example-wire", "--json", str(path),
                          "--json-out")
    assert [f["created"] for f in filed] == [True] * 3
    listed = demo_cli.json("report", "list", "--json", "--filed-by", "example-wire",
                           "--category", "air_strike", "--from", "2017-01-22")
    assert {r["id"] for r in listed} >= {f["id"] for f in filed}


def test_report_list_filters(demo_cli: Cli) -> None:
    ghouta = demo_cli.json("report", "list", "--json", "--bbox", "36.3,33.4,36.5,33.7")
    assert all(33.4 <= r["latitude"] <= 33.7 for r in ghouta)
    unlinked = demo_cli.json("report", "list", "--json", "--status", "unlinked")
    assert all(r["incident"] is None for r in unlinked)
    code, out, _ = demo_cli("report", "list", "--limit", "3")
    assert code == 0 and len(out.strip().splitlines()) == 4


def test_incident_commands(demo_cli: Cli) -> None:
    unlinked = demo_cli.json("report", "list", "--json", "--status", "unlinked")
    a, b = unlinked[0]["id"], unlinked[1]["id"]
    code, out, err = demo_cli("incident", "create", str(a), "--reason", "one event")
    assert code == 0, err
    incident_id = int(out.split()[2].rstrip(":"))
    assert demo_cli("incident", "link", str(incident_id), str(b))[0] == 0
    code, _, err = demo_cli("incident", "unlink", str(incident_id), str(b))
    assert code == 2 and "reason" in err
    assert demo_cli("incident", "unlink", str(incident_id), str(b), "--reason", "no")[0] == 0
    assert demo_cli("incident", "status", str(incident_id), "under_review")[0] == 0
    shown = demo_cli.json("incident", "show", str(incident_id), "--json")
    assert shown["status"] == "under_review" and shown["reports"] == [a]
    assert len(shown["link_history"]) == 2 and shown["status_history"][0]["to"] == "under_review"
    listed = demo_cli.json("incident", "list", "--json", "--status", "under_review")
    assert incident_id in [i["id"] for i in listed]
    code, _, err = demo_cli("incident", "status", str(incident_id), "closed")
    assert code == 2 and "under_review can move to" in err


def test_actor_and_truce_commands(demo_cli: Cli) -> None:
    code, _, err = demo_cli("actor", "add", "sohr", "--name", "Syrian Observatory for Human Rights",
                            "--type", "ngo", "--alias", "en:SOHR",
                            "--primary", "ar:المرصد السوري لحقوق الإنسان")
    assert code == 0, err
    assert demo_cli.json("actor", "show", "المرصد السوري لحقوق الإنسان", "--json")["slug"] == "sohr"
    hijab = demo_cli.json("actor", "show", "Riad Hijab", "--json")
    assert hijab["affiliations"][0]["role"] == "coordinator"
    assert demo_cli("actor", "affiliate", "riyad-hijab", "hnc", "--role", "head")[0] == 0
    states = demo_cli.json("actor", "list", "--type", "state", "--json")
    assert {"russia", "iran", "turkey"} <= {a["slug"] for a in states}
    truce = demo_cli.json("truce", "show", "--json")
    assert truce["guarantors"] == ["russia", "turkey", "iran"]
    assert truce["excluded"] == ["islamic-state", "jabhat-fateh-al-sham"]
    zones = demo_cli.json("truce", "show", "--geojson")
    assert len(zones["features"]) == 4
    code, out, _ = demo_cli("truce", "show")
    assert "unanimity of the 3 guarantors" in out


def test_log_commands(demo_cli: Cli) -> None:
    code, out, _ = demo_cli("log", "verify")
    assert code == 0 and out.startswith("log verified:")
    entries = demo_cli.json("log", "list", "--subject", "truce:syria-2016-12-30", "--json")
    assert entries[0]["kind"] == "truce.created"


BAD = [
    (["--lat", "91", "--lon", "36"], "latitude"),
    (["--lat", "33"], "longitude"),
    (["--occurred", "2017-02-30"], "occurred"),
    (["--occurred", "2099-01-01"], "occurred"),
    (["--category", "bombing"], "category"),
    (["--alleged", "Nobody known"], "alleged_actor"),
    (["--casualty", "killed,civilian,5,2,1"], "casualties.0"),
    (["--casualty", "killed,civilian,many"], "casualty"),
    (["--attach", "/nonexistent/file.png"], "attachments.0"),
]


@pytest.mark.parametrize("extra, field", BAD)
def test_bad_report_flags_exit_2_naming_the_field(demo_cli: Cli, extra: list[str],
                                                  field: str) -> None:
    before = (demo_cli.count("reports"), demo_cli.count("log_entries"))
    base = {"--org": "joint-group", "--source-kind": "monitor", "--occurred": "2017-01-21",
            "--place": "Douma", "--category": "shelling"}
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        base[flag] = value
    args = [x for kv in base.items() for x in kv]
    if extra[0] == "--attach":
        args += extra
    code, out, err = demo_cli("report", "add", *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}"), err
    assert (demo_cli.count("reports"), demo_cli.count("log_entries")) == before


def test_bad_files_exit_2(demo_cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"source_kind": "party",')
    code, _, err = demo_cli("report", "add", "--org", "joint-group", "--json", str(broken))
    assert code == 2 and err.startswith("error: json:") and "line 1" in err
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2048)
    os.environ["TRUCEWATCH_MAX_ATTACHMENT_BYTES"] = "1024"
    try:
        code, _, err = demo_cli("report", "add", "--org", "joint-group", "--source-kind",
                                "monitor", "--occurred", "2017-01-21", "--place", "Douma",
                                "--category", "shelling", "--attach", str(big))
    finally:
        del os.environ["TRUCEWATCH_MAX_ATTACHMENT_BYTES"]
    assert code == 2 and "limit is 1024" in err
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps([{"source_kind": "party", "occurred": "2017-01-02",
                                  "place_name": "A", "category": "shelling"},
                                 {"source_kind": "party", "occurred": "2017-01-02",
                                  "place_name": "B", "category": "nope"}]))
    before = demo_cli.count("reports")
    code, _, err = demo_cli("report", "add", "--org", "joint-group", "--json", str(mixed))
    assert code == 2 and err.startswith("error: reports.1.category")
    assert demo_cli.count("reports") == before


def test_unknown_things_exit_2(demo_cli: Cli) -> None:
    assert demo_cli("report", "show", "99999")[0] == 2
    assert demo_cli("incident", "show", "99999")[0] == 2
    assert demo_cli("actor", "show", "nobody")[0] == 2
    assert demo_cli("truce", "show", "no-such-truce")[0] == 2
    code, _, err = demo_cli("report", "list", "--bbox", "1,2,3")
    assert code == 2 and "bbox" in err
    code, _, err = demo_cli("report", "nonsense")
    assert code == 2


def test_the_installed_console_script_runs(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    exe = Path(sys.executable).with_name("trucewatch")
    env = {**os.environ, "TRUCEWATCH_DB": db}
    subprocess.run([str(exe), "demo"], check=True, env=env, capture_output=True)
    out = subprocess.run([str(exe), "report", "list", "--json"], check=True, env=env,
                         capture_output=True, text=True).stdout
    assert len(json.loads(out)) == 30
    bad = subprocess.run([str(exe), "report", "add", "--org", "nobody", "--source-kind", "party",
                          "--occurred", "2017-01-01", "--place", "X", "--category", "shelling"],
                         env=env, capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: organisation: no organisation known as 'nobody'"
