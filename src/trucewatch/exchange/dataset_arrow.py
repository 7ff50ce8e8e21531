"""The dataset import's fast path on SQLite: Arrow reads, checks and types the file in
chunks, ADBC stages the rows, one ``INSERT INTO … SELECT`` moves them into the store.

It stores what the row path (:class:`trucewatch.exchange.datasets._Run`) stores, chunk
for chunk, with the same log entries: a chunk Arrow finds entirely usual
(:func:`trucewatch.exchange.acled_arrow.usual`) is typed and digested whole in Arrow; any
other chunk is handed, as rows, to the row path's own conversion, which names its bad rows.
A file Arrow cannot read as Python's ``csv`` module does raises
:class:`~trucewatch.exchange.arrow_csv.NotForArrow` before anything reaches the store,
and is read again by the row path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from trucewatch.exchange import acled_arrow, arrow_csv
from trucewatch.exchange.acled_columns import Layout
from trucewatch.exchange.dataset_staging import Staging

if TYPE_CHECKING:
    from trucewatch.exchange.datasets import _Run

SCHEMA = pa.schema([("line", pa.int64()),
                    *((c, t) for c, t in acled_arrow.STORED_TYPES.items())])


def _chunks(raw: Any, width: int, size: int) -> Iterator[pa.Table]:
    """The file's rows in tables of ``size`` rows (the last one shorter)."""
    held: list[pa.RecordBatch] = []
    count = 0
    for batch in arrow_csv.batches(raw, width):
        held.append(batch)
        count += batch.num_rows
        while count >= size:
            table = pa.Table.from_batches(held)
            yield table.slice(0, size)
            rest = table.slice(size)
            held, count = rest.to_batches(), rest.num_rows
    if count:
        yield pa.Table.from_batches(held)


def stage(run: _Run, raw: Any, layout: Layout, today: date, size: int) -> None:
    """Read the file from ``raw`` (its bytes, the header first), staging its rows in
    ``run.staging`` and noting each chunk's log entry on ``run``."""
    staging = run.staging
    assert staging is not None
    width = len(run.header)
    line = 2  # each row is one line (arrow_csv checks it), after the header's
    for table in _chunks(raw, width, size):
        n = table.num_rows
        if any(arrow_csv.over_limit(column.combine_chunks()) for column in table.columns):
            raise arrow_csv.NotForArrow("a value longer than the csv module's field limit")
        run.result.rows += n
        texts: list[pa.Array | None] = [
            None if p is None else table.column(p).combine_chunks() for p in layout.positions]
        extra = [table.column(i).combine_chunks() for _, i in layout.extra]
        if acled_arrow.usual(texts, extra, today):
            if not run.failed:  # writing stops at the first bad row; a usual chunk has none
                values = acled_arrow.stored(texts, extra, layout, n)
                batch = pa.RecordBatch.from_arrays(
                    [pa.array(range(line, line + n), pa.int64()), *values], schema=SCHEMA)
                # The digest is computed by the writing thread, beside the next chunk's checks.
                digest = partial(acled_arrow.digest, run.dataset, line, n, values)
                run.logged(line, line + n - 1, n, staging.append(batch, digest))
        else:
            columns = [table.column(i).to_pylist() for i in range(width)]
            raws = [list(r) for r in zip(*columns, strict=True)]
            run.convert_and_write(raws, list(range(line, line + n)), layout, today)
        line += n
        if run.chunks % 10 == 0:  # Arrow's allocator gives back what it keeps for reuse
            pa.default_memory_pool().release_unused()


def staged_batch(lines: Sequence[int], values: Sequence[Sequence[Any]]) -> pa.RecordBatch:
    """A chunk converted by the row path, as a batch of the staging table."""
    arrays = [pa.array(lines, pa.int64())]
    arrays += [pa.array(v, t) for v, t in zip(values, acled_arrow.STORED_TYPES.values(), strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)


def new_staging(run: _Run) -> Staging:
    return Staging(run.session, SCHEMA)
