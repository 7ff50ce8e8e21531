"""Exchange: streamed exports of reports, incidents and datasets, and event-file imports.

An export is checked first (a bad argument is a 422 problem), then streamed from a
session of its own, one page at a time, as the caller may read it. An import is a
multipart upload (spooled to disk, read row by row), as a dataset (ACLED's default) or as
reports; the request is its transaction, so a file with a bad row stores nothing unless
``skip_bad`` is set.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from trucewatch.api.deps import PrincipalDep, SessionDep, SettingsDep
from trucewatch.api.problems import COMMON
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.exchange.dataset_export import export_dataset, get_dataset, list_datasets
from trucewatch.exchange.datasets import ImportMode, import_dataset
from trucewatch.exchange.exporting import MEDIA_TYPES, SUFFIXES, ExportFilter, check_export, export
from trucewatch.exchange.importing import ImportResult, import_csv
from trucewatch.reports.service import Limits
from trucewatch.storage import Store

router = APIRouter(tags=["exchange"], responses=COMMON)

ExportFormat = Literal["acled", "csv", "geojson", "jsonl"]
Subject = Literal["reports", "incidents"]


class RowProblemOut(BaseModel):
    line: int
    field: str | None
    message: str


class ImportOut(BaseModel):
    format: str
    mode: ImportMode = ImportMode.REPORTS
    rows: int
    filed: int  # reports mode: reports filed
    existing: int  # reports mode: rows imported before, with the same content
    rejected: int
    problems: list[RowProblemOut]
    rejected_csv: str | None = None  # with skip_bad: the rejected rows, with line and error
    dataset: int | None = None  # dataset mode: the dataset's id
    stored: int | None = None  # dataset mode: rows stored
    file_sha256: str | None = None  # dataset mode: SHA-256 of the file as uploaded


class DatasetOut(BaseModel):
    id: int
    format: str
    file_name: str
    file_sha256: str
    rows: int
    rejected: int
    imported_at: str
    imported_by: str


@router.get("/exports/{subject}", response_class=StreamingResponse, responses={
    200: {"description": "The export, streamed",
          "content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()}}})
def export_(request: Request, subject: Subject, who: PrincipalDep,
            format: Annotated[ExportFormat, Query(description="acled (reports only), csv, "
                                                  "geojson or jsonl")] = "jsonl",
            occurred_from: Annotated[str | None, Query(alias="from")] = None,
            occurred_to: Annotated[str | None, Query(alias="to")] = None,
            truce: str | None = None) -> StreamingResponse:
    """Reports or incidents as the caller may read them (the public: published material),
    streamed whatever their number; never a confidential source."""
    filters = ExportFilter(occurred_from=occurred_from, occurred_to=occurred_to, truce=truce)
    check_export(subject, format, filters)
    chunks = _stream(request.app.state.store, subject, format, who, filters)
    name = f"{subject}{SUFFIXES[format]}"
    return StreamingResponse(chunks, media_type=MEDIA_TYPES[format],
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _stream(store: Store, subject: str, format: str, who: Principal,
            filters: ExportFilter) -> Iterator[str]:
    """The export read in a session of its own: it outlives the request's dependencies."""
    with store.session() as session:
        yield from export(session, subject=subject, format=format, principal=who,
                          filters=filters)


@router.get("/datasets", response_model=list[DatasetOut])
def datasets_(session: SessionDep, who: PrincipalDep) -> list[dict[str, Any]]:
    """The imported datasets (signed-in users: third-party data the mechanism does not
    publish)."""
    return list_datasets(session, principal=who)


@router.get("/exports/datasets/{dataset}", response_class=StreamingResponse, responses={
    200: {"description": "The dataset as the file it was imported from, streamed",
          "content": {"text/csv": {}}}})
def export_dataset_(request: Request, dataset: Annotated[int, Path(ge=1, le=2**31 - 1)],
                    session: SessionDep, who: PrincipalDep) -> StreamingResponse:
    """A dataset written back as its file: every ACLED column as it was read."""
    found = get_dataset(session, dataset, principal=who)
    chunks = _stream_dataset(request.app.state.store, dataset, who)
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", found.file_name.removesuffix(".gz"))
    name = plain if plain.endswith(".csv") else f"dataset-{dataset}.csv"
    return StreamingResponse(chunks, media_type=MEDIA_TYPES["acled"],
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _stream_dataset(store: Store, dataset: int, who: Principal) -> Iterator[str]:
    with store.session() as session:
        yield from export_dataset(session, dataset=dataset, principal=who)


@router.post("/imports/{format}", response_model=ImportOut)
def import_(format: Literal["acled", "ucdp"], session: SessionDep, who: PrincipalDep,
            settings: SettingsDep, file: Annotated[UploadFile, File(description="The CSV file")],
            mode: Annotated[ImportMode | None, Query(description="dataset (ACLED's default): "
                            "kept as it is, as reference data; reports (UCDP's default): "
                            "each row filed as a report")] = None,
            organisation: str | None = None, truce: str | None = None,
            source_kind: str | None = None, skip_bad: bool = False) -> dict[str, Any]:
    """Import an ACLED or UCDP GED CSV file (``exchange.import``: coordinators and
    administrators). A bad row stores nothing unless ``skip_bad``; lines are named."""
    chosen = mode or (ImportMode.DATASET if format == "acled" else ImportMode.REPORTS)
    rejected = io.StringIO() if skip_bad else None
    result: ImportResult
    if chosen is ImportMode.DATASET:
        for name, value in (("organisation", organisation), ("truce", truce),
                            ("source_kind", source_kind)):
            if value is not None:
                raise InvalidInput(f"{name} applies to mode=reports only", field=name)
        result = import_dataset(session, format=format, source=file.file,
                                file_name=file.filename or f"{format}.csv", actor=who.actor,
                                principal=who, skip_bad=skip_bad, rejected=rejected)
    else:
        stream = io.TextIOWrapper(file.file, encoding="utf-8-sig", newline="")
        limits = Limits(max_attachment_bytes=settings.max_attachment_bytes,
                        max_narrative_chars=settings.max_narrative_chars)
        result = import_csv(session, format=format, stream=stream, actor=who.actor,
                            organisation=organisation, principal=who, truce=truce,
                            source_kind=source_kind or "monitor", skip_bad=skip_bad,
                            rejected=rejected, limits=limits)
        stream.detach()
    out = {"mode": chosen, **result.as_dict()}
    out["rejected_csv"] = rejected.getvalue() if rejected is not None and result.rejected else None
    return out
