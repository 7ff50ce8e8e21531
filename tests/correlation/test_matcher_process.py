"""The matcher as a process of its own (``correlation/worker.py``), on both stores: it scores
outside the write transaction and writes what one batch under the lock would; killed at any
point it loses nothing (the reports stay waiting); the server starts it and stops it, and it
ends with a server that dies; several of them never match a report twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests import factories
from tests.correlation.test_matcher import (
    CAUTIOUS,
    assert_log_sound,
    decided,
    file_marked,
    kinds,
    waiting,
)
from trucewatch.app import create_app
from trucewatch.config import load_settings
from trucewatch.correlation.index import catch_up
from trucewatch.correlation.matcher import Matcher, mark
from trucewatch.correlation.service import plan_match, still_holds
from trucewatch.correlation.tunings import set_tuning
from trucewatch.correlation.worker import (
    LAG_SECONDS,
    NICE,
    MatcherProcess,
    _Input,
    _Scorer,
    drain_outside,
    matcher_for,
    reading,
)
from trucewatch.log import service as log
from trucewatch.storage import Store, open_store


@pytest.fixture
def scene(store: Store) -> tuple[str, list[str]]:
    """A truce, four organisations and the index started (as tests/correlation/test_matcher)."""
    with store.session() as s:
        truce = factories.truce(s)
        orgs = [factories.organisation(s) for _ in range(4)]
        catch_up(s)
    return truce, orgs


def nine_queued(store: Store, scene: tuple[str, list[str]]) -> list[int]:
    """Nine reports filed and waiting, not indexed yet (the drain indexes them), under a
    tuning that queues every pair it keeps."""
    truce, orgs = scene
    with store.session() as s:
        set_tuning(s, truce=truce, values=CAUTIOUS, actor="test")
    return file_marked(store, truce, orgs, range(9))


def test_a_batch_scored_outside_the_lock_is_written_as_one_batch(
        store: Store, scene: tuple[str, list[str]]) -> None:
    ids = nine_queued(store, scene)
    done = drain_outside(store)
    assert (sorted(done.matched), done.failed, done.batches) == (ids, [], 1)
    assert waiting(store) == {}
    pairs = decided(store)
    assert pairs and {status for *_, status in pairs} == {"pending"}
    assert kinds(store)[1:] == ["correlation.pairs_queued"]
    assert_log_sound(store)


def test_a_batch_written_in_parts_decides_what_one_transaction_would(
        store: Store, scene: tuple[str, list[str]]) -> None:
    ids = nine_queued(store, scene)
    done = drain_outside(store, part_size=4)  # three transactions: 4, 4 and 1 reports
    assert (sorted(done.matched), done.failed, done.batches) == (ids, [], 1)
    assert waiting(store) == {}
    in_parts = decided(store)
    queued = kinds(store)[1:]
    assert in_parts and 1 < len(queued) <= 3 and set(queued) <= {
        "correlation.pairs_queued", "correlation.pair_queued"}
    assert_log_sound(store)
    # The same reports matched again in one transaction decide the same pairs.
    with store.session() as s:
        s.execute(text("DELETE FROM correlation_candidates"))
        mark(s, ids)
    drain_outside(store)
    assert decided(store) == in_parts


def test_the_scorer_thread_takes_only_idle_cpu() -> None:
    scorer = _Scorer(NICE)
    try:
        policy = scorer(lambda: os.sched_getscheduler(0))
    finally:
        scorer.pool.shutdown()
    assert policy == os.SCHED_IDLE
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the writing thread keeps its own


def test_each_write_waits_for_the_filings_with_the_batchs_deadline(
        store: Store, scene: tuple[str, list[str]]) -> None:
    ids = nine_queued(store, scene)
    time.sleep(0.5)  # the oldest waits: the deadline is that much nearer
    asked: list[tuple[float, int]] = []

    def yielding(deadline: float) -> None:
        asked.append((deadline - time.monotonic(), len(waiting(store))))

    done = drain_outside(store, part_size=4, yielding=yielding)
    assert sorted(done.matched) == ids and waiting(store) == {}
    # Once before the index is written, once before each of the three parts, each while
    # the part's reports still wait; all by the same deadline, the lag after the oldest
    # report was marked (less the time the test took to get there).
    assert [left for _, left in asked] == [9, 9, 5, 1]
    assert all(LAG_SECONDS - 30 < until < LAG_SECONDS - 0.5 for until, _ in asked)
    assert_log_sound(store)


def _pipe() -> tuple[_Input, int]:
    read, write = os.pipe()
    return _Input(read), write


def test_a_write_goes_ahead_once_the_filings_pause() -> None:
    given, wake = _pipe()
    try:
        os.write(wake, b"ww")  # two filings committed just now
        started = time.monotonic()
        given.quiet(started + 60, pause=0.2)
        took = time.monotonic() - started
        assert 0.2 <= took < 30  # one quiet pause after the wakes, not the deadline
        assert not given.ended
        # No filing since: the next write does not wait again.
        time.sleep(0.2)
        started = time.monotonic()
        given.quiet(started + 60, pause=5)
        assert time.monotonic() - started < 5
    finally:
        os.close(wake)
        os.close(given.fd)


def test_a_write_waits_for_the_filings_no_longer_than_the_deadline() -> None:
    given, wake = _pipe()
    filing = threading.Event()

    def busy() -> None:  # a filing commits every 50 ms: never a pause of 0.2 s
        while not filing.wait(0.05):
            os.write(wake, b"w")

    os.write(wake, b"w")
    thread = threading.Thread(target=busy)
    thread.start()
    try:
        started = time.monotonic()
        given.quiet(started + 1.0, pause=0.2)
        took = time.monotonic() - started
    finally:
        filing.set()
        thread.join()
        os.close(wake)
        os.close(given.fd)
    assert 1.0 <= took < 30


def test_a_stopping_server_does_not_wait_for_a_pause() -> None:
    given, wake = _pipe()
    os.close(wake)  # the server closed the input: stop after the batch in hand
    try:
        started = time.monotonic()
        given.quiet(started + 60, pause=5)
        assert given.ended and time.monotonic() - started < 5
    finally:
        os.close(given.fd)


def test_a_plan_made_under_another_tuning_does_not_hold(
        store: Store, scene: tuple[str, list[str]]) -> None:
    truce, orgs = scene
    ids = file_marked(store, truce, orgs, range(0, 9, 3))  # one town: paired
    with store.session() as s:
        log.lock(s)
        catch_up(s)
    with reading(store) as s:
        planned = plan_match(s, report_ids=ids)
    assert planned.scored is not None
    with store.session() as s:
        assert still_holds(s, planned)
        set_tuning(s, truce=truce, values=CAUTIOUS, actor="test")
    with store.session() as s:
        assert not still_holds(s, planned)
    # The drain scores such a batch again under the lock: the cautious tuning queues.
    drain_outside(store)
    assert waiting(store) == {} and {status for *_, status in decided(store)} == {"pending"}


_WORKER = [sys.executable, "-m", "trucewatch.correlation.worker", "--window", "0", "--nice", "0",
           "--verbose"]


@pytest.mark.parametrize("indexed", [True, False], ids=["while-writing", "while-indexing"])
def test_a_matcher_process_killed_mid_batch_loses_nothing(
        db_url: str, scene: tuple[str, list[str]], indexed: bool) -> None:
    truce, orgs = scene
    store = open_store(db_url)
    ids = file_marked(store, truce, orgs, range(6))
    if indexed:
        with store.session() as s:
            catch_up(s)
    holder = store.session_factory()
    log.lock(holder)  # SQLite's write lock, or PostgreSQL's log lock: the worker waits for it
    worker = subprocess.Popen([*_WORKER, db_url], stdin=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    step = "scored" if indexed else "indexing"
    try:
        assert worker.stderr is not None
        for line in worker.stderr:  # its read done, it waits for the lock to write
            if step in line:
                break
        time.sleep(0.3)
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGKILL)  # a crash: its transaction never commits
        worker.wait(30)
        holder.rollback()
        holder.close()
    assert sorted(waiting(store)) == ids and decided(store) == set()
    # A new matcher process matches what the killed one left.
    again = MatcherProcess(store, window=0)
    again.start()
    try:
        assert again.wait_idle(60)
    finally:
        again.stop()
    assert waiting(store) == {} and decided(store)
    assert_log_sound(store)
    store.dispose()


def test_the_server_starts_and_stops_its_matcher_process(demo_store: Store) -> None:
    from tests.api.conftest import bearer, token_for
    from tests.api.test_reports_api import report

    headers = bearer(token_for(demo_store, "gov-reporter"))
    app = create_app(demo_store, load_settings({}))
    matcher = app.state.matcher
    assert isinstance(matcher, MatcherProcess)
    with TestClient(app) as client:
        process = matcher.process
        assert process is not None and process.poll() is None
        filed = client.post("/api/v1/reports", json=report(), headers=headers)
        assert filed.status_code == 201, filed.text
        assert matcher.wait_idle(60)
        assert waiting(demo_store) == {}
    assert process.wait(5) == 0  # stopped through its input at the shutdown, not killed


_SERVER = textwrap.dedent("""
    import sys, time
    from trucewatch.correlation.worker import MatcherProcess
    from trucewatch.storage import open_store
    matcher = MatcherProcess(open_store(sys.argv[1], migrate=False))
    matcher.start()
    print(matcher.process.pid, flush=True)
    time.sleep(600)
