"""Load benchmark: a mixed workload from 1, 8 and 64 concurrent clients against the real server.

The server is ``trucewatch serve`` on loopback (one process) over a store holding the demo
plus ``--incidents`` generated incidents (``bench/api.py``'s generator). The workload, the
server process and the checks are the harness in ``tests/reliability/load.py``, which the
quick version in the test suite (``tests/reliability/test_load.py``) runs too. Each client
thread sends, for ``--seconds`` per level, requests drawn at random with these weights:

- 20 % report submissions (``POST /api/v1/reports``, a unique ``Idempotency-Key``, the demo
  reporter's bearer token; bodies from ``bench/ingest_reports.py``'s generator);
- 40 % incident list pages (``GET /api/v1/incidents`` with typical filters, half as the
  public, half as a guarantor officer);
- 25 % map clusters (``GET /api/v1/incidents/clusters`` at zoom 6–9 over Syria);
- 15 % assessments (``POST /api/v1/rounds/{id}/assessments``: Russia's officer revises its
  assessment in an open round, signed by the server with Russia's key; each revision keeps
  the earlier one, so every one is a write and a log entry).

It prints, per level and per kind, throughput, p50/p95/p99 latency and the number of
errors (any answer that is not the expected 2xx, or no answer). Checks at the end: zero
errors; every acknowledged report stored exactly once under the id acknowledged, none
stored twice, none that was not sent; assessment revisions stored = 201 answers; the log
verifies. Exit 1 if a check fails.

    .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --db postgresql+psycopg://postgres@127.0.0.1:5432/trucewatch_bench_load

Results: docs/benchmarks.md and docs/reliability.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # the harness lives in tests/reliability/load.py
from ingest_reports import _submission, databases, prepare  # noqa: E402
from tests.reliability.load import (  # noqa: E402
    KINDS,
    OFFICER,
    REPORTER,
    Level,
    Server,
    Workload,
    before,
    check,
    issue_token,
    run_level,
    setup_round,
    summary,
)

from api import generate_incidents, load  # noqa: E402
from trucewatch.keys.signing import Keystore  # noqa: E402
from trucewatch.storage import open_store  # noqa: E402


def party_report(rng: random.Random, i: int) -> dict[str, Any]:
    return _submission(rng, i, "party")


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
            tempfile.TemporaryDirectory(prefix="trucewatch-bench-load-") as tmp:
        print(f"trucewatch load benchmark; Python {platform.python_version()}, {platform.machine()}"
              f", {os.cpu_count()} CPUs, load average {load()}, started "
              f"{datetime.now().isoformat(timespec='seconds')}")
        keys = Path(tmp) / "keys"
        os.environ["TRUCEWATCH_KEYS_DIR"] = str(keys)  # the server signs with Russia's key
        store, _ = prepare(url)
        took = generate_incidents(store, args.incidents, args.seed)
        round_id = setup_round(store, Keystore(keys))
        work = Workload(reporter_token=issue_token(store, REPORTER),
                        officer_token=issue_token(store, OFFICER), round_id=round_id,
                        last_incident=before(store).last_incident, prefix="load",
                        body=party_report)
        was = before(store)
        store.dispose()
        print(f"store: {kind}; {args.incidents} incidents generated in {took:.1f} s; mix "
              + ", ".join(f"{k} {w} %" for k, w, _ in KINDS) + f"; {args.seconds:.0f} s per level")
        server = Server(url, Path(tmp) / "server.log")
        server.start()
        try:
            for i, clients in enumerate(levels):
                results.append(run_level(server.base, work, clients, args.seconds, args.seed + i))
                print(summary(results[-1]), flush=True)
        finally:
            server.stop()
        print(f"load average after the run: {load()}")
        store = open_store(url, migrate=False)
        checks = check(store, work, results, was)
        store.dispose()
    print("checks: " + "; ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in checks.items()))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
