"""Report-ingestion benchmark: ``file_reports`` against a bare SQLAlchemy Core insert.

Files ``--n`` generated report submissions through the domain function
(``trucewatch.reports.service.file_reports``) in batches of ``--batch``, one
transaction per batch, and after each batch inserts the very same ``reports`` rows
(read back from the first database) into a second fresh database of the same kind
with a bare Core ``insert(reports)`` executemany, again one transaction per batch.
The two alternate batch by batch, so both see the same machine load and the same
growth of their tables. Only the transactions are timed: generating submissions and
reading rows back are not.

The domain side does everything a real filing does: pydantic validation, time and
place checks, actor and truce resolution, zone lookup, the idempotency check, the
casualty and confidential-source rows, and one hash-chained log entry per filing that
snapshots every row written.
The bare side writes only the ``reports`` rows. The ratio domain/bare is what all
of that costs on top of storing the rows.

    .venv/bin/python bench/ingest_reports.py                      # SQLite, temporary files
    .venv/bin/python bench/ingest_reports.py --db postgresql+psycopg://postgres@127.0.0.1:5432/trucewatch_bench

With a PostgreSQL URL the benchmark creates the named database and ``<name>_bare``,
and drops both at the end; with an SQLite URL it creates the file and ``<stem>.bare.db``
beside it, and removes both. It refuses to touch a database or file that already exists.
Results and their reading: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import sqlalchemy
from sqlalchemy import Table, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from trucewatch.demo.service import load_demo
from trucewatch.demo.synthetic import PLACES
from trucewatch.log import service as log
from trucewatch.log.models import LogHead
from trucewatch.reports.models import Report
from trucewatch.reports.service import file_reports
from trucewatch.reports.taxonomy import CODES
from trucewatch.storage import Store, open_store
from trucewatch.storage.engine import normalise_url

ACTOR = "bench:ingest"
TRUCE = "syria-2016-12-30"
# (organisation, user, source kind): the demo's filers; each batch is filed by one of them.
FILERS = (("syrian-government", "gov-reporter", "party"),
          ("armed-opposition", "opp-reporter", "party"),
          ("joint-group", "jg-monitor", "monitor"),
          ("example-wire", "wire-desk", "media"))
# Actors as filers name them: slugs, names and aliases, all of which resolve to one actor.
ACTOR_REFS = ("syrian-government", "Syrian government", "Syrian regime", "armed-opposition",
              "armed opposition", "rebels", "jaysh-al-islam", "Army of Islam", "Faylaq al-Sham",
              "islamic-state", "Daesh", "ISIS", "jabhat-fateh-al-sham", "Nusra Front", "russia",
              "Russian Federation", "turkey", "iran")
SYRIA = (32.4, 35.8, 37.2, 42.2)  # south, west, north, east: a box inside Syria's borders
WEAPONS = ("mortar rounds", "heavy machine-gun fire", "barrel bombs", "artillery shells",
           "Grad rockets", "tank fire", "an improvised explosive device", "sniper fire",
           "anti-tank missiles", "cluster munitions")
TARGETS = ("a residential block", "the main market", "a bakery", "farmland on the outskirts",
           "a checkpoint", "the road to the hospital", "a school building", "a water station",
           "positions on the front line", "a mosque and the houses around it")
SOURCES = ("field monitor, in person", "local council statement", "hospital records",
           "two eyewitnesses by telephone", "video posted online, geolocated",
           "liaison officer", "wire copy", "")


@dataclass(frozen=True)
class Submission:
    organisation: str
    user: str
    data: dict[str, Any]


def submissions(n: int, batch: int, seed: int) -> Iterator[list[Submission]]:
    """``n`` realistic, varied submissions in batches; the same on every run for a seed."""
    rng = random.Random(seed)
    for start in range(0, n, batch):
        organisation, user, kind = FILERS[(start // batch) % len(FILERS)]
        yield [Submission(organisation, user, _submission(rng, i, kind))
               for i in range(start, min(n, start + batch))]


def _submission(rng: random.Random, i: int, kind: str) -> dict[str, Any]:
    day = date(2017, 1, 1) + timedelta(days=rng.randrange(31))
    form = rng.random()
    if form < 0.45:
        offset = rng.choice(("+02:00", "+03:00", "Z"))
        occurred = f"{day.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00{offset}"
    elif form < 0.90:
        occurred = day.isoformat()
    elif form < 0.98:
        occurred = f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}"
    else:
        occurred = "2017-01"
    place, lat, lon = rng.choice(PLACES)
    where = rng.random()
    latitude: float | None
    longitude: float | None
    if where < 0.70:  # near a known place
        latitude = round(lat + rng.uniform(-0.05, 0.05), 5)
        longitude = round(lon + rng.uniform(-0.05, 0.05), 5)
    elif where < 0.95:  # anywhere in the country, described by its rough location
        latitude = round(rng.uniform(SYRIA[0], SYRIA[2]), 5)
        longitude = round(rng.uniform(SYRIA[1], SYRIA[3]), 5)
        place = f"{rng.randint(2, 40)} km from {place}"
    else:  # place name only
        latitude = longitude = None
    category = rng.choice(CODES)
    alleged, affected = rng.sample(ACTOR_REFS, 2)
    casualties = []
    for outcome, group in rng.sample([("killed", "civilian"), ("killed", "combatant"),
                                      ("injured", "civilian"), ("injured", "unknown")],
                                     rng.choice((0, 0, 1, 1, 1, 2, 3))):
        best = rng.choice((1, 1, 2, 3, 4, 6, 9, 15))
        casualties.append({"outcome": outcome, "group": group,
                           "low": max(0, best - rng.randint(0, 2)), "best": best,
                           "high": best + rng.randint(0, 5)})
    narrative = " ".join((
        f"[SYNTHETIC BENCHMARK REPORT {i}]",
        f"At about {rng.randint(1, 12)} o'clock, {rng.choice(WEAPONS)} struck {rng.choice(TARGETS)}",
        f"in {place}.",
        f"Residents said the {category.replace('_', ' ')} lasted {rng.randint(5, 90)} minutes",
        f"and came from the direction of {rng.choice(PLACES)[0]}.",
        rng.choice(("Local medics reported casualties being moved to a field clinic.",
                    "No casualties were confirmed at the time of writing.",
                    "The account could not yet be confirmed by a second source.",
                    "Photographs of the damage were shared with the mechanism's liaison office.")),
        rng.choice(("Fighting had been quiet in the area for several days before.",
                    "This is the third such report from the area this week.",
                    "A humanitarian convoy had been expected there the same day.",
                    "Both sides accused each other on social media within the hour.")),
    ))
    data: dict[str, Any] = {
        "idempotency_key": f"bench-{i:07d}",
        "truce": TRUCE if rng.random() < 0.8 else None,  # without it: the truce in force then
        "source_kind": kind,
        "source_description": rng.choice(SOURCES),
        "occurred": occurred,
        "place_name": place,
        "latitude": latitude,
        "longitude": longitude,
        "category": category,
        "alleged_actor": alleged,
        "affected_actor": affected if rng.random() < 0.8 else None,
        "casualties": casualties,
        "narrative": narrative,
        "synthetic": True,
    }
    if latitude is not None:
        data["geo_precision"] = rng.choice(("exact", "near", "near", "district"))
    if kind != "media" and rng.random() < 0.1:
        data["confidential_source"] = {"identity": f"source {rng.randint(1, 500)}",
                                       "contact": f"+963 9{rng.randint(10_000_000, 99_999_999)}"}
    return data


@contextmanager
def databases(url: str | None) -> Iterator[tuple[str, str, str]]:
    """Two fresh databases of one kind: (description, domain URL, bare URL); removed afterwards."""
    if url is None or make_url(normalise_url(url)).get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="trucewatch-bench-") as tmp:
            if url is None:
                domain = Path(tmp) / "domain.db"
            else:
                domain = Path(make_url(url).database or "")
                if not domain.name or domain.exists() or domain.with_suffix(".bare.db").exists():
                    sys.exit(f"give a path to a new SQLite file, not {url!r}")
            bare = Path(tmp) / "bare.db" if url is None else domain.with_suffix(".bare.db")
            try:
                yield "SQLite file", f"sqlite:///{domain}", f"sqlite:///{bare}"
            finally:
                if url is not None:
                    for path in (domain, bare):
                        for suffix in ("", "-wal", "-shm"):
                            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    base = make_url(normalise_url(url))
    if base.get_backend_name() != "postgresql" or not base.database:
        sys.exit(f"give an SQLite path or a postgresql+psycopg:// URL with a database name, not {url!r}")
    names = (base.database, f"{base.database}_bare")
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        taken = [n for n in names
                 if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": n})]
        if taken:
            sys.exit(f"database {taken[0]!r} already exists; the benchmark only uses its own")
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        first, second = (base.set(database=n).render_as_string(hide_password=False) for n in names)
        yield "PostgreSQL " + _server_version(base.set(database=names[0])), first, second
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _server_version(url: Any) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))
    finally:
        engine.dispose()


def prepare(url: str) -> tuple[Store, int]:
    """Open a fresh store, load the demo (actors, truce, users), return it and its last report id."""
    store = open_store(url)
    with store.session() as session:
        load_demo(session, actor=ACTOR)
    with store.session() as session:
        return store, session.scalar(select(func.coalesce(func.max(Report.id), 0))) or 0


@dataclass
class Clock:
    """Wall-clock and CPU time (this process only) spent in the timed transactions."""

    wall: float = 0.0
    cpu: float = 0.0
    rows: int = 0

    @contextmanager
    def timing(self, rows: int) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        self.rows += rows

    def line(self, label: str) -> str:
        return (f"{label}: {self.rows:>7} reports in {self.wall:7.2f} s = "
                f"{self.rows / self.wall:6.0f} reports/s (CPU of this process "
                f"{self.cpu:6.2f} s = {self.rows / self.cpu:6.0f} reports/s)")


# Every column the domain function writes; ``id`` and ``received_at`` come from the
# database and the column default on both sides.
COLUMNS = [c for c in Report.__table__.columns if c.name not in ("id", "received_at")]


def run(domain: Store, bare: Store, *, after: int, n: int, batch: int,
        seed: int) -> tuple[Clock, Clock, int]:
    """File each batch through the domain function, then bare-insert the rows it wrote.

    Alternating batch by batch exposes both sides to the same machine load and the same
    growth of the database. Returns both clocks and the number of filings (log entries).
    """
    domain_clock, bare_clock = Clock(), Clock()
    filings = 0
    table = cast(Table, Report.__table__)
    last = after
    for chunk in submissions(n, batch, seed):
        organisation, user = chunk[0].organisation, chunk[0].user
        items = [s.data for s in chunk]
        with domain_clock.timing(len(items)), domain.session() as session:
            results = file_reports(session, submissions=items, organisation=organisation,
                                   user=user, actor=f"user:{user}")
        if not all(r.created for r in results):
            sys.exit("a benchmark submission was taken for a retry: keys must be unique")
        filings += 1

        with domain.engine.connect() as conn:  # untimed: the rows just written, as written
            written = conn.execute(
                select(Report.id, *COLUMNS).where(Report.id > last).order_by(Report.id)).all()
        last = written[-1].id
        rows = [{c.name: getattr(row, c.name) for c in COLUMNS} for row in written]
        with bare_clock.timing(len(rows)), bare.session() as session:
            session.execute(insert(table), rows)
    return domain_clock, bare_clock, filings


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / scale / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="reports to file (default 100000)")
    parser.add_argument("--batch", type=int, default=1000,
                        help="reports per file_reports call and per transaction (default 1000)")
    parser.add_argument("--db", default=None,
                        help="sqlite:////path/new.db (the file and a .bare.db next to it "
                             "are created and removed) or a postgresql+psycopg:// URL naming "
                             "a database to create and drop (with <name>_bare); default: "
                             "fresh temporary SQLite files")
    parser.add_argument("--seed", type=int, default=20170123)
    args = parser.parse_args(argv)
    if args.n < 1 or args.batch < 1:
        parser.error("--n and --batch must be positive")

    with databases(args.db) as (kind, domain_url, bare_url):
        print(f"trucewatch report ingestion: {args.n} reports in batches of {args.batch}, "
              f"one transaction per batch")
        print(f"store: {kind}; Python {platform.python_version()}, SQLAlchemy "
              f"{sqlalchemy.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, "
              f"started {datetime.now().isoformat(timespec='seconds')}")
        domain, domain_before = prepare(domain_url)
        bare, bare_before = prepare(bare_url)
        try:
            with domain.session() as session:
                head = session.get(LogHead, 1)
                log_before = head.size if head else 0
            domain_clock, bare_clock, filings = run(domain, bare, after=domain_before, n=args.n,
                                           batch=args.batch, seed=args.seed)
            rss = peak_rss_mib()
            started = time.perf_counter()
            with domain.session() as session:
                problems = log.verify(session)
                head = session.get(LogHead, 1)
                log_added = (head.size if head else 0) - log_before
                filed = session.scalar(select(func.count()).select_from(Report)
                                       .where(Report.id > domain_before))
            verify_s = time.perf_counter() - started
            with bare.session() as session:
                bare_count = session.scalar(select(func.count()).select_from(Report)
                                            .where(Report.id > bare_before))
        finally:
            domain.dispose()
            bare.dispose()

        ratio = (domain_clock.rows / domain_clock.wall) / (bare_clock.rows / bare_clock.wall)
        print(domain_clock.line("domain file_reports"))
        print(bare_clock.line("bare Core insert   "))
        print(f"ratio domain/bare  : {ratio:.3f} (target >= 0.40 on SQLite); by CPU of this "
              f"process {bare_clock.cpu / domain_clock.cpu:.3f}")
        print(f"peak RSS           : {rss:.0f} MiB after both runs, "
              f"{peak_rss_mib():.0f} MiB after verifying the log")
        print(f"checks             : log verifies: {'yes' if not problems else 'NO'} "
              f"({verify_s:.1f} s, {log_added} new entries); reports filed {filed}, "
              f"bare rows {bare_count}")
        ok = (not problems and filed == args.n and bare_count == args.n
              and log_added == filings)
        if not ok:
            for problem in problems[:10]:
                print(f"  log problem at {problem.seq}: {problem.problem}")
            print("FAILED: the counts or the log do not check out")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
