"""Several server processes append to one database at once, and the log still checks out.

Three worker processes (``python -c`` running :func:`work`) open the same database URL,
wait at a common start line, then file reports (single and in small batches, some keys
submitted by every worker) and create incidents and link reports to them. Afterwards the
test reads the database: sequence numbers 1..N, every (organisation, key) stored once,
one creator per key, the head equal to the last entry, and the whole-log audit clean.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from tests import factories

from trucewatch.actors.models import Actor
from trucewatch.errors import Conflict
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.incidents.service import create_incident, link_report
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogEntry, LogHead
from trucewatch.reports.models import Report
from trucewatch.reports.service import file_report, file_reports
from trucewatch.storage import open_store

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
REPORTS_PER_WORKER = 100
DEADLINE_S = 120  # a deadlock fails the test instead of hanging it


def _submission(key: str) -> dict[str, Any]:
    """The submission for a key: the same in every process, so a repeat is a retry."""
    n = int(key.rsplit("-", 1)[1])
    data = factories.report(idempotency_key=key, narrative=f"Report {key}: shells fell.",
                            occurred=f"2017-01-{1 + n % 28:02d}")
    if n % 5 == 0:
        data["confidential_source"] = {"identity": f"source {n}", "contact": "+963 1"}
    return data


def work(url: str, worker: int, organisations: list[str]) -> None:
    """One server process: file reports and triage incidents, then print what it saw as JSON."""
    rng = random.Random(worker)
    store = open_store(url, migrate=False)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    filed: list[tuple[str, str, int, bool]] = []  # (organisation, key, report id, created)
    own: list[int] = []  # reports this process created, not yet in an incident
    shared: list[int] = []  # reports under shared keys: other processes may link them first
    incidents: list[int] = []
    links = conflicts = 0
    started = time.perf_counter()
    submitted = 0
    while submitted < REPORTS_PER_WORKER:
        organisation = rng.choice(organisations)
        # Shared keys follow progress, so the processes reach each one at about the same time.
        keys = [f"shared-{(submitted + i) // 4}" if rng.random() < 0.4
                else f"w{worker}-{submitted + i}" for i in range(rng.choice((1, 1, 2, 4, 8)))]
        submitted += len(keys)
        with store.session() as s:
            if len(keys) == 1:
                results = [file_report(s, data=_submission(keys[0]), organisation=organisation,
                                       actor=f"worker:{worker}")]
            else:
                results = file_reports(s, submissions=[_submission(k) for k in keys],
                                       organisation=organisation, actor=f"worker:{worker}")
        for key, result in zip(keys, results, strict=True):
            filed.append((organisation, key, result.id, result.created))
            mine = result.created and key.startswith("w")
            (own if mine else shared).append(result.id)
        if len(own) >= 2 and rng.random() < 0.3:
            with store.session() as s:
                incident = create_incident(s, data={"reports": [own.pop()], "reason": "same strike"},
                                           actor=f"worker:{worker}")
                link_report(s, incident_id=incident.id, report_id=own.pop(), actor=f"worker:{worker}")
                incidents.append(incident.id)
                links += 2
        if incidents and shared and rng.random() < 0.3:
            try:  # every process may try to claim the same shared report
                with store.session() as s:
                    link_report(s, incident_id=rng.choice(incidents), report_id=shared.pop(),
                                actor=f"worker:{worker}")
                links += 1
            except Conflict:
                conflicts += 1
    store.dispose()
    print(json.dumps({"filed": filed, "incidents": incidents, "links": links,
                      "conflicts": conflicts, "seconds": time.perf_counter() - started}))


def _run_workers(url: str, organisations: list[str]) -> list[dict[str, Any]]:
    code = "import sys; from tests.log.test_concurrent_appends import work; " \
           "work(sys.argv[1], int(sys.argv[2]), sys.argv[3:])"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, url, str(w), *organisations],
                              cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for w in range(WORKERS)]
    try:
        for p in procs:
            assert p.stdout is not None
            line = p.stdout.readline()
            assert line == "ready\n", (line, p.stderr.read() if p.stderr else "")
        for p in procs:  # all open and connected: start them together
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        deadline = time.monotonic() + DEADLINE_S
        outputs = [p.communicate(timeout=max(1.0, deadline - time.monotonic())) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    return [json.loads(out.splitlines()[-1]) for out, _ in outputs]


def test_concurrent_processes_append_one_gapless_log(db_url: str) -> None:
    store = open_store(db_url, migrate=False)
    with store.session() as s:
        organisations = [factories.organisation(s), factories.organisation(s)]
        factories.truce(s, parties=organisations)
    try:
        results = _run_workers(db_url, organisations)
        with store.session() as s:
            _check(s, results)
    finally:
        store.dispose()


def _check(s: Any, results: list[dict[str, Any]]) -> None:
    seqs = s.scalars(sa.select(LogEntry.seq).order_by(LogEntry.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1)), "gaps or duplicates in the sequence"
    head = s.get(LogHead, 1)
    last = s.get(LogEntry, seqs[-1])
    assert (head.size, head.chain_hash) == (last.seq, last.chain_hash)

    # Every (organisation, key) once in the table; every process got the same id for it,
    # and exactly one submission of it reports that it created the report.
    ids: dict[tuple[str, str], set[int]] = defaultdict(set)
    created: dict[tuple[str, str], int] = defaultdict(int)
    submitters: dict[tuple[str, str], set[int]] = defaultdict(set)
    for worker, result in enumerate(results):
        for organisation, key, report_id, was_created in result["filed"]:
            ids[(organisation, key)].add(report_id)
            created[(organisation, key)] += was_created
            submitters[(organisation, key)].add(worker)
    assert all(len(v) == 1 for v in ids.values()), "one key, several report ids"
    assert set(created.values()) == {1}, "a key created no report, or more than one"
    assert sum(len(w) > 1 for w in submitters.values()) >= 10, "too few keys raced"
    stored = s.execute(sa.select(Actor.slug, Report.idempotency_key, Report.id)
                       .join(Actor, Actor.id == Report.filed_by_org_id)).all()
    assert sorted(stored) == sorted((org, key, *v) for (org, key), v in ids.items())

    # Incidents: each created and each link logged once; no report in two incidents.
    incidents = sum(len(r["incidents"]) for r in results)
    links = sum(r["links"] for r in results)
    assert s.scalar(sa.select(sa.func.count()).select_from(Incident)) == incidents
    assert s.scalar(sa.select(sa.func.count()).select_from(IncidentLink)) == links
    assert s.scalar(sa.select(sa.func.count()).where(LogEntry.kind == "incident.created")) \
        == incidents
    assert s.scalar(sa.select(sa.func.count()).where(
        LogEntry.kind == "incident.report_linked")) == links
    assert s.scalar(sa.select(sa.func.count()).select_from(
        sa.select(IncidentLink.report_id).group_by(IncidentLink.report_id)
        .having(sa.func.count() > 1).subquery())) == 0

    # Hashes, tree, signatures, and every row of every table against its latest snapshot:
    # a report or link written without its entry would show here as a row not in the log.
    report = audit_database(s)
    assert report.ok, report.problems[:10]
    assert report.entries == len(seqs)
