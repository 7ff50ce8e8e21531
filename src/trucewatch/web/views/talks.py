"""Talks pages: the meetings and the timeline, a meeting with its participation matrix, an
actor's history; and the coordinator's forms to record meetings, invitations, replies,
attendance and documents, and to publish. Server-rendered; every form works without JS."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from trucewatch.auth.policy import Action, allowed
from trucewatch.errors import InvalidInput, TrucewatchError
from trucewatch.talks import service as talks
from trucewatch.talks.enums import Capacity, DocumentKind, MeetingFormat, ReplyStatus
from trucewatch.web.context import (
    checked_form,
    done,
    error_page,
    failed,
    principal_of,
    render,
    store_of,
)
from trucewatch.web.i18n import _
from trucewatch.web.words import word

router = APIRouter()


def _fields(form: dict[str, Any], *names: str) -> dict[str, Any]:
    """The named form fields, stripped; empty ones left out (the service's defaults apply)."""
    out: dict[str, Any] = {}
    for name in names:
        value = form.get(name)
        if isinstance(value, list):
            value = [v.strip() for v in value if isinstance(v, str) and v.strip()]
        elif isinstance(value, str):
            value = value.strip()
        if value:
            out[name] = value
    return out


@router.get("/talks", response_class=HTMLResponse)
def meetings_page(request: Request) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        meetings = [talks.meeting_view(session, m, full=False)
                    for m in talks.list_meetings(session, principal=me)]
        return render(request, "talks.html", {
            "meetings": meetings, "timeline": talks.timeline(session, principal=me),
            "may_edit": allowed(me, Action.TALKS_EDIT) and not me.is_operator,
            "formats": list(MeetingFormat)}, principal=me)


@router.get("/talks/actors/{actor}", response_class=HTMLResponse)
def actor_page(request: Request, actor: str) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        try:
            history = talks.actor_history(session, principal=me, actor=actor)
        except TrucewatchError as exc:
            return error_page(request, exc, me)
        return render(request, "talks_actor.html", {"history": history}, principal=me)


@router.get("/talks/{slug}", response_class=HTMLResponse)
def meeting_page(request: Request, slug: str) -> Response:
    with store_of(request).session() as session:
        me = principal_of(request, session)
        try:
            meeting = talks.get_meeting(session, slug, principal=me)
        except TrucewatchError as exc:
            return error_page(request, exc, me)
        return render(request, "meeting.html", {
            "meeting": talks.meeting_view(session, meeting),
            "matrix": talks.participation_matrix(session, principal=me, meeting=slug),
            "may_edit": allowed(me, Action.TALKS_EDIT) and not me.is_operator,
            "capacities": list(Capacity), "statuses": [s for s in ReplyStatus
                                                       if s is not ReplyStatus.PENDING],
            "document_kinds": list(DocumentKind)}, principal=me)


async def _act(request: Request, to: str, ok: str, action: Any) -> Response:
    """Run ``action(session, me, form)`` in one transaction; back to ``to`` with a message."""
    form = await checked_form(request)
    try:
        with store_of(request).session() as session:
            me = principal_of(request, session)
            text = action(session, me, form) or ok
    except TrucewatchError as exc:
        return failed(request, exc, to)
    return done(request, text, to)


@router.post("/talks")
async def create(request: Request) -> Response:
    def action(session: Any, me: Any, form: dict[str, Any]) -> str:
        data = _fields(form, "slug", "title", "format", "starts_on", "ends_on", "venue",
                       "agenda", "source", "quote")
        data["convenors"] = [c.strip() for c in str(form.get("convenors") or "").split(",")
                             if c.strip()]
        row = talks.create_meeting(session, principal=me, data=data)
        return _("Meeting %(slug)s recorded.") % {"slug": row.slug}
    return await _act(request, "/talks", "", action)


@router.post("/talks/{slug}/invitations")
async def invite(request: Request, slug: str) -> Response:
    def action(session: Any, me: Any, form: dict[str, Any]) -> str:
        row = talks.invite(session, principal=me, meeting=slug, data=_fields(
            form, "capacity", "invitee", "represents", "class_description",
            "class_organisation_type", "class_member_of", "sent_by", "via", "sent_on", "note",
            "source", "quote"))
        return _("Invitation %(id)s recorded.") % {"id": row.id}
    return await _act(request, f"/talks/{slug}", "", action)


@router.post("/talks/{slug}/replies")
async def reply(request: Request, slug: str) -> Response:
    def action(session: Any, me: Any, form: dict[str, Any]) -> str:
        text = str(form.get("invitation") or "").strip()
        if not text.isdigit():
            raise InvalidInput(f"{text!r} is not an invitation number", field="invitation")
        row = talks.reply(session, principal=me, invitation_id=int(text), data=_fields(
            form, "status", "replied_on", "reason", "replied_by", "reported_by", "source",
            "quote"))
        return _("Invitation %(id)s: %(status)s.") % {"id": text, "status": word(row.status)}
    return await _act(request, f"/talks/{slug}", "", action)


@router.post("/talks/{slug}/attendance")
async def attend(request: Request, slug: str) -> Response:
    def action(session: Any, me: Any, form: dict[str, Any]) -> str:
        row = talks.record_attendance(session, principal=me, meeting=slug, data=_fields(
            form, "attendee", "represents", "role", "source", "quote"))
        return _("%(name)s attended.") % {"name": row.actor.name}
    return await _act(request, f"/talks/{slug}", "", action)


@router.post("/talks/{slug}/documents")
async def document(request: Request, slug: str) -> Response:
    def action(session: Any, me: Any, form: dict[str, Any]) -> str:
        row = talks.add_document(session, principal=me, slug=slug, data=_fields(
            form, "kind", "title", "summary", "adopted_on", "source", "quote"))
        return _("Document “%(title)s” recorded.") % {"title": row.title}
    return await _act(request, f"/talks/{slug}", "", action)


@router.post("/talks/{slug}/publish")
async def publish(request: Request, slug: str) -> Response:
    def action(session: Any, me: Any, form: dict[str, Any]) -> str:
        talks.publish_meeting(session, principal=me, slug=slug)
        return _("Meeting %(slug)s published.") % {"slug": slug}
    return await _act(request, f"/talks/{slug}", "", action)
