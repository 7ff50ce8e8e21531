"""HTTP API benchmark: the real server on loopback against a bare FastAPI app, in one run.

Both servers are uvicorn processes on 127.0.0.1 (one worker each, as ``trucewatch serve``
runs), driven by ``--clients`` threads with keep-alive httpx clients, in turns of
``--slice`` seconds until each side has had ``--seconds``:

- **Submissions**: ``POST /api/v1/reports`` with a unique ``Idempotency-Key``, as the demo
  reporter ``gov-reporter`` with a bearer token (validation, zone lookup, idempotency
  check, the log entry, the answer built from what was written; concurrent submissions
  are filed together, docs/api.md "Group commit"), against the bare app's ``POST /reports``:
  the JSON body parsed and one Core ``INSERT`` of a ``reports`` row into a second database
  of the same kind, its id returned.
- **Incident list**: ``GET /api/v1/incidents`` with typical filters (first pages, a status,
  a category and date range, a map box, a page deep in the list; half the clients as the
  public, half as a guarantor officer) against the bare app's ``GET /incidents``: the same
  ``SELECT`` of one page (the same WHERE, ``id > after ORDER BY id LIMIT 51``) as JSON.

With matching after filing on (the default), each of trucewatch's submission turns is
followed by a wait until the matcher has matched every report filed (outside both sides'
time, so that the bare side's turn never runs beside it); the waits are printed, and the
rate with them counted ("with matching done").

The store holds ``--incidents`` incidents (default 100,000) before the run, each with one
report and one link. They are generated as rows with Core ``INSERT`` executemany on SQLite
and ``COPY`` on PostgreSQL, not filed through the domain, so they have no log entries; the demo
(actors, the truce, users) is loaded through the domain as usual. Checks at the end: every
response was a success; the reports the server stored equal its 201 answers, each in one
filing entry of the log (``report.filed`` alone, ``reports.filed`` filed together); a retry
with a used key answers 200 with the first id; the log verifies; the bare rows equal the
bare 201 answers; the first page of each list query holds the same ids on both sides.
Exit 1 if a check fails (a missed target is reported, not a failure).

    .venv/bin/python bench/api.py                      # SQLite, temporary files
    .venv/bin/python bench/api.py --db postgresql+psycopg://postgres@127.0.0.1:5432/trucewatch_bench_api

Databases are created and removed as by bench/ingest_reports.py. Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/reliability/load.py
from ingest_reports import _submission, databases, prepare  # noqa: E402
from tests.reliability.load import (  # noqa: E402  the same requests as the load test
    LIST_QUERIES,
    OFFICER,
    REPORTER,
    free_port,
)

from trucewatch.actors.models import Actor  # noqa: E402
from trucewatch.auth.tokens import create_token  # noqa: E402
from trucewatch.demo.synthetic import PLACES  # noqa: E402
from trucewatch.incidents.models import Incident, IncidentLink  # noqa: E402
from trucewatch.log import service as log  # noqa: E402
from trucewatch.log.models import LogEntry, LogHead  # noqa: E402
from trucewatch.reports.models import Report  # noqa: E402
from trucewatch.reports.taxonomy import CODES  # noqa: E402
from trucewatch.storage import Store  # noqa: E402
from trucewatch.truces.models import Truce  # noqa: E402

HERE = Path(__file__).resolve()
STATUSES = (("open", 30), ("under_review", 20), ("confirmed", 25), ("not_confirmed", 10),
            ("disputed", 10), ("closed", 5))
DECIDED = {"confirmed", "not_confirmed", "disputed"}


# --- the store ----------------------------------------------------------------------------


def generate_incidents(store: Store, n: int, seed: int) -> float:
    """``n`` incidents, each with one report and its link, by Core executemany; seconds taken."""
    started = time.perf_counter()
    rng = random.Random(seed)
    with store.session() as s:
        truce_id = s.scalar(select(Truce.id).order_by(Truce.id).limit(1))
        org = s.scalar(select(Actor.id).where(Actor.slug == "joint-group"))
        parties = list(s.scalars(select(Actor.id).where(Actor.slug.in_(
            ("syrian-government", "armed-opposition", "jaysh-al-islam")))))
        first_report = (s.scalar(select(func.max(Report.id))) or 0) + 1
        first_incident = (s.scalar(select(func.max(Incident.id))) or 0) + 1
    now = datetime.now(UTC)
    statuses = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    for start in range(0, n, 10_000):
        reports, incidents, links = [], [], []
        for i in range(start, min(n, start + 10_000)):
            place, lat, lon = rng.choice(PLACES)
            lat, lon = round(lat + rng.uniform(-0.08, 0.08), 5), round(lon + rng.uniform(-0.08, 0.08), 5)
            at = datetime(2017, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(180 * 24 * 60))
            category, status = rng.choice(CODES), rng.choices(statuses, weights)[0]
            rid, iid = first_report + i, first_incident + i
            reports.append({
                "id": rid, "truce_id": truce_id, "filed_by_org_id": org,
                "idempotency_key": f"bench-api-{i}", "fingerprint": f"{i:064x}",
                "source_kind": "monitor", "source_description": "", "occurred_start": at,
                "occurred_end": at + timedelta(seconds=1), "time_precision": "exact",
                "place_name": place, "latitude": lat, "longitude": lon, "geo_precision": "near",
                "category": category, "alleged_actor_id": rng.choice(parties),
                "narrative": f"[SYNTHETIC BENCHMARK INCIDENT {i}] {category} near {place}.",
                "synthetic": True, "received_at": now})
            incidents.append({
                "id": iid, "truce_id": truce_id, "title": f"{category} — {place}, {at:%Y-%m-%d}",
                "status": status, "occurred_start": at, "occurred_end": at + timedelta(seconds=1),
                "time_precision": "exact", "place_name": place, "latitude": lat,
                "longitude": lon, "geo_precision": "near", "category": category,
                "created_at": now, "version": 1,
                "published_at": (at + timedelta(days=30)
                                 if status in DECIDED and rng.random() < 0.9 else None)})
            links.append({"incident_id": iid, "report_id": rid, "linked_by": "bench:api",
                          "link_reason": "", "linked_at": now})
        if store.engine.dialect.name == "postgresql":
            _copy(store, [("reports", reports), ("incidents", incidents),
                          ("incident_links", links)])
            continue
        with store.session() as s:
            s.execute(insert(Report), reports)
            s.execute(insert(Incident), incidents)
            s.execute(insert(IncidentLink), links)
    if store.engine.dialect.name == "postgresql":
        with store.engine.begin() as conn:
            for table in ("reports", "incidents"):
                conn.exec_driver_sql(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        # VACUUM as autovacuum would after so many inserts: the visibility map lets the
        # planner answer a page's ids from an index alone (with ANALYZE only, it read the
        # table instead; a store in use is vacuumed).
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def index_for_correlation(store: Store) -> tuple[int, float] | None:
    """Index the generated reports for correlation on filing, as a store in use has them
    (``correlation.index.catch_up``; otherwise the first filing does it in its background
    task, inside the measurement); how many, and the seconds taken. None: no such index."""
    try:
        from trucewatch.correlation.index import catch_up
    except ImportError:  # code before the stored index
        return None
    started = time.perf_counter()
    with store.session() as s:
        log.lock(s)
        indexed = catch_up(s)
    return indexed, time.perf_counter() - started


def _copy(store: Store, tables: list[tuple[str, list[dict[str, Any]]]]) -> None:
    """PostgreSQL's COPY, in one transaction: executemany of 300,000 rows takes minutes.
    Times go in as the columns store them, naive UTC (``storage.base.UTCDateTime``)."""
    def value(v: Any) -> Any:
        return v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) else v

    with store.engine.begin() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for table, rows in tables:
            columns = list(rows[0])
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([value(row[c]) for c in columns])


def token(store: Store, username: str) -> str:
    with store.session() as s:
        return create_token(s, username=username, name="bench", ttl=timedelta(hours=2),
                            actor="bench:api").token


# --- the servers --------------------------------------------------------------------------


@contextmanager
def server(args: list[str], keys: Path, uvicorn_impl: str = "auto,auto") -> Iterator[str]:
    """This script in ``--serve`` mode as a uvicorn process on loopback; its base URL."""
    port = free_port()
    env = dict(os.environ, TRUCEWATCH_KEYS_DIR=str(keys), BENCH_API_UVICORN=uvicorn_impl)
    proc = subprocess.Popen([sys.executable, str(HERE), "--serve", *args, "--port", str(port)],
                            env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                sys.exit(f"the server {args[0]} exited with {proc.returncode}")
            time.sleep(0.1)
        else:
            sys.exit(f"the server {args[0]} did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def serve(kind: str, url: str, select_url: str, port: int) -> None:
    import uvicorn

    if kind == "trucewatch":
        from trucewatch.app import create_app
        from trucewatch.config import load_settings
        from trucewatch.storage import open_store

        app = create_app(open_store(url), load_settings())
        app.add_api_route("/ready", lambda: {"ok": True})
    else:
        from bare_api import bare_app

        app = bare_app(url, select_url)
    http, loop = os.environ.get("BENCH_API_UVICORN", "auto,auto").split(",")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                http=http, loop=loop)


# --- the clients --------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    wall: float = 0.0
    after: float = 0.0  # seconds the side's after-work took past its turns (matching)
    unsettled: int = 0  # turns whose after-work was not done by the timeout
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def ok(self, *codes: int) -> int:
        return sum(self.statuses.get(c, 0) for c in codes)

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


Request = Callable[[httpx.Client, int, random.Random], int]


def drive(base: str, clients: int, seconds: float, request: Request, tally: Tally,
          seed: int) -> None:
    """``clients`` threads send requests for ``seconds``; latency and status into ``tally``."""
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                status = request(client, n, rng)
                tally.add(time.perf_counter() - started, status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.wall += time.perf_counter() - started


Settle = Callable[[], tuple[float, bool] | None]
"""Waits for a side's after-work to be done: (seconds waited, done by the timeout), or None."""


