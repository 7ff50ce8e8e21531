"""A confidential source's identity appears nowhere but where its own organisation asks for
it: not in any API answer or page to anyone, any export, the log export, or any log line
the server writes. Every GET route of the API and every page is tried as every demo user
and as the public (both stores)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.api.conftest import bearer, token_for
from tests.web.conftest import client_for, sign_in
from trucewatch.app import create_app
from trucewatch.incidents.service import create_incident
from trucewatch.log.export import write_export
from trucewatch.log.models import LogHead
from trucewatch.storage import Store

IDENTITY = "Umm-Zakariya-QX7731"
CONTACT = "+963-944-QX7731"
SECRETS = (IDENTITY, CONTACT, "QX7731")
USERS = ("gov-reporter", "opp-reporter", "jg-monitor", "wire-desk", "ru-officer",
         "tr-officer", "ir-officer", "un-coordinator", "admin")
# Where the filing organisation's own reporters may read it, and nowhere else.
REVEALING = re.compile(r"^/api/v1/reports/\d+/confidential-source$")


def _get_paths(app: Any) -> Iterator[str]:
    def walk(routes: list[Any], prefix: str) -> Iterator[str]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                context = getattr(route, "include_context", None)
                yield from walk(inner.routes, prefix + (getattr(context, "prefix", "") or ""))
            elif "GET" in (getattr(route, "methods", None) or ()):
                yield prefix + str(route.path)
    yield from sorted(set(walk(app.routes, "")))


def _fill(path: str, report_id: int, seq: int, size: int) -> list[str]:
    values = {"report_id": str(report_id), "incident_id": "1", "seq": str(seq),
              "size": str(size), "round_id": "1", "invitation_id": "1", "proposal_id": "1",
              "actor": "riyad-hijab", "username": "gov-reporter", "sha256": "0" * 64,
              "truce": "syria-2016-12-30"}
    if "{slug}" in path:
        values["slug"] = ("moscow-2017-01-27" if "/talks/" in path else
                          "russia" if "/actors/" in path else "syria-2016-12-30")
    if "{subject}" in path:
        return [path.replace("{subject}", s) + f"?format={f}"
                for s in ("reports", "incidents") for f in ("csv", "jsonl", "geojson", "acled")]
    filled = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)
    return [filled, filled + "?confidential=1"] if "/reports/" in filled else [filled]


def test_a_confidential_source_reaches_only_its_own_organisation(
        demo_store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app = create_app(demo_store)
    with TestClient(app, base_url="https://testserver") as api:
        filed = api.post("/api/v1/reports", json={
            **{k: v for k, v in factories.report().items() if k != "idempotency_key"},
            "narrative": "Shelling reported by a source who must stay unnamed.",
            "confidential_source": {"identity": IDENTITY, "contact": CONTACT}},
            headers={**bearer(token_for(demo_store, "gov-reporter")), "Idempotency-Key": "leak-1"})
        assert filed.status_code == 201, filed.text
        report_id = filed.json()["id"]
        assert not any(s in filed.text for s in SECRETS)
        with demo_store.session() as s:  # in an incident, so that bulletins count it
            incident_id = create_incident(s, data={"reports": [report_id]}, actor="test").id
        with demo_store.session() as s:
            head = s.get(LogHead, 1)
            assert head is not None
            seq = size = head.size
        headers = {user: bearer(token_for(demo_store, user)) for user in USERS}
        tried = 0
        for path in _get_paths(app):
            if not path.startswith("/api/"):
                continue
            for url in _fill(path, report_id, seq, size):
                for user in (None, *USERS):
                    answer = api.get(url, headers=headers[user] if user else {})
                    tried += 1
                    leaked = [s for s in SECRETS if s in answer.text]
                    if REVEALING.match(url.split("?")[0]) and user == "gov-reporter":
                        assert answer.status_code == 200 and IDENTITY in answer.text
                        continue
                    assert not leaked, (url, user, answer.status_code)
        assert tried > 300
    pages = [url for path in _get_paths(app) if not path.startswith(("/api/", "/static/"))
             for url in _fill(path, report_id, seq, size)]
    # The bulletins of the report's month, in either edition, hold its incident.
    day = factories.report()["occurred"]
    pages += [f"/bulletins{suffix}?period=month&date={day}&edition={edition}"
              for suffix in ("", ".csv", ".geojson") for edition in ("public", "guarantor")]
    listed = False
    for user in (None, *USERS):
        client = client_for(demo_store)
        if user is not None:
            sign_in(client, user)
        for url in pages:
            answer = client.get(url)
            assert not any(s in answer.text for s in SECRETS), (url, user)
            if url.startswith("/bulletins.csv") and "guarantor" in url and answer.is_success:
                listed = listed or any(line.split(",")[0] == str(incident_id)
                                       for line in answer.text.splitlines())
    assert listed, "no guarantor bulletin listed the incident of the report"
    out = io.StringIO()
    with demo_store.session() as s:
        write_export(s, out)
    assert not any(secret in out.getvalue() for secret in SECRETS)  # the log holds digests
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged and not any(secret in logged for secret in SECRETS)
