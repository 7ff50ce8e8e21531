"""Matching after filing, durable and batched: the reports waiting, and the thread that matches them.

A report filed with ``correlate_on_filing`` on waits in ``correlation_pending`` until a
transaction matches it and removes its row, so a match lost to a crash or a restart is
not lost: the next drain (at the start of any server process, after any filing, and every
:data:`POLL_SECONDS`) picks it up. The faces write the row with :func:`mark` in the
filing's own transaction (the API's filing desk and the web form through
:func:`match_after_commit`, which also wakes the matcher once the filing has committed);
the command line, which has no matcher, marks its reports after its commit and drains
them itself (``filing.match_filed``).

The matcher is a process per server process (``worker.py``: scoring outside the write
transaction, at a lower CPU priority) or, with ``TRUCEWATCH_MATCHER=thread``, a thread of
the server process (:class:`Matcher`, this module). Woken by filings, the thread waits
:data:`WINDOW_SECONDS` for the filings committing about then, and :func:`drain` s the
waiting reports, up to :data:`BATCH` per transaction (``service.match_reports``: one pass
over their candidates, the queued pairs in one log entry), while the requests that filed
them have long been answered. Several processes on one store drain the same rows safely:
matching appends to the log, so each drain first takes the log's lock, and claims its rows
with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (on SQLite the write lock of ``BEGIN
IMMEDIATE`` serialises them); a claimed row is gone when the next one reads.

A failure never touches the filing. A batch that fails is matched again report by report,
so one bad report does not hold up the others; each report that fails alone has its
``attempts`` counted and its error kept, and after :data:`MAX_ATTEMPTS` the matcher leaves
it to ``trucewatch correlate run --report ID`` (which removes the row when it succeeds).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import Executable, event, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.correlation.models import PendingMatch
from trucewatch.correlation.service import Outcome, match_reports
from trucewatch.log import service as log
from trucewatch.reports.models import Report
from trucewatch.storage import Store
from trucewatch.storage.base import UTCDateTime, utcnow

logger = logging.getLogger("trucewatch.correlation")

BATCH = 200  # reports matched in one transaction at most
MAX_ATTEMPTS = 3  # failed matches of one report before the matcher leaves it to an operator
POLL_SECONDS = 60.0  # a process drains this often with no filing of its own to wake it
WINDOW_SECONDS = 0.1  # after a wake, the filings of this long join the batch (a batch costs
# less a report the larger it is: its fixed reads are shared)
RETRY_SECONDS = 5.0  # after the store could not be read


def mark(session: Session, report_ids: Sequence[int]) -> int:
    """Make those of ``report_ids`` that are stored wait for matching, in the caller's
    transaction (a report waiting already keeps its row); how many were marked."""
    ids = sorted(set(report_ids))
    if not ids:
        return 0
    stored = select(Report.id, literal(utcnow(), UTCDateTime()), literal(0)).where(
        Report.id.in_(ids))
    columns = ["report_id", "marked_at", "attempts"]
    statement: Executable
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(PendingMatch).on_conflict_do_nothing(
            index_elements=["report_id"]).from_select(columns, stored)
    else:
        statement = sqlite.insert(PendingMatch).on_conflict_do_nothing(
            index_elements=["report_id"]).from_select(columns, stored)
    done = session.execute(statement)
    return max(int(getattr(done, "rowcount", 0) or 0), 0)


class Waking(Protocol):
    """A matcher as the filings see it (the thread here, the process of ``worker.py``)."""

    def wake(self) -> None: ...


def match_after_commit(session: Session, matcher: Waking, report_ids: Sequence[int]) -> None:
    """The after-filing hook of a face whose filing commits ``session``: mark the reports in
    it, and wake ``matcher`` once it has committed (a rollback takes the marks with it)."""
    if not report_ids:
        return
    mark(session, report_ids)
    event.listen(session, "after_commit", lambda _session: matcher.wake(), once=True)


@dataclass(frozen=True)
class Backlog:
    """How far matching after filing is behind: the reports waiting for it (fewer than
    :data:`MAX_ATTEMPTS` failed tries), those it gave up on, and when the oldest waiting
    one was marked. In a burst of filings the matcher process lets the filings go first
    (``worker.py``), so a backlog of up to ``worker.LAG_SECONDS`` is expected then."""

    waiting: int
    given_up: int
    oldest: datetime | None

    def as_dict(self, now: datetime | None = None) -> dict[str, object]:
        behind = None if self.oldest is None else round(
            max(((now or utcnow()) - self.oldest).total_seconds(), 0.0), 3)
        return {"waiting": self.waiting, "given_up": self.given_up,
                "oldest_marked_at": None if self.oldest is None
                else self.oldest.isoformat().replace("+00:00", "Z"),
                "behind_seconds": behind}


def backlog(session: Session, *, principal: Principal | None = None) -> Backlog:
    """The :class:`Backlog` now (``trucewatch correlate waiting``,
    ``GET /api/v1/correlation/waiting``); given a ``principal``, it needs
    ``correlation.run``."""
    if principal is not None:
        require(principal, Action.CORRELATION_RUN)
    trying = PendingMatch.attempts < MAX_ATTEMPTS
    row = session.execute(select(
        func.count().filter(trying), func.count().filter(~trying),
        # typed, so that SQLite's text comes back as the column's aware UTC time
        func.min(PendingMatch.marked_at, type_=UTCDateTime()).filter(trying))).one()
    return Backlog(int(row[0]), int(row[1]), row[2])


def waiting(session: Session) -> list[PendingMatch]:
    """Every report still waiting (those given up on too), oldest first."""
    return list(session.scalars(select(PendingMatch).order_by(PendingMatch.report_id)))


def _claim(session: Session, limit: int, only: Sequence[int] | None,
           tried: set[int]) -> list[int]:
    query = (select(PendingMatch.report_id).where(PendingMatch.attempts < MAX_ATTEMPTS)
             .order_by(PendingMatch.report_id).limit(limit))
    if only is not None:
        query = query.where(PendingMatch.report_id.in_(sorted(set(only))))
    if tried:
        query = query.where(PendingMatch.report_id.not_in(sorted(tried)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


@dataclass
class Drained:
    """What a drain did: each report matched with its outcome, and those that failed."""

    matched: dict[int, Outcome] = field(default_factory=dict)
    failed: list[int] = field(default_factory=list)
    batches: int = 0

    def absorb(self, other: Drained) -> None:
        """Count what another drain (of some of this one's reports) did as this one's."""
        self.matched.update(other.matched)
        self.failed += other.failed
        self.batches += other.batches

    def batch_matched(self, ids: list[int], outcome: Outcome) -> None:
        """A batch of ``ids`` matched together, with ``outcome``: counted and logged."""
        self.batches += 1
        for report_id in ids:
            self.matched[report_id] = outcome
        logger.info("%d reports matched after filing: %d pairs scored, linked %s, queued %s",
                    len(ids), outcome.scored, outcome.linked, outcome.queued,
                    extra={"outcome": outcome.as_dict(), "reports": ids})


def drain(store: Store, *, report_ids: Sequence[int] | None = None,
          batch: int = BATCH) -> Drained:
    """Match the waiting reports (only ``report_ids`` if given), ``batch`` per transaction,
    until none waits; a report that fails is tried once per drain. Raises only when the
    store cannot be read at all."""
    done = Drained()
    tried: set[int] = set()  # failed in this drain: left for the next one
    while True:
        ids: list[int] = []
        try:
            with store.session() as session:
                log.lock(session)
                ids = _claim(session, batch, report_ids, tried)
                if not ids:
                    return done
                outcome = match_reports(session, report_ids=ids)
        except Exception:
            if not ids:
                raise
            if len(ids) == 1:
                _failed(store, ids[0])
                tried.add(ids[0])
                done.failed.append(ids[0])
                continue
            logger.warning("matching %d reports together failed; matching them one by one",
                           len(ids), exc_info=True)
            for report_id in ids:
                alone = drain(store, report_ids=[report_id], batch=1)
                done.absorb(alone)
                tried.update(alone.failed)
            continue
        done.batch_matched(ids, outcome)
        if len(ids) < batch:  # all there was; a report marked since wakes the matcher again
            return done


def _failed(store: Store, report_id: int) -> None:
    logger.exception("matching report %s after its filing failed; it is stored and waits. "
                     "Retry with: trucewatch correlate run --report %s", report_id, report_id)
    with store.session() as session:
        error = _current_error()
        session.execute(update(PendingMatch).where(PendingMatch.report_id == report_id).values(
            attempts=PendingMatch.attempts + 1, last_error=error))


def _current_error() -> str:
    kind, value, _ = sys.exc_info()
    return f"{kind.__name__ if kind else 'error'}: {value}"[:2000]


class Matcher:
    """One server process's thread that drains the waiting reports whenever it is woken."""

    def __init__(self, store: Store, *, batch: int = BATCH, window: float = WINDOW_SECONDS,
                 poll: float = POLL_SECONDS) -> None:
        self.store, self.batch, self.window, self.poll = store, batch, window, poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._busy = False
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def start(self) -> None:
        """Start the thread (once); it drains what waits at once."""
        with self._starting:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._wake.set()
            self._thread = threading.Thread(target=self._run, name="trucewatch-matcher",
                                            daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Reports were marked and their filing has committed: drain soon."""
        if self._stop.is_set():
            return
        if self._thread is None or not self._thread.is_alive():
            self.start()
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the batch in hand; what still waits is drained by the next start."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Until nothing woke the thread that it has not drained (for tests and shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._wake.is_set() and not self._busy,
                                       timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll)
            if self._stop.is_set():
                break
            self._stop.wait(self.window)  # let filings committing now join this batch
            with self._idle:
                self._busy = True
                self._wake.clear()
            try:
                drain(self.store, batch=self.batch)
            except Exception:
                logger.exception("the matcher could not read the reports waiting to be "
                                 "matched; trying again in %s s", RETRY_SECONDS)
                self._stop.wait(RETRY_SECONDS)
            finally:
                with self._idle:
                    self._busy = False
                    self._idle.notify_all()
        with self._idle:
            self._busy = False
            self._idle.notify_all()
