"""Profile matching on filing: what one new report's match costs against a store of N reports.

The store is built as bench/api.py builds it (``--incidents`` incidents with one report
each, generated as rows and indexed for correlation), then ``--reports`` reports are filed
through the domain, one at a time, each followed by the matching the faces run after a
filing (``correlation.filing.match_filed``: marked as waiting, then drained), or
(``--together N``) N at a time, as the matcher batches the filings that arrive together.
Printed: the time per report (filing and matching apart), the SQL statements of the
matching by kind, the log entries it wrote by kind, and (``--profile``) cProfile's top
functions of the matching.

    .venv/bin/python bench/profile_filing_match.py --incidents 100000 --reports 50
    .venv/bin/python bench/profile_filing_match.py --incidents 100000 --reports 50 --together 10
    .venv/bin/python bench/profile_filing_match.py --db postgresql+psycopg://postgres@127.0.0.1:5432/trucewatch_bench_match
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_reports import _submission, databases, prepare  # noqa: E402

from api import generate_incidents, index_for_correlation  # noqa: E402
from trucewatch.log.models import LogEntry  # noqa: E402
from trucewatch.reports.service import file_report  # noqa: E402
from trucewatch.storage import Store  # noqa: E402

ORGANISATION = "syrian-government"


def _statement_kind(sql: str) -> str:
    words = re.sub(r"\s+", " ", sql.strip()).split(" ")
    verb = words[0].upper()
    table = ""
    for marker in ("INTO", "FROM", "UPDATE"):  # INSERT INTO x SELECT … FROM y: x
        if marker in (w.upper() for w in words):
            at = [w.upper() for w in words].index(marker)
            table = words[at + 1] if marker != "UPDATE" else words[1]
            break
    return f"{verb} {table.strip('(')}"


def profile(store: Store, n: int, seed: int, match: Callable[[Store, Sequence[int]], Any],
            profiler: cProfile.Profile | None, together: int = 1) -> None:
    rng = random.Random(seed)
    statements: Counter[str] = Counter()
    counting = [False]

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if counting[0]:
            statements[_statement_kind(statement)] += 1

    event.listen(store.engine, "before_cursor_execute", count)
    filing_s = matching_s = 0.0
    with store.session() as s:
        log_before = s.scalar(select(func.max(LogEntry.seq))) or 0
    for begin in range(0, n, together):
        started = time.perf_counter()
        ids = []
        for i in range(begin, min(n, begin + together)):
            body = _submission(rng, 10_000_000 + i, "party")
            with store.session() as s:
                ids.append(file_report(s, data=body, organisation=ORGANISATION,
                                       actor="bench:profile").id)
        between = time.perf_counter()
        counting[0] = True
        if profiler is not None:
            profiler.enable()
        match(store, ids)
        if profiler is not None:
            profiler.disable()
        counting[0] = False
        filing_s += between - started
        matching_s += time.perf_counter() - between
    event.remove(store.engine, "before_cursor_execute", count)
    with store.session() as s:
        kinds = Counter(s.scalars(select(LogEntry.kind).where(LogEntry.seq > log_before)))
    print(f"{n} reports: filing {1000 * filing_s / n:.1f} ms each, matching "
          f"{1000 * matching_s / n:.1f} ms each")
    print("SQL statements of the matching, per report:")
    for kind, times in statements.most_common():
        print(f"  {times / n:6.2f}  {kind}")
    print("log entries, per report:")
    for kind, times in kinds.most_common():
        print(f"  {times / n:6.2f}  {kind}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="as bench/ingest_reports.py --db")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20170123)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--together", type=int, default=1, metavar="N",
                        help="file N reports, then match them together (as the matcher "
                             "batches the filings that arrive while it matches)")
    args = parser.parse_args(argv)
    with databases(args.db) as (kind, url, _bare):
        store, _ = prepare(url)
        generate_incidents(store, args.incidents, args.seed)
        index_for_correlation(store)
        print(f"store: {kind}, {args.incidents} reports in incidents")
        from trucewatch.correlation.filing import match_filed

        profiler = cProfile.Profile() if args.profile else None
        profile(store, args.reports, args.seed, match_filed, profiler, args.together)
        if profiler is not None:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
