"""The notifications API over HTTP: the caller's inbox in cursor pages, unread count, marking
read; the public and another user see none of it."""

from __future__ import annotations

from tests import factories
from tests.api.conftest import Api, api  # noqa: F401  (fixture)

from trucewatch.notifications.service import DeliveryConfig, run_pass
from trucewatch.reports.service import file_reports


def test_inbox_pages_unread_count_and_mark_read(api: Api) -> None:  # noqa: F811
    run_pass(api.store, DeliveryConfig())
    with api.store.session() as s:
        for _ in range(3):
            file_reports(s, submissions=[factories.report()], organisation="armed-opposition",
                         user="opp-reporter", actor="user:opp-reporter")
    run_pass(api.store, DeliveryConfig())
    officer = api.as_("ru-officer")
    get = api.client.get
    assert get("/api/v1/notifications/unread", headers=officer).json() == {"unread": 3}
    first = get("/api/v1/notifications", params={"limit": 2}, headers=officer)
    assert first.status_code == 200 and len(first.json()["items"]) == 2
    assert first.headers["Link"].endswith('; rel="next"')
    second = get("/api/v1/notifications", params={"cursor": first.json()["next"]},
                 headers=officer).json()
    items = first.json()["items"] + second["items"]
    assert [i["event"] for i in items] == ["report.arrived"] * 3 and second["next"] is None
    assert items[0]["id"] < items[1]["id"] < items[2]["id"]
    marked = api.client.post("/api/v1/notifications/read", json={"ids": [items[0]["id"]]},
                             headers=officer)
    assert marked.json() == {"marked": 1}
    unread = get("/api/v1/notifications", params={"unread": True}, headers=officer).json()
    assert [i["id"] for i in unread["items"]] == [items[1]["id"], items[2]["id"]]
    # another user cannot mark the officer's notifications: only its own (none) change
    other = api.client.post("/api/v1/notifications/read", json={"ids": [items[1]["id"]]},
                            headers=api.as_("gov-reporter"))
    assert other.json() == {"marked": 0}
    assert get("/api/v1/notifications", headers=api.as_("gov-reporter")).json()["items"] == []
    assert api.client.post("/api/v1/notifications/read", json={},
                           headers=officer).json() == {"marked": 2}
    public = get("/api/v1/notifications")
    assert public.status_code in (401, 403)
    assert public.headers["content-type"].startswith("application/problem+json")
    subs = get("/api/v1/notifications/subscriptions", headers=officer).json()
    assert subs == {"areas": [], "channels": []}
