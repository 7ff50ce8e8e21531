"""The ingest page: paste or upload a text, see its proposals with their evidence, accept
or reject them (guarantor officers and coordinators)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from trucewatch.auth.policy import Action, allowed
from trucewatch.errors import InvalidInput, PermissionDenied, TrucewatchError
from trucewatch.web.context import (
    checked_form,
    done,
    error_page,
    failed,
    principal_of,
    redirect,
    render,
    store_of,
)
from trucewatch.web.i18n import _

router = APIRouter()
PAGE = "/ingest"
MAX_BYTES = 2_000_000


@router.get(PAGE, response_class=HTMLResponse)
def ingest_page(request: Request, status: str = "pending") -> Response:
    from trucewatch.ingest import service

    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        if not allowed(me, Action.INGEST):
            return error_page(request, PermissionDenied(
                _("texts are ingested by guarantor officers and coordinators"),
                field="principal"), me)
        rows = service.list_proposals(session, principal=me, status=status or None, limit=300)
        proposals = [{**service.proposal_view(r), "summary": service.summary(r)} for r in rows]
        return render(request, "ingest.html", {"proposals": proposals, "status": status},
                      principal=me)


async def _text_of(form: dict[str, object]) -> tuple[bytes, str]:
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_BYTES + 1)
        name = upload.filename
    else:
        content = str(form.get("text") or "").encode("utf-8")
        name = "pasted text"
    if not content.strip():
        raise InvalidInput(_("Paste a text or choose a file."), field="text")
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("The text is larger than 2 MB."), field="text")
    return content, name


@router.post(PAGE)
async def ingest_post(request: Request) -> Response:
    from trucewatch.ingest import service

    form = await checked_form(request)
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        try:
            raw, name = await _text_of(form)
            published = str(form.get("published") or "").strip()
            day = date.fromisoformat(published) if published else None
            result = service.ingest_text(session, principal=me, raw=raw,
                                         source=str(form.get("source") or "").strip() or name,
                                         published=day)
        except ValueError:
            session.rollback()
            return failed(request, InvalidInput(_("Use the date form YYYY-MM-DD."),
                                                field="published"), PAGE)
        except TrucewatchError as exc:
            session.rollback()
            return failed(request, exc, PAGE)
        count = len(result.proposals)
    return done(request, _("%(count)s proposals from %(source)s.")
                % {"count": count, "source": result.text.source}, PAGE)


@router.post(PAGE + "/proposals/{proposal_id}/accept")
async def accept(request: Request, proposal_id: int) -> Response:
    from trucewatch.ingest import acceptance

    form = await checked_form(request)
    fields = {k: (str(form.get(k) or "").strip() or None)
              for k in ("meeting", "organisation", "truce")}
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        try:
            row = acceptance.accept_proposal(session, principal=me, proposal_id=proposal_id,
                                             meeting=fields["meeting"],
                                             organisation=fields["organisation"],
                                             truce=fields["truce"])
        except TrucewatchError as exc:
            session.rollback()
            return failed(request, exc, PAGE)
        record = row.record
    return done(request, _("Proposal %(id)s accepted: %(record)s.")
                % {"id": proposal_id, "record": record}, PAGE)


@router.post(PAGE + "/proposals/{proposal_id}/reject")
async def reject(request: Request, proposal_id: int) -> Response:
    from trucewatch.ingest import acceptance

    form = await checked_form(request)
    with store_of(request).session() as session:
        me = principal_of(request, session)
        if me.is_public:
            return redirect("/sign-in")
        try:
            acceptance.reject_proposal(session, principal=me, proposal_id=proposal_id,
                                       reason=str(form.get("reason") or "").strip())
        except TrucewatchError as exc:
            session.rollback()
            return failed(request, exc, PAGE)
    return done(request, _("Proposal %(id)s rejected.") % {"id": proposal_id}, PAGE)
