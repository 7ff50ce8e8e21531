"""Reports through the API: idempotent filing, attachments, the size limit, visibility, pages."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from tests.api.conftest import Api
from trucewatch.reports.models import AttachmentBlob, Report

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def report(**changes: Any) -> dict[str, Any]:
    body = {"source_kind": "party", "occurred": "2017-01-20", "place_name": "Wadi Barada",
            "latitude": 33.64, "longitude": 36.1, "category": "shelling",
            "alleged_actor": "armed-opposition", "narrative": "Shells fell near the spring."}
    return body | changes


def count(api: Api, model: type = Report) -> int:
    with api.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_retry_returns_the_first_report_and_files_nothing_more(api: Api) -> None:
    headers = api.as_("gov-reporter") | {"Idempotency-Key": "gov-2017-01-20-a"}
    before = count(api)
    first = api.client.post("/api/v1/reports", json=report(), headers=headers)
    retry = api.client.post("/api/v1/reports", json=report(), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["id"] == retry.json()["id"]
    assert first.headers["Location"] == f"/api/v1/reports/{first.json()['id']}"
    assert count(api) == before + 1


def test_the_same_key_for_another_report_is_a_conflict(api: Api) -> None:
    headers = api.as_("gov-reporter") | {"Idempotency-Key": "gov-2017-01-20-b"}
    assert api.client.post("/api/v1/reports", json=report(), headers=headers).status_code == 201
    before = count(api)
    other = api.client.post("/api/v1/reports", json=report(narrative="Something else."),
                            headers=headers)
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["field"] == "idempotency_key"
    assert count(api) == before


def test_attachments_in_base64_and_in_multipart(api: Api) -> None:
    headers = api.as_("opp-reporter")
    data = report(attachments=[{"filename": "crater.png",
                                "content": base64.b64encode(PNG).decode()}])
    filed = api.client.post("/api/v1/reports", json=data, headers=headers)
    assert filed.status_code == 201, filed.text
    [attachment] = filed.json()["attachments"]
    assert attachment["media_type"] == "image/png" and attachment["size"] == len(PNG)
    got = api.client.get(f"/api/v1/reports/{filed.json()['id']}/attachments/"
                         f"{attachment['sha256']}", headers=headers)
    assert got.content == PNG and got.headers["content-type"] == "image/png"

    multi = api.client.post("/api/v1/reports/multipart", headers=headers,
                            data={"report": json.dumps(report(narrative="Second account."))},
                            files=[("attachments", ("crater.png", PNG, "image/png"))])
    assert multi.status_code == 201, multi.text
    assert multi.json()["attachments"][0]["sha256"] == attachment["sha256"]


def test_a_body_over_the_limit_is_refused_with_413_and_nothing_stored(api: Api) -> None:
    headers = api.as_("gov-reporter")
    big = PNG + b"\0" * (64 * 1024)  # the fixture's limit is 64 KiB
    reports, blobs = count(api), count(api, AttachmentBlob)
    as_json = api.client.post("/api/v1/reports", headers=headers, json=report(
        attachments=[{"filename": "big.png", "content": base64.b64encode(big).decode()}]))
    assert as_json.status_code == 413 and as_json.json()["field"] == "attachments.0.content"
    multi = api.client.post("/api/v1/reports/multipart", headers=headers,
                            data={"report": json.dumps(report())},
                            files=[("attachments", ("big.png", big, "image/png"))])
    assert multi.status_code == 413
    huge = b"x" * (2 * 1024 * 1024)
    declared = api.client.post("/api/v1/reports", headers=headers | {
        "Content-Type": "application/json"}, content=huge)
    assert declared.status_code == 413 and declared.json()["status"] == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(40):
            yield b" " * 65536

    streamed = api.client.post("/api/v1/reports", headers=headers | {
        "Content-Type": "application/json"}, content=chunks())
    assert streamed.status_code == 413
    assert (count(api), count(api, AttachmentBlob)) == (reports, blobs)


def test_another_partys_unpublished_report_is_not_found(api: Api) -> None:
    filed = api.client.post("/api/v1/reports", json=report(), headers=api.as_("gov-reporter"))
    path = f"/api/v1/reports/{filed.json()['id']}"
    assert api.client.get(path, headers=api.as_("gov-reporter")).status_code == 200
    assert api.client.get(path, headers=api.as_("ru-officer")).status_code == 200
    hidden = api.client.get(path, headers=api.as_("opp-reporter"))
    assert hidden.status_code == 404 and hidden.json()["field"] == "report"
    assert api.client.get(path).status_code == 404


def test_forbidden_and_unauthenticated(api: Api) -> None:
    assert api.client.post("/api/v1/reports", json=report()).status_code == 401
    bad = api.client.get("/api/v1/reports", headers={"Authorization": "Bearer twt_nope"})
    assert bad.status_code == 401 and bad.headers["WWW-Authenticate"].startswith("Bearer")
    officer = api.client.post("/api/v1/reports", json=report(), headers=api.as_("ru-officer"))
    assert officer.status_code == 403
    assert officer.json()["type"] == "urn:trucewatch:problem:permission-denied"


def walk(api: Api, path: str, headers: dict[str, str]) -> list[int]:
    seen: list[int] = []
    url: str | None = path
    while url is not None:
        got = api.client.get(url, headers=headers)
        assert got.status_code == 200, got.text
        seen += [item["id"] for item in got.json()["items"]]
        nxt = got.json()["next"]
        if nxt is None:
            assert "Link" not in got.headers
            url = None
        else:
            url = got.headers["Link"].split(">")[0].lstrip("<")
            assert f"cursor={nxt}" in url
    return seen


def test_pagination_visits_every_report_once(api: Api) -> None:
    headers = api.as_("un-coordinator")
    every = walk(api, "/api/v1/reports?limit=500", headers)
    paged = walk(api, "/api/v1/reports?limit=3", headers)
    assert paged == every and len(set(paged)) == len(paged) > 3
    bad = api.client.get("/api/v1/reports?cursor=not-a-cursor", headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"


def test_filters_and_geojson(api: Api) -> None:
    headers = api.as_("un-coordinator") | {"Accept": "application/geo+json"}
    got = api.client.get("/api/v1/reports?bbox=36,35,37,37&category=shelling&limit=500",
                         headers=headers)
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/geo+json"
    body = got.json()
    assert body["type"] == "FeatureCollection" and body["features"]
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        assert 36 <= lon <= 37 and 35 <= lat <= 37
        assert f["properties"]["category"] == "shelling"
    bad = api.client.get("/api/v1/reports?bbox=1,2,3", headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "bbox"