def in_turns(sides: list[tuple[str, Request, Tally]], clients: int, seconds: float,
             slice_s: float, settle: Settle | None = None) -> None:
    """Each side in turn for ``slice_s`` until each has had ``seconds``: both see the same
    load. After each turn of the first side, ``settle`` waits for its after-work (matching
    after filing) to be done, outside either side's time, so that the other side's turn
    does not run beside it; the wait goes in the first side's ``after``."""
    done, turn = 0.0, 0
    first = sides[0][2]
    while done < seconds - 1e-9:
        step = min(slice_s, seconds - done)
        for base, request, tally in (sides if turn % 2 == 0 else sides[::-1]):
            drive(base, clients, step, request, tally, seed=turn)
            settled = settle() if settle is not None and tally is first else None
            if settled is not None:
                first.after += settled[0]
                first.unsettled += not settled[1]
        done += step
        turn += 1


class Submissions:
    """Report submissions: unique keys, the generator of bench/ingest_reports.py."""

    def __init__(self, path: str, headers: dict[str, str], prefix: str) -> None:
        self.path, self.headers, self.prefix = path, headers, prefix
        self.counter = 0
        self.lock = threading.Lock()
        self.first: tuple[dict[str, Any], str, int] | None = None

    def __call__(self, client: httpx.Client, n: int, rng: random.Random) -> int:
        with self.lock:
            self.counter += 1
            i = self.counter
        body = _submission(rng, i, "party")
        key = body.pop("idempotency_key") + f"-{self.prefix}"
        response = client.post(self.path, json=body,
                               headers=self.headers | {"Idempotency-Key": key})
        if response.status_code == 201 and self.first is None:
            self.first = (body, key, int(response.json()["id"]))
        return response.status_code


