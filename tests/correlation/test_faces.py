"""Correlation through the API (on the demo) and the command line (on both stores)."""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.api.conftest import Api, api  # noqa: F401  (the fixture)
from tests.api.test_reports_api import report
from tests.cli.test_cli import Cli
from trucewatch.correlation.matcher import mark
from trucewatch.correlation.service import correlate_all
from trucewatch.reports.reading import incident_of
from trucewatch.reports.service import file_report
from trucewatch.storage import open_store


def _file(api: Api, **changes: object) -> int:  # noqa: F811
    body = report(**({"occurred": "2017-04-02", "place_name": "Kafr Zita", "latitude": 35.37,
                      "longitude": 36.6,
                      "narrative": "Barrel bombs fell on the bakery of Kafr Zita."} | changes))
    filed = api.client.post("/api/v1/reports", json=body, headers=api.as_("gov-reporter"))
    assert filed.status_code == 201, filed.text
    return int(filed.json()["id"])


def test_the_api_matches_a_new_report_and_splits_an_incident(api: Api) -> None:  # noqa: F811
    first, second = _file(api), _file(api, place_name="Kafr Zeita")
    path = "/api/v1/correlation/runs"
    refused = api.client.post(path, json={"report": second}, headers=api.as_("gov-reporter"))
    assert refused.status_code == 403
    done = api.client.post(path, json={"report": second}, headers=api.as_("ru-officer"))
    assert done.status_code == 200, done.text
    assert done.json()["linked"] == [[first, second]]
    [incident] = done.json()["incidents"]
    linked = api.client.get("/api/v1/correlation/candidates?status=linked",
                            headers=api.as_("ru-officer"))
    assert [c["reports"] for c in linked.json()] == [[first, second]]
    assert linked.json()[0]["reasons"]["components"]["place"] > 0.9
    assert api.client.get("/api/v1/correlation/candidates",
                          headers=api.as_("gov-reporter")).status_code == 403
    split = api.client.post(f"/api/v1/correlation/incidents/{incident}/split",
                            json={"reports": [second], "reason": "a second strike"},
                            headers=api.as_("tr-officer"))
    assert split.status_code == 201, split.text
    assert split.json()["reports"] == [second] and split.json()["id"] != incident
    tuned = api.client.patch("/api/v1/correlation/tuning/syria-2016-12-30",
                             json={"link_threshold": 0.9}, headers=api.as_("ir-officer"))
    assert tuned.status_code == 200 and tuned.json()["link_threshold"] == 0.9
    bad = api.client.patch("/api/v1/correlation/tuning/syria-2016-12-30",
                           json={"review_threshold": 0.95}, headers=api.as_("ir-officer"))
    assert bad.status_code == 422 and bad.json()["field"] == "tuning.review_threshold"
    behind = api.client.get("/api/v1/correlation/waiting", headers=api.as_("ru-officer"))
    assert behind.status_code == 200, behind.text
    assert set(behind.json()) == {"waiting", "given_up", "oldest_marked_at", "behind_seconds"}
    assert behind.json()["given_up"] == 0
    assert api.client.get("/api/v1/correlation/waiting",
                          headers=api.as_("gov-reporter")).status_code == 403
    assert api.client.get("/api/v1/correlation/waiting").status_code == 401


def test_the_command_line_runs_queues_and_decides(db_url: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(db_url)
    with store.session() as s:
        truce = factories.truce(s)
        orgs = [factories.organisation(s) for _ in range(3)]
        ids = [file_report(s, data=factories.report(truce=truce, narrative=text),
                           organisation=org, actor="t").id
               for org, text in zip(orgs, ("Shells hit the market.", "Shells hit the market.",
                                           "A mortar round hit a school."), strict=True)]
    cli = Cli(db_url, capsys)
    with store.session() as s:
        mark(s, ids[:2])  # filed with matching on, not matched yet
    assert cli.json("correlate", "waiting", "--json")["waiting"] == 2  # type: ignore[index]
    code, out, _ = cli("correlate", "waiting")
    assert code == 0 and out.startswith("2 reports waiting to be matched, the oldest filed ")
    assert cli("correlate", "tune", truce, "link_threshold=0.9", "review_threshold=0.1")[0] == 0
    assert cli("correlate", "tune", truce, "link_threshold")[0] == 2
    done = cli.json("correlate", "run", "--json")
    assert done["linked"] == [[ids[0], ids[1]]]  # type: ignore[index]
    queue = cli.json("correlate", "queue", "--json")
    assert isinstance(queue, list) and {tuple(c["reports"]) for c in queue} == {
        (ids[0], ids[2]), (ids[1], ids[2])}
    assert cli("correlate", "reject", str(queue[0]["id"]), "--reason", "")[0] == 2
    assert cli("correlate", "reject", str(queue[0]["id"]), "--reason", "a school, not a market")[0] == 0
    code, out, _ = cli("correlate", "confirm", str(queue[1]["id"]))
    assert code == 0 and "confirmed" in out
    with store.session() as s:
        assert incident_of(s, ids[2]) == incident_of(s, ids[0]) is not None
        incident = incident_of(s, ids[0])
        assert correlate_all(s, actor="t").queued == []
    code, out, _ = cli("correlate", "split", str(incident), str(ids[2]), "--reason", "school")
    assert code == 0 and "into incident" in out
    assert json.loads(cli("correlate", "tune", truce)[1])["link_threshold"] == 0.9
    store.dispose()
