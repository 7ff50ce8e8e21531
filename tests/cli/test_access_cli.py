"""``--as USER`` on the existing commands: each user sees and does what docs/access.md says."""

from __future__ import annotations

from tests.cli.test_cli import Cli, demo_cli  # noqa: F401  (fixture)


def test_a_party_lists_its_own_and_published_reports_only(demo_cli: Cli) -> None:  # noqa: F811
    everything = demo_cli.json("report", "list", "--json")
    mine = demo_cli.json("--as", "opp-reporter", "report", "list", "--json")
    published = {i["id"] for i in demo_cli.json("--as", "admin", "incident", "list", "--json")}
    assert isinstance(everything, list) and isinstance(mine, list)
    assert published, "the demo publishes an incident"
    assert 0 < len(mine) < len(everything)
    assert all(r["filed_by"] == "armed-opposition" or r["incident"] in published for r in mine)
    hidden = next(r for r in everything
                  if r["filed_by"] != "armed-opposition" and r["incident"] not in published)
    code, _, err = demo_cli("--as", "opp-reporter", "report", "show", str(hidden["id"]))
    assert code == 2 and err == f"error: report: no report {hidden['id']}\n"
    assert demo_cli("--as", "ru-officer", "report", "show", str(hidden["id"]))[0] == 0
    code, _, err = demo_cli("--as", "ru-officer", "report", "show", str(hidden["id"]),
                            "--confidential")
    assert code == 2 and "report.read_confidential_source" in err


def test_observers_see_published_incidents_and_nobody_else_triages(demo_cli: Cli) -> None:  # noqa: F811
    code, _, err = demo_cli("--as", "admin", "user", "add", "watcher", "--org", "hnc",
                            "--role", "observer")
    assert code == 0, err
    every = demo_cli.json("incident", "list", "--json")
    seen = demo_cli.json("--as", "watcher", "incident", "list", "--json")
    assert isinstance(every, list) and isinstance(seen, list) and 0 < len(seen) < len(every)
    unlinked = demo_cli.json("report", "list", "--json", "--status", "unlinked")
    assert isinstance(unlinked, list)
    free = str(unlinked[0]["id"])
    for who in ("watcher", "admin", "gov-reporter", "un-coordinator"):
        code, _, err = demo_cli("--as", who, "incident", "create", free)
        assert code == 2 and "incident.triage" in err, (who, err)
    code, _, err = demo_cli("--as", "ru-officer", "incident", "create", free)
    assert code == 0, err
    code, _, err = demo_cli("--as", "gov-reporter", "actor", "add", "x-org", "--name", "X", "--type", "ngo")
    assert code == 2 and "actor.edit" in err
    code, _, err = demo_cli("--as", "admin", "actor", "add", "x-org", "--name", "X", "--type", "ngo")
    assert code == 0, err


def test_a_reporter_files_for_its_own_organisation_only(demo_cli: Cli) -> None:  # noqa: F811
    args = ["report", "add", "--source-kind", "party", "--occurred", "2017-01-21",
            "--place", "Douma", "--category", "shelling", "--json-out"]
    code, _, err = demo_cli("--as", "gov-reporter", *args, "--org", "armed-opposition")
    assert code == 2 and "report.file" in err
    code, _, err = demo_cli("--as", "admin", *args, "--org", "joint-group")
    assert code == 2 and "report.file" in err
    (filed,) = demo_cli.json("--as", "gov-reporter", *args, "--org", "syrian-government")  # type: ignore[misc]
    entries = demo_cli.json("log", "list", "--subject", f"report:{filed['id']}", "--json")
    assert isinstance(entries, list) and entries[0]["actor"] == "user:gov-reporter"
