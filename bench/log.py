"""Log benchmark: filing with the log on against the log bypassed, and verifying a large log.

Part 1 files ``--n`` generated submissions (the generator of ``bench/ingest_reports.py``)
through ``file_reports`` in batches of ``--batch`` into two fresh databases of the same
kind, batch by batch in turn: one as the product runs, one with the log bypassed inside
this process only (``trucewatch.log.service.record_many`` made a no-op, and the row
snapshots that ``file_reports`` builds for it skipped). The ratio of the two rates is
what the log costs a filing.

Part 2 builds a log of ``--entries`` entries in a temporary SQLite file: the demo with
guarantor keys and signed assessments, reports filed through ``file_reports``, then
copies of those reports (new ids and keys) written as ``file_reports`` writes them, Core
rows with their snapshots passed to ``record_many``, the real append path; then a tree
head is signed and countersigned. It times ``audit_database`` (hashes, tree, every
signature, every table row against the log), ``write_export`` and ``audit_export``,
each in a fresh process whose peak RSS is reported.

    .venv/bin/python bench/log.py
    .venv/bin/python bench/log.py --db postgresql+psycopg://postgres@127.0.0.1:5432/trucewatch_bench

Results and their reading: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import sqlalchemy
from sqlalchemy import Table, func, insert, select

from trucewatch.auth.principal import Principal, Role
from trucewatch.demo.service import load_demo
from trucewatch.keys.service import LOG, create_key
from trucewatch.keys.signing import Keystore, sign, signature_valid
from trucewatch.log import service as log
from trucewatch.log.audit import AuditReport
from trucewatch.log.export import audit_database, audit_export, write_export
from trucewatch.log.models import LogEntry, LogHead
from trucewatch.log.state import RowState, row_values
from trucewatch.log.treeheads import countersign, sign_tree_head
from trucewatch.reports import service as reports_service
from trucewatch.reports.models import Casualty, ConfidentialSource, Report
from trucewatch.reports.service import file_report, file_reports
from trucewatch.storage import Store, open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_reports import Clock, databases, prepare, submissions  # noqa: E402

ACTOR = "bench:log"
GUARANTOR = "russia"
TEMPLATES = 1000  # reports filed for real in part 2, then copied
_REPORTS = cast(Table, Report.__table__)
_CASUALTIES = cast(Table, Casualty.__table__)
_SOURCES = cast(Table, ConfidentialSource.__table__)


# --- Part 1: filing with the log on and bypassed ---------------------------------------

@contextmanager
def log_bypassed() -> Iterator[None]:
    """``file_reports`` without its log entries: no append, no row snapshots for it."""
    record_many, snapshot = log.record_many, reports_service.core_row_state

    def no_entry(session: Any, *, actor: str, entries: Any) -> None:
        return None

    def no_snapshot(table: Table, row: dict[str, Any]) -> RowState:
        return cast(RowState, None)

    log.record_many = no_entry
    reports_service.core_row_state = no_snapshot
    try:
        yield
    finally:
        log.record_many = record_many
        reports_service.core_row_state = snapshot


def _log_size(store: Store) -> int:
    with store.session() as session:
        head = session.get(LogHead, 1)
        return head.size if head else 0


def _report_count(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Report)) or 0)


def filing(db: str | None, *, n: int, batch: int, seed: int) -> bool:
    with databases(db) as (kind, on_url, off_url):
        print(f"part 1: {n} reports through file_reports in batches of {batch}, one transaction "
              f"per batch, log on and log bypassed in turn; store: {kind}")
        on, _ = prepare(on_url)
        off, _ = prepare(off_url)
        try:
            before = {"on": (_log_size(on), _report_count(on)),
                      "off": (_log_size(off), _report_count(off))}
            on_clock, off_clock = Clock(), Clock()
            for i, chunk in enumerate(submissions(n, batch, seed)):
                organisation, user = chunk[0].organisation, chunk[0].user
                items = [s.data for s in chunk]
                # Take turns at going first, so neither side always follows the other's commit.
                for side in (("on", "off") if i % 2 == 0 else ("off", "on")):
                    store, clock = (on, on_clock) if side == "on" else (off, off_clock)
                    bypass = log_bypassed() if side == "off" else _nothing()
                    with bypass, clock.timing(len(items)), store.session() as session:
                        file_reports(session, submissions=items, organisation=organisation,
                                     user=user, actor=f"user:{user}")
            grew = {"on": (_log_size(on) - before["on"][0], _report_count(on) - before["on"][1]),
                    "off": (_log_size(off) - before["off"][0],
                            _report_count(off) - before["off"][1])}
            with on.session() as session:
                chain_ok = not log.verify(session)
        finally:
            on.dispose()
            off.dispose()
    ratio = on_clock.rows / on_clock.wall / (off_clock.rows / off_clock.wall)
    print("  " + on_clock.line("log on          "))
    print("  " + off_clock.line("log bypassed    "))
    print(f"  ratio on/bypassed: {ratio:.3f} (target >= 0.6); by CPU of this process "
          f"{off_clock.cpu / on_clock.cpu:.3f}")
    batches = -(-n // batch)
    ok = (chain_ok and grew["on"][1] == grew["off"][1] == n and grew["on"][0] >= batches
          and grew["off"][0] == 0)
    print(f"  checks: log entries added / reports added: on {grew['on']}, bypassed "
          f"{grew['off']}; chain of the log-on database verifies: {'yes' if chain_ok else 'NO'}"
          f" ({'as expected' if ok else 'NOT as expected'})")
    return ok


@contextmanager
def _nothing() -> Iterator[None]:
    yield


# --- Part 2: a large log, verified ------------------------------------------------------

@dataclass
class _Template:
    """A filed report: its rows as written, and the snapshot values its entry records."""

    report: dict[str, Any]
    casualties: list[dict[str, Any]]
    source: dict[str, Any] | None
    payload: dict[str, Any]
    report_values: dict[str, Any]  # as the entry's snapshots record them
    casualty_values: list[dict[str, Any]]
    source_values: dict[str, Any] | None


def build_log(url: str, keys: Path, *, entries: int, seed: int) -> dict[str, int]:
    """Fill a fresh SQLite log to exactly ``entries`` entries, the last a countersignature."""
    store = open_store(url)
    keystore = Keystore(keys)
    try:
        with store.session() as session:
            load_demo(session, actor=ACTOR, keystore=keystore)
            create_key(session, keystore=keystore, organisation=None, purpose=LOG, actor=ACTOR)
            create_key(session, keystore=keystore, organisation=GUARANTOR, actor=ACTOR)
        filed = min(TEMPLATES, max(0, entries - _log_size(store) - 1))
        for chunk in submissions(filed, 100, seed):
            for item in chunk:  # one filing each, as from the web form or the API
                with store.session() as session:
                    file_report(session, data=item.data, organisation=item.organisation,
                                user=item.user, actor=f"user:{item.user}")
        copies = _copy_reports(store, until=entries - 1)
        with store.session() as session:
            head = sign_tree_head(session, keystore=keystore, actor=ACTOR)
            from trucewatch.actors.service import find_actor

            officer = Principal(actor=f"user:{GUARANTOR}-officer",
                                organisation_id=find_actor(session, GUARANTOR).id,
                                organisation_slug=GUARANTOR, user_id=1,
                                roles=frozenset({Role.GUARANTOR_OFFICER}))
            countersign(session, principal=officer, size=head.size, keystore=keystore)
        return {"filed": filed, "copies": copies, "signed_size": head.size,
                "size": _log_size(store)}
    finally:
        store.dispose()


def _templates(session: Any) -> list[_Template]:
    casualties: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(select(_CASUALTIES).order_by(_CASUALTIES.c.id)).mappings():
        casualties[row["report_id"]].append(dict(row))
    sources = {row["report_id"]: dict(row)
               for row in session.execute(select(_SOURCES)).mappings()}
    payloads = {int(subject.split(":")[1]): json.loads(body)["payload"]
                for subject, body in session.execute(
                    select(LogEntry.subject, LogEntry.body).where(LogEntry.kind == "report.filed"))}
    templates = []
    for row in session.execute(select(_REPORTS).order_by(_REPORTS.c.id)).mappings():
        report, kids, source = dict(row), casualties[row["id"]], sources.get(row["id"])
        templates.append(_Template(
            report, kids, source, payloads[row["id"]], row_values(_REPORTS, report),
            [row_values(_CASUALTIES, c) for c in kids],
            row_values(_SOURCES, source) if source else None))
    return templates


def _copy_reports(store: Store, *, until: int, batch: int = 20_000) -> int:
    """Refile the reports already there under new keys until the log holds ``until`` entries.

    Each copy is written as a single filing writes it: Core rows, then a ``report.filed``
    entry through ``record_many`` with the snapshot of every row. The snapshot values are
    the template's (``row_values`` once per template) with the new ids and key put in.
    """
    with store.session() as session:
        templates = _templates(session)
        report_id = int(session.scalar(select(func.max(_REPORTS.c.id))) or 0)
        casualty_id = int(session.scalar(select(func.max(_CASUALTIES.c.id))) or 0)
    made, left = 0, until - _log_size(store)
    while left > 0:
        reports: list[dict[str, Any]] = []
        casualties: list[dict[str, Any]] = []
        sources: list[dict[str, Any]] = []
        pending = []
        for _ in range(min(batch, left)):
            t = templates[made % len(templates)]
            report_id += 1
            key = f"copy-{report_id}"
            reports.append({**t.report, "id": report_id, "idempotency_key": key})
            snapshots = [RowState(_REPORTS.name, (report_id,), {
                **t.report_values, "id": report_id, "idempotency_key": key})]
            for c, values in zip(t.casualties, t.casualty_values, strict=True):
                casualty_id += 1
                casualties.append({**c, "id": casualty_id, "report_id": report_id})
                snapshots.append(RowState(_CASUALTIES.name, (casualty_id,), {
                    **values, "id": casualty_id, "report_id": report_id}))
            if t.source is not None and t.source_values is not None:
                sources.append({**t.source, "report_id": report_id})
                snapshots.append(RowState(_SOURCES.name, (report_id,), {
                    **t.source_values, "report_id": report_id}))
            pending.append(log.PendingEntry(
                "report.filed", f"report:{report_id}",
                {**t.payload, "id": report_id, "idempotency_key": key}, rows=tuple(snapshots)))
            made += 1
        with store.session() as session:
            session.execute(insert(_REPORTS), reports)
            if casualties:
                session.execute(insert(_CASUALTIES), casualties)
            if sources:
                session.execute(insert(_SOURCES), sources)
            log.record_many(session, actor=ACTOR, entries=pending)
        left -= len(pending)
    return made


@dataclass(frozen=True)
class Timed:
    seconds: float
    cpu_seconds: float  # of the child process alone: less moved by other jobs on the machine
    peak_rss_mib: float
    entries: int
    tree_heads: int
    signatures: int
    rows_checked: int
    problems: list[str]


def _in_child(task: str, url: str, path: str) -> Timed:
    """One verification step, alone in this process (so its peak RSS is its own)."""
    store = open_store(url, migrate=False)
    report = AuditReport()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        if task == "database":
            with store.session() as session:
                report = audit_database(session)
        elif task == "write":
            with store.session() as session, open(path, "w", encoding="utf-8") as out:
                report.entries = write_export(session, out)
        else:
            report = audit_export(Path(path))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        store.dispose()
    return Timed(seconds, cpu, _peak_rss_mib(),
                 report.entries, report.tree_heads, report.signatures, report.rows_checked,
                 [f"{p.where}: {p.message}" for p in report.problems[:10]])


def _peak_rss_mib() -> float:
    """This process's peak RSS: VmHWM on Linux (ru_maxrss would count the parent's from
    before the exec of a spawned child)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _timed(task: str, url: str, path: str) -> Timed:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_in_child, task, url, path).result()


