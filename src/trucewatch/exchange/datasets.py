"""Import an event file as an external reference dataset: streamed, checked, logged, all or nothing.

An ACLED row is third-party data, not a report a party filed, so this mode keeps the file
as it is, beside the mechanism's own reports, instead of filing a report per row
(:mod:`trucewatch.exchange.importing`). Rows are read one at a time, checked and typed
(:mod:`trucewatch.exchange.acled_chunks`), and inserted in chunks, with one executemany
(SQLite) or one COPY (PostgreSQL) each. Every chunk is a log entry citing its line range
and the SHA-256 of its stored values (:func:`chunk_digest`), which the log audit
recomputes from the table; one more entry records the import itself with the file's
SHA-256 and counts. A bad row stops the writing; the rest of the file is still checked,
so one run names every bad line, and then :class:`ImportRefused` is raised so that the
caller's transaction writes nothing. With ``skip_bad`` the bad rows go to the
``rejected`` file instead, with their line and error.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import repeat
from typing import IO, TYPE_CHECKING, Any, Protocol, TextIO, cast

import orjson
from sqlalchemy import CursorResult, Table, insert, update
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.exchange import acled, acled_chunks, csvrows
from trucewatch.exchange.acled_columns import Layout
from trucewatch.exchange.importing import ImportRefused, ImportResult, RowProblem, reject
from trucewatch.exchange.models import DatasetAcledEvent, DatasetImport
from trucewatch.log import service as log
from trucewatch.log.state import core_row_state
from trucewatch.storage.base import utcnow

if TYPE_CHECKING:
    from trucewatch.exchange.dataset_staging import Staging

FORMATS = (acled.FORMAT,)  # UCDP GED is imported as reports only, for now
CHUNK = 10_000  # rows per insert and per log entry
# The kinds of the entries (written out where they are appended, for docs/architecture.md's
# list of kinds, which scripts/gen_docs.py finds there).
CHUNK_KIND, IMPORT_KIND = "dataset.rows_imported", "dataset.imported"
FILE_NAME_MAX = 300

_IMPORTS = cast(Table, DatasetImport.__table__)
_EVENTS = cast(Table, DatasetAcledEvent.__table__)
# The stored columns in the order of a row's values: the import, the line, the codebook's
# columns, then what keeps the source text.
EVENT_COLUMNS: tuple[str, ...] = ("import_id", "line", *acled.COLUMNS, "verbatim", "extra")
assert set(EVENT_COLUMNS) == {c.name for c in _EVENTS.columns}


class ImportMode(StrEnum):
    """How an event file is imported (docs/exchange.md says why dataset is ACLED's default)."""

    DATASET = "dataset"  # kept as it is, as third-party reference data
    REPORTS = "reports"  # each row filed as a report through the filing path


def chunk_digest(dataset: int, lines: Sequence[int], values: Sequence[Sequence[Any]]) -> str:
    """SHA-256 (hex) of a chunk's stored values: the RFC 8785 canonical JSON of one array
    ``[dataset, lines, column, column, …]`` holding, after the dataset's id, the chunk's line
    numbers and then each stored column in the order of ``EVENT_COLUMNS`` (from the event
    id to ``extra``), each a list in line order: texts and integers as stored, null for
    null, dates as ISO text, floats as the text they are written back as (``repr`` less a
    trailing ``.0``). orjson writes exactly that JSON for these values (a test holds it
    to :func:`trucewatch.log.service.canonical`), much faster."""
    columns = [dataset, *acled_chunks.digest_columns(lines, values)]
    return hashlib.sha256(orjson.dumps(columns)).hexdigest()


@dataclass
class DatasetResult(ImportResult):
    """What a dataset import did: ``stored`` rows under dataset ``dataset``."""

    dataset: int | None = None
    stored: int = 0
    file_sha256: str = ""
    fast: bool = False  # read by the fast path (dataset_arrow), which stores the same rows

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "mode": "dataset", "dataset": self.dataset,
                "stored": self.stored, "file_sha256": self.file_sha256}


