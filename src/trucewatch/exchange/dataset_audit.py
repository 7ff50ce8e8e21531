"""The log audit's check of datasets: every chunk's digest recomputed from the stored rows.

A dataset's rows have no snapshot each in the log; each chunk's entry holds the SHA-256 of
its stored values (:func:`trucewatch.exchange.datasets.chunk_digest`) and its line range.
Recomputing them finds a row changed, removed or added in a chunk's range behind the log's
back; counting finds a row added outside every logged range.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from trucewatch.exchange.datasets import CHUNK_KIND, EVENT_COLUMNS, chunk_digest
from trucewatch.exchange.models import DatasetAcledEvent
from trucewatch.log.audit import AuditReport, Problem
from trucewatch.log.models import LogEntry

_EVENTS = cast(Table, DatasetAcledEvent.__table__)
_TABLE = _EVENTS.name


@dataclass(frozen=True)
class LoggedChunk:
    seq: int
    dataset: int
    first_line: int
    last_line: int
    rows: int
    sha256: str


def logged_chunks(session: Session) -> Iterator[LoggedChunk]:
    """Every chunk entry of the log, in order (their bodies are checked by the chain)."""
    query = (select(LogEntry.seq, LogEntry.body).where(LogEntry.kind == CHUNK_KIND)
             .order_by(LogEntry.seq))
    for seq, body in session.execute(query):
        p = json.loads(body)["payload"]
        yield LoggedChunk(seq, int(p["dataset"]), int(p["first_line"]), int(p["last_line"]),
                          int(p["rows"]), str(p["sha256"]))


def stored_chunk(session: Session, chunk: LoggedChunk) -> tuple[list[int], list[list[Any]]]:
    """The lines and the stored columns (from the event id to ``extra``) of a chunk's range."""
    rows = session.execute(
        select(*(_EVENTS.c[name] for name in EVENT_COLUMNS[1:]))
        .where(_EVENTS.c.import_id == chunk.dataset,
               _EVENTS.c.line.between(chunk.first_line, chunk.last_line))
        .order_by(_EVENTS.c.line)).all()
    if not rows:
        return [], [[] for _ in EVENT_COLUMNS[2:]]
    by_column = [list(c) for c in zip(*rows, strict=True)]
    return by_column[0], by_column[1:]


def check_chunks(session: Session, report: AuditReport) -> None:
    """Add a problem for every chunk whose stored rows no longer give its logged digest,
    and for rows that no chunk entry covers."""
    covered: dict[int, int] = {}
    for chunk in logged_chunks(session):
        lines, values = stored_chunk(session, chunk)
        report.rows_checked += len(lines)
        covered[chunk.dataset] = covered.get(chunk.dataset, 0) + len(lines)
        if len(lines) != chunk.rows:
            found = f"{len(lines)} rows in its range, {chunk.rows} logged"
        elif chunk_digest(chunk.dataset, lines, values) != chunk.sha256:
            found = "its rows no longer give the logged SHA-256"
        else:
            continue
        report.problems.append(Problem(
            f"{_TABLE} {chunk.dataset} lines {chunk.first_line}-{chunk.last_line}",
            f"differs from log entry {chunk.seq} ({found}): changed outside the mechanism",
            chunk.seq))
    counts = session.execute(select(_EVENTS.c.import_id, func.count())
                             .group_by(_EVENTS.c.import_id))
    for dataset, count in counts:
        outside = count - covered.get(dataset, 0)
        if outside:
            report.problems.append(Problem(
                f"{_TABLE} {dataset}", f"{outside} rows outside every logged chunk: written "
                "around the mechanism"))
