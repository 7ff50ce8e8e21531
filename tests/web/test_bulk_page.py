"""The bulk page: without JavaScript the results page lists every item; the stream gives the
same run line by line; only those who may start an action see it."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import csrf

from trucewatch.incidents.models import Incident
from trucewatch.storage import Store

Client = Callable[[str], TestClient]


def _decided_unpublished(store: Store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(Incident.id).where(
            Incident.status.in_(["confirmed", "not_confirmed", "disputed"]),
            Incident.published_at.is_(None)).order_by(Incident.id)))


def test_publish_many_without_javascript(signed_in: Client, demo_store: Store) -> None:
    coordinator = signed_in("un-coordinator")
    review = coordinator.get("/review").text
    decided = _decided_unpublished(demo_store)
    link = f'/bulk?action=publish&amp;ids={",".join(map(str, decided))}'
    assert link in review
    page = coordinator.get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and 'value="publish" checked' in page.text
    assert 'value="link"' not in page.text  # the coordinator does not triage
    ids = " ".join(map(str, decided)) + " 1"
    done = coordinator.post("/bulk", data={"csrf_token": csrf(page.text), "action": "publish",
                                           "ids": ids})
    assert done.status_code == 200
    assert f"{len(decided)} of {len(decided) + 1} done, 1 not done." in done.text
    assert "not done: incident 1 is open" in done.text
    assert _decided_unpublished(demo_store) == []


def test_the_stream_and_the_refusals(signed_in: Client, demo_store: Store) -> None:
    officer = signed_in("ru-officer")
    page = officer.get("/bulk?action=assign&ids=1,2")
    token = csrf(page.text)
    assert 'value="assign" checked' in page.text and 'value="publish"' not in page.text
    streamed = officer.post("/bulk/stream", data={
        "csrf_token": token, "action": "assign", "ids": "1, 2", "assignee": "Team <b>A</b>",
        "due_on": "2099-01-01"})
    assert streamed.status_code == 200
    lines = [json.loads(line) for line in streamed.text.splitlines()]
    assert [line["item"]["ok"] for line in lines[:-1]] == [True, True]
    assert lines[-1]["summary"]["succeeded"] == 2
    bad = officer.post("/bulk/stream", data={"csrf_token": token, "action": "assign",
                                             "ids": "1", "assignee": "A"})
    assert bad.status_code == 422 and bad.json()["field"] == "due_on"
    again = officer.post("/bulk", data={"csrf_token": token, "action": "link", "ids": "x",
                                        "incident": "1"})
    assert again.status_code == 422 and "is not a report id" in again.text
    assert officer.post("/bulk", data={"action": "publish", "ids": "3"}).status_code == 403
    reporter = signed_in("gov-reporter")
    assert reporter.get("/bulk").status_code == 403