class Listing:
    """Incident list requests; even clients as the public, odd ones with ``officer`` headers."""

    def __init__(self, path: str, officer: dict[str, str], last_id: int) -> None:
        self.path, self.officer, self.last_id = path, officer, last_id
        # each query's latencies apart (public and officer together), for the breakdown
        self.by_query = {list_label(q, deep): Tally() for q, deep in LIST_QUERIES}

    def __call__(self, client: httpx.Client, n: int, rng: random.Random) -> int:
        query, deep = rng.choice(LIST_QUERIES)
        label = list_label(query, deep)
        if deep:
            query += f"&after={rng.randrange(self.last_id)}"
        started = time.perf_counter()
        status = client.get(self.url(query, public=n % 2 == 0),
                            headers={} if n % 2 == 0 else self.officer).status_code
        self.by_query[label].add(time.perf_counter() - started, status)
        return status

    def url(self, query: str, *, public: bool) -> str:
        if self.path.startswith("/api/"):  # the API pages by an opaque cursor
            import base64

            parts = dict(p.split("=", 1) for p in query.split("&"))
            if "after" in parts:
                after = parts.pop("after")
                parts["cursor"] = base64.urlsafe_b64encode(f"id:{after}".encode()).decode()
            query = "&".join(f"{k}={v}" for k, v in parts.items())
        elif public:
            query += "&public=1"
        return f"{self.path}?{query}"


