"""Bulk actions over HTTP: progress streamed line by line, the run checked as a whole first."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.api.conftest import Api
from trucewatch.incidents.models import Incident


def test_publish_many_streams_one_line_per_item(api: Api) -> None:
    with api.store.session() as s:
        decided = list(s.scalars(select(Incident.id).where(
            Incident.status.in_(["confirmed", "not_confirmed", "disputed"]),
            Incident.published_at.is_(None)).order_by(Incident.id)))
    ids = [*decided, 1]
    with api.client.stream("POST", "/api/v1/bulk/publish", json={"ids": ids},
                           headers=api.as_("un-coordinator")) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in response.iter_lines() if line]
    items = [line["item"] for line in lines[:-1]]
    assert [i["id"] for i in items] == ids
    assert [i["ok"] for i in items] == [True] * len(decided) + [False]
    assert items[-1]["field"] == "incident"
    assert [line["progress"]["done"] for line in lines[:-1]] == list(range(1, len(ids) + 1))
    assert lines[-1] == {"summary": {"total": len(ids), "done": len(ids),
                                     "succeeded": len(decided), "failed": 1}}
    public = api.client.get(f"/api/v1/incidents/{decided[0]}")
    assert public.status_code == 200  # published: the public reads it now


def test_a_bad_run_is_a_problem_before_anything_is_done(api: Api) -> None:
    officer = api.as_("ru-officer")
    refused = api.client.post("/api/v1/bulk/publish", json={"ids": [3]}, headers=officer)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    missing = api.client.post("/api/v1/bulk/link", json={"ids": [3]}, headers=officer)
    assert missing.status_code == 422 and missing.json()["field"] == "incident"
    unknown = api.client.post("/api/v1/bulk/delete", json={"ids": [3]}, headers=officer)
    assert unknown.status_code == 422
    empty = api.client.post("/api/v1/bulk/link", json={"ids": [], "incident": 1}, headers=officer)
    assert empty.status_code == 422
    public = api.client.post("/api/v1/bulk/publish", json={"ids": [3]})
    assert public.status_code in (401, 403)
