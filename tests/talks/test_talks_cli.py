"""The seed article's talks through ``trucewatch talks …`` on both stores, and bad input that
exits 2 naming the field and writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from trucewatch.cli.main import app
from trucewatch.log import service as log
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

    def json(self, *args: str, user: str | None = None) -> Any:
        return json.loads(self.ok(*args, user=user))

    def log_size(self) -> int:
        store = open_store(self.db_url)
        with store.session() as s:
            size = len(list(log.iter_entries(s)))
        store.dispose()
        return size


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    runner = Cli(db_url, capsys)
    assert "2 meetings of talks" in runner.ok("demo")
    return runner


def test_the_moscow_matrix_through_the_cli(cli: Cli) -> None:
    matrix = cli.json("talks", "matrix", "moscow-2017-01-27", "--json")
    rows = {r["organisation"]: r for r in matrix["organisations"]}
    hnc, coalition = rows["hnc"], rows["national-coalition"]
    assert hnc["invited_as_body"] == []
    assert [(m["person"], m["status"]) for m in hnc["members_invited_personally"]] == [
        ("riyad-hijab", "declined")]
    assert coalition["invited_as_body"] == [] and coalition["replied"] == "declined"
    assert {m["person"] for m in coalition["members_invited_personally"]} == {
        "anas-al-abdah", "national-coalition-deputy-head"}
    assert "past heads of the National Coalition" in [c["to"] for c in coalition["covered_by_class"]]

    table = cli.ok("talks", "matrix", "moscow-2017-01-27")
    hnc_line = next(line for line in table.splitlines() if line.startswith("hnc "))
    assert "not invited" in hnc_line and "riyad-hijab (declined)" in hnc_line
    assert "declined" in next(line for line in table.splitlines()
                              if line.startswith("national-coalition "))
    shown = cli.ok("talks", "show", "moscow-2017-01-27")
    assert "Riyad Hijab, in a personal capacity: declined" in shown
    assert "reported by riyad-naasan-agha" in shown
    assert "astana-2017-01" in cli.ok("talks", "list")
    history = cli.json("talks", "history", "National Coalition", "--json")
    assert [m["meeting"] for m in history["meetings"]] == ["moscow-2017-01-27"]
    timeline = cli.json("talks", "timeline", "--json")
    assert timeline[0]["date"] == "2017-01-23" and timeline[-1]["meeting"] == "moscow-2017-01-27"


def test_a_coordinator_records_talks_and_others_may_not(cli: Cli) -> None:
    args = ("talks", "add", "astana-2017-02", "--title", "Astana talks (second round)",
            "--format", "proximity", "--starts", "2017-02-15", "--ends", "2017-02-16",
            "--convenor", "russia", "--convenor", "turkey", "--convenor", "iran")
    code, _, err = cli(*args, user="ru-officer")
    assert code == 2 and "talks.edit" in err
    cli.ok(*args, user="un-coordinator")
    assert "astana-2017-02" not in cli.ok("talks", "list", user="gov-reporter")  # unpublished
    assert "astana-2017-02" in cli.ok("talks", "list", user="ru-officer")
    out = cli.ok("talks", "invite", "astana-2017-02", "--capacity", "organisation", "--to",
                 "armed-opposition", "--sent-on", "2017-02-01", user="un-coordinator")
    invitation = int(out.split()[2])
    cli.ok("talks", "reply", str(invitation), "--status", "accepted", "--on", "2017-02-03",
           "--by", "armed-opposition", user="un-coordinator")
    cli.ok("talks", "attend", "astana-2017-02", "armed-opposition", "--invitation",
           str(invitation), user="un-coordinator")
    cli.ok("talks", "publish", "astana-2017-02", user="un-coordinator")
    rows = cli.json("talks", "matrix", "astana-2017-02", "--json", user="gov-reporter")
    [row] = rows["organisations"]
    assert (row["invited_as_body"][0]["status"], row["attended"]) == ("accepted", True)


@pytest.mark.parametrize(("args", "field"), [
    (("talks", "reply", "999", "--status", "declined", "--on", "2017-01-26"), "invitation"),
    # Lavrov's open invitation was sent on 25 January.
    (("talks", "reply", "1", "--status", "declined", "--on", "2017-01-24"), "replied_on"),
    (("talks", "invite", "moscow-2017-01-27", "--capacity", "representative", "--to",
      "riyad-hijab", "--represents", "national-coalition", "--sent-on", "2017-01-25"),
     "represents"),
    (("talks", "invite", "moscow-2017-01-27", "--capacity", "representative", "--to",
      "khaled-khoja", "--represents", "national-coalition", "--sent-on", "2017-01-25"),
     "represents"),
])
def test_bad_input_exits_2_naming_the_field_and_writes_nothing(
        cli: Cli, args: tuple[str, ...], field: str) -> None:
    before, size = cli.ok("talks", "show", "moscow-2017-01-27", "--json"), cli.log_size()
    code, out, err = cli(*args)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {field}: ")
    assert cli.ok("talks", "show", "moscow-2017-01-27", "--json") == before
    assert cli.log_size() == size
