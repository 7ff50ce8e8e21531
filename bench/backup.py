"""Backup and restore of a large store, taken while reports are still being filed.

The store holds the demo plus ``--reports`` generated reports filed through the domain
(``file_reports`` in batches of 1,000, one log entry per filing: ``bench/ingest_reports.py``'s
generator), so the restored store can be audited against its log. Then a writer thread
keeps filing one report per transaction while ``trucewatch.recovery.service.backup`` takes
the snapshot (SQLite's backup API; ``pg_dump`` on PostgreSQL); the writer stops when the
backup is done. The backup is restored into a new, empty store of the same kind with
``restore``, which audits it (every table row against the log, hashes, tree) and counts the
rows. Checks: the restore's audit is clean; every report whose filing had committed before
the backup began is in the restored store; the restored store holds no report the source
does not, and at least the reports filed first. Reports filed while the backup ran may or
may not be in it (a snapshot), but the audit holds only if each is there with its log entry.

It prints the time to file the reports, to back up (and the file's size), to restore and
audit, the reports filed during the backup, and the ratio of restore-and-audit to backup.

    .venv/bin/python bench/backup.py                       # SQLite, temporary files
    .venv/bin/python bench/backup.py --db postgresql+psycopg://postgres@127.0.0.1:5432/trucewatch_bench_backup

Databases are created and removed as by bench/ingest_reports.py (the second one, ``_bare``,
is the empty store restored into). Results: docs/reliability.md.
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
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_reports import _submission, databases, prepare, submissions  # noqa: E402

from api import load  # noqa: E402
from trucewatch.recovery.service import backup, restore  # noqa: E402
from trucewatch.reports.models import Report  # noqa: E402
from trucewatch.reports.service import file_reports  # noqa: E402
from trucewatch.storage import Store, open_store  # noqa: E402


class Writer(threading.Thread):
    """Files one report per transaction until told to stop; remembers when each committed."""

    def __init__(self, store: Store, seed: int) -> None:
        super().__init__()
        self.store, self.rng = store, random.Random(seed)
        self.stop = threading.Event()
        self.committed: list[tuple[float, str]] = []  # (monotonic time after commit, key)
        self.error: BaseException | None = None

    def run(self) -> None:
        i = 0
        try:
            while not self.stop.is_set():
                i += 1
                data = _submission(self.rng, i, "party")
                data["idempotency_key"] = key = f"during-backup-{i}"
                with self.store.session() as s:
                    file_reports(s, submissions=[data], organisation="syrian-government",
                                 user="gov-reporter", actor="user:gov-reporter")
                self.committed.append((time.monotonic(), key))
        except BaseException as exc:  # reported by the main thread
            self.error = exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="as bench/ingest_reports.py --db")
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20170123)
    args = parser.parse_args(argv)
    with databases(args.db) as (kind, url, empty_url), \
            tempfile.TemporaryDirectory(prefix="trucewatch-bench-backup-") as tmp:
        print(f"trucewatch backup benchmark; Python {platform.python_version()}, "
              f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load()}, started "
              f"{datetime.now().isoformat(timespec='seconds')}; store: {kind}")
        store, _ = prepare(url)
        started = time.perf_counter()
        for chunk in submissions(args.reports, 1000, args.seed):
            with store.session() as s:
                file_reports(s, submissions=[c.data for c in chunk],
                             organisation=chunk[0].organisation, user=chunk[0].user,
                             actor=f"user:{chunk[0].user}")
        filing_s = time.perf_counter() - started
        print(f"filed {args.reports} reports in {filing_s:.1f} s")

        writer = Writer(store, args.seed)
        writer.start()
        time.sleep(1.0)  # the writer is filing when the backup begins
        began = time.monotonic()
        started = time.perf_counter()
        done = backup(url, Path(tmp) / "store.backup")
        backup_s = time.perf_counter() - started
        writer.stop.set()
        writer.join()
        if writer.error is not None:
            raise writer.error
        before = {k for t, k in writer.committed if t < began}
        during = len(writer.committed) - len(before)
        with store.session() as s:
            source_ids = set(s.scalars(select(Report.id)))
        store.dispose()
        print(f"backup: {done.size_bytes / 2**20:.1f} MiB in {backup_s:.1f} s, while "
              f"{during} reports were filed (and {len(before)} before it began)")

        started = time.perf_counter()
        check = restore(done.path, empty_url)
        restore_s = time.perf_counter() - started
        restored = open_store(empty_url, migrate=False)
        with restored.session() as s:
            restored_ids = set(s.scalars(select(Report.id)))
            keys = set(s.scalars(select(Report.idempotency_key)
                                 .where(Report.idempotency_key.like("during-backup-%"))))
        restored.dispose()
        print(f"restore into an empty store, audited: {restore_s:.1f} s; log of "
              f"{check.log_size} entries, {check.rows.get('reports', 0)} reports")
        print(f"ratio restore-and-audit / backup: {restore_s / backup_s:.1f}")
        print(f"load average after the run: {load()}")
    checks = {
        f"the restored store audits clean ({len(check.problems)} problems)": not check.problems,
        f"every report filed before the backup began is restored ({len(before - keys)} not)":
            before <= keys,
        f"no restored report the source lacks ({len(restored_ids - source_ids)})":
            restored_ids <= source_ids,
        f"the restored store holds the reports filed first ({args.reports})":
            len(restored_ids) >= args.reports,
    }
    print("checks: " + "; ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in checks.items()))
    for problem in check.problems[:5]:
        print(f"  {problem}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
