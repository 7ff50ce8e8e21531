"""Group commit of report submissions (``api.filing``, ``reports.grouping``), on both stores.

The desk itself, with submissions that wait together (one filing, one log entry per caller,
the failures answered as if filed alone), and the real server with two worker processes
under many concurrent clients: every answer right, every report stored once, the log whole.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.api.conftest import token_for
from tests.api.test_reports_api import report
from tests.reliability.load import free_port
from trucewatch.api.deps import Unauthenticated
from trucewatch.api.filing import FilingDesk, token_holder
from trucewatch.errors import IdempotencyConflict, InvalidInput, TrucewatchError, UnknownReference
from trucewatch.log import service as log
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogEntry, LogHead
from trucewatch.reports.grouping import Filed, Submission, file_together
from trucewatch.reports.models import Report
from trucewatch.reports.service import Limits
from trucewatch.storage import Store, open_store

FILINGS = ("report.filed", "reports.filed")


def filing_entries(store: Store, after: int) -> list[tuple[str, dict[str, Any]]]:
    """The filing entries after ``after``: each one's kind and payload."""
    with store.session() as s:
        rows = s.execute(select(LogEntry.kind, LogEntry.body).where(
            LogEntry.seq > after, LogEntry.kind.in_(FILINGS)).order_by(LogEntry.seq)).all()
    return [(kind, json.loads(body)["payload"]) for kind, body in rows]


def filed_ids(payload: dict[str, Any]) -> list[int]:
    return [r["id"] for r in payload["reports"]] if "reports" in payload else [payload["id"]]


def log_size(store: Store) -> int:
    with store.session() as s:
        head = s.get(LogHead, 1)
        return head.size if head else 0


def test_submissions_waiting_together_are_one_filing_and_failures_fail_alone(
        demo_store: Store) -> None:
    gov, opp = token_for(demo_store, "gov-reporter"), token_for(demo_store, "opp-reporter")
    good = [(f"k{i}", gov, report(narrative=f"Account {i}.", idempotency_key=f"k{i}"))
            for i in range(6)]
    bad = [
        ("bad-actor", gov, report(alleged_actor="nobody-at-all", idempotency_key="bad-actor")),
        ("bad-latitude", gov, report(latitude=95.0, idempotency_key="bad-latitude")),
        ("k1-again", gov, report(narrative="Account 1, told otherwise.", idempotency_key="k1")),
        ("stranger", "not-a-token", report(idempotency_key="stranger")),
    ]
    retried = ("k0-again", gov, report(narrative="Account 0.", idempotency_key="k0"))
    other_caller = ("k0-opp", opp, report(narrative="The other side's account.",
                                          idempotency_key="k0"))
    # the failures in between the good ones: each must be taken out of the group
    submissions = good[:2] + bad[:2] + good[2:4] + [retried] + bad[2:] + good[4:] + [other_caller]
    desk = FilingDesk(demo_store, Limits())
    before = log_size(demo_store)

    async def all_at_once() -> list[Filed | BaseException]:
        return await asyncio.gather(*(desk.file(t, dict(d)) for _, t, d in submissions),
                                    return_exceptions=True)

    outcomes = dict(zip([label for label, _, _ in submissions], asyncio.run(all_at_once()),
                        strict=True))
    assert desk.filings == 1 and desk.filed == len(submissions)  # one trip for them all

    first = {f"k{i}": outcomes[f"k{i}"] for i in range(6)}
    assert all(isinstance(f, Filed) and f.created for f in first.values()), outcomes
    again = outcomes["k0-again"]
    assert isinstance(again, Filed) and not again.created and again.id == first["k0"].id  # type: ignore[union-attr]
    theirs = outcomes["k0-opp"]
    assert isinstance(theirs, Filed) and theirs.created  # keys are per organisation
    assert theirs.view["filed_by"] == "armed-opposition"
    expected: dict[str, tuple[type[TrucewatchError], str]] = {
        "bad-actor": (UnknownReference, "alleged_actor"),
        "bad-latitude": (InvalidInput, "latitude"),
        "k1-again": (IdempotencyConflict, "idempotency_key"),
        "stranger": (Unauthenticated, "authorization"),
    }
    for key, (kind, field) in expected.items():
        error = outcomes[key]
        assert isinstance(error, kind) and error.field == field, (key, error)

    # one log entry per caller's filing: six reports in one for the reporter, one for the other
    entries = filing_entries(demo_store, before)
    assert [(kind, len(filed_ids(p))) for kind, p in entries] == [("reports.filed", 6),
                                                                 ("report.filed", 1)]
    assert filed_ids(entries[0][1]) == [first[f"k{i}"].id for i in range(6)]  # type: ignore[union-attr]
    assert log_size(demo_store) == before + 2
    with demo_store.session() as s:
        assert not log.verify(s)

    # the errors are those a lone filing gives, word for word
    for label, token, data in bad:
        alone = asyncio.run(_file_alone(desk, token, data))
        in_group = outcomes[label]
        assert (type(alone), str(alone)) == (type(in_group), str(in_group))


async def _file_alone(desk: FilingDesk, token: str, data: dict[str, Any]) -> BaseException:
    try:
        await desk.file(token, dict(data))
    except TrucewatchError as exc:
        return exc
    raise AssertionError("filed alone, it should have failed")


