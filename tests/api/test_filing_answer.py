"""The answer to a filing is built from what the filing wrote (``reading.report_views``), not
read back through ``get_report``: it must be what ``GET /api/v1/reports/{id}`` returns."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.test_reports_api import PNG, report
from trucewatch.incidents.service import create_incident

ANSWERED_AS_READ = [
    pytest.param(report(), id="plain"),
    pytest.param(report(affected_actor="syrian-government", truce=None,
                        casualties=[{"outcome": "killed", "group": "civilian", "best": 2},
                                    {"outcome": "injured", "group": "unknown", "low": 3,
                                     "best": 5, "high": 9}],
                        confidential_source={"identity": "a shepherd", "contact": "by radio"},
                        attachments=[{"filename": "crater.png",
                                      "content": base64.b64encode(PNG).decode()}]),
                 id="casualties-source-attachment"),
    pytest.param(report(latitude=None, longitude=None, occurred="2017-W04",
                        alleged_actor=None, source_kind="monitor", synthetic=True),
                 id="place-name-only-week"),
]


@pytest.mark.parametrize("body", ANSWERED_AS_READ)
def test_the_201_and_a_retry_s_200_are_what_a_read_returns(api: Api, body: dict[str, Any]
                                                           ) -> None:
    headers = api.as_("opp-reporter") | {"Idempotency-Key": "answer-as-read"}
    filed = api.client.post("/api/v1/reports", json=body, headers=headers)
    assert filed.status_code == 201, filed.text
    path = filed.headers["Location"]
    read = api.client.get(path, headers=api.as_("opp-reporter"))
    assert read.status_code == 200
    assert filed.json() == read.json()
    retry = api.client.post("/api/v1/reports", json=body, headers=headers)
    assert (retry.status_code, retry.headers["Location"]) == (200, path)
    assert retry.json() == read.json()


def test_a_retry_after_the_report_joined_an_incident_names_the_incident(api: Api) -> None:
    headers = api.as_("gov-reporter") | {"Idempotency-Key": "answer-in-incident"}
    filed = api.client.post("/api/v1/reports", json=report(), headers=headers)
    assert filed.status_code == 201 and filed.json()["incident"] is None
    with api.store.session() as s:
        incident = create_incident(s, data={"reports": [filed.json()["id"]]}, actor="test").id
    retry = api.client.post("/api/v1/reports", json=report(), headers=headers)
    assert retry.status_code == 200 and retry.json()["incident"] == incident
    assert retry.json() == api.client.get(filed.headers["Location"],
                                          headers=api.as_("gov-reporter")).json()


def test_multipart_answers_as_a_read_too(api: Api) -> None:
    import json

    headers = api.as_("gov-reporter")
    filed = api.client.post("/api/v1/reports/multipart", headers=headers,
                            data={"report": json.dumps(report(narrative="By multipart."))},
                            files=[("attachments", ("crater.png", PNG, "image/png"))])
    assert filed.status_code == 201, filed.text
    assert filed.json() == api.client.get(filed.headers["Location"], headers=headers).json()
