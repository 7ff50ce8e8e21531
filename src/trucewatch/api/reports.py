"""Reports: file (once, by ``Idempotency-Key``; JSON with base64 attachments or multipart), list, read."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import Base64Bytes, BaseModel, ConfigDict, Field, ValidationError

from trucewatch.api import geojson
from trucewatch.api.deps import PrincipalDep, SessionDep, SettingsDep
from trucewatch.api.filing import FilingDesk, bearer_token, desk
from trucewatch.api.limits import PayloadTooLarge
from trucewatch.api.pagination import Cursor, Limit, Page, decode_cursor, page
from trucewatch.api.problems import COMMON
from trucewatch.auth.principal import Principal
from trucewatch.config import Settings
from trucewatch.errors import InvalidInput
from trucewatch.reports.reading import (
    ReportFilter,
    attachment_content,
    get_report,
    incident_of,
    list_reports,
    report_view,
    reveal_confidential_source,
)
from trucewatch.reports.schemas import ReportIn
from trucewatch.validation import as_invalid_input

router = APIRouter(prefix="/reports", tags=["reports"], responses=COMMON)

KEY_PATTERN = r"^[\x21-\x7e]+$"
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200, pattern=KEY_PATTERN,
    description="A retry with the same key returns the first result; never a second report.")]


class AttachmentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=255)
    content: Base64Bytes = Field(description="The file's bytes, base64 (RFC 4648 §4).")


class ReportBody(ReportIn):
    """A report as JSON; attachments carry their bytes in base64."""

    attachments: list[AttachmentBody] = Field(default_factory=list,  # type: ignore[assignment]
                                              max_length=20)


class ReportOut(BaseModel):
    """A report as readers see it (never its confidential source)."""

    model_config = ConfigDict(extra="allow")

    id: int
    filed_by: str
    category: str
    occurred_start: str
    occurred_end: str
    latitude: float | None
    longitude: float | None
    incident: int | None


def _view(session: SessionDep, who: Principal, report_id: int) -> dict[str, Any]:
    """The report as the caller may read it."""
    report = get_report(session, report_id, principal=who)
    return report_view(report, incident_id=incident_of(session, report_id))


FilingToken = Annotated[str, Depends(bearer_token)]
FilingDesk_ = Annotated[FilingDesk, Depends(desk)]


async def _file(desk: FilingDesk, token: str, settings: Settings, data: dict[str, Any],
                key: str | None) -> JSONResponse:
    """Hand the submission to the desk (filed with whatever else arrived meanwhile, and
    marked for correlation in the same transaction); the answer is the report as
    ``GET /api/v1/reports/{id}`` shows it, once it is committed."""
    if key is not None:
        if data.get("idempotency_key") not in (None, key):
            raise InvalidInput("the Idempotency-Key header and idempotency_key differ",
                               field="idempotency_key")
        data["idempotency_key"] = key
    for i, attachment in enumerate(data.get("attachments", [])):
        if len(attachment["content"]) > settings.max_attachment_bytes:
            raise PayloadTooLarge(f"{attachment['filename']} is {len(attachment['content'])} "
                                  f"bytes; the limit is {settings.max_attachment_bytes}",
                                  field=f"attachments.{i}.content")
    filed = await desk.file(token, data)
    return JSONResponse(filed.view, status_code=201 if filed.created else 200,
                        headers={"Location": f"/api/v1/reports/{filed.id}"})


@router.post("", status_code=201, response_model=ReportOut,
             responses={200: {"model": ReportOut, "description": "A retry: the first result"},
                        409: COMMON[422] | {"description": "Key reused for another report"},
                        413: COMMON[422] | {"description": "Too large"}})
async def file_json(body: ReportBody, token: FilingToken, desk: FilingDesk_,
                    settings: SettingsDep,
                    idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """File a report for the caller's organisation (201), or return the first one for a retried
    ``Idempotency-Key`` (200). Attachments are base64 in ``content``."""
    data = body.model_dump(exclude={"attachments"})
    data["attachments"] = [{"filename": a.filename, "content": a.content}  # decoded bytes
                           for a in body.attachments]
    return await _file(desk, token, settings, data, idempotency_key)


@router.post("/multipart", status_code=201, response_model=ReportOut,
             responses={200: {"model": ReportOut, "description": "A retry: the first result"},
                        409: COMMON[422] | {"description": "Key reused for another report"},
                        413: COMMON[422] | {"description": "Too large"}})
async def file_multipart(token: FilingToken, desk: FilingDesk_, settings: SettingsDep,
                         report: Annotated[str, Form(description="The report as JSON, without "
                                                                 "attachments.")],
                         attachments: Annotated[list[UploadFile] | None, File()] = None,
                         idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """File a report as ``multipart/form-data``: a ``report`` JSON part and ``attachments`` files."""
    try:
        data = json.loads(report)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not JSON: {exc.msg}", field="report") from None
    if not isinstance(data, dict):
        raise InvalidInput("the report part must be a JSON object", field="report")
    files: list[dict[str, Any]] = []
    for i, upload in enumerate(attachments or []):
        if upload.size is not None and upload.size > settings.max_attachment_bytes:
            raise PayloadTooLarge(f"{upload.filename} is {upload.size} bytes; the limit is "
                                  f"{settings.max_attachment_bytes}",
                                  field=f"attachments.{i}.content")
        files.append({"filename": upload.filename or f"attachment-{i}",
                      "content": await upload.read(settings.max_attachment_bytes + 1)})
    data["attachments"] = files
    try:
        ReportIn.model_validate(data)
    except ValidationError as exc:
        raise as_invalid_input(exc) from None
    return await _file(desk, token, settings, data, idempotency_key)


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        parts = tuple(float(p) for p in value.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4 or any(p != p or p in (float("inf"), float("-inf")) for p in parts):
        raise InvalidInput("bbox is min_lon,min_lat,max_lon,max_lat", field="bbox")
    return parts[0], parts[1], parts[2], parts[3]


Bbox = Annotated[str | None, Query(max_length=200, description="min_lon,min_lat,max_lon,max_lat "
                                                              "(WGS 84)")]
Text = Annotated[str | None, Query(max_length=200)]


@router.get("", response_model=Page[ReportOut], responses=geojson.GEO_RESPONSE)
def list_(request: Request, response: Response, session: SessionDep, who: PrincipalDep,
          limit: Limit = 50, cursor: Cursor = None,
          occurred_from: Text = None, occurred_to: Text = None, bbox: Bbox = None,
          category: Text = None, alleged: Text = None, status: Text = None,
          truce: Text = None, filed_by: Text = None, text: Text = None) -> Any:
    """Reports the caller may see, in filing order; ``Accept: application/geo+json`` for a
    FeatureCollection."""
    filters = ReportFilter(occurred_from=occurred_from, occurred_to=occurred_to,
                           bbox=parse_bbox(bbox), category=category, alleged_actor=alleged,
                           status=status, truce=truce, filed_by=filed_by, text=text)
    rows = list_reports(session, filters=filters, after_id=decode_cursor(cursor),
                        limit=limit + 1, principal=who)
    body = page(rows, limit=limit, key=lambda r: r.id, request=request, response=response,
                view=lambda r: report_view(r, incident_id=incident_of(session, r.id)))
    if geojson.wants_geojson(request):
        return geojson.collection(body["items"], next_cursor=body["next"],
                                  headers=dict(response.headers))
    return body


@router.get("/{report_id}", response_model=ReportOut)
def read(report_id: int, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """One report; another organisation's unpublished report is 404 to a party."""
    return _view(session, who, report_id)


@router.get("/{report_id}/attachments/{sha256}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
def attachment(report_id: int, sha256: str, session: SessionDep, who: PrincipalDep) -> Response:
    """An attachment's bytes, with the media type detected when it was filed."""
    media_type, content = attachment_content(session, report_id, sha256, principal=who)
    return Response(content, media_type=media_type,
                    headers={"X-Content-Type-Options": "nosniff",
                             "Content-Disposition": "attachment"})


class ConfidentialSourceOut(BaseModel):
    identity: str | None
    contact: str | None


@router.get("/{report_id}/confidential-source", response_model=ConfidentialSourceOut)
def confidential_source(report_id: int, session: SessionDep,
                        who: PrincipalDep) -> JSONResponse:
    """Who told the filer: only the filing organisation's reporters; each reading is logged."""
    source = reveal_confidential_source(session, report_id=report_id, actor=who.actor,
                                        principal=who)
    body = {"identity": source.identity if source else None,
            "contact": source.contact if source else None}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
