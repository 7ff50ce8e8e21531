"""The load harness: a mixed workload from N concurrent clients against the real server.

Used by ``tests/reliability/test_load.py`` (the bounded quick version in the test suite) and
``bench/load.py`` (the full run at 1, 8 and 64 clients). The server is ``trucewatch serve``
in a child process on loopback (:class:`Server`, which the crash test also kills and
restarts). Each client thread sends requests drawn at random with these weights (:data:`KINDS`):

- 20 % report submissions (``POST /api/v1/reports``, a unique ``Idempotency-Key``, a
  reporter's bearer token); every acknowledgement (the key and the report id) is kept;
- 40 % incident list pages (``GET /api/v1/incidents``, typical filters, some deep in the
  list; half as the public, half as a guarantor officer);
- 25 % map clusters (``GET /api/v1/incidents/clusters`` at zoom 6–9 over Syria);
- 15 % assessments (``POST /api/v1/rounds/{id}/assessments``: a guarantor officer revises
  its seat's assessment in an open round, signed with the server's copy of its key; each
  revision keeps the earlier one, so every one is a write and a log entry).

:func:`check` then compares the store with what the clients were told: every acknowledged
report stored exactly once under the id acknowledged, nothing stored that was not sent,
nothing stored twice, one assessment row per ``201``, and the log's chain verifies.
"""

from __future__ import annotations

import base64
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from trucewatch.auth.models import User
from trucewatch.auth.service import principal_for
from trucewatch.auth.tokens import create_token
from trucewatch.demo.synthetic import PLACES
from trucewatch.errors import NotFound
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import create_incident
from trucewatch.keys.service import create_key, signing_key_for
from trucewatch.keys.signing import Keystore
from trucewatch.log import service as log
from trucewatch.reports.models import Report
from trucewatch.reports.service import file_report
from trucewatch.reports.taxonomy import CODES
from trucewatch.storage import Store
from trucewatch.verification.models import Assessment
from trucewatch.verification.service import open_round

# (name, weight in %, the status a success answers)
KINDS: tuple[tuple[str, int, int], ...] = (
    ("submit", 20, 201), ("list", 40, 200), ("clusters", 25, 200), ("assess", 15, 201))
REPORTER, OFFICER = "gov-reporter", "ru-officer"
SYRIA_BBOX = "35.5,32.3,42.4,37.4"
# Typical list requests: (query string, whether to start deep in the list at a random cursor).
LIST_QUERIES: tuple[tuple[str, bool], ...] = (
    ("limit=50", False),
    ("limit=50&status=open", False),
    ("limit=50&status=confirmed", False),
    ("limit=50&category=shelling&occurred_from=2017-02-01&occurred_to=2017-03-15", False),
    ("limit=50&bbox=36.0,33.3,36.6,33.8", False),
    ("limit=50", True),
    ("limit=50&category=air_strike", True),
)

Body = Callable[[random.Random, int], dict[str, Any]]


