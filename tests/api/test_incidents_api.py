"""Incidents through the API: ETags and If-Match (412, 428), visibility, pages, GeoJSON."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.api.test_reports_api import report, walk


def free_report(api: Api) -> int:
    filed = api.client.post("/api/v1/reports", json=report(), headers=api.as_("gov-reporter"))
    assert filed.status_code == 201, filed.text
    return int(filed.json()["id"])


def new_incident(api: Api) -> tuple[int, str]:
    created = api.client.post("/api/v1/incidents", json={"reports": [free_report(api)]},
                              headers=api.as_("ru-officer"))
    assert created.status_code == 201, created.text
    return int(created.json()["id"]), created.headers["ETag"]


def test_two_officers_cannot_overwrite_each_other(api: Api) -> None:
    incident, tag = new_incident(api)
    path = f"/api/v1/incidents/{incident}"
    read = api.client.get(path, headers=api.as_("tr-officer"))
    assert read.headers["ETag"] == tag == f'"incident-{incident}-v{read.json()["version"]}"'
    first = api.client.post(f"{path}/reports", json={"report": free_report(api)},
                            headers=api.as_("ru-officer") | {"If-Match": tag})
    assert first.status_code == 200 and first.headers["ETag"] != tag
    late = api.client.post(f"{path}/status", json={"status": "under_review"},
                           headers=api.as_("tr-officer") | {"If-Match": tag})
    assert late.status_code == 412 and late.json()["status"] == 412
    assert late.headers["content-type"] == "application/problem+json"
    fresh = api.client.post(f"{path}/status", json={"status": "under_review"},
                            headers=api.as_("tr-officer") | {"If-Match": first.headers["ETag"]})
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["status"] == "under_review"


def test_a_write_without_if_match_is_refused_with_428(api: Api) -> None:
    incident, _ = new_incident(api)
    path = f"/api/v1/incidents/{incident}"
    for response in (
        api.client.post(f"{path}/reports", json={"report": free_report(api)},
                        headers=api.as_("ru-officer")),
        api.client.post(f"{path}/status", json={"status": "under_review"},
                        headers=api.as_("ru-officer")),
        api.client.delete(f"{path}/reports/1?reason=wrong", headers=api.as_("ru-officer")),
    ):
        assert response.status_code == 428 and response.json()["field"] == "If-Match"
    assert api.client.get(path, headers=api.as_("ru-officer")).json()["version"] == 1


def test_unlink_with_if_match(api: Api) -> None:
    incident, tag = new_incident(api)
    path = f"/api/v1/incidents/{incident}"
    linked = api.client.post(f"{path}/reports", json={"report": free_report(api)},
                             headers=api.as_("ru-officer") | {"If-Match": tag})
    second = linked.json()["reports"][-1]
    gone = api.client.delete(f"{path}/reports/{second}?reason=another+event",
                             headers=api.as_("ru-officer") | {"If-Match": linked.headers["ETag"]})
    assert gone.status_code == 200 and second not in gone.json()["reports"]
    assert api.client.get(path, headers={"If-None-Match": gone.headers["ETag"]} |
                          api.as_("ru-officer")).status_code == 304


def test_the_public_sees_published_incidents_only(api: Api) -> None:
    public = walk(api, "/api/v1/incidents?limit=1", {})
    every = walk(api, "/api/v1/incidents?limit=2", api.as_("un-coordinator"))
    assert public and set(public) < set(every)
    shown = api.client.get(f"/api/v1/incidents/{public[0]}").json()
    assert shown["published_at"] and shown["decision"]["type"] == "trucewatch/decision/v1"
    hidden = next(i for i in every if i not in public)
    assert api.client.get(f"/api/v1/incidents/{hidden}").status_code == 404
    assert api.client.get(f"/api/v1/incidents/{hidden}",
                          headers=api.as_("opp-reporter")).status_code == 404


def test_incident_filters_and_geojson(api: Api) -> None:
    headers = api.as_("ru-officer") | {"Accept": "application/geo+json"}
    got = api.client.get("/api/v1/incidents?status=open&occurred_from=2017-01&"
                         "occurred_to=2017-12&bbox=-180,-90,180,90", headers=headers)
    assert got.headers["content-type"] == "application/geo+json"
    body: dict[str, Any] = got.json()
    assert body["type"] == "FeatureCollection"
    assert all(f["properties"]["status"] == "open" for f in body["features"])
    assert all(f["geometry"] is None or f["geometry"]["type"] == "Point"
               for f in body["features"])
    responsible = api.client.get("/api/v1/incidents?responsible=armed-opposition&text=a",
                                 headers=api.as_("ru-officer"))
    assert responsible.status_code == 200
    unknown = api.client.get("/api/v1/incidents?alleged=nobody-at-all")
    assert unknown.status_code == 422 and unknown.json()["field"] == "alleged"
