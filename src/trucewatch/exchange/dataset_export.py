"""A dataset written back as the file it was imported from, streamed, and the list of datasets.

Every row is written in the file's own columns and order from its stored values
(:func:`trucewatch.exchange.acled_columns.render`), so each ACLED column comes out exactly
as it went in. Reading a dataset is ``dataset.read`` (docs/access.md): any member's role
or the operator, not the public: it is third-party data, held for the mechanism's
analysts, not published by it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import NotFound
from trucewatch.exchange.acled_columns import render
from trucewatch.exchange.datasets import EVENT_COLUMNS
from trucewatch.exchange.models import DatasetAcledEvent, DatasetImport

PAGE = 5000
_EVENTS = cast(Table, DatasetAcledEvent.__table__)


def _may_read(principal: Principal | None) -> None:
    if principal is not None:
        require(principal, Action.DATASET_READ)


def get_dataset(session: Session, dataset: int, *, principal: Principal | None) -> DatasetImport:
    _may_read(principal)
    found = session.get(DatasetImport, dataset) if 0 < dataset < 2**31 else None
    if found is None:
        raise NotFound(f"no dataset {dataset}", field="dataset")
    return found


def dataset_view(found: DatasetImport) -> dict[str, Any]:
    return {"id": found.id, "format": found.format, "file_name": found.file_name,
            "file_sha256": found.file_sha256, "rows": found.rows, "rejected": found.rejected,
            "imported_at": found.imported_at.isoformat().replace("+00:00", "Z"),
            "imported_by": found.imported_by}


def list_datasets(session: Session, *, principal: Principal | None) -> list[dict[str, Any]]:
    _may_read(principal)
    return [dataset_view(d) for d in session.scalars(select(DatasetImport)
                                                     .order_by(DatasetImport.id))]


def export_dataset(session: Session, *, dataset: int, principal: Principal | None,
                   page: int = PAGE) -> Iterator[str]:
    """The dataset as CSV text chunks (checked before the first chunk is asked for)."""
    found = get_dataset(session, dataset, principal=principal)
    header = json.loads(found.columns)
    return _chunks(session, dataset, header, page)


def _chunks(session: Session, dataset: int, header: list[str], page: int) -> Iterator[str]:
    yield _csv([header])
    query = (select(*(_EVENTS.c[name] for name in EVENT_COLUMNS[1:]))
             .where(_EVENTS.c.import_id == dataset).order_by(_EVENTS.c.line).limit(page))
    after = 0
    while True:
        rows = session.execute(query.where(_EVENTS.c.line > after)).all()
        if not rows:
            return
        yield _csv(render(row[1:], header) for row in rows)
        after = rows[-1][0]


def _csv(rows: Any) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()