def matching_settled(url: str, timeout: float = 120.0) -> tuple[float, bool] | None:
    """Seconds until the server's matcher has matched every filed report (its waiting rows
    gone), so that the list is not measured beside the submissions' after-work, and whether
    it had by ``timeout``; None where the code keeps no such rows."""
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    started = time.perf_counter()
    try:
        if not sqlalchemy.inspect(engine).has_table("correlation_pending"):
            return None
        while time.perf_counter() - started < timeout:
            with engine.connect() as conn:
                if not conn.exec_driver_sql("SELECT count(*) FROM correlation_pending").scalar():
                    return time.perf_counter() - started, True
            time.sleep(0.2)
        return time.perf_counter() - started, False
    finally:
        engine.dispose()


def list_label(query: str, deep: bool) -> str:
    """A list query's short name: its filters without the page size, ``deep`` at a cursor."""
    filters = "&".join(p for p in query.split("&") if not p.startswith("limit="))
    return (filters or "first page") + (" (deep)" if deep else "")


def breakdown(mine: Listing, bare: Listing) -> list[str]:
    """p50/p95 of each list query on both sides, one line a query."""
    lines = []
    for label, tally in mine.by_query.items():
        theirs = bare.by_query[label]
        lines.append(f"    {label:<70}: trucewatch p50 {tally.p(0.50):5.1f} p95 "
                     f"{tally.p(0.95):5.1f} ms ({len(tally.latencies):>4}); bare p50 "
                     f"{theirs.p(0.50):5.1f} p95 {theirs.p(0.95):5.1f} ms "
                     f"({len(theirs.latencies):>4})")
    return lines