class Source(Protocol):
    """A file's bytes: an open binary file, an upload, anything with ``read``."""

    def read(self, size: int = -1, /) -> bytes: ...


class _HashedBytes(io.RawIOBase):
    """The file's bytes as given (before any gzip), hashed as they are read."""

    def __init__(self, raw: Source) -> None:
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha.update(data)
        self.size += n
        return n

    def read(self, size: int = -1, /) -> bytes:
        """The next bytes as the source gives them (no copy, for Arrow's reader)."""
        data = self.raw.read(size)
        self.sha.update(data)
        self.size += len(data)
        return data


def text_of(source: Source, file_name: str) -> tuple[TextIO, _HashedBytes]:
    """The file as UTF-8 text (a byte-order mark dropped, ``.gz`` through gzip), and the
    hashing reader beneath it."""
    hashed = _HashedBytes(source)
    buffered: IO[bytes] = io.BufferedReader(hashed, 1 << 20)
    if file_name.endswith(".gz"):
        buffered = cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb"))
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", newline=""), hashed


class _Run:
    """One import's bookkeeping: the current chunk, the bad rows, the side file."""

    def __init__(self, session: Session, *, dataset: int, actor: str, header: list[str],
                 skip_bad: bool, rejected: TextIO | None, result: DatasetResult) -> None:
        self.session, self.dataset, self.actor, self.header = session, dataset, actor, header
        self.skip_bad, self.result, self.failed = skip_bad, result, False
        self.rejected_writer = csv.writer(rejected) if rejected is not None else None
        self.chunks = 0
        self.entries: list[log.PendingEntry] = []
        self.staging: Staging | None = None  # the fast path's (dataset_arrow): entries wait
        self.copy = session.get_bind().dialect.name == "postgresql"
        names = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
        if self.copy:  # COPY takes the rows several times faster than an executemany
            self.sql = f'COPY "{_EVENTS.name}" ({names}) FROM STDIN'
        else:
            self.sql = (f'INSERT INTO "{_EVENTS.name}" ({names}) '
                        f"VALUES ({', '.join(['?'] * len(EVENT_COLUMNS))})")

    def bad(self, line: int, raw: list[str], column: str | None, message: str) -> None:
        if not reject(self.result, RowProblem(line, column, message), raw,
                      skip_bad=self.skip_bad, writer=self.rejected_writer, header=self.header):
            self.failed = True

    def convert_and_write(self, raws: list[list[str]], lines: list[int], layout: Layout,
                          today: date) -> None:
        """Check and convert a chunk; report its bad rows in line order; write the rest."""
        width = len(self.header)
        problems: list[tuple[int, list[str], str | None, str]] = []
        if any(len(raw) != width for raw in raws):
            for line, raw in zip(lines, raws, strict=True):
                if len(raw) != width:
                    problems.append((line, raw, None, f"{len(raw)} fields; the header has {width}"))
            lines = [line for line, raw in zip(lines, raws, strict=True) if len(raw) == width]
            raws = [raw for raw in raws if len(raw) == width]
        chunk = acled_chunks.convert(raws, layout, today)
        problems += [(lines[i], raws[i], e.column, e.message) for i, e in chunk.errors.items()]
        for problem in sorted(problems, key=lambda p: p[0]):
            self.bad(*problem)
        if not self.failed:  # checking goes on to name every bad line; writing has stopped
            self.write(*chunk.without_errors(lines))

    def write(self, lines: Sequence[int], values: list[Sequence[Any]]) -> None:
        """Insert a chunk (SQLite: one executemany; PostgreSQL: one COPY) and append its
        log entry, in the caller's transaction."""
        if not lines:
            return
        if self.staging is not None:
            from trucewatch.exchange.dataset_arrow import staged_batch

            self.staging.append(staged_batch(lines, values))
            self.logged(lines[0], lines[-1], len(lines), chunk_digest(self.dataset, lines, values))
            return
        rows = list(zip(repeat(self.dataset, len(lines)), lines, *values, strict=True))
        connection = self.session.connection()
        if self.copy:
            # The session's own psycopg connection, inside its open transaction. Floats go
            # as repr text, which PostgreSQL reads back to the same double.
            driver = connection.connection.driver_connection
            assert driver is not None
            with driver.cursor() as cursor, cursor.copy(self.sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            connection.exec_driver_sql(self.sql, rows)
        self.logged(lines[0], lines[-1], len(lines), chunk_digest(self.dataset, lines, values))

    def logged(self, first_line: int, last_line: int, rows: int,
               sha256: str | Future[str]) -> None:
        """Count a chunk written and append its log entry (on the fast path, once its rows
        have been moved into the store: :meth:`flush`)."""
        self.chunks += 1
        self.result.stored += rows
        self.entries.append(log.PendingEntry(
            "dataset.rows_imported", f"dataset:{self.dataset}",  # CHUNK_KIND
            {"dataset": self.dataset, "format": acled.FORMAT, "chunk": self.chunks,
             "first_line": first_line, "last_line": last_line, "rows": rows,
             "sha256": sha256}))
        if self.staging is None:
            self.flush()

    def flush(self) -> None:
        for entry in self.entries:  # the fast path's digests are computed by its writer
            sha256 = entry.payload["sha256"]
            if isinstance(sha256, Future):
                entry.payload["sha256"] = sha256.result()
        log.record_many(self.session, actor=self.actor, entries=self.entries)
        self.entries = []


def _arrow_fits(session: Session, source: Source, name: str) -> bool:
    """Whether the fast path may read the file: SQLite, pyarrow installed, a file it can
    read again from the start (the row path's, if Arrow cannot take it), not gzipped, and
    room on the connection to attach its staging file."""
    if session.get_bind().dialect.name != "sqlite" or name.endswith(".gz"):
        return False
    seekable = getattr(source, "seekable", None)
    if seekable is None or not seekable():
        return False
    try:
        import adbc_driver_sqlite  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    from trucewatch.exchange.dataset_staging import has_room

    return has_room(session)


def _read_rows(run: _Run, rows: Any, layout: Layout, day: date, chunk: int) -> None:
    """The row path: rows read by Python's csv module, converted a chunk at a time."""
    raws: list[list[str]] = []
    lines: list[int] = []
    for line, raw in rows:
        run.result.rows += 1
        raws.append(raw)
        lines.append(line)
        if len(raws) >= chunk:
            run.convert_and_write(raws, lines, layout, day)
            raws, lines = [], []
    run.convert_and_write(raws, lines, layout, day)


def _fast(session: Session, source: Source, layout: Layout, day: date, chunk: int,
          rejected: TextIO | None, options: dict[str, Any]) -> tuple[_Run | None, _HashedBytes]:
    """The fast path (:mod:`trucewatch.exchange.dataset_arrow`): the run, with its rows
    moved into the store and its entries appended; or None, with nothing written, if the
    file needs the row path."""
    from trucewatch.exchange import dataset_arrow
    from trucewatch.exchange.arrow_csv import NotForArrow

    hashed = _HashedBytes(source)
    # The side file's rows wait here: should the file need the row path, it starts afresh.
    with tempfile.SpooledTemporaryFile(1 << 20, mode="w+", encoding="utf-8",
                                       newline="") as side:
        run = _Run(session, rejected=cast(TextIO, side) if rejected is not None else None,
                   result=DatasetResult(acled.FORMAT, dataset=options["dataset"]), **options)
        run.staging = staging = dataset_arrow.new_staging(run)
        try:
            dataset_arrow.stage(run, hashed, layout, day, chunk)
        except NotForArrow:
            staging.discard()
            return None, hashed
        except BaseException:
            staging.discard()
            raise
        if run.failed:
            staging.discard()
        else:
            staging.move(_EVENTS.name, {"import_id": options["dataset"]})
            run.flush()
        run.result.fast = True
        if rejected is not None:
            side.seek(0)
            shutil.copyfileobj(side, rejected)
    return run, hashed


def import_dataset(session: Session, *, format: str, source: Source, file_name: str,
                   actor: str, principal: Principal | None = None, skip_bad: bool = False,
                   rejected: TextIO | None = None, chunk: int = CHUNK,
                   today: date | None = None) -> DatasetResult:
    """Import ``source`` (the file's bytes) as a dataset of ``format`` rows.

    Without ``skip_bad`` a file with any bad row raises :class:`ImportRefused` naming them;
    what was written before is in the caller's transaction, which must not commit."""
    if principal is not None:
        require(principal, Action.EXCHANGE_IMPORT)
    if format not in FORMATS:
        raise InvalidInput(f"{format!r} is imported as reports only (a dataset holds "
                           f"{', '.join(FORMATS)})", field="format")
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    if not name or len(name) > FILE_NAME_MAX or not name.isprintable():
        raise InvalidInput(f"a file name of 1 to {FILE_NAME_MAX} printable characters",
                           field="file_name")
    fast = _arrow_fits(session, source, name)
    origin = source.tell() if fast else 0  # type: ignore[attr-defined]
    stream, hashed = text_of(source, name)
    header, rows = csvrows.raw_rows(stream, acled.REQUIRED)
    layout = Layout.of(header)
    imported_at = utcnow()
    row: dict[str, Any] = {"format": format, "file_name": name, "file_sha256": "",
                           "columns": json.dumps(list(layout.header), ensure_ascii=False),
                           "rows": 0, "rejected": 0, "imported_at": imported_at,
                           "imported_by": actor}
    inserted = cast(CursorResult[Any], session.execute(insert(_IMPORTS).values(row)))
    key = inserted.inserted_primary_key
    assert key is not None
    dataset = int(key[0])
    day = today or datetime.now(UTC).date()
    options: dict[str, Any] = {"dataset": dataset, "actor": actor, "header": header,
                               "skip_bad": skip_bad}
    run: _Run | None = None
    if fast:  # (a header over several lines is refused by the fast path's line check)
        source.seek(origin)  # type: ignore[attr-defined]
        run, hashed = _fast(session, source, layout, day, chunk, rejected, options)
        if run is None:
            source.seek(origin)  # type: ignore[attr-defined]
            stream, hashed = text_of(source, name)
            header, rows = csvrows.raw_rows(stream, acled.REQUIRED)
    if run is None:
        run = _Run(session, rejected=rejected, result=DatasetResult(format, dataset=dataset),
                   **options)
        _read_rows(run, rows, layout, day, chunk)
        while stream.read(1 << 20):  # anything after the last row still counts in the file's hash
            pass
    result = run.result
    if run.failed:
        raise ImportRefused(result.problems, result.rejected)
    result.file_sha256 = row["file_sha256"] = hashed.sha.hexdigest()
    row |= {"id": dataset, "rows": result.stored, "rejected": result.rejected}
    session.execute(update(_IMPORTS).where(_IMPORTS.c.id == dataset).values(
        file_sha256=row["file_sha256"], rows=row["rows"], rejected=row["rejected"]))
    log.record_many(session, actor=actor, entries=[log.PendingEntry(
        "dataset.imported", f"dataset:{dataset}",  # IMPORT_KIND
        {"dataset": dataset, "format": format, "file_name": name,
         "file_sha256": row["file_sha256"], "file_bytes": hashed.size, "rows_read": result.rows,
         "rows": result.stored, "rejected": result.rejected, "chunks": run.chunks},
        rows=(core_row_state(_IMPORTS, row),))])
    return result


