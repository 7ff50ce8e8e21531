"""Load benchmark: a mixed workload from 1, 8 and 64 concurrent clients against the real server.

The server is ``trucewatch``'s app under uvicorn on loopback (one process, as
``trucewatch serve`` runs it; started through ``bench/api.py``'s ``--serve`` mode) over a
store holding the demo plus ``--incidents`` generated incidents (``bench/api.py``'s
generator). Each client thread sends, for ``--seconds`` per level, requests drawn at random
with these weights:

- 20 % report submissions (``POST /api/v1/reports``, a unique ``Idempotency-Key``, the demo
  reporter's bearer token);
- 40 % incident list pages (``GET /api/v1/incidents`` with the typical filters of
  ``bench/api.py``, half as the public, half as a guarantor officer);
- 25 % map clusters (``GET /api/v1/incidents/clusters`` at zoom 6–9 over Syria);
- 15 % assessments (``POST /api/v1/rounds/{id}/assessments``: Russia's officer revises its
  assessment in an open round, signed by the server with Russia's key; each revision keeps
  the earlier one, so every one is a write and a log entry).

It prints, per level and per kind, throughput, p50/p95/p99 latency and the number of
errors (any answer that is not the expected 2xx, or no answer). Checks at the end: zero
errors, reports stored = 201 answers, assessment revisions stored = 201 answers, and the log
verifies. Exit 1 if a check fails.

    .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --db postgresql+psycopg://postgres@127.0.0.1:5432/trucewatch_bench_load

Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_reports import databases, prepare  # noqa: E402

from api import (  # noqa: E402
    LIST_QUERIES,
    OFFICER,
    REPORTER,
    Submissions,
    generate_incidents,
    load,
    server,
    token,
)
from trucewatch.actors.service import find_actor  # noqa: E402
from trucewatch.auth.models import User  # noqa: E402
from trucewatch.auth.service import principal_for  # noqa: E402
from trucewatch.incidents.service import create_incident  # noqa: E402
from trucewatch.keys.service import create_key  # noqa: E402
from trucewatch.keys.signing import Keystore  # noqa: E402
from trucewatch.log import service as log  # noqa: E402
from trucewatch.log.models import LogHead  # noqa: E402
from trucewatch.reports.models import Report  # noqa: E402
from trucewatch.reports.service import file_report  # noqa: E402
from trucewatch.storage import Store  # noqa: E402
from trucewatch.verification.models import Assessment  # noqa: E402
from trucewatch.verification.service import open_round  # noqa: E402

KINDS = (("submit", 20, 201), ("list", 40, 200), ("clusters", 25, 200), ("assess", 15, 201))
SYRIA_BBOX = "35.5,32.3,42.4,37.4"


@dataclass
class Kind:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class Level:
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


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


class Workload:
    def __init__(self, store_url: str, reporter: str, officer: str, round_id: int,
                 last_id: int) -> None:
        self.submissions = Submissions("/api/v1/reports", {"Authorization": f"Bearer {reporter}"},
                                       "load")
        self.officer = {"Authorization": f"Bearer {officer}"}
        self.round_id, self.last_id = round_id, last_id

    def request(self, client: httpx.Client, kind: str, n: int, rng: random.Random) -> int:
        if kind == "submit":
            return self.submissions(client, n, rng)
        if kind == "list":
            query, deep = rng.choice(LIST_QUERIES)
            if deep:
                import base64

                cursor = base64.urlsafe_b64encode(f"id:{rng.randrange(self.last_id)}".encode())
                query = query + "&cursor=" + cursor.decode()
            return client.get(f"/api/v1/incidents?{query}",
                              headers=self.officer if n % 2 else {}).status_code
        if kind == "clusters":
            return client.get(f"/api/v1/incidents/clusters?zoom={rng.randint(6, 9)}"
                              f"&bbox={SYRIA_BBOX}", headers=self.officer if n % 2 else {}
                              ).status_code
        finding = rng.choice(("violation", "cannot_determine"))
        return client.post(f"/api/v1/rounds/{self.round_id}/assessments", headers=self.officer,
                           json={"finding": finding, "confidence": "fair",
                                 "responsible": "armed-opposition" if finding == "violation"
                                 else None,
                                 "reasons": f"Revision under load by client {n}."}).status_code


def run_level(base: str, work: Workload, clients: int, seconds: float, seed: int) -> Level:
    level = Level(clients)
    expected = {k: code for k, _, code in KINDS}
    names = [k for k, _, _ in KINDS]
    weights = [w for _, w, _ in KINDS]
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        rng = random.Random(seed * 10_000 + n)
        with httpx.Client(base_url=base, timeout=120) as client:
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


def setup_round(store: Store, keys: Path) -> int:
    """An incident of its own with an open round, and Russia's signing key on the server."""
    with store.session() as s:
        create_key(s, keystore=Keystore(keys), organisation="russia", actor="bench:load")
        officer = principal_for(s.scalars(select(User).where(User.username == OFFICER)).one())
        filed = file_report(s, data={
            "source_kind": "monitor", "occurred": "2017-01-20", "place_name": "Wadi Barada",
            "latitude": 33.62, "longitude": 36.18, "category": "shelling",
            "narrative": "A report for the load benchmark's review round."},
            organisation="joint-group", actor="bench:load")
        incident = create_incident(s, data={"reports": [filed.id], "reason": "load benchmark"},
                                   actor=officer.actor, principal=officer)
        rnd = open_round(s, principal=officer, data={"incident": incident.id, "days": 30,
                                                     "reason": "load benchmark"})
        assert find_actor(s, "russia").id in rnd.guarantor_ids
        return rnd.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="as bench/ingest_reports.py --db")
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--levels", default="1,8,64", help="client counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured per level")
    parser.add_argument("--seed", type=int, default=20170123)
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    results: list[Level] = []
    with databases(args.db) as (kind, url, _bare), \
            tempfile.TemporaryDirectory(prefix="trucewatch-bench-load-") as keys:
        print(f"trucewatch load benchmark; Python {platform.python_version()}, {platform.machine()}"
              f", {os.cpu_count()} CPUs, load average {load()}, started "
              f"{datetime.now().isoformat(timespec='seconds')}")
        os.environ["TRUCEWATCH_KEYS_DIR"] = keys
        store, _ = prepare(url)
        took = generate_incidents(store, args.incidents, args.seed)
        round_id = setup_round(store, Path(keys))
        reporter, officer = token(store, REPORTER), token(store, OFFICER)
        with store.session() as s:
            reports_before = s.scalar(select(func.count()).select_from(Report)) or 0
            assessments_before = s.scalar(select(func.count()).select_from(Assessment)) or 0
            last_id = s.scalar(select(func.max(Report.id))) or 1
        store.dispose()
        print(f"store: {kind}; {args.incidents} incidents generated in {took:.1f} s; mix "
              + ", ".join(f"{k} {w} %" for k, w, _ in KINDS) + f"; {args.seconds:.0f} s per level")
        with server(["trucewatch", url, url], Path(keys)) as base:
            work = Workload(url, reporter, officer, round_id, last_id)
            for i, clients in enumerate(levels):
                results.append(run_level(base, work, clients, args.seconds, args.seed + i))
                print(report(results[-1]), flush=True)
        print(f"load average after the run: {load()}")
        from trucewatch.storage import open_store

        store = open_store(url, migrate=False)
        with store.session() as s:
            filed = (s.scalar(select(func.count()).select_from(Report)) or 0) - reports_before
            assessed = ((s.scalar(select(func.count()).select_from(Assessment)) or 0)
                        - assessments_before)
            problems = log.verify(s)
            size = (s.get(LogHead, 1) or LogHead(size=0)).size
        store.dispose()
    errors = sum(sum(k.errors.values()) for lv in results for k in lv.kinds.values())
    submitted = sum(lv.kinds["submit"].ok for lv in results)
    revised = sum(lv.kinds["assess"].ok for lv in results)
    checks = {"zero errors": errors == 0,
              f"reports stored {filed} = 201 answers {submitted}": filed == submitted,
              f"assessments stored {assessed} = 201 answers {revised}": assessed == revised,
              f"log of {size} entries verifies": not problems}
    print("checks: " + "; ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in checks.items()))
    return 0 if all(checks.values()) else 1


def report(level: Level) -> str:
    lines = [f"{level.clients} client(s), {level.wall:.1f} s:"]
    everything = [x for k in level.kinds.values() for x in k.latencies]
    total_ok = sum(k.ok for k in level.kinds.values())
    total_err = sum(sum(k.errors.values()) for k in level.kinds.values())
    lines.append(f"  all       : {total_ok / level.wall:7.1f}/s ok, {total_err} errors; p50 "
                 f"{pct(everything, .5):7.1f} ms, p95 {pct(everything, .95):7.1f} ms, p99 "
                 f"{pct(everything, .99):7.1f} ms")
    for name, k in level.kinds.items():
        lines.append(f"  {name:<10}: {k.ok / level.wall:7.1f}/s ok, {sum(k.errors.values())} "
                     f"errors{' ' + str(k.errors) if k.errors else ''}; p50 "
                     f"{pct(k.latencies, .5):7.1f} ms, p95 {pct(k.latencies, .95):7.1f} ms, p99 "
                     f"{pct(k.latencies, .99):7.1f} ms")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
