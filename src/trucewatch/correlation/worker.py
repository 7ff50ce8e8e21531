"""The matcher as a process of its own: ``trucewatch serve`` starts one per server process.

Matching a batch is mostly numpy and Python work (a few ms of CPU a report against
100,000 stored reports); in a thread of the server it competes under the GIL with every
filing. In a process of its own, its reads and scoring in a thread of lower CPU priority
(:data:`NICE`, :class:`_Scorer`), the filings keep their CPU, and the matcher takes what
is left; its short write transactions run at the server's priority, so that the scheduler
never sets it aside while it holds a lock the filings wait for.

It drains ``correlation_pending`` as the thread does (``matcher.py``), but scores
**outside** the write transaction (:func:`drain_outside`): a low-priority process that the
scheduler sets aside must not hold SQLite's write lock or PostgreSQL's log lock while it
computes. Each batch is

1. read: the reports waiting (no lock);
2. indexed, if they are not yet: the index rows computed from a read, written in a short
   transaction unless another matcher indexed meanwhile (then the batch is read again);
3. scored from a read-only view of the store (``service.plan_match``);
4. written in parts (:data:`PART`, :data:`PART_LINKS`), each in a short transaction under
   the log's lock: the rows still waiting are claimed (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL); if another matcher took some, or a truce's tuning changed since step 3,
   they are scored again under the lock, as the thread does; otherwise the plan is
   written (``service.act_on``), pairs decided meanwhile left alone.

Filings first: each write transaction (steps 2 and 4) waits until no filing has woken the
process for :data:`QUIET_SECONDS`, but no longer than until the batch's oldest report has
waited :data:`LAG_SECONDS` (setting ``matcher_lag_seconds``) since its filing. In a burst
matching falls behind, by that much at most, and catches up when the filings pause.

A pair is never missed by scoring early: of two reports, the one indexed later is scored
after the other was indexed, and finds it. A batch that fails goes to the thread's path
(``matcher.drain``), which matches it report by report and counts failures. A process
killed at any point loses nothing: the rows are removed only by the transaction that
writes the match.

The server talks to the process through its standard input: a byte wakes it, the end of
the input (the server stopping, or dying) stops it after the batch in hand.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from select import select as readable_within
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

import trucewatch
from trucewatch.correlation.index import (
    IndexRows,
    advance,
    index_rows,
    indexed_through,
    unindexed,
    write_rows,
)
from trucewatch.correlation.matcher import (
    MAX_ATTEMPTS,
    POLL_SECONDS,
    Drained,
    Matcher,
    _claim,
    drain,
    logger,
)
from trucewatch.correlation.models import PendingMatch
from trucewatch.correlation.service import (
    Outcome,
    Planned,
    act_on,
    match_reports,
    plan_match,
    still_holds,
)
from trucewatch.log import service as log
from trucewatch.storage import Store, open_store
from trucewatch.storage.base import utcnow

T = TypeVar("T")

NICE = 10  # added to the niceness of the matcher's reads and scoring: filings first,
# matching with what is left (19 left matching seconds behind on a busy machine)
WINDOW_SECONDS = 0.5  # after a wake, the filings of this long join the batch: a batch's
# fixed costs (its reads, two short write transactions, a log entry) are shared by more
# reports; bench/api.py at 20,000 incidents, load 4: 0.23 of the bare rate with 0.1 s, 0.44
# with 0.5 s, matching done 0.2 and 1.2 s after the submissions
PART = 100  # reports whose match is written in one transaction at most, and
PART_LINKS = 25  # pairs linked in one at most: a filing that asks for the write lock meanwhile
# waits for one part at most (a batch of 200 in one transaction held it up to 1.2 s when each
# link went through the incidents service). Since the links of a part are written together
# (joining.py), a part's fixed costs dominate: 6,000 reports against 100,000, profiled, took
# 18.8 s in parts of 25 and 4, 12.0 s in parts of 100 and 25, 10.6 s in parts of 200 and 100
BATCH = 1000  # reports scored together at most: their candidates are read in one pass, and
# reports filed about the same time share most of them (6,000 reports against 100,000:
# scoring 14.2 s in batches of 200, 8.2 s in batches of 1,000); the writes go in parts
STOP_SECONDS = 30.0  # the server waits this long for the batch in hand at shutdown
QUIET_SECONDS = 0.2  # the matcher writes once the filings have paused this long (no wake) ...
LAG_SECONDS = 30.0  # ... or once a report of the part has waited this long since its filing:
# filings first in a burst, matching at most this far behind (docs/correlation.md "Filings
# first")

_read_engines: dict[str, Engine] = {}
_read_engines_lock = threading.Lock()


@contextmanager
def reading(store: Store) -> Iterator[Session]:
    """A session that only reads and takes no write lock. On SQLite every transaction of
    the store's engine takes the write lock first (``BEGIN IMMEDIATE``), so reads go
    through an engine of their own, each statement in autocommit (WAL: never waiting for
    a writer, never holding one up)."""
    if store.dialect != "sqlite":
        session = store.session_factory()
        try:
            yield session
        finally:
            session.rollback()
            session.close()
        return
    url = store.engine.url.render_as_string(hide_password=False)
    with _read_engines_lock:
        engine = _read_engines.get(url)
        if engine is None:
            engine = _read_engines[url] = create_engine(
                url, poolclass=NullPool, connect_args={"timeout": 30},
                isolation_level="AUTOCOMMIT")
    with Session(engine) as session:
        yield session


@dataclass(frozen=True)
class _Waiting:
    """The oldest reports waiting (not given up on, not failed in this drain), when the
    first of them was marked, and how far the stored index reaches."""

    ids: list[int]
    since: datetime | None
    through: int

    def deadline(self, lag: float) -> float:
        """When (``time.monotonic``) the batch's match must be written at the latest: ``lag``
        seconds after its oldest report was marked."""
        if self.since is None:
            return time.monotonic()
        return time.monotonic() + lag - (utcnow() - self.since).total_seconds()


def _waiting(session: Session, batch: int, tried: set[int]) -> _Waiting:
    query = (select(PendingMatch.report_id, PendingMatch.marked_at)
             .where(PendingMatch.attempts < MAX_ATTEMPTS)
             .order_by(PendingMatch.report_id).limit(batch))
    if tried:
        query = query.where(PendingMatch.report_id.not_in(sorted(tried)))
    rows = session.execute(query).all()
    return _Waiting([r.report_id for r in rows], min((r.marked_at for r in rows), default=None),
                    indexed_through(session))


Computing = Callable[[Callable[[], T]], T]
"""Runs a step that reads and computes (and holds no lock): at once, or in a thread of
lower priority (:class:`_Scorer`)."""


def _at_once(step: Callable[[], T]) -> T:
    return step()


Yielding = Callable[[float], None]
"""Called before each write transaction with the time (``time.monotonic``) by which it must
be written: returns once the filings have paused, or at that time (:meth:`_Input.quiet`)."""


def _no_wait(deadline: float) -> None:
    return None


def drain_outside(store: Store, *, batch: int = BATCH, part_size: int = PART,
                  part_links: int = PART_LINKS,
                  stopping: Callable[[], bool] = lambda: False,
                  computing: Computing[Any] = _at_once, yielding: Yielding = _no_wait,
                  lag: float = LAG_SECONDS) -> Drained:
    """Match the waiting reports, ``batch`` at a time, each scored outside the write
    transaction (the module's steps) and written in parts of ``part_size`` reports and
    ``part_links`` links at most, a transaction each (``Planned.parts``), until none waits
    or ``stopping()``; the reads and the scoring run through ``computing``, the short
    write transactions here, each after ``yielding`` (given the batch's deadline: ``lag``
    seconds after its oldest report was marked) has returned."""
    done = Drained()
    tried: set[int] = set()
    while not stopping():
        with reading(store) as session:
            found = _waiting(session, batch, tried)
        ids = found.ids
        if not ids:
            return done
        deadline = found.deadline(lag)
        claimed: list[int] = []
        outcome = Outcome()
        try:
            if ids[-1] > found.through:
                yielding(deadline)
                if not _indexed(store, computing):
                    continue  # another matcher indexed meanwhile: read again
            planned = computing(partial(_plan, store, ids))
            logger.debug("scored %d reports outside the write transaction", len(ids))
            for part in planned.parts(part_size, part_links):
                yielding(deadline)
                mine, theirs = _write(store, part, tried)
                claimed += mine
                outcome = _joined(outcome, theirs)
            if not claimed:
                continue
        except Exception:
            logger.warning("matching %d reports outside the lock failed; matching them under "
                           "it, one by one if need be", len(ids), exc_info=True)
            for report_id in claimed:  # the parts written before the failure
                done.matched[report_id] = outcome
            again = drain(store, report_ids=ids, batch=len(ids))
            done.absorb(again)
            tried.update(again.failed)
            continue
        done.batch_matched(claimed, outcome)
    return done


def _write(store: Store, planned: Planned, tried: set[int]) -> tuple[list[int], Outcome]:
    """Write ``planned`` in a short transaction under the log's lock: the reports of it
    still waiting claimed, and the plan written if they all are and it still holds, else
    those claimed matched again under the lock; (the reports claimed, what was done)."""
    with store.session() as session:
        log.lock(session)
        claimed = _claim(session, len(planned.report_ids), planned.report_ids, tried)
        if claimed == planned.report_ids and still_holds(session, planned):
            return claimed, act_on(session, planned)
        if claimed:  # another matcher took some, or a tuning changed: again, locked
            return claimed, match_reports(session, report_ids=claimed)
        return [], Outcome()


def _joined(a: Outcome, b: Outcome) -> Outcome:
    return Outcome(a.scored + b.scored, a.linked + b.linked, a.queued + b.queued,
                   a.incidents | b.incidents)


def _plan(store: Store, ids: list[int]) -> Planned:
    with reading(store) as session:
        return plan_match(session, report_ids=ids)


def _unindexed_rows(store: Store) -> tuple[int, int, int, IndexRows]:
    with reading(store) as session:
        seen, newest, missing = unindexed(session)
    return seen, newest, len(missing), index_rows(missing)


def _indexed(store: Store, computing: Computing[Any]) -> bool:
    """Index the reports not indexed yet: their rows computed from a read, written in a
    short transaction if no other matcher indexed meanwhile (else False: read again)."""
    seen, newest, missing, rows = computing(partial(_unindexed_rows, store))
    logger.debug("indexing %d reports outside the write transaction", missing)
    with store.session() as session:
        log.lock(session)
        if indexed_through(session) != seen:
            return False
        write_rows(session, rows)
        advance(session, newest, indexed=missing)
    return True


# --- the server's side ----------------------------------------------------------------------


def matcher_for(store: Store, how: str, *, lag: float = LAG_SECONDS) -> Matcher | MatcherProcess:
    """The matcher of a server process, as the ``matcher`` setting says (``process`` or
    ``thread``), the process's writes at most ``lag`` seconds behind the filings (setting
    ``matcher_lag_seconds``); a store in memory is out of another process's reach: a
    thread (which writes as it matches)."""
    in_memory = store.dialect == "sqlite" and store.engine.url.database in (None, "", ":memory:")
    if how == "process" and not in_memory:
        return MatcherProcess(store, lag=lag)
    return Matcher(store)


class MatcherProcess:
    """The matcher process of one server process: started with the server, woken by its
    filings, stopped with it. The same interface as the thread (``matcher.Matcher``)."""

    def __init__(self, store: Store, *, batch: int = BATCH, window: float = WINDOW_SECONDS,
                 poll: float = POLL_SECONDS, nice: int = NICE, lag: float = LAG_SECONDS) -> None:
        self.store, self.batch, self.window, self.poll, self.nice, self.lag = (
            store, batch, window, poll, nice, lag)
        self.process: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self._lock = threading.Lock()

    def command(self) -> list[str]:
        url = self.store.engine.url.render_as_string(hide_password=False)
        return [sys.executable, "-m", "trucewatch.correlation.worker", url,
                "--batch", str(self.batch), "--window", str(self.window),
                "--poll", str(self.poll), "--nice", str(self.nice), "--lag", str(self.lag)]

    def start(self) -> None:
        """Start the process (once); it drains what waits at once."""
        with self._lock:
            if self.process is not None and self.process.poll() is None:
                return
            self._stopped = False
            self.process = subprocess.Popen(self.command(), stdin=subprocess.PIPE,
                                            env=_environment())
            assert self.process.stdin is not None
            os.set_blocking(self.process.stdin.fileno(), False)  # a wake never waits

    def wake(self) -> None:
        """Reports were marked and their filing has committed: drain soon."""
        if self._stopped:
            return
        process = self.process
        if process is None or process.poll() is not None:
            self.start()
            process = self.process
        assert process is not None and process.stdin is not None
        with contextlib.suppress(OSError):  # a full pipe: woken already; a broken one: gone
            os.write(process.stdin.fileno(), b"w")

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Stop after the batch in hand (closing its input); killed if it takes longer
        than ``timeout``. What still waits is drained by the next start."""
        with self._lock:
            self._stopped = True
            process = self.process
            if process is None:
                return
            if process.stdin is not None and not process.stdin.closed:
                process.stdin.close()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("the matcher process did not stop in %s s; killed", timeout)
                process.kill()
                process.wait()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Until no report waits that the matcher will still try (for tests and the
        benchmark)."""
        deadline = time.monotonic() + timeout
        while True:
            with reading(self.store) as session:
                left = session.scalar(select(PendingMatch.report_id).where(
                    PendingMatch.attempts < MAX_ATTEMPTS).limit(1))
            if left is None:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def _environment() -> dict[str, str]:
    """The server's environment, with this copy of trucewatch first on the path."""
    here = str(Path(trucewatch.__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=here + (os.pathsep + path if path else ""))


# --- the process ----------------------------------------------------------------------------


class _Input:
    """The standard input (or ``fd``): bytes are wakes, its end is the stop."""

    def __init__(self, fd: int | None = None) -> None:
        self.fd = sys.stdin.fileno() if fd is None else fd
        self.ended = False
        self.woken_at = float("-inf")  # time.monotonic() of the last wake read

    def wait(self, timeout: float) -> bool:
        """Whether a wake came within ``timeout`` (its bytes consumed)."""
        if self.ended:
            return False
        readable, _, _ = readable_within([self.fd], [], [], max(timeout, 0.0))
        if not readable:
            return False
        if not os.read(self.fd, 4096):
            self.ended = True
            return False
        self.woken_at = time.monotonic()
        return True

    def stopping(self) -> bool:
        self.wait(0)
        return self.ended

    def quiet(self, deadline: float, *, pause: float = QUIET_SECONDS) -> None:
        """Return once no wake has come for ``pause`` seconds (the filings have paused), at
        ``deadline`` (``time.monotonic``) at the latest, or at once when the input has ended
        (the server is stopping: the batch in hand is written without waiting)."""
        self.wait(0)  # the wakes come so far
        while not self.ended:
            now = time.monotonic()
            still = self.woken_at + pause - now  # of the pause since the last wake
            if still <= 0 or now >= deadline:
                return
            self.wait(min(still, deadline - now))


def _yield_cpu(nice: int) -> None:
    """Make the calling thread take only the CPU that nothing else wants (``SCHED_IDLE``;
    on Linux the policy is the thread's own), or, where that is not permitted, lower its
    priority by ``nice``."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(nice)


class _Scorer:
    """A thread of the lowest CPU priority for the reads, the indexing and the scoring
    (:func:`_yield_cpu`). The process's own thread keeps its priority for the write
    transactions: a low-priority process that the scheduler sets aside while it holds
    SQLite's write lock or the log's lock holds up every filing (Linux gives each thread
    its own scheduling policy and niceness)."""

    def __init__(self, nice: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trucewatch-scorer",
                                       initializer=_yield_cpu, initargs=(nice,))

    def __call__(self, step: Callable[[], T]) -> T:
        return self.pool.submit(step).result()


def run(store: Store, *, batch: int, window: float, poll: float, nice: int = NICE,
        quiet: float = QUIET_SECONDS, lag: float = LAG_SECONDS) -> None:
    """Drain at once, then whenever woken (or every ``poll`` seconds) until the input ends;
    each write waits for the filings to pause ``quiet`` seconds, at most until its reports
    have waited ``lag`` seconds (:meth:`_Input.quiet`; ``quiet`` 0: no wait)."""
    given = _Input()
    computing = _Scorer(nice) if nice else _at_once
    woken = True
    while not given.ended:
        if not woken:
            woken = given.wait(poll)
            if given.ended:
                break
        time.sleep(window)  # let filings committing now join this batch
        woken = False
        try:
            drain_outside(store, batch=batch, stopping=given.stopping, computing=computing,
                          yielding=partial(given.quiet, pause=quiet) if quiet > 0 else _no_wait,
                          lag=lag)
        except Exception:
            logger.exception("the matcher could not read the reports waiting to be matched; "
                             "trying again in %s s", 5.0)
            given.wait(5.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The matcher process (started by the server).")
    parser.add_argument("url")
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--window", type=float, default=WINDOW_SECONDS)
    parser.add_argument("--poll", type=float, default=POLL_SECONDS)
    parser.add_argument("--nice", type=int, default=NICE)
    parser.add_argument("--quiet", type=float, default=QUIET_SECONDS,
                        help="write once the filings have paused this long (0: at once)")
    parser.add_argument("--lag", type=float, default=LAG_SECONDS,
                        help="... or once a report has waited this long")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s matcher %(levelname)s %(message)s")
    store = open_store(args.url, migrate=False)
    try:
        run(store, batch=args.batch, window=args.window, poll=args.poll, nice=args.nice,
            quiet=args.quiet, lag=args.lag)
    finally:
        store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
