"""Invitations, the replies to them, and attendance (who came, representing whom)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.models import Actor, Affiliation
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput, NotFound
from trucewatch.log import service as log
from trucewatch.talks.access import (
    actor_ref,
    organisation_ref,
    person_ref,
    require_edit,
    visible,
)
from trucewatch.talks.enums import Capacity
from trucewatch.talks.meetings import get_meeting, iso
from trucewatch.talks.models import Attendance, Invitation, Meeting, Reply
from trucewatch.talks.schemas import AttendanceIn, InvitationIn, ReplyIn
from trucewatch.talks.workflow import INVITATION
from trucewatch.validation import parse


def invite(session: Session, *, principal: Principal, meeting: str,
           data: InvitationIn | dict[str, Any]) -> Invitation:
    """Record an invitation to an organisation, a person (personally or as a representative
    of an organisation they belong to on that date) or a class of actors."""
    require_edit(principal)
    spec = parse(InvitationIn, data)
    log.lock(session)
    row_meeting = get_meeting(session, meeting, principal=principal)
    if spec.sent_on is not None and spec.sent_on > row_meeting.ends_on:
        raise InvalidInput(f"the meeting ended on {row_meeting.ends_on.isoformat()}",
                           field="sent_on")
    invitee = _invitee(session, spec)
    represents = organisation_ref(session, spec.represents, field="represents")
    if represents is not None and invitee is not None:
        day = spec.sent_on or row_meeting.starts_on
        if not affiliated_on(session, person_id=invitee.id, organisation_id=represents.id,
                             day=day):
            raise InvalidInput(f"{invitee.slug} is not affiliated with {represents.slug} on "
                               f"{day.isoformat()}", field="represents")
    row = Invitation(
        meeting_id=row_meeting.id, capacity=spec.capacity.value, invitee=invitee,
        represents=represents, class_description=spec.class_description.strip(),
        class_organisation_type=(spec.class_organisation_type.value
                                 if spec.class_organisation_type else None),
        class_member_of=organisation_ref(session, spec.class_member_of, field="class_member_of"),
        sent_by=actor_ref(session, spec.sent_by, field="sent_by"),
        via=actor_ref(session, spec.via, field="via"), sent_on=spec.sent_on, note=spec.note,
        source=spec.source, quote=spec.quote, status="pending", recorded_by=principal.actor)
    session.add(row)
    session.flush()
    session.refresh(row_meeting, ["invitations"])
    log.append(session, kind="invitation.sent", subject=f"meeting:{row_meeting.slug}",
               actor=principal.actor, payload={"meeting": row_meeting.slug,
                                               **invitation_view(row, replies=False)})
    return row


def _invitee(session: Session, spec: InvitationIn) -> Actor | None:
    if spec.capacity is Capacity.CLASS:
        return None
    assert spec.invitee is not None
    if spec.capacity is Capacity.ORGANISATION:
        return organisation_ref(session, spec.invitee, field="invitee")
    return person_ref(session, spec.invitee, field="invitee")


def affiliated_on(session: Session, *, person_id: int, organisation_id: int, day: date) -> bool:
    """Does the person hold a role in the organisation on ``day`` (both ends included)?"""
    rows = session.scalars(select(Affiliation).where(
        Affiliation.person_id == person_id, Affiliation.organisation_id == organisation_id))
    return any((a.valid_from is None or a.valid_from <= day)
               and (a.valid_to is None or day <= a.valid_to) for a in rows)


def get_invitation(session: Session, invitation_id: int, *, principal: Principal) -> Invitation:
    row = session.get(Invitation, invitation_id)
    if row is None or not visible(principal, session.get_one(Meeting, row.meeting_id)):
        raise NotFound(f"no invitation {invitation_id}", field="invitation")
    return row


def reply(session: Session, *, principal: Principal, invitation_id: int,
          data: ReplyIn | dict[str, Any]) -> Reply:
    """Record a reply (accepted, declined, no answer, withdrawn) with its date, reason and
    source; the invitation moves only as the workflow table allows."""
    require_edit(principal)
    spec = parse(ReplyIn, data)
    log.lock(session)
    invitation = get_invitation(session, invitation_id, principal=principal)
    if invitation.sent_on is not None and spec.replied_on < invitation.sent_on:
        raise InvalidInput(f"invitation {invitation.id} was sent on "
                           f"{invitation.sent_on.isoformat()}", field="replied_on")
    latest = invitation.replies[-1] if invitation.replies else None
    if latest is not None and spec.replied_on < latest.replied_on:
        raise InvalidInput(f"the last reply is dated {latest.replied_on.isoformat()}",
                           field="replied_on")
    if invitation.status == spec.status.value:
        raise Conflict(f"invitation {invitation.id} is {invitation.status} already",
                       field="status")
    INVITATION.check(invitation.status, spec.status.value)
    row = Reply(invitation_id=invitation.id, status=spec.status.value,
                replied_on=spec.replied_on, reason=spec.reason,
                replied_by=actor_ref(session, spec.replied_by, field="replied_by"),
                reported_by=actor_ref(session, spec.reported_by, field="reported_by"),
                source=spec.source, quote=spec.quote, recorded_by=principal.actor)
    before = invitation.status
    invitation.status = spec.status.value
    session.add(row)
    session.flush()
    session.refresh(invitation, ["replies"])
    meeting = session.get_one(Meeting, invitation.meeting_id)
    log.append(session, kind="invitation.replied", subject=f"meeting:{meeting.slug}",
               actor=principal.actor, payload={"meeting": meeting.slug,
                                               "invitation": invitation.id, "from": before,
                                               **reply_view(row)})
    return row


def record_attendance(session: Session, *, principal: Principal, meeting: str,
                      data: AttendanceIn | dict[str, Any]) -> Attendance:
    """Record who came to a meeting and whom they represented."""
    require_edit(principal)
    spec = parse(AttendanceIn, data)
    log.lock(session)
    row_meeting = get_meeting(session, meeting, principal=principal)
    attendee = actor_ref(session, spec.attendee, field="attendee")
    assert attendee is not None
    if any(a.actor_id == attendee.id for a in row_meeting.attendances):
        raise Conflict(f"{attendee.slug} is recorded as attending already", field="attendee")
    represents = organisation_ref(session, spec.represents, field="represents")
    if represents is not None and attendee.kind == ActorKind.ORGANISATION.value:
        raise InvalidInput("an organisation attends for itself", field="represents")
    if spec.invitation is not None:
        invitation = session.get(Invitation, spec.invitation)
        if invitation is None or invitation.meeting_id != row_meeting.id:
            raise InvalidInput(f"no invitation {spec.invitation} to {meeting}",
                               field="invitation")
    row = Attendance(meeting_id=row_meeting.id, actor=attendee, represents=represents,
                     role=spec.role, invitation_id=spec.invitation, source=spec.source,
                     quote=spec.quote, recorded_by=principal.actor)
    session.add(row)
    session.flush()
    session.refresh(row_meeting, ["attendances"])
    log.append(session, kind="attendance.recorded", subject=f"meeting:{row_meeting.slug}",
               actor=principal.actor, payload={"meeting": row_meeting.slug,
                                               **attendance_view(row)})
    return row


def _slug(actor: Actor | None) -> str | None:
    return actor.slug if actor is not None else None


def invitee_text(row: Invitation) -> str:
    """In words: whom the invitation is to."""
    if row.capacity == Capacity.CLASS.value:
        return row.class_description
    assert row.invitee is not None
    if row.capacity == Capacity.REPRESENTATIVE.value and row.represents is not None:
        return f"{row.invitee.name}, as representative of {row.represents.name}"
    if row.capacity == Capacity.PERSONAL.value:
        return f"{row.invitee.name}, in a personal capacity"
    return f"{row.invitee.name}, as a body"


def reply_view(row: Reply) -> dict[str, Any]:
    return {"id": row.id, "status": row.status, "replied_on": iso(row.replied_on),
            "reason": row.reason, "replied_by": _slug(row.replied_by),
            "reported_by": _slug(row.reported_by), "source": row.source, "quote": row.quote}


def invitation_view(row: Invitation, *, replies: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": row.id, "capacity": row.capacity, "invitee": _slug(row.invitee),
        "represents": _slug(row.represents), "to": invitee_text(row),
        "class_description": row.class_description,
        "class_organisation_type": row.class_organisation_type,
        "class_member_of": _slug(row.class_member_of), "sent_by": _slug(row.sent_by),
        "via": _slug(row.via), "sent_on": iso(row.sent_on), "note": row.note,
        "source": row.source, "quote": row.quote, "status": row.status,
    }
    if replies:
        view["replies"] = [reply_view(r) for r in row.replies]
    return view


def attendance_view(row: Attendance) -> dict[str, Any]:
    return {"id": row.id, "attendee": row.actor.slug, "attendee_name": row.actor.name,
            "represents": _slug(row.represents), "role": row.role,
            "invitation": row.invitation_id, "source": row.source, "quote": row.quote}
