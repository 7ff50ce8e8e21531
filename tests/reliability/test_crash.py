"""Crash safety: the real server is killed with SIGKILL while clients file reports with
idempotency keys; it is restarted and the clients retry. Nothing acknowledged is lost,
nothing is stored twice, and the log still verifies (both stores, loopback only, bounded)."""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from tests import factories
from trucewatch.auth.tokens import create_token
from trucewatch.log.export import audit_database
from trucewatch.reports.models import Report
from trucewatch.storage import open_store

CLIENTS = 4
REPORTS_EACH = 30
KILLS = 3
DEADLINE_S = 400


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``trucewatch serve`` in a child process, started again after every kill."""

    def __init__(self, url: str, port: int, log: Path) -> None:
        self.url, self.port, self.log = url, port, log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        command = [sys.executable, "-c", "from trucewatch.cli.main import app; app()",
                   "--db", self.url, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        self.starts += 1
        deadline = time.monotonic() + 120  # a loaded machine takes its time to import
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/api/v1/health", timeout=1).is_success:
                    return
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            time.sleep(0.1)
        raise AssertionError("the server did not come up")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def test_sigkill_loses_nothing_and_stores_nothing_twice(demo_db_url: str, tmp_path: Path) -> None:
    store = open_store(demo_db_url)
    with store.session() as s:
        token = create_token(s, username="gov-reporter", name="crash test",
                             ttl=timedelta(hours=1), actor="test").token
    store.dispose()
    server = Server(demo_db_url, _free_port(), tmp_path / "server.log")
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
    try:
        for _ in range(KILLS):
            time.sleep(killer.uniform(0.5, 2.0))
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
