"""A report filed through the API, the web form or the command line is matched after its filing
commits (by the server process's matcher thread, or at once on the command line), on both
stores: linked above the link threshold, queued between the thresholds, in the log; only
its blocked candidates are scored (no rescan); a failure to match is logged and never loses
the report; the ``correlate_on_filing`` setting turns it off. tests/correlation/
test_matcher.py covers the waiting reports, restarts, batches and concurrent matchers."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from tests import factories
from tests.api.conftest import Api
from tests.api.test_reports_api import report
from tests.cli.test_cli import Cli
from tests.web.conftest import client_for, csrf, sign_in
from trucewatch.app import create_app
from trucewatch.config import load_settings
from trucewatch.correlation import records
from trucewatch.correlation.blocking import BlockIndex, candidates_of
from trucewatch.correlation.features import build
from trucewatch.correlation.filing import match_filed
from trucewatch.correlation.matcher import Matcher, drain
from trucewatch.correlation.models import CandidateLink, PendingMatch
from trucewatch.correlation.worker import MatcherProcess
from trucewatch.log.models import LogEntry
from trucewatch.reports.models import Report
from trucewatch.reports.reading import incident_of
from trucewatch.reports.service import file_report
from trucewatch.storage import Store, open_store

STRIKE = {"occurred": "2017-04-02", "place_name": "Kafr Zita", "latitude": 35.37,
          "longitude": 36.6, "narrative": "Barrel bombs fell on the bakery of Kafr Zita."}


@pytest.fixture
def api(demo_store: Store) -> Iterator[Api]:
    """The app with the default settings (matching after filing on), its matcher a thread:
    these tests read the matcher's log records, which a process of its own keeps to itself
    (tests/correlation/test_matcher_process.py tests the process)."""
    settings = load_settings({"TRUCEWATCH_MATCHER": "thread"})
    assert settings.correlate_on_filing
    with TestClient(create_app(demo_store, settings)) as client:
        yield Api(client, demo_store)


@pytest.fixture(autouse=True)
def _log_matches(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="trucewatch.correlation")


def outcomes(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """What each match after a filing did, as it logged it, in order."""
    return [r.outcome for r in caplog.records  # type: ignore[attr-defined]
            if r.name == "trucewatch.correlation" and hasattr(r, "outcome")]


def blocked_candidates(store: Store, report_id: int) -> int:
    """How many stored reports blocking pairs with ``report_id``: what a match may score."""
    with store.session() as s:
        every = records.records(s)
    new = [r for r in every if r.id == report_id]
    others = [r for r in every if r.id != report_id]
    orgs: dict[str, int] = {}
    q, f = build(new, organisations=orgs), build(others, organisations=orgs)
    return len(candidates_of(BlockIndex(f), q)[0])


def kinds(store: Store, subject_prefix: str = "candidate:") -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(LogEntry.kind).where(LogEntry.subject.startswith(
            subject_prefix)).order_by(LogEntry.seq)))


def matcher_of(client: TestClient) -> Matcher | MatcherProcess:
    matcher: Matcher | MatcherProcess = cast(FastAPI, client.app).state.matcher
    return matcher


def settled(client: TestClient) -> None:
    """Wait until the app's matcher has matched every report handed to it."""
    assert matcher_of(client).wait_idle(60)


def file_api(api: Api, user: str, **changes: object) -> int:
    """File through the API and wait for the match (each filing is matched on its own)."""
    filed = api.client.post("/api/v1/reports", json=report(**(STRIKE | changes)),
                            headers=api.as_(user))
    assert filed.status_code == 201, filed.text
    settled(api.client)
    return int(filed.json()["id"])


def waiting(store: Store) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(PendingMatch.report_id)))


