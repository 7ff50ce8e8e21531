"""Crash safety: the real server is killed with SIGKILL while clients file reports with
idempotency keys; it is restarted and the clients retry. Nothing acknowledged is lost,
nothing is stored twice, and the log still verifies (both stores, loopback only, bounded)."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from tests import factories
from tests.reliability.load import Server
from tests.reliability.scale import scale
from trucewatch.auth.tokens import create_token
from trucewatch.log.export import audit_database
from trucewatch.reports.models import Report
from trucewatch.storage import open_store

# Quick (the test suite) or full (TRUCEWATCH_RELIABILITY=full): docs/reliability.md.
CLIENTS = scale(4, 8)
REPORTS_EACH = scale(30, 100)
KILLS = scale(3, 10)
DEADLINE_S = scale(400, 1800)


def test_sigkill_loses_nothing_and_stores_nothing_twice(demo_db_url: str, tmp_path: Path) -> None:
    store = open_store(demo_db_url)
    with store.session() as s:
        token = create_token(s, username="gov-reporter", name="crash test",
                             ttl=timedelta(hours=1), actor="test").token
    store.dispose()
    server = Server(demo_db_url, tmp_path / "server.log")
    server.start()
    acked: dict[str, int] = {}
    attempts: dict[str, int] = {}
    failures: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()

    def client(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=5,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            for i in range(REPORTS_EACH):
                key = f"crash-{n}-{i}"
                body = factories.report(idempotency_key=None,
                                        narrative=f"Report {i} of client {n}.",
                                        latitude=35 + rng.random(), longitude=36 + rng.random())
                body.pop("idempotency_key")
                while time.monotonic() - started < DEADLINE_S:
                    with lock:
                        attempts[key] = attempts.get(key, 0) + 1
                    try:
                        answer = http.post("/api/v1/reports", json=body,
                                           headers={"Idempotency-Key": key})
                    except httpx.HTTPError:  # the server is down: wait and send it again
                        time.sleep(0.05)
                        continue
                    if answer.status_code in (200, 201):
                        with lock:
                            if key in acked and acked[key] != answer.json()["id"]:
                                failures.append(f"{key}: two ids")
                            acked[key] = answer.json()["id"]
                        break
                    if answer.status_code >= 500:
                        time.sleep(0.05)
                        continue
                    failures.append(f"{key}: {answer.status_code} {answer.text[:200]}")
                    break

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    killer = random.Random(20170123)
    total = CLIENTS * REPORTS_EACH
    try:
        for k in range(KILLS):
            # Spread over the run however fast the server files: each kill comes once its
            # share of the reports is acknowledged, a moment later, while clients send.
            while len(acked) < (k + 1) * total // (KILLS + 1) \
                    and time.monotonic() - started < DEADLINE_S:
                time.sleep(0.005)
            time.sleep(killer.uniform(0.0, 0.05))
            server.kill()
            time.sleep(killer.uniform(0.0, 0.3))
            server.start()
        for t in threads:
            t.join(DEADLINE_S)
    finally:
        server.stop()
    assert not failures, failures[:5]
    keys = {f"crash-{n}-{i}" for n in range(CLIENTS) for i in range(REPORTS_EACH)}
    assert set(acked) == keys, f"{len(keys - set(acked))} reports never acknowledged"
    assert server.starts == KILLS + 1
    assert sum(attempts.values()) > len(keys), "no request was ever retried: no kill hit"

    store = open_store(demo_db_url)
    try:
        with store.session() as s:
            stored = s.execute(select(Report.idempotency_key, Report.id)
                               .where(Report.idempotency_key.like("crash-%"))).all()
            stored_ids: dict[str, list[int]] = {}
            for key, report_id in stored:
                stored_ids.setdefault(key, []).append(report_id)
            assert set(stored_ids) == keys  # nothing lost, nothing unknown
            assert all(len(ids) == 1 for ids in stored_ids.values())  # nothing twice
            assert {k: ids[0] for k, ids in stored_ids.items()} == acked  # the ids acknowledged
            report = audit_database(s)
            assert report.ok, report.problems[:5]
    finally:
        store.dispose()
