"""The matcher, on both stores: reports filed with matching on wait in ``correlation_pending``
until a transaction matches them; batches match as one report at a time would, in one log
entry per kind; a matcher killed mid-drain loses nothing (the next start matches what it
left); several matchers never match a report twice; a failure is logged, counted and never
loses the filing; migration 0013 adds the table to an older database."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from tests import factories
from tests.correlation.test_filing import matcher_of
from tests.correlation.test_service import OFFICER, REPORTER
from tests.migrations import empty_database
from trucewatch.app import create_app
from trucewatch.config import load_settings
from trucewatch.correlation.index import catch_up
from trucewatch.correlation.matcher import (
    MAX_ATTEMPTS,
    Drained,
    Matcher,
    backlog,
    drain,
    mark,
    match_after_commit,
)
from trucewatch.correlation.models import CandidateLink, PendingMatch
from trucewatch.correlation.service import match_report
from trucewatch.correlation.tunings import set_tuning
from trucewatch.correlation.worker import drain_outside
from trucewatch.errors import PermissionDenied
from trucewatch.log import service as log
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogEntry
from trucewatch.reports.models import Report
from trucewatch.reports.service import file_report
from trucewatch.storage import Store, open_store
from trucewatch.storage.engine import make_engine
from trucewatch.storage.migrate import alembic_config, current_revision, upgrade

# Strikes on one town over a few days, told differently: pairs that score between the
# thresholds of a cautious tuning (queued), some above (linked with the default one).
PLACES = [("Ariha", 35.81, 36.61), ("Kafr Zita", 35.37, 36.6), ("Douma", 33.57, 36.4)]


# Scores stay below 1 (the evidence adds up to a logit of about 14), so nothing is linked.
CAUTIOUS = {"link_threshold": 1.0, "review_threshold": 0.01}


def strike(truce: str, k: int) -> dict[str, Any]:
    place, lat, lon = PLACES[k % len(PLACES)]
    return factories.report(truce=truce, occurred=f"2017-01-{10 + k % 3:02d}",
                            place_name=place, latitude=lat + 0.001 * (k % 5),
                            longitude=lon, narrative=f"Shells fell on the market of {place}; "
                            f"{'two' if k % 2 else 'three'} shops burned.")


@pytest.fixture
def scene(store: Store) -> tuple[str, list[str]]:
    with store.session() as s:
        truce = factories.truce(s)
        orgs = [factories.organisation(s) for _ in range(4)]
        catch_up(s)  # the index exists, as on a store in use
    return truce, orgs


def file_marked(store: Store, truce: str, orgs: list[str], ks: range) -> list[int]:
    """File reports as the web form does: each marked as waiting in its filing's transaction."""
    ids = []
    for k in ks:
        with store.session() as s:
            filed = file_report(s, data=strike(truce, k), organisation=orgs[k % len(orgs)],
                                actor="test")
            mark(s, [filed.id])
            ids.append(filed.id)
    return ids


def waiting(store: Store) -> dict[int, int]:
    """Report id → attempts, of the reports waiting."""
    with store.session() as s:
        return dict(s.execute(select(PendingMatch.report_id, PendingMatch.attempts)).all())


def decided(store: Store) -> set[tuple[int, int, str]]:
    with store.session() as s:
        return {(c.report_a_id, c.report_b_id, c.status)
                for c in s.scalars(select(CandidateLink))}


def kinds(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(LogEntry.kind).where(LogEntry.kind.startswith(
            "correlation.")).order_by(LogEntry.seq)))


def assert_log_sound(store: Store) -> None:
    with store.session() as s:
        assert log.verify(s) == []
        assert audit_database(s).problems == []


def test_reports_filed_together_match_in_one_batch_as_one_at_a_time_would(
        db_url: str, scene: tuple[str, list[str]]) -> None:
    truce, orgs = scene
    store = open_store(db_url)
    with store.session() as s:  # cautious: every pair waits for an officer
        set_tuning(s, truce=truce, values=CAUTIOUS,
                   actor="test")
    ids = file_marked(store, truce, orgs, range(9))
    assert sorted(waiting(store)) == ids
    done = drain(store)
    assert (sorted(done.matched), done.failed, done.batches) == (ids, [], 1)
    assert waiting(store) == {}
    batched = decided(store)
    assert batched and {status for *_, status in batched} == {"pending"}
    # One entry for all the pairs queued, its rows the candidate links as stored.
    assert kinds(store)[1:] == ["correlation.pairs_queued"]
    with store.session() as s:
        entry = s.scalars(select(LogEntry).where(LogEntry.kind == "correlation.pairs_queued")
                          ).one()
        body = json.loads(entry.body)
    listed = {tuple(c["reports"]) for c in body["payload"]["candidates"]}
    assert len(body["rows"]) == len(listed)
    assert listed == {(a, b) for a, b, _ in batched}
    assert_log_sound(store)
    # Matched again one at a time (their pairs removed first), they decide the same pairs.
    with store.session() as s:
        s.execute(text("DELETE FROM correlation_candidates"))
    for report_id in ids:
        with store.session() as s:
            match_report(s, report_id=report_id)
    assert decided(store) == batched
    store.dispose()


