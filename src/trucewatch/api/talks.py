"""Talks: meetings, invitations, replies, attendance, documents; the participation matrix, an
actor's history and the timeline. Coordinators write; published meetings are public."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.problems import COMMON
from trucewatch.talks import service as talks
from trucewatch.talks.schemas import (
    AttendanceIn,
    DocumentIn,
    InvitationIn,
    MeetingChange,
    MeetingIn,
    ReplyIn,
)

router = APIRouter(prefix="/talks", tags=["talks"], responses=COMMON)
CONFLICT: dict[int | str, dict[str, Any]] = {409: COMMON[422] | {"description": "Conflict"}}
Slug = Annotated[str, Path(max_length=80)]
InvitationId = Annotated[int, Path(ge=1, le=2**62)]
Truce = Annotated[str | None, Query(max_length=80, description="Only talks on this truce.")]


@router.get("/meetings", response_model=list[dict[str, Any]])
def meetings(session: SessionDep, who: PrincipalDep, truce: Truce = None) -> list[dict[str, Any]]:
    """Meetings by date: the published ones, and to guarantors and coordinators all of them."""
    return [talks.meeting_view(session, m, full=False)
            for m in talks.list_meetings(session, principal=who, truce=truce)]


@router.post("/meetings", status_code=201, response_model=dict[str, Any], responses=CONFLICT)
def create(body: MeetingIn, session: SessionDep, who: PrincipalDep,
           response: Response) -> dict[str, Any]:
    """Record a meeting and its convenors (a coordinator)."""
    row = talks.create_meeting(session, principal=who, data=body)
    response.headers["Location"] = f"/api/v1/talks/meetings/{row.slug}"
    return talks.meeting_view(session, row)


@router.get("/meetings/{slug}", response_model=dict[str, Any])
def read(slug: Slug, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """A meeting with its documents, invitations (with every reply) and attendance."""
    return talks.meeting_view(session, talks.get_meeting(session, slug, principal=who))


@router.patch("/meetings/{slug}", response_model=dict[str, Any])
def change(slug: Slug, body: MeetingChange, session: SessionDep,
           who: PrincipalDep) -> dict[str, Any]:
    """Change the given fields of a meeting (a coordinator)."""
    return talks.meeting_view(session, talks.change_meeting(session, principal=who, slug=slug,
                                                            data=body))


@router.post("/meetings/{slug}/publish", response_model=dict[str, Any], responses=CONFLICT)
def publish(slug: Slug, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Make the meeting and all that is recorded about it public (a coordinator)."""
    return talks.meeting_view(session, talks.publish_meeting(session, principal=who, slug=slug))


@router.post("/meetings/{slug}/documents", status_code=201, response_model=dict[str, Any])
def document(slug: Slug, body: DocumentIn, session: SessionDep,
             who: PrincipalDep) -> dict[str, Any]:
    """Record a document the meeting produced (a coordinator)."""
    return talks.document_view(talks.add_document(session, principal=who, slug=slug, data=body))


@router.post("/meetings/{slug}/invitations", status_code=201, response_model=dict[str, Any])
def invite(slug: Slug, body: InvitationIn, session: SessionDep,
           who: PrincipalDep) -> dict[str, Any]:
    """Record an invitation to an organisation, a person (personally or as a representative
    of an organisation they belong to on that date) or a class of actors (a coordinator)."""
    return talks.invitation_view(talks.invite(session, principal=who, meeting=slug, data=body))


@router.get("/invitations/{invitation_id}", response_model=dict[str, Any])
def invitation(invitation_id: InvitationId, session: SessionDep,
               who: PrincipalDep) -> dict[str, Any]:
    """An invitation with its replies."""
    return talks.invitation_view(talks.get_invitation(session, invitation_id, principal=who))


@router.post("/invitations/{invitation_id}/replies", status_code=201,
             response_model=dict[str, Any], responses=CONFLICT)
def reply(invitation_id: InvitationId, body: ReplyIn, session: SessionDep,
          who: PrincipalDep) -> dict[str, Any]:
    """Record a reply: accepted, declined, no_answer or withdrawn, with its date (not before
    the invitation's), reason and source (a coordinator)."""
    talks.reply(session, principal=who, invitation_id=invitation_id, data=body)
    return talks.invitation_view(talks.get_invitation(session, invitation_id, principal=who))


@router.post("/meetings/{slug}/attendance", status_code=201, response_model=dict[str, Any],
             responses=CONFLICT)
def attend(slug: Slug, body: AttendanceIn, session: SessionDep,
           who: PrincipalDep) -> dict[str, Any]:
    """Record who came and whom they represented (a coordinator)."""
    return talks.attendance_view(talks.record_attendance(session, principal=who, meeting=slug,
                                                         data=body))


@router.get("/meetings/{slug}/matrix", response_model=dict[str, Any])
def matrix(slug: Slug, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Per organisation: invited as a body, through representatives, through members invited
    personally or as one of a class; its replies; who attended for it."""
    return talks.participation_matrix(session, principal=who, meeting=slug)


@router.get("/actors/{actor}/history", response_model=dict[str, Any])
def history(actor: Annotated[str, Path(max_length=300)], session: SessionDep,
            who: PrincipalDep) -> dict[str, Any]:
    """An actor's invitations, replies and attendance across the meetings the caller may read."""
    return talks.actor_history(session, principal=who, actor=actor)


@router.get("/timeline", response_model=list[dict[str, Any]])
def timeline(session: SessionDep, who: PrincipalDep, truce: Truce = None) -> list[dict[str, Any]]:
    """The process in date order: meetings, invitations, replies, documents."""
    return talks.timeline(session, principal=who, truce=truce)