""")


def test_a_matcher_process_ends_with_a_server_that_dies(db_url: str) -> None:
    server = subprocess.Popen([sys.executable, "-c", _SERVER, db_url], stdout=subprocess.PIPE,
                              text=True)
    assert server.stdout is not None
    pid = int(server.stdout.readline())
    server.send_signal(signal.SIGKILL)
    server.wait(30)
    for _ in range(200):  # its input ends with the server: it stops
        if subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode != 0:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the matcher process {pid} outlived its server")


def test_the_setting_chooses_the_matcher(store: Store) -> None:
    assert isinstance(matcher_for(store, load_settings({}).matcher), MatcherProcess)
    thread = load_settings({"TRUCEWATCH_MATCHER": "thread"}).matcher
    assert isinstance(matcher_for(store, thread), Matcher)
    in_memory = open_store("sqlite://")
    assert isinstance(matcher_for(in_memory, "process"), Matcher)  # out of another's reach
    with pytest.raises(ValueError, match="TRUCEWATCH_MATCHER"):
        load_settings({"TRUCEWATCH_MATCHER": "fork"})
    # How far behind the filings it may fall: the process is told.
    assert load_settings({}).matcher_lag_seconds == LAG_SECONDS == 30
    lagging = load_settings({"TRUCEWATCH_MATCHER_LAG_SECONDS": "120"})
    process = matcher_for(store, "process", lag=lagging.matcher_lag_seconds)
    assert isinstance(process, MatcherProcess)
    assert process.command()[-2:] == ["--lag", "120.0"]
    for bad in ("-1", "soon", "nan", "inf"):
        with pytest.raises(ValueError, match="TRUCEWATCH_MATCHER_LAG_SECONDS"):
            load_settings({"TRUCEWATCH_MATCHER_LAG_SECONDS": bad})
    app: FastAPI = create_app(in_memory, load_settings({}))
    assert isinstance(app.state.matcher, Matcher)