_INTERRUPTED = textwrap.dedent("""
    import sys
    from trucewatch.correlation.matcher import drain
    from trucewatch.storage import open_store
    store = open_store(sys.argv[1], migrate=False)
    print("draining", flush=True)
    drain(store)
    print("drained", flush=True)
""")


def test_a_restart_matches_what_a_killed_matcher_left(db_url: str,
                                                       scene: tuple[str, list[str]]) -> None:
    truce, orgs = scene
    store = open_store(db_url)
    with store.session() as s:  # the index holds a report: its state row exists
        file_report(s, data=factories.report(truce=truce, occurred="2017-03-01"),
                    organisation=orgs[0], actor="test")
        catch_up(s)
    ids = file_marked(store, truce, orgs, range(4))
    on_pg = store.engine.dialect.name == "postgresql"
    holder = store.session_factory()
    # Stop another process's matcher half way: on PostgreSQL it takes the log's lock and
    # claims the reports, then waits for the index's row, locked here; on SQLite it waits
    # for the write lock, taken here.
    if on_pg:
        holder.execute(text("SELECT 1 FROM correlation_index_state WHERE id = 1 FOR UPDATE"))
    else:
        log.lock(holder)
    matcher = subprocess.Popen([sys.executable, "-c", _INTERRUPTED, db_url],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert matcher.stdout is not None and matcher.stdout.readline().strip() == "draining"
        if on_pg:
            _until_waiting_on_a_lock(store, claimed=len(ids))
        else:
            time.sleep(1.0)
        assert matcher.poll() is None
    finally:
        matcher.kill()  # a crash: its transaction never commits
        matcher.wait(30)
        holder.rollback()
        holder.close()
    assert sorted(waiting(store)) == ids and decided(store) == set()
    # The next server process drains what waits as it starts.
    with TestClient(create_app(store, load_settings({}))) as client:
        assert matcher_of(client).wait_idle(60)
    assert waiting(store) == {}
    assert decided(store)  # the strikes on one town were paired
    assert_log_sound(store)
    store.dispose()


def _until_waiting_on_a_lock(store: Store, *, claimed: int) -> None:
    """Until the other process holds its claim and waits for the index's lock."""
    for _ in range(300):
        with store.engine.connect() as conn:
            blocked = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar()
            locked = conn.execute(text(
                "SELECT count(*) FROM (SELECT report_id FROM correlation_pending "
                "FOR UPDATE SKIP LOCKED) AS free")).scalar()
            conn.rollback()
        if blocked and locked == 0 and claimed:
            return
        time.sleep(0.05)
    raise AssertionError("the other matcher never reached the lock")


def test_the_api_marks_reports_in_its_filing_and_a_stopped_matcher_leaves_them_waiting(
        demo_store: Store) -> None:
    from tests.api.conftest import bearer, token_for
    from tests.api.test_reports_api import report

    headers = bearer(token_for(demo_store, "gov-reporter"))
    with TestClient(create_app(demo_store, load_settings({}))) as client:
        matcher = matcher_of(client)
        first = client.post("/api/v1/reports", json=report(), headers=headers)
        assert first.status_code == 201, first.text
        assert matcher.wait_idle(60)
        assert waiting(demo_store) == {}
        matcher.stop()  # as at a shutdown, or a crash: what is filed now waits
        second = client.post("/api/v1/reports", json=report(narrative="Shells again."),
                             headers=headers)
        assert second.status_code == 201, second.text
    assert list(waiting(demo_store)) == [second.json()["id"]]
    with TestClient(create_app(demo_store, load_settings({}))) as client:
        assert matcher_of(client).wait_idle(60)
    assert waiting(demo_store) == {}


# The thread's drain, and the matcher process's (reads and scoring outside the write
# transaction, then a short one that claims the rows still waiting).
DRAINS = {"thread": drain, "process": drain_outside}


@pytest.mark.parametrize("how", DRAINS)
def test_several_matchers_never_match_a_report_twice(db_url: str, how: str,
                                                     scene: tuple[str, list[str]]) -> None:
    truce, orgs = scene
    stores = [open_store(db_url, migrate=False) for _ in range(3)]  # as three processes
    ids = file_marked(stores[0], truce, orgs, range(24))
    results: list[Drained] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def run(store: Store) -> None:
        try:
            start.wait()
            results.append(DRAINS[how](store, batch=4))
        except BaseException as exc:  # noqa: BLE001  reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(st,)) for st in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    matched = [i for r in results for i in r.matched]
    assert sorted(matched) == ids  # each once, by one of them
    assert [r.failed for r in results] == [[]] * len(stores)
    assert waiting(stores[0]) == {}
    with stores[0].session() as s:  # each pair decided once (the pair is unique anyway)
        pairs = s.execute(select(CandidateLink.report_a_id, CandidateLink.report_b_id)).all()
    assert len(pairs) == len(set(pairs)) > 0
    assert_log_sound(stores[0])
    for st in stores:
        st.dispose()


def test_a_failure_is_logged_counted_and_never_loses_the_filing(
        db_url: str, scene: tuple[str, list[str]], caplog: pytest.LogCaptureFixture) -> None:
    truce, orgs = scene
    store = open_store(db_url)
    with store.session() as s:
        broken = factories.truce(s)
        # A tuning no code would store (a hand edit): matching this truce's reports fails.
        s.execute(text("INSERT INTO correlation_settings (truce_id, tuning, changed_at, "
                       "changed_by) SELECT id, '{\"review_threshold\": -1}', "
                       "'2017-01-01 00:00:00', 'hand' FROM truces WHERE slug = :slug"),
                  {"slug": broken})
    [bad] = file_marked(store, broken, orgs, range(1, 2))  # paired with the first good one
    good = file_marked(store, truce, orgs, range(1, 3))
    caplog.set_level(logging.INFO, logger="trucewatch.correlation")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        done = drain(store)
        assert done.failed == [bad] and waiting(store) == {bad: attempt}
        assert sorted(done.matched) == (good if attempt == 1 else [])
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == MAX_ATTEMPTS
    assert f"trucewatch correlate run --report {bad}" in errors[0].getMessage()
    # Given up on: the matcher leaves it alone; the filing and its log entry stand.
    assert drain(store).failed == [] and waiting(store) == {bad: MAX_ATTEMPTS}
    with store.session() as s:
        assert s.get(Report, bad) is not None
        assert s.scalar(select(LogEntry.kind).where(LogEntry.subject == f"report:{bad}")) \
            == "report.filed"
        error = s.scalar(select(PendingMatch.last_error))
        assert error is not None and "review_threshold" in error
    # Repaired, an operator's run matches it and ends its wait.
    with store.session() as s:
        s.execute(text("DELETE FROM correlation_settings"))
    with store.session() as s:
        match_report(s, report_id=bad)
    assert waiting(store) == {}
    store.dispose()


def test_the_backlog_says_how_far_matching_is_behind(
        store: Store, scene: tuple[str, list[str]]) -> None:
    truce, orgs = scene
    with store.session() as s:
        assert backlog(s).as_dict() == {"waiting": 0, "given_up": 0, "oldest_marked_at": None,
                                        "behind_seconds": None}
    ids = file_marked(store, truce, orgs, range(4))
    with store.session() as s:
        marks = dict(s.execute(select(PendingMatch.report_id, PendingMatch.marked_at)).all())
        s.execute(sa.update(PendingMatch).where(PendingMatch.report_id == ids[0])
                  .values(attempts=MAX_ATTEMPTS))  # given up on
    with store.session() as s:
        found = backlog(s, principal=OFFICER)
        assert (found.waiting, found.given_up, found.oldest) == (3, 1, marks[ids[1]])
        view = found.as_dict(now=marks[ids[1]] + timedelta(seconds=2.5))
        assert view["behind_seconds"] == 2.5
        assert view["oldest_marked_at"] == marks[ids[1]].isoformat().replace("+00:00", "Z")
        with pytest.raises(PermissionDenied):
            backlog(s, principal=REPORTER)
    drain(store)
    with store.session() as s:
        assert (backlog(s).waiting, backlog(s).given_up, backlog(s).oldest) == (0, 1, None)


def test_a_matcher_thread_batches_the_filings_of_its_window(
        store: Store, scene: tuple[str, list[str]], caplog: pytest.LogCaptureFixture) -> None:
    truce, orgs = scene
    with store.session() as s:
        set_tuning(s, truce=truce, values=CAUTIOUS,
                   actor="test")
    caplog.set_level(logging.INFO, logger="trucewatch.correlation")
    matcher = Matcher(store, window=3.0)
    ids: list[int] = []
    for k in range(6):  # filed within the window: one batch
        with store.session() as s:
            ids.append(file_report(s, data=strike(truce, k), organisation=orgs[k % 4],
                                   actor="test").id)
            match_after_commit(s, matcher, [ids[-1]])
    assert matcher.wait_idle(60)
    matcher.stop()
    assert waiting(store) == {}
    batches = [r.reports for r in caplog.records
               if hasattr(r, "reports")]
    assert batches == [ids]
    assert kinds(store)[1:] == ["correlation.pairs_queued"]


def test_migration_0013_adds_the_waiting_reports_to_an_older_database(db_url: str) -> None:
    before = "0012"
    with empty_database(db_url) as url:  # db_url's own is migrated already
        engine = make_engine(url)
        upgrade(engine, before)
        assert "correlation_pending" not in sa.inspect(engine).get_table_names()
        engine.dispose()
        store = open_store(url)
        try:
            assert "correlation_pending" in sa.inspect(store.engine).get_table_names()
            command.downgrade(alembic_config(store.engine), before)
            assert current_revision(store.engine) == before
            assert "correlation_pending" not in sa.inspect(store.engine).get_table_names()
        finally:
            store.dispose()
