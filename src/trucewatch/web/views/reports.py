"""Filing a report from a form (with a map point or a typed place), and reading one's own."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from trucewatch.auth.policy import Action, allowed, require
from trucewatch.auth.principal import Principal
from trucewatch.correlation.matcher import match_after_commit
from trucewatch.errors import InvalidInput, NotFound, TrucewatchError
from trucewatch.reports.enums import CasualtyGroup, GeoPrecision, Outcome, SourceKind
from trucewatch.reports.reading import (
    ReportFilter,
    attachment_content,
    get_report,
    incident_of,
    list_reports,
    report_view,
)
from trucewatch.reports.service import Limits, file_report
from trucewatch.reports.taxonomy import TAXONOMY
from trucewatch.web.context import (
    CsrfFailure,
    error_page,
    principal_of,
    redirect,
    render,
    settings_of,
    store_of,
    web_session,
)
from trucewatch.web.i18n import _
from trucewatch.web.views.maps import map_data, truce_and_zones

router = APIRouter()
TEXT_FIELDS = ("source_kind", "source_description", "occurred", "place_name", "category",
               "alleged_actor", "affected_actor", "narrative", "geo_precision")


def _signed_in(request: Request, session: Session) -> Principal:
    me = principal_of(request, session)
    if me.is_public:
        raise NotFound("sign in first", field="principal")
    return me


def _form_context(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    truce, zones = truce_and_zones(session)
    actors = [(slug, truce["names"][slug]) for slug in truce["parties"] + truce["excluded"]
              ] if truce else []
    return {"values": values, "categories": TAXONOMY, "source_kinds": list(SourceKind),
            "geo_precisions": list(GeoPrecision), "outcomes": list(Outcome),
            "groups": list(CasualtyGroup), "actors": actors,
            "map_data": map_data(zones, [])}


@router.get("/reports/new", response_class=HTMLResponse)
def new_report(request: Request) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        values = {"idempotency_key": f"web-{uuid.uuid4()}", "source_kind": "party"}
        return render(request, "report_form.html", _form_context(session, values),
                      principal=me)


def submission(form: Any, files: list[UploadFile], contents: list[bytes]) -> dict[str, Any]:
    """The form as a report submission (the service checks everything in it)."""
    data: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in TEXT_FIELDS}
    for key in ("alleged_actor", "affected_actor", "geo_precision"):
        if not data[key]:
            data[key] = None
    data["idempotency_key"] = str(form.get("idempotency_key") or "") or None
    for key in ("latitude", "longitude"):
        text = str(form.get(key) or "").strip()
        try:
            data[key] = float(text) if text else None
        except ValueError:
            raise InvalidInput(f"{text!r} is not a number", field=key) from None
    best = str(form.get("casualty_best") or "").strip()
    if best:
        if not best.isdigit():
            raise InvalidInput(f"{best!r} is not a whole number", field="casualties.0.best")
        data["casualties"] = [{"outcome": form.get("casualty_outcome") or "killed",
                               "group": form.get("casualty_group") or "unknown",
                               "best": int(best)}]
    identity = str(form.get("source_identity") or "").strip()
    if identity:
        data["confidential_source"] = {"identity": identity,
                                       "contact": str(form.get("source_contact") or "").strip()}
    data["attachments"] = [{"filename": f.filename or "attachment", "content": c}
                           for f, c in zip(files, contents, strict=True)]
    return data


@router.post("/reports", response_class=HTMLResponse)
async def file_from_form(request: Request) -> Response:
    form = await request.form()
    token = form.get("csrf_token")
    if not web_session(request).csrf_valid(token if isinstance(token, str) else None):
        raise CsrfFailure()
    files = [f for f in form.getlist("attachments") if isinstance(f, UploadFile) and f.filename]
    contents = [await f.read() for f in files]
    settings = settings_of(request)
    limits = Limits(max_attachment_bytes=settings.max_attachment_bytes,
                    max_narrative_chars=settings.max_narrative_chars)
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        try:
            require(me, Action.REPORT_FILE, organisation_id=me.organisation_id)
            assert me.organisation_slug is not None
            filed = file_report(session, data=submission(form, files, contents),
                                organisation=me.organisation_slug,
                                user=me.actor.removeprefix("user:"), actor=me.actor,
                                limits=limits)
            if filed.created and settings.correlate_on_filing:  # matched once this commits
                match_after_commit(session, request.app.state.matcher, [filed.id])
        except TrucewatchError as exc:
            session.rollback()
            values = {k: form.get(k) for k in form if k not in ("attachments", "csrf_token")}
            return render(request, "report_form.html", {
                **_form_context(session, values), "error": exc}, principal=me,
                status_code=exc.http_status)
    web_session(request).flash("ok", (
        _("Report %(id)s filed.") if filed.created
        else _("Report %(id)s was filed already; nothing new was stored.")) % {"id": filed.id})
    return redirect(f"/reports/{filed.id}")


@router.get("/reports", response_class=HTMLResponse)
def own_reports(request: Request) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        reports = []
        if me.organisation_slug is not None:
            rows = list_reports(session, filters=ReportFilter(filed_by=me.organisation_slug),
                                limit=None, principal=me)
            reports = [report_view(r, incident_id=incident_of(session, r.id))
                       for r in reversed(rows)]
        return render(request, "reports.html", {"reports": reports}, principal=me)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: int) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        try:
            report = get_report(session, report_id, principal=me)
        except NotFound as exc:
            return error_page(request, exc, me)
        view = report_view(report, incident_id=incident_of(session, report.id))
        may_triage = allowed(me, Action.INCIDENT_TRIAGE) and view["incident"] is None
        return render(request, "report.html", {"report": view, "may_triage": may_triage},
                      principal=me)


@router.get("/reports/{report_id}/attachments/{sha256}")
def attachment(request: Request, report_id: int, sha256: str) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        try:
            media_type, content = attachment_content(session, report_id, sha256, principal=me)
        except NotFound as exc:
            return error_page(request, exc, me)
    # Served as a download, never rendered in the page's origin.
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": "attachment", "Content-Security-Policy": "sandbox"})