def test_filing_through_the_api_links_the_same_strike(
        api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with api.store.session() as s:
        stored = int(s.scalar(select(func.count()).select_from(Report)) or 0)
    first = file_api(api, "gov-reporter")
    second = file_api(api, "opp-reporter", place_name="Kafr Zeita", latitude=35.372)
    # The response came after the commit; the matcher matched it in a transaction of its own.
    assert waiting(api.store) == []
    with api.store.session() as s:
        incident = incident_of(s, first)
        assert incident is not None and incident_of(s, second) == incident
        row = s.scalars(select(CandidateLink)).one()
        assert (row.report_a_id, row.report_b_id, row.status) == (first, second, "linked")
    assert kinds(api.store) == ["correlation.pair_linked"]
    assert kinds(api.store, f"incident:{incident}")[0] == "incident.created"
    logged = outcomes(caplog)
    assert [o["linked"] for o in logged] == [[], [[first, second]]]
    # Without a rescan: each match scored only the reports blocking paired it with.
    assert logged[1]["scored"] == blocked_candidates(api.store, second) < stored


def test_between_the_thresholds_a_filing_waits_in_the_queue(api: Api) -> None:
    tuned = api.client.patch("/api/v1/correlation/tuning/syria-2016-12-30",
                             json={"link_threshold": 0.99, "review_threshold": 0.1},
                             headers=api.as_("ir-officer"))
    assert tuned.status_code == 200, tuned.text
    first = file_api(api, "gov-reporter")
    second = file_api(api, "opp-reporter", narrative="Mortar rounds hit a school yard.")
    queue = api.client.get("/api/v1/correlation/candidates", headers=api.as_("ru-officer"))
    assert [c["reports"] for c in queue.json()] == [[first, second]]
    assert 0.1 <= queue.json()[0]["score"] < 0.99
    assert kinds(api.store) == ["correlation.pair_queued"]
    with api.store.session() as s:
        assert incident_of(s, first) is None and incident_of(s, second) is None


def test_the_setting_turns_matching_after_filing_off(demo_store: Store) -> None:
    settings = load_settings({"TRUCEWATCH_CORRELATE_ON_FILING": "0"})
    assert not settings.correlate_on_filing
    with TestClient(create_app(demo_store, settings)) as client:
        off = Api(client, demo_store)
        file_api(off, "gov-reporter")
        file_api(off, "opp-reporter")
    assert kinds(demo_store) == []


def test_a_failed_match_is_logged_and_loses_nothing(db_url: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    store = open_store(db_url)
    with store.session() as s:
        broken, sound = factories.truce(s), factories.truce(s)
        org = factories.organisation(s)
        # A tuning no code would store (a hand edit): matching its truce's reports fails.
        s.execute(text("INSERT INTO correlation_settings (truce_id, tuning, changed_at, "
                       "changed_by) SELECT id, '{\"link_threshold\": \"high\"}', "
                       "'2017-01-01 00:00:00', 'hand' FROM truces WHERE slug = :slug"),
                  {"slug": broken})
    with store.session() as s:
        bad = file_report(s, data=factories.report(truce=broken), organisation=org, actor="t").id
        good = file_report(s, data=factories.report(truce=sound), organisation=org, actor="t").id
    done = match_filed(store, [bad, good, good + 1000])  # the last does not exist
    assert done == {bad: None, good: done[good], good + 1000: None} and done[good] is not None
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failed) == 1 and f"--report {bad}" in failed[0].getMessage()
    with store.session() as s:
        assert s.get(Report, bad) is not None and s.get(Report, good) is not None
        [row] = s.scalars(select(PendingMatch)).all()  # the failed one waits, counted
        assert (row.report_id, row.attempts) == (bad, 1)
        assert "link_threshold" in (row.last_error or "")
    store.dispose()


def test_filing_on_the_command_line_matches_after_the_commit(
        db_url: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(db_url)
    with store.session() as s:
        truce = factories.truce(s)
        orgs = [factories.organisation(s) for _ in range(4)]
    cli = Cli(db_url, capsys)

    def add(org: str, *extra: str) -> int:
        code, out, err = cli("report", "add", "--org", org, "--truce", truce, "--source-kind",
                             "party", "--occurred", "2017-01-10", "--category", "shelling",
                             "--place", "Ariha", "--lat", "35.81", "--lon", "36.61",
                             "--casualty", "killed,civilian,2", *extra, "--json-out")
        assert code == 0, err
        [filed] = json.loads(out)
        return int(filed["id"])

    far = add(orgs[0], "--lat", "33.5", "--lon", "36.3", "--place", "Douma",
              "--narrative", "Shells fell on the market.")
    first = add(orgs[1], "--narrative", "Shells fell on the market.")
    second = add(orgs[2], "--narrative", "Shells fell on the market of Ariha.")
    with store.session() as s:
        assert incident_of(s, first) == incident_of(s, second) is not None
        assert incident_of(s, far) is None
    logged = outcomes(caplog)
    # Douma is read from the store (within the box around Ariha) but not blocked with it.
    assert [o["scored"] for o in logged] == [0, 0, 1]
    assert logged[-1]["linked"] == [[first, second]]
    assert blocked_candidates(store, second) == 1
    assert kinds(store) == ["correlation.pair_linked"]
    # Between the thresholds: queued, and a log entry says so.
    assert cli("correlate", "tune", truce, "link_threshold=0.99", "review_threshold=0.1")[0] == 0
    third = add(orgs[3], "--occurred", "2017-01-11", "--narrative", "A mortar hit a school.")
    with store.session() as s:
        queued = s.scalars(select(CandidateLink).where(CandidateLink.status == "pending")).all()
        assert {(c.report_a_id, c.report_b_id) for c in queued} == {(first, third),
                                                                   (second, third)}
        assert incident_of(s, third) is None
    # The two pairs of one match are queued together: one entry.
    assert kinds(store, "candidate")[1:] == ["correlation.pairs_queued"]
    # Turned off, a filing is not matched.
    monkeypatch.setenv("TRUCEWATCH_CORRELATE_ON_FILING", "0")
    before = len(kinds(store, "candidate"))
    add(orgs[0], "--narrative", "Shells fell on the market.")
    assert len(kinds(store, "candidate")) == before
    assert waiting(store) == []
    store.dispose()


def test_filing_through_the_web_form_links_the_same_strike(demo_store: Store) -> None:
    filed = []
    for user in ("gov-reporter", "opp-reporter"):
        client = client_for(demo_store)
        sign_in(client, user)
        token = csrf(client.get("/reports/new").text)
        answer = client.post("/reports", data={
            "csrf_token": token, "idempotency_key": f"web-{user}", "occurred": STRIKE["occurred"],
            "place_name": STRIKE["place_name"], "latitude": str(STRIKE["latitude"]),
            "longitude": str(STRIKE["longitude"]), "category": "shelling", "source_kind": "party",
            "narrative": STRIKE["narrative"]}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        filed.append(int(answer.headers["location"].rsplit("/", 1)[1]))
        settled(client)
        matcher_of(client).stop()
    with demo_store.session() as s:
        assert incident_of(s, filed[0]) == incident_of(s, filed[1]) is not None
    assert kinds(demo_store) == ["correlation.pair_linked"]


def test_a_command_line_filing_waits_for_matching_in_its_own_transaction(
        db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies between the filing's commit and its match: the report still waits."""
    store = open_store(db_url)
    with store.session() as s:
        truce, org = factories.truce(s), factories.organisation(s)
    monkeypatch.setattr("trucewatch.cli.reports.match_after_filing", lambda ids: None)
    code, out, err = Cli(db_url, capsys)(
        "report", "add", "--org", org, "--truce", truce, "--source-kind", "party",
        "--occurred", "2017-01-10", "--category", "shelling", "--place", "Ariha",
        "--lat", "35.81", "--lon", "36.61", "--json-out")
    assert code == 0, err
    [filed] = json.loads(out)
    assert waiting(store) == [int(filed["id"])]
    assert drain(store).matched.keys() == {int(filed["id"])}  # the next drain matches it
    assert waiting(store) == []
    store.dispose()