# --- the run ------------------------------------------------------------------------------


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def line(label: str, tally: Tally, ok: int) -> str:
    return (f"  {label:<22}: {ok:>6} in {tally.wall:6.1f} s = {ok / tally.wall:7.1f}/s; "
            f"latency p50 {tally.p(0.50):6.1f} ms, p95 {tally.p(0.95):6.1f} ms, "
            f"p99 {tally.p(0.99):6.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="as bench/ingest_reports.py --db")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured per side and test")
    parser.add_argument("--slice", type=float, default=5.0, help="seconds of one turn")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients per side")
    parser.add_argument("--seed", type=int, default=20170123)
    parser.add_argument("--uvicorn", default="auto,auto", metavar="HTTP,LOOP",
                        help="uvicorn's HTTP protocol and event loop for both servers, e.g. "
                             "h11,asyncio (default auto,auto: httptools and uvloop, installed)")
    parser.add_argument("--serve", nargs=3, metavar=("KIND", "URL", "SELECT_URL"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        kind, url, select_url = args.serve
        serve(kind, url, select_url, args.port)
        return 0

    with databases(args.db) as (kind, url, bare_url), \
            tempfile.TemporaryDirectory(prefix="trucewatch-bench-api-") as keys:
        print(f"trucewatch HTTP API benchmark; Python {platform.python_version()}, FastAPI "
              f"{_version('fastapi')}, uvicorn {_version('uvicorn')}, SQLAlchemy "
              f"{sqlalchemy.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, load "
              f"average {load()}, started {datetime.now().isoformat(timespec='seconds')}")
        print(f"store: {kind}; {args.clients} clients per side, {args.seconds:.0f} s per side "
              f"and test in turns of {args.slice:.0f} s; uvicorn http,loop {args.uvicorn}; "
              f"correlation on filing: {_correlating()}")
        os.environ["TRUCEWATCH_KEYS_DIR"] = keys
        store, _ = prepare(url)
        bare, _ = prepare(bare_url)
        took = generate_incidents(store, args.incidents, args.seed)
        reporter = {"Authorization": f"Bearer {token(store, REPORTER)}"}
        officer = {"Authorization": f"Bearer {token(store, OFFICER)}"}
        with store.session() as s:
            total = s.scalar(select(func.count()).select_from(Incident)) or 0
            last_id = s.scalar(select(func.max(Incident.id))) or 0
            reports_before = s.scalar(select(func.count()).select_from(Report)) or 0
            log_before = (s.get(LogHead, 1) or LogHead(size=0)).size
        with bare.session() as s:
            bare_before = s.scalar(select(func.count()).select_from(Report)) or 0
        print(f"generated {args.incidents} incidents with a report each in {took:.1f} s "
              f"(rows written directly); {total} incidents in the store")
        indexed = index_for_correlation(store)
        if indexed is not None:
            print(f"correlation index: {indexed[0]} reports indexed in {indexed[1]:.1f} s "
                  "before the run")
        store.dispose()
        bare.dispose()

        with server(["trucewatch", url, url], Path(keys), args.uvicorn) as tw, \
                server(["bare", bare_url, url], Path(keys), args.uvicorn) as bw:
            matching = _correlating().startswith("on")
            filing = Submissions("/api/v1/reports", reporter, "tw")
            bare_filing = Submissions("/reports", reporter, "bare")
            tw_post, bare_post = Tally(), Tally()
            in_turns([(tw, filing, tw_post), (bw, bare_filing, bare_post)],
                     args.clients, args.seconds, args.slice,
                     settle=(lambda: matching_settled(url)) if matching else None)
            settled = matching_settled(url)
            if settled is not None and matching:
                print(f"matching of the filed reports done {tw_post.after:.1f} s after "
                      f"trucewatch's turns in all (waited for after each, outside both sides' "
                      f"time; {tw_post.unsettled} turns not done in 120 s), before the list")
            listing, bare_listing = (Listing("/api/v1/incidents", officer, last_id),
                                     Listing("/incidents", officer, last_id))
            tw_get, bare_get = Tally(), Tally()
            in_turns([(tw, listing, tw_get), (bw, bare_listing, bare_get)],
                     args.clients, args.seconds, args.slice)
            same_pages = compare_pages(tw, bw, listing, bare_listing, last_id)
            retry = check_retry(tw, filing)
        print(f"load average after the run: {load()}")

        store, _ = prepare_existing(url)
        bare, _ = prepare_existing(bare_url)
        with store.session() as s:
            filed = (s.scalar(select(func.count()).select_from(Report)) or 0) - reports_before
            log_added = (s.get(LogHead, 1) or LogHead(size=0)).size - log_before
            # correlation on filing appends entries of its own (pairs linked or queued)
            filings = filing_entries(s, log_before)
            left = unmatched(s, [i for ids in filings for i in ids]) \
                if _correlating().startswith("on") else None
            started = time.perf_counter()
            problems = log.verify(s)
            verify_s = time.perf_counter() - started
        with bare.session() as s:
            bare_rows = (s.scalar(select(func.count()).select_from(Report)) or 0) - bare_before
        store.dispose()
        bare.dispose()

    tw_ok, bare_ok = tw_post.ok(201), bare_post.ok(201)
    logged = [report_id for ids in filings for report_id in ids]
    print("report submissions (POST, Idempotency-Key, bearer token of a reporter):")
    print(line("trucewatch /api/v1", tw_post, tw_ok))
    print(line("bare FastAPI insert", bare_post, bare_ok))
    ratio = (tw_ok / tw_post.wall) / (bare_ok / bare_post.wall) if bare_ok else 0.0
    print(f"  ratio trucewatch/bare : {ratio:.3f} (target >= 0.5: "
          f"{'met' if ratio >= 0.5 else 'NOT met'})")
    if tw_post.after or tw_post.unsettled:
        with_after = tw_ok / (tw_post.wall + tw_post.after)
        print(f"  with matching done    : {tw_ok} in {tw_post.wall + tw_post.after:6.1f} s = "
              f"{with_after:7.1f}/s (the turns and the matching after them); "
              f"{with_after / (bare_ok / bare_post.wall):.3f} of the bare rate")
    print(f"  filings               : {len(filings)} log entries for {len(logged)} reports, "
          f"{len(logged) / max(len(filings), 1):.2f} a filing (group commit); "
          f"{sum(len(ids) == 1 for ids in filings)} filed alone")
    print("incident list (GET, typical filters, half public, half guarantor officer):")
    print(line("trucewatch /api/v1", tw_get, tw_get.ok(200)))
    print(line("bare FastAPI select", bare_get, bare_get.ok(200)))
    p95 = tw_get.p(0.95)
    print(f"  p95 trucewatch        : {p95:.1f} ms (target <= 50 ms: "
          f"{'met' if p95 <= 50 else 'NOT met'}); bare p95 {bare_get.p(0.95):.1f} ms, "
          f"ratio {p95 / max(bare_get.p(0.95), 1e-9):.2f}")
    print("  per query (half public, half officer; requests in brackets):")
    print("\n".join(breakdown(listing, bare_listing)))
    checks = {
        "every response a success": (sum(tw_post.statuses.values()) == tw_ok
                                     and sum(bare_post.statuses.values()) == bare_ok
                                     and sum(tw_get.statuses.values()) == tw_get.ok(200)
                                     and sum(bare_get.statuses.values()) == bare_get.ok(200)),
        f"reports stored {filed} = 201 answers {tw_ok}": filed == tw_ok,
        f"reports in filing entries added {len(logged)} = reports filed, each once (log "
        f"entries added {log_added})": len(logged) == len(set(logged)) == tw_ok,
        f"log verifies ({verify_s:.1f} s)": not problems,
        "a retry answers 200 with the first id": retry,
        f"bare rows {bare_rows} = bare 201 answers {bare_ok}": bare_rows == bare_ok,
        "first pages hold the same ids on both sides": same_pages,
    }
    if left is not None:
        checks[f"every filed report matched ({left} not)"] = left == 0
    bad = {k: v for k, v in checks.items() if not v}
    print("checks: " + "; ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in checks.items()))
    if not tw_post.statuses.keys() <= {201} or not tw_get.statuses.keys() <= {200}:
        print(f"  statuses: submissions {tw_post.statuses}, list {tw_get.statuses}, bare "
              f"{bare_post.statuses} {bare_get.statuses}")
    if bad:
        print("FAILED: " + ", ".join(bad))
    return 1 if bad else 0


def filing_entries(session: Session, after: int) -> list[list[int]]:
    """The ids each filing entry after ``after`` records: one for ``report.filed``, several
    for ``reports.filed`` (submissions filed together)."""
    found = []
    for (body,) in session.execute(select(LogEntry.body).where(
            LogEntry.seq > after, LogEntry.kind.in_(("report.filed", "reports.filed")))):
        payload = json.loads(body)["payload"]
        found.append([r["id"] for r in payload["reports"]] if "reports" in payload
                     else [payload["id"]])
    return found


def prepare_existing(url: str) -> tuple[Store, None]:
    from trucewatch.storage import open_store

    return open_store(url, migrate=False), None


def compare_pages(tw: str, bw: str, listing: Listing, bare_listing: Listing,
                  last_id: int) -> bool:
    """Each list query's page (a fixed cursor for the deep ones) has the same ids both sides."""
    same = True
    with httpx.Client(timeout=60) as client:
        for query, deep in LIST_QUERIES:
            q = query + (f"&after={last_id // 2}" if deep else "")
            for public in (True, False):
                headers = {} if public else listing.officer
                mine = client.get(tw + listing.url(q, public=public), headers=headers).json()
                theirs = client.get(bw + bare_listing.url(q, public=public)).json()
                same &= [i["id"] for i in mine["items"]] == [i["id"] for i in theirs["items"]]
    return same


def check_retry(tw: str, filing: Submissions) -> bool:
    if filing.first is None:
        return False
    body, key, first_id = filing.first
    answer = httpx.post(tw + "/api/v1/reports", json=body, timeout=60,
                        headers=filing.headers | {"Idempotency-Key": key})
    return answer.status_code == 200 and answer.json()["id"] == first_id


def _correlating() -> str:
    from trucewatch.config import load_settings

    settings = load_settings()
    on = getattr(settings, "correlate_on_filing", None)  # older code has none
    if on is None:
        return "no such setting"
    matcher = getattr(settings, "matcher", "thread")  # older code: a thread
    return f"on (matcher: {matcher})" if on else "off"


def unmatched(session: Session, report_ids: list[int]) -> int | None:
    """How many of ``report_ids`` were not matched after their filing: still waiting in
    ``correlation_pending``, or never indexed for matching (None where the code keeps no
    such rows)."""
    tables = sqlalchemy.inspect(session.connection()).get_table_names()  # its own turn
    if "correlation_pending" not in tables or not report_ids:
        return None
    waiting = indexed = 0
    for start in range(0, len(report_ids), 500):
        chunk = ",".join(str(i) for i in report_ids[start:start + 500])
        waiting += session.execute(sqlalchemy.text(
            f"SELECT count(*) FROM correlation_pending WHERE report_id IN ({chunk})")).scalar_one()
        indexed += session.execute(sqlalchemy.text(
            f"SELECT count(*) FROM correlation_features WHERE report_id IN ({chunk})")
        ).scalar_one()
    return waiting + len(report_ids) - indexed


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    sys.exit(main())
