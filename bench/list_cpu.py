"""Server CPU per incident list request, per query: trucewatch against the bare app, one client.

The store and the two servers are those of ``bench/api.py`` (100,000 generated incidents by
default; uvicorn processes on loopback, one worker each). One client sends each list query
of ``LIST_QUERIES``, as the public and as a guarantor officer, ``--requests`` times to each
server in turn (after ten unmeasured ones), and reads the server process's CPU time
(``/proc/<pid>/stat``, user + system) before and after. CPU per answer does not grow with
the machine's load as latency does, so it compares code on a shared machine; the client's
median latency is printed beside it. Linux only (``/proc``).

    .venv/bin/python bench/list_cpu.py
    .venv/bin/python bench/list_cpu.py --db postgresql+psycopg://postgres@127.0.0.1:5432/trucewatch_bench_list

Results: docs/benchmarks.md ("HTTP API", "Incident list").
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/reliability/load.py
from ingest_reports import databases, prepare  # noqa: E402
from tests.reliability.load import LIST_QUERIES, OFFICER, free_port  # noqa: E402

from api import Listing, generate_incidents, list_label, load, token  # noqa: E402
from trucewatch.incidents.models import Incident  # noqa: E402

API = Path(__file__).resolve().parent / "api.py"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far, in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


@contextmanager
def server(kind: str, url: str, keys: str) -> Iterator[tuple[int, str]]:
    """``bench/api.py --serve``: the server's pid and base URL."""
    port = free_port()
    env = dict(os.environ, TRUCEWATCH_KEYS_DIR=keys)
    proc = subprocess.Popen([sys.executable, str(API), "--serve", kind, url, url,
                             "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                sys.exit(f"the {kind} server exited with {proc.returncode}")
            time.sleep(0.1)
        else:
            sys.exit(f"the {kind} server did not start")
        yield proc.pid, base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure(client: httpx.Client, pid: int, base: str, listing: Listing, query: str,
            deep: bool, *, public: bool, requests: int, seed: int) -> tuple[float, float]:
    """Server CPU ms per answer and the client's median latency in ms."""
    rng = random.Random(seed)
    headers = {} if public else listing.officer

    def url() -> str:
        after = f"&after={rng.randrange(listing.last_id)}" if deep else ""
        return base + listing.url(query + after, public=public)

    for _ in range(10):
        client.get(url(), headers=headers).raise_for_status()
    before, latencies = cpu_ms(pid), []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url(), headers=headers).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return (cpu_ms(pid) - before) / requests, statistics.median(latencies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="as bench/ingest_reports.py --db")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100,
                        help="measured requests per query, caller and server")
    parser.add_argument("--seed", type=int, default=20170123)
    args = parser.parse_args(argv)
    with databases(args.db) as (kind, url, _), \
            tempfile.TemporaryDirectory(prefix="trucewatch-bench-list-") as keys:
        os.environ["TRUCEWATCH_KEYS_DIR"] = keys
        print(f"trucewatch incident list, server CPU per answer; store: {kind}; "
              f"{args.requests} requests per query, caller and server; load average {load()}")
        store, _ = prepare(url)
        generate_incidents(store, args.incidents, args.seed)
        officer = {"Authorization": f"Bearer {token(store, OFFICER)}"}
        with store.session() as s:
            last_id = s.scalar(select(func.max(Incident.id))) or 0
        store.dispose()
        sides = {"trucewatch": Listing("/api/v1/incidents", officer, last_id),
                 "bare": Listing("/incidents", officer, last_id)}
        totals = {side: 0.0 for side in sides}
        cases = 0
        with server("trucewatch", url, keys) as tw, server("bare", url, keys) as bare, \
                httpx.Client(timeout=60) as client:
            for query, deep in LIST_QUERIES:
                for public in (True, False):
                    line = []
                    for side, (pid, base) in (("trucewatch", tw), ("bare", bare)):
                        used, median = measure(client, pid, base, sides[side], query, deep,
                                               public=public, requests=args.requests,
                                               seed=args.seed)
                        totals[side] += used
                        line.append(f"{side} {used:5.2f} ms CPU (p50 {median:5.1f} ms)")
                    cases += 1
                    who = "public " if public else "officer"
                    print(f"  {list_label(query, deep):<72} {who}: " + "; ".join(line))
        mine, theirs = totals["trucewatch"] / cases, totals["bare"] / cases
        print(f"  mean server CPU per answer: trucewatch {mine:.2f} ms, bare {theirs:.2f} ms, "
              f"ratio {mine / theirs:.2f}; load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
