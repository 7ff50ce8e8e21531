"""Import benchmark: ``trucewatch import acled`` against the ``sqlite3`` shell's ``.import``.

Writes ``--n`` generated ACLED rows (seeded) to a CSV file, then in the same run:

* baseline: the ``sqlite3`` command-line tool creates a table of the 31 ACLED columns
  and ``.import``s the file into it (one transaction, every value as text);
* dataset mode (the default of ``trucewatch import acled``):
  ``trucewatch.exchange.datasets.import_dataset`` reads the same file into a migrated
  SQLite store: every row checked (event type pairs, dates, coordinates, precisions,
  lengths) and typed, in chunks of 10,000, one hash-chained log entry per chunk holding
  the SHA-256 of its stored values, one for the import with the file's SHA-256, all in one
  transaction; then every row is counted. It takes the fast path (Arrow reads and checks,
  ADBC stages the rows, one INSERT … SELECT moves them: docs/exchange.md) and says so;
  ``--row-path`` gives it the file as a stream it cannot read twice, so it takes the row
  path (csv module, executemany), for comparison;
* reports mode (``--mode reports``, for ``--reports-n`` rows only, as it is ~40 times
  slower): ``trucewatch.exchange.importing.import_csv`` into a store holding the demo,
  every row filed as a report through ``reports.service.file_reports``.

It prints rows/s of each and the ratio to sqlite3 (target: dataset ≥ 0.5 × sqlite3), and the
dataset side's resident memory at 10 %, 50 % and 100 % of the file and its peak, to show
that the import holds a chunk, not the file. Generating the file is not timed.

    .venv/bin/python bench/import.py              # 1,000,000 rows
    .venv/bin/python bench/import.py --n 50000    # a quicker look

Results and their reading: docs/benchmarks.md ("Import").
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select

from trucewatch.demo.service import load_demo
from trucewatch.exchange import acled
from trucewatch.exchange.datasets import import_dataset
from trucewatch.exchange.importing import import_csv
from trucewatch.exchange.models import DatasetAcledEvent
from trucewatch.keys.signing import Keystore
from trucewatch.reports.models import Report
from trucewatch.storage import open_store

ACTOR = "bench:import"
PAIRS = sorted(acled.CATEGORY_OF)
ACTORS = ("Military Forces of Syria (2000-)", "Syrian government", "Islamic State (Syria)",
          "ISIS", "Hayat Tahrir al-Sham", "Jabhat Fateh al-Sham", "Army of Islam",
          "Civilians (Syria)", "Unidentified Armed Group (Syria)", "Military Forces of Russia (2000-)")
PLACES = (("Aleppo", 36.2021, 37.1343, "Aleppo"), ("Idleb", 35.9306, 36.6339, "Idleb"),
          ("Douma", 33.5711, 36.4019, "Rural Damascus"), ("Daraa", 32.6189, 36.1021, "Dar'a"),
          ("Homs", 34.7308, 36.7094, "Homs"), ("Ariha", 35.8136, 36.6092, "Idleb"),
          ("Wadi Barada", 33.6667, 36.1, "Rural Damascus"), ("Quneitra", 33.1259, 35.8245,
                                                            "Quneitra"))
SOURCES = ("Syrian Observatory for Human Rights", "SANA", "Step News Agency",
           "Local Coordination Committees; SOHR", "Smart News Agency")


def rows(n: int, seed: int) -> Iterator[list[str]]:
    rng = random.Random(seed)
    first = date(2017, 1, 1)
    for i in range(n):
        day = first + timedelta(days=rng.randrange(1000))
        event_type, sub_event_type = PAIRS[rng.randrange(len(PAIRS))]
        place, lat, lon, admin1 = PLACES[rng.randrange(len(PLACES))]
        values = {
            "event_id_cnty": f"SYR{i + 1}", "event_date": day.isoformat(), "year": str(day.year),
            "time_precision": rng.choice("1112"),
            "disorder_type": ("Strategic developments" if event_type == "Strategic developments"
                              else "Political violence"),
            "event_type": event_type, "sub_event_type": sub_event_type,
            "actor1": rng.choice(ACTORS), "assoc_actor_1": "", "inter1": str(rng.randint(1, 8)),
            "actor2": rng.choice(ACTORS + ("",)), "assoc_actor_2": "",
            "inter2": str(rng.randint(0, 8)), "interaction": str(rng.randint(10, 88)),
            "civilian_targeting": "", "iso": "760", "region": "Middle East",
            "country": "Syria", "admin1": admin1, "admin2": admin1, "admin3": "",
            "location": place, "latitude": f"{lat + rng.uniform(-0.05, 0.05):.4f}",
            "longitude": f"{lon + rng.uniform(-0.05, 0.05):.4f}",
            "geo_precision": rng.choice("112"), "source": rng.choice(SOURCES),
            "source_scale": rng.choice(("National", "Subnational", "Other")),
            "notes": f"On {day.strftime('%d %B %Y')}, event {i + 1} near {place}.",
            "fatalities": str(rng.choice((0, 0, 0, 1, 2, 3, 5, 12))), "tags": "",
            "timestamp": str(1_600_000_000 + i),
        }
        yield [values[c] for c in acled.COLUMNS]


def write_file(path: Path, n: int, seed: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(acled.COLUMNS)
        writer.writerows(rows(n, seed))


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Watched(io.RawIOBase):
    """The file's bytes as the importer reads them, noting resident memory at 10, 50 and
    100 % of them."""

    def __init__(self, raw: BinaryIO, size: int, *, seekable: bool = True) -> None:
        self.raw, self.read_so_far, self.can_seek = raw, 0, seekable
        self.marks = [(size // 10, "10 %"), (size // 2, "50 %"), (size, "100 %")]
        self.seen: list[tuple[str, float]] = []

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the fast path reads the header, then the file from its start
        return self.can_seek

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        self.read_so_far = max(self.read_so_far, self.raw.tell())
        while self.marks and self.read_so_far >= self.marks[0][0]:
            self.seen.append((self.marks.pop(0)[1], rss_mib()))
        return len(data)


def baseline(csv_path: Path, work: Path) -> tuple[float, float]:
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        sys.exit("the sqlite3 command-line tool is needed: apt-get install sqlite3")
    db = work / "baseline.db"
    columns = ", ".join(f'"{c}" TEXT' for c in acled.COLUMNS)
    script = (f"CREATE TABLE acled ({columns});\n.mode csv\n"
              f".import --skip 1 '{csv_path}' acled\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sqlite3, str(db)], input=script, text=True, check=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    count = subprocess.run([sqlite3, str(db), "SELECT count(*) FROM acled"], text=True,
                           check=True, capture_output=True).stdout.strip()
    return (elapsed if count else float("nan")), cpu


def dataset(csv_path: Path, work: Path, n: int,
            row_path: bool = False) -> tuple[float, float, list[tuple[str, float]]]:
    store = open_store(f"sqlite:///{work / 'dataset.db'}")
    cpu0, start = time.process_time(), time.perf_counter()
    with csv_path.open("rb") as raw, store.session() as session:
        watched = Watched(raw, csv_path.stat().st_size, seekable=not row_path)
        result = import_dataset(session, format="acled", source=watched,
                                file_name=csv_path.name, actor=ACTOR)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu0
    with store.session() as session:
        stored = session.scalar(select(func.count()).select_from(DatasetAcledEvent)
                                .where(DatasetAcledEvent.import_id == result.dataset))
    store.dispose()
    assert result.stored == n == stored and not result.rejected, (result, stored)
    print(f"dataset mode read by the {'fast path (Arrow, ADBC)' if result.fast else 'row path'}")
    return elapsed, cpu, watched.seen


def reports(csv_path: Path, work: Path, n: int) -> float:
    """Seconds to import the first ``n`` rows as reports (the old path) into the demo."""
    head = work / "head.csv"
    with csv_path.open(encoding="utf-8", newline="") as src, head.open("w", encoding="utf-8",
                                                                      newline="") as out:
        for _ in range(n + 1):
            out.write(src.readline())
    store = open_store(f"sqlite:///{work / 'reports.db'}")
    with store.session() as session:
        load_demo(session, actor=ACTOR, keystore=Keystore(work / "keys"))
    start = time.perf_counter()
    with head.open(encoding="utf-8", newline="") as stream, store.session() as session:
        result = import_csv(session, format="acled", stream=stream, actor=ACTOR)
    elapsed = time.perf_counter() - start
    with store.session() as session:
        stored = session.scalar(select(func.count()).select_from(Report)
                                .where(Report.idempotency_key.like("acled:%")))
    store.dispose()
    assert result.filed == n == stored, (result, stored)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="rows (default 1000000)")
    parser.add_argument("--reports-n", type=int, default=2000,
                        help="rows imported as reports too (0: skip; default 2000)")
    parser.add_argument("--seed", type=int, default=20170124)
    parser.add_argument("--row-path", action="store_true",
                        help="dataset mode by the row path (as without pyarrow), for comparison")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="trucewatch-import-") as tmp:
        work = Path(tmp)
        csv_path = work / "acled.csv"
        write_file(csv_path, args.n, args.seed)
        size = csv_path.stat().st_size / 2**20
        print(f"{platform.python_implementation()} {platform.python_version()}, "
              f"{os.cpu_count()} CPUs; {args.n} ACLED rows, {size:.0f} MiB; "
              f"load average {os.getloadavg()[0]:.2f}")
        base, base_cpu = baseline(csv_path, work)
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        elapsed, cpu, seen = dataset(csv_path, work, args.n, args.row_path)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        old = reports(csv_path, work, min(args.reports_n, args.n)) if args.reports_n else None
    base_rate, rate = args.n / base, args.n / elapsed
    print(f"sqlite3 .import         : {args.n} rows in {base:8.2f} s = {base_rate:9.0f} rows/s "
          f"(CPU {base_cpu:.2f} s = {args.n / base_cpu:.0f} rows/s; peak RSS {child_peak:.0f} MiB)")
    print(f"trucewatch, dataset mode: {args.n} rows in {elapsed:8.2f} s = {rate:9.0f} rows/s "
          f"(CPU of this process {cpu:.2f} s = {args.n / cpu:.0f} rows/s)")
    print("resident memory while importing: "
          + ", ".join(f"{mark} {mib:.0f} MiB" for mark, mib in seen)
          + f"; peak RSS of this process {peak:.0f} MiB")
    ratio = rate / base_rate
    print(f"ratio dataset/sqlite3: {ratio:.4f} (target ≥ 0.5: "
          f"{'met' if ratio >= 0.5 else 'not met'}); by CPU time {base_cpu / cpu:.4f}")
    first, last = seen[0][1], seen[-1][1]
    print(f"memory from 10 % to 100 % of the file: {last - first:+.0f} MiB")
    if old is not None:
        m = min(args.reports_n, args.n)
        print(f"trucewatch, reports mode: {m} rows in {old:8.2f} s = {m / old:9.0f} rows/s; "
              f"ratio to sqlite3 {m / old / base_rate:.4f}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