@contextmanager
def _workdir(keep: Path | None) -> Iterator[str]:
    """A temporary directory, or ``keep`` (created, and left in place with the files)."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="trucewatch-bench-log-") as tmp:
            yield tmp
        return
    keep.mkdir(parents=True)  # never over an earlier run's files
    yield str(keep)


def verification(*, entries: int, seed: int, keep: Path | None = None) -> bool:
    with _workdir(keep) as tmp:
        url = f"sqlite:///{tmp}/log.db"
        print(f"part 2: a log of {entries} entries in an SQLite file, verified")
        started = time.perf_counter()
        built = build_log(url, Path(tmp) / "keys", entries=entries, seed=seed)
        db_mib = os.path.getsize(f"{tmp}/log.db") / 2**20
        print(f"  built in {time.perf_counter() - started:.0f} s (not part of the figures): "
              f"demo, {built['filed']} reports filed one by one, {built['copies']} copies "
              f"through record_many, tree head signed at {built['signed_size']} and "
              f"countersigned; log size {built['size']}, database {db_mib:.0f} MiB")
        export = f"{tmp}/log.jsonl"
        written = _timed("write", url, export)
        offline = _timed("export", url, export)
        db = _timed("database", url, export)
        export_mib = os.path.getsize(export) / 2**20
    for label, t in (("audit_database", db), ("write_export  ", written),
                     ("audit_export  ", offline)):
        print(f"  {label}: {t.seconds:6.1f} s (CPU {t.cpu_seconds:6.1f} s), peak RSS "
              f"{t.peak_rss_mib:5.0f} MiB")
    print(f"  audit_database checked {db.entries} entries, {db.tree_heads} tree head, "
          f"{db.signatures} signatures and {db.rows_checked} table rows against the log")
    print(f"  audit_export checked {offline.entries} entries, {offline.tree_heads} tree head and "
          f"{offline.signatures} signatures in a {export_mib:.0f} MiB file (target for "
          "verifying: <= 30 s)")
    print(f"  one Ed25519 signature check costs {_signature_us():.0f} µs here, for reading "
          "the figures with more signed entries")
    ok = (built["size"] == entries and db.entries == offline.entries == written.entries == entries
          and not db.problems and not offline.problems)
    for problem in db.problems + offline.problems:
        print(f"  problem: {problem}")
    print(f"  checks: {entries} entries, both audits clean: {'yes' if ok else 'NO'}")
    return ok


def _signature_us(n: int = 2000) -> float:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from trucewatch.keys.signing import b64, public_bytes

    key = Ed25519PrivateKey.generate()
    public, body = b64(public_bytes(key)), b"x" * 200
    signature = sign(key, body)
    started = time.perf_counter()
    for _ in range(n):
        signature_valid(public, body, signature)
    return (time.perf_counter() - started) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000,
                        help="reports to file with the log on, and again bypassed (default 20000)")
    parser.add_argument("--batch", type=int, default=1000,
                        help="reports per file_reports call and transaction (default 1000)")
    parser.add_argument("--db", default=None,
                        help="where part 1 files: as bench/ingest_reports.py --db (a new SQLite "
                             "file, or a PostgreSQL database to create and drop); default: "
                             "temporary SQLite files. Part 2 always uses a temporary SQLite file")
    parser.add_argument("--entries", type=int, default=1_000_000,
                        help="size of the log to verify in part 2 (default 1000000; 0 skips it)")
    parser.add_argument("--seed", type=int, default=20170123)
    parser.add_argument("--keep", type=Path, default=None,
                        help="build part 2's log in this new directory and leave log.db and "
                             "log.jsonl there (to verify again: trucewatch log verify --file)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.batch < 1 or args.entries < 0:
        parser.error("--n and --batch must be positive, --entries not negative")
    print(f"trucewatch log benchmark; Python {platform.python_version()}, SQLAlchemy "
          f"{sqlalchemy.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, started {datetime.now().isoformat(timespec='seconds')}")
    ok = filing(args.db, n=args.n, batch=args.batch, seed=args.seed)
    if args.entries:
        ok = verification(entries=args.entries, seed=args.seed, keep=args.keep) and ok
    if not ok:
        print("FAILED: a check did not hold")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