def report_body(rng: random.Random, i: int) -> dict[str, Any]:
    """A party's report near a demo place, in January 2017 (the truce's first month)."""
    place, lat, lon = rng.choice(PLACES)
    return {"source_kind": "party", "occurred": f"2017-01-{rng.randint(1, 31):02d}",
            "place_name": place, "latitude": round(lat + rng.uniform(-0.05, 0.05), 5),
            "longitude": round(lon + rng.uniform(-0.05, 0.05), 5),
            "category": rng.choice(CODES), "narrative": f"Load-test report {i}."}


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``trucewatch serve`` in a child process on loopback; it can be killed and started again."""

    def __init__(self, url: str, log_file: Path, port: int | None = None) -> None:
        self.url, self.log, self.port = url, log_file, port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-c", "from trucewatch.cli.main import app; app()",
                   "--db", self.url, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        self.starts += 1
        deadline = time.monotonic() + 120  # a loaded machine takes its time to import
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=1).is_success:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)
        raise RuntimeError("the server did not come up within 120 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


# --- the store before the run -----------------------------------------------------------------


def issue_token(store: Store, username: str) -> str:
    with store.session() as s:
        return create_token(s, username=username, name="load", ttl=timedelta(hours=2),
                            actor="test:load").token


def setup_round(store: Store, keystore: Keystore) -> int:
    """An incident of its own with an open review round, and a key for Russia's seat."""
    with store.session() as s:
        officer = principal_for(s.scalars(select(User).where(User.username == OFFICER)).one())
        try:
            signing_key_for(s, keystore, organisation_id=officer.organisation_id)
        except NotFound:
            create_key(s, keystore=keystore, organisation="russia", actor="test:load")
        filed = file_report(s, data={
            "source_kind": "monitor", "occurred": "2017-01-20", "place_name": "Wadi Barada",
            "latitude": 33.62, "longitude": 36.18, "category": "shelling",
            "narrative": "A report for the load run's review round."},
            organisation="joint-group", actor="test:load")
        incident = create_incident(s, data={"reports": [filed.id], "reason": "load run"},
                                   actor=officer.actor, principal=officer)
        return open_round(s, principal=officer, data={"incident": incident.id, "days": 30,
                                                      "reason": "load run"}).id


@dataclass(frozen=True)
class Before:
    reports: int
    assessments: int
    last_incident: int


def before(store: Store) -> Before:
    with store.session() as s:
        return Before(s.scalar(select(func.count()).select_from(Report)) or 0,
                      s.scalar(select(func.count()).select_from(Assessment)) or 0,
                      s.scalar(select(func.max(Incident.id))) or 1)


# --- the clients ------------------------------------------------------------------------------


@dataclass
class Kind:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class Level:
    """What one run at a number of clients saw, per kind of request."""

    clients: int
    wall: float = 0.0
    kinds: dict[str, Kind] = field(default_factory=lambda: {k: Kind() for k, _, _ in KINDS})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, outcome: str | None) -> None:
        with self.lock:
            k = self.kinds[kind]
            k.latencies.append(seconds)
            if outcome is None:
                k.ok += 1
            else:
                k.errors[outcome] = k.errors.get(outcome, 0) + 1

    @property
    def errors(self) -> int:
        return sum(sum(k.errors.values()) for k in self.kinds.values())


class Workload:
    """The requests, and every submission's key and acknowledgement."""

    def __init__(self, *, reporter_token: str, officer_token: str, round_id: int,
                 last_incident: int, prefix: str, body: Body = report_body) -> None:
        self.reporter = {"Authorization": f"Bearer {reporter_token}"}
        self.officer = {"Authorization": f"Bearer {officer_token}"}
        self.round_id, self.last_incident, self.prefix, self.body = (
            round_id, last_incident, prefix, body)
        self.sent: set[str] = set()
        self.acked: dict[str, int] = {}
        self.counter = 0
        self.lock = threading.Lock()

    def request(self, client: httpx.Client, kind: str, n: int, rng: random.Random) -> int:
        if kind == "submit":
            return self.submit(client, rng)
        headers = self.officer if n % 2 else {}
        if kind == "list":
            query, deep = rng.choice(LIST_QUERIES)
            if deep:
                cursor = base64.urlsafe_b64encode(f"id:{rng.randrange(self.last_incident)}"
                                                  .encode()).decode()
                query += f"&cursor={cursor}"
            return client.get(f"/api/v1/incidents?{query}", headers=headers).status_code
        if kind == "clusters":
            return client.get(f"/api/v1/incidents/clusters?zoom={rng.randint(6, 9)}"
                              f"&bbox={SYRIA_BBOX}", headers=headers).status_code
        finding = rng.choice(("violation", "cannot_determine"))
        return client.post(f"/api/v1/rounds/{self.round_id}/assessments", headers=self.officer,
                           json={"finding": finding, "confidence": "fair",
                                 "responsible": "armed-opposition" if finding == "violation"
                                 else None,
                                 "reasons": f"Revision under load by client {n}."}).status_code

    def submit(self, client: httpx.Client, rng: random.Random) -> int:
        with self.lock:
            self.counter += 1
            i = self.counter
            key = f"{self.prefix}-{i}"
            self.sent.add(key)
        body = self.body(rng, i)
        body.pop("idempotency_key", None)
        answer = client.post("/api/v1/reports", json=body,
                             headers=self.reporter | {"Idempotency-Key": key})
        if answer.status_code == 201:
            with self.lock:
                self.acked[key] = int(answer.json()["id"])
        return answer.status_code


