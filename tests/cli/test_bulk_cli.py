"""``trucewatch bulk``: many items, each its own transaction; failures listed, exit 1."""

from __future__ import annotations

from tests.cli.test_cli import Cli, demo_cli  # noqa: F401  (fixture)


def test_bulk_link_and_publish_from_the_command_line(demo_cli: Cli) -> None:  # noqa: F811
    free = demo_cli.json("report", "list", "--json", "--status", "unlinked")
    assert isinstance(free, list) and len(free) >= 2
    ids = [str(r["id"]) for r in free[:2]]
    code, out, err = demo_cli("--as", "ru-officer", "bulk", "link", *ids, "--incident", "1",
                              "--reason", "same strike", "--json")
    assert code == 0, err
    assert "link: 2 of 2 done, 0 failed" in err
    assert isinstance(out, str)
    code, out, err = demo_cli("--as", "ru-officer", "bulk", "link", ids[0], "--incident", "2")
    assert code == 1 and "report " + ids[0] in err and "1 failed" in out
    code, _, err = demo_cli("--as", "gov-reporter", "bulk", "publish", "3")
    assert code == 2 and "incident.publish" in err
    code, _, err = demo_cli("--as", "ru-officer", "bulk", "assign", "1", "--assignee", "A",
                            "--due", "soon")
    assert code == 2 and "soon" in err