# --- the real server, two worker processes, many clients --------------------------------------

THREADS, EACH = 12, 6


@pytest.fixture
def two_workers(demo_db_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    out = tmp_path / "serve.log"
    command = [sys.executable, "-c", "from trucewatch.cli.main import app; app()",
               "--db", demo_db_url, "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "2"]
    with out.open("wb") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT,
                                  env={**os.environ, "TRUCEWATCH_CORRELATE_ON_FILING": "0"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(30)


def test_many_clients_on_two_workers_are_each_answered_right(demo_db_url: str,
                                                              two_workers: str) -> None:
    store = open_store(demo_db_url)
    gov = {"Authorization": f"Bearer {token_for(store, 'gov-reporter')}"}
    opp = {"Authorization": f"Bearer {token_for(store, 'opp-reporter')}"}
    before = log_size(store)
    with store.session() as s:
        reports_before = s.scalar(select(func.count()).select_from(Report)) or 0
    answers: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def client(n: int) -> None:
        sends: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        for j in range(EACH):
            sends.append((f"c{n}-{j}", gov if n % 3 else opp,
                          report(narrative=f"Client {n}, account {j}.")))
        sends.insert(2, (f"bad-{n}", gov, report(alleged_actor="nobody-at-all")))
        sends.insert(4, ("same", gov, report(narrative="Everyone saw the same.")))
        sends.insert(5, ("differs", gov, report(narrative=f"Client {n} saw it differently.")))
        with httpx.Client(base_url=two_workers, timeout=120) as http:
            start.wait()
            for key, headers, body in sends:
                answer = http.post("/api/v1/reports", json=body,
                                   headers=headers | {"Idempotency-Key": key})
                with lock:
                    answers.setdefault(key, []).append((answer.status_code, answer.json()))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    created: dict[int, dict[str, Any]] = {}
    for n in range(THREADS):
        for j in range(EACH):
            [(status, body)] = answers[f"c{n}-{j}"]
            assert status == 201 and body["narrative"] == f"Client {n}, account {j}.", body
            created[body["id"]] = body
        [(status, body)] = answers[f"bad-{n}"]
        assert (status, body["field"]) == (422, "alleged_actor"), body
    same = sorted(answers["same"], key=lambda a: a[0])
    assert [s for s, _ in same] == [200] * (THREADS - 1) + [201]
    assert len({body["id"] for _, body in same}) == 1
    created[same[-1][1]["id"]] = same[-1][1]
    differs = sorted(answers["differs"], key=lambda a: a[0])
    assert [s for s, _ in differs] == [201] + [409] * (THREADS - 1)
    assert all(body["field"] == "idempotency_key" for _, body in differs[1:])
    created[differs[0][1]["id"]] = differs[0][1]

    with httpx.Client(base_url=two_workers, timeout=60) as http:  # each answer as read
        for report_id, body in created.items():
            reader = gov if body["filed_by"] == "syrian-government" else opp
            assert http.get(f"/api/v1/reports/{report_id}", headers=reader).json() == body
    with store.session() as s:
        added = (s.scalar(select(func.count()).select_from(Report)) or 0) - reports_before
        keys = {report_id: key for report_id, key in s.execute(
            select(Report.id, Report.idempotency_key).where(Report.id.in_(created)))}
    assert added == len(created) and set(keys) == set(created)

    # every report in exactly one filing entry; some filings held several reports
    entries = filing_entries(store, before)
    logged = [i for _, payload in entries for i in filed_ids(payload)]
    assert sorted(logged) == sorted(created)
    assert any(kind == "reports.filed" for kind, _ in entries), entries
    assert len(entries) < len(created)
    for _, payload in entries:  # a filing holds one organisation's reports
        orgs = {created[i]["filed_by"] for i in filed_ids(payload)}
        assert orgs == {payload["filed_by"]["organisation"]}
    with store.session() as s:
        assert not log.verify(s)
        audit = audit_database(s)
    assert audit.ok, audit.problems[:5]
    store.dispose()


def test_the_after_filing_hook_commits_with_the_reports_or_not_at_all(demo_store: Store) -> None:
    gov = token_for(demo_store, "gov-reporter")
    submissions = [Submission(gov, report(narrative=f"Hooked {i}.")) for i in range(3)]
    seen: list[list[int]] = []

    def hook(session: Session, report_ids: Sequence[int]) -> None:
        stored = session.scalars(select(Report.id).where(Report.id.in_(report_ids))).all()
        seen.append(sorted(stored))  # the reports are there, in the same transaction

    filed = file_together(demo_store, submissions, who_is=token_holder, on_filed=hook)
    assert seen == [sorted(f.id for f in filed if isinstance(f, Filed))] and len(seen[0]) == 3

    def failing(session: Session, report_ids: Sequence[int]) -> None:
        raise RuntimeError("the mark failed")

    with demo_store.session() as s:
        before = s.scalar(select(func.count()).select_from(Report))
    outcomes = file_together(demo_store, [Submission(gov, report(narrative="Unmarked."))],
                             who_is=token_holder, on_filed=failing)
    assert [type(o) for o in outcomes] == [RuntimeError]
    with demo_store.session() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == before
