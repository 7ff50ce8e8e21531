"""The filing desk of one server process: report submissions that arrive together are filed
together (group commit, ``reports.grouping``).

A submission waits at the desk while a filing is under way; when it ends, the next one
takes every submission that waited, in one worker-thread trip: one transaction, one log
entry and one commit per caller instead of per request. A request is answered once its
transaction has committed, with its own report, or with its own error.

The caller's bearer token is looked up inside that transaction: a separate look-up would
take SQLite's write turn once more per request (every transaction takes it), and wait for
the filing in progress. Correlation on filing marks the reports in it too, and wakes the
matcher once it has committed. Several server processes each have their own desk; the
database is all they share, and the log's lock orders their filings as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from trucewatch.api.deps import BEARER, Unauthenticated
from trucewatch.auth.principal import PUBLIC, Principal
from trucewatch.auth.tokens import resolve_token
from trucewatch.correlation.matcher import Waking, match_after_commit
from trucewatch.errors import PermissionDenied
from trucewatch.reports.grouping import Filed, OnFiled, Outcome, Submission, file_together
from trucewatch.reports.service import Limits
from trucewatch.storage import Store

# How long a filing may wait for the submissions it expects (see ``_gather``): at most this
# share of the last filing's time, and never more than ``_MAX_WAIT`` seconds. Measured with
# 4 clients (bench/api.py): no wait, 1.9 submissions a filing; half the last filing's time
# up to 5 ms, 2.7; all of it up to 20 ms, 3.7 (of 4), and the least CPU per submission.
_WAIT_SHARE = 1.0
_MAX_WAIT = 0.020


class FilingDesk:
    """Submissions waiting for the next filing, and the task that files them."""

    def __init__(self, store: Store, limits: Limits, on_filed: OnFiled | None = None) -> None:
        self.store, self.limits, self.on_filed = store, limits, on_filed
        self._waiting: list[tuple[Submission, asyncio.Future[Filed]]] = []
        self._arrival: asyncio.Future[None] | None = None  # what ``_gather`` waits on
        self._filer: asyncio.Task[None] | None = None
        self._expected = 1  # submissions in the desk's hands when the last filing ended
        self._last_took = 0.0  # seconds the last filing took
        self.filings = 0  # worker-thread trips that filed something (for the tests)
        self.filed = 0

    async def file(self, token: str, data: dict[str, Any]) -> Filed:
        """File ``data`` for the holder of ``token`` with whatever else is waiting."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Filed] = loop.create_future()
        self._waiting.append((Submission(caller=token, data=data), answer))
        if self._arrival is not None and self._arrival.get_loop() is loop \
                and not self._arrival.done():
            self._arrival.set_result(None)
        if self._filer is None or self._filer.done() or self._filer.get_loop() is not loop:
            self._filer = loop.create_task(self._file_waiting())
        return await answer

    async def _file_waiting(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            await self._gather()
            taken, self._waiting = self._waiting, []
            started = loop.time()
            try:
                outcomes = await run_in_threadpool(
                    file_together, self.store, [s for s, _ in taken], who_is=token_holder,
                    limits=self.limits, on_filed=self.on_filed)
            except Exception as exc:  # noqa: BLE001  a bug of the desk: every request hears it
                outcomes = [exc] * len(taken)
            self._last_took = loop.time() - started
            self._expected = len(taken) + len(self._waiting)
            self.filings += 1
            self.filed += len(taken)
            for (_, answer), outcome in zip(taken, outcomes, strict=True):
                _answer(answer, outcome)

    async def _gather(self) -> None:
        """Wait briefly for the submissions the desk expects: as many as it held when the
        last filing ended (its callers, answered, tend to come back with the next one).
        Filing at the first arrival instead splits a steady stream into a pair of half-full
        filings that alternate, each paying a filing's fixed cost."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(_MAX_WAIT, _WAIT_SHARE * self._last_took)
        while len(self._waiting) < self._expected and loop.time() < deadline:
            self._arrival = loop.create_future()
            try:
                await asyncio.wait_for(self._arrival, deadline - loop.time())
            except TimeoutError:
                return
            finally:
                self._arrival = None


def _answer(answer: asyncio.Future[Filed], outcome: Outcome) -> None:
    if answer.done() or answer.get_loop().is_closed():  # the client went away (its report
        return  # is filed all the same), or its event loop did (a test client's)
    if isinstance(outcome, Exception):
        answer.set_exception(outcome)
    else:
        answer.set_result(outcome)


def token_holder(session: Session, caller: Hashable) -> Principal:
    """The principal of a bearer token (the desk's callers), or 401."""
    try:
        return resolve_token(session, str(caller))
    except PermissionDenied as exc:
        raise Unauthenticated(exc.message, field="authorization") from None


async def desk(request: Request) -> FilingDesk:
    """This process's desk for the app (made on first use). ``async``: a plain function as a
    dependency would cost every filing a trip to the thread pool."""
    state = request.app.state
    found: FilingDesk | None = getattr(state, "filing_desk", None)
    if found is None:
        settings = state.settings
        limits = Limits(max_attachment_bytes=settings.max_attachment_bytes,
                        max_narrative_chars=settings.max_narrative_chars)
        found = FilingDesk(state.store, limits, on_filed=_matching(state.matcher)
                           if settings.correlate_on_filing else None)
        state.filing_desk = found
    return found


def _matching(matcher: Waking) -> OnFiled:
    """Correlation on filing: the reports are marked as waiting in the filing's own
    transaction (a crash after the commit cannot lose their match), and the matcher is
    woken once it has committed (correlation/matcher.py, correlation/worker.py)."""
    def mark(session: Session, report_ids: Sequence[int]) -> None:
        match_after_commit(session, matcher, report_ids)
    return mark


async def bearer_token(request: Request) -> str:
    """The bearer token of a filing request, its syntax checked here and the token itself
    when it is filed; without one the caller is the public, who may not file."""
    header = request.headers.get("authorization")
    if header is None:
        request.state.principal = PUBLIC
        raise PermissionDenied("sign in as a reporter to file a report", field="authorization")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        raise Unauthenticated("use Authorization: Bearer <token>", field="authorization")
    return token.strip()