def run_level(base: str, work: Workload, clients: int, seconds: float, seed: int,
              timeout: float = 120) -> Level:
    """``clients`` threads with keep-alive connections send requests for ``seconds``."""
    level = Level(clients)
    expected = {k: code for k, _, code in KINDS}
    names = [k for k, _, _ in KINDS]
    weights = [w for _, w, _ in KINDS]
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        rng = random.Random(seed * 10_000 + n)
        with httpx.Client(base_url=base, timeout=timeout) as client:
            while time.perf_counter() < deadline:
                kind = rng.choices(names, weights)[0]
                started = time.perf_counter()
                try:
                    status = work.request(client, kind, n, rng)
                    outcome = None if status == expected[kind] else str(status)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                level.add(kind, time.perf_counter() - started, outcome)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    level.wall = time.perf_counter() - started
    return level


# --- after the run ----------------------------------------------------------------------------


def check(store: Store, work: Workload, levels: list[Level], was: Before) -> dict[str, bool]:
    """Each check, named with its figures, and whether it holds."""
    with store.session() as s:
        rows = s.execute(select(Report.idempotency_key, Report.id)
                         .where(Report.idempotency_key.like(f"{work.prefix}-%"))).all()
        reports = (s.scalar(select(func.count()).select_from(Report)) or 0) - was.reports
        assessed = (s.scalar(select(func.count()).select_from(Assessment)) or 0) - was.assessments
        problems = log.verify(s)
    stored: dict[str, list[int]] = {}
    for key, report_id in rows:
        stored.setdefault(str(key), []).append(report_id)
    twice = [k for k, ids in stored.items() if len(ids) > 1]
    lost = [k for k in work.acked if stored.get(k) != [work.acked[k]]]
    unknown = set(stored) - work.sent
    errors = sum(lv.errors for lv in levels)
    revised = sum(lv.kinds["assess"].ok for lv in levels)
    return {
        "zero errors": errors == 0,
        f"every acknowledged report ({len(work.acked)}) stored once, under its id: "
        f"{len(lost)} not": not lost,
        f"no report stored twice ({len(twice)})": not twice,
        f"no report stored that was not sent ({len(unknown)})": not unknown,
        f"reports added {reports} = reports stored under the run's keys {len(rows)}":
            reports == len(rows),
        f"assessments stored {assessed} = 201 answers {revised}": assessed == revised,
        f"the log's chain verifies ({len(problems)} problems)": not problems,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def summary(level: Level) -> str:
    """Throughput, p50/p95/p99 latency and errors, overall and per kind."""
    lines = [f"{level.clients} client(s), {level.wall:.1f} s:"]
    everything = [x for k in level.kinds.values() for x in k.latencies]
    total_ok = sum(k.ok for k in level.kinds.values())
    lines.append(f"  all       : {total_ok / level.wall:7.1f}/s ok, {level.errors} errors; p50 "
                 f"{pct(everything, .5):7.1f} ms, p95 {pct(everything, .95):7.1f} ms, p99 "
                 f"{pct(everything, .99):7.1f} ms")
    for name, k in level.kinds.items():
        lines.append(f"  {name:<10}: {k.ok / level.wall:7.1f}/s ok, {sum(k.errors.values())} "
                     f"errors{' ' + str(k.errors) if k.errors else ''}; p50 "
                     f"{pct(k.latencies, .5):7.1f} ms, p95 {pct(k.latencies, .95):7.1f} ms, p99 "
                     f"{pct(k.latencies, .99):7.1f} ms")
    return "\n".join(lines)
