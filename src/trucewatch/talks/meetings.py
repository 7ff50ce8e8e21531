"""Meetings: record, change, add what they produced, publish, find and read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.models import Actor
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput, NotFound
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow
from trucewatch.talks.access import actor_ref, require_edit, sees_unpublished, visible
from trucewatch.talks.models import Meeting, MeetingConvenor, MeetingDocument
from trucewatch.talks.schemas import DocumentIn, MeetingChange, MeetingIn
from trucewatch.truces.models import Truce
from trucewatch.validation import parse


def create_meeting(session: Session, *, principal: Principal,
                   data: MeetingIn | dict[str, Any]) -> Meeting:
    """Record a meeting with its convenors (organisations or persons)."""
    require_edit(principal)
    spec = parse(MeetingIn, data)
    log.lock(session)
    if session.scalar(select(Meeting.id).where(Meeting.slug == spec.slug)) is not None:
        raise Conflict(f"a meeting {spec.slug!r} exists already", field="slug")
    truce_id = None
    if spec.truce is not None:
        truce_id = session.scalar(select(Truce.id).where(Truce.slug == spec.truce))
        if truce_id is None:
            raise InvalidInput(f"no truce {spec.truce!r}", field="truce")
    convenors: list[Actor] = []
    for i, ref in enumerate(spec.convenors):
        found = actor_ref(session, ref, field=f"convenors.{i}")
        assert found is not None
        if found.id in [c.id for c in convenors]:
            raise InvalidInput(f"{found.slug} is named twice", field=f"convenors.{i}")
        convenors.append(found)
    assert spec.ends_on is not None
    row = Meeting(slug=spec.slug, title=spec.title, format=spec.format.value,
                  starts_on=spec.starts_on, ends_on=spec.ends_on, venue=spec.venue,
                  agenda=spec.agenda, outcome=spec.outcome, truce_id=truce_id,
                  source=spec.source, quote=spec.quote, created_by=principal.actor)
    row.convenors = [MeetingConvenor(actor=c) for c in convenors]
    session.add(row)
    session.flush()
    log.append(session, kind="meeting.created", subject=f"meeting:{row.slug}",
               actor=principal.actor, payload=meeting_view(session, row, full=False))
    return row


def change_meeting(session: Session, *, principal: Principal, slug: str,
                   data: MeetingChange | dict[str, Any]) -> Meeting:
    """Change the given fields of a meeting (its dates, venue, agenda, outcome …)."""
    require_edit(principal)
    spec = parse(MeetingChange, data)
    log.lock(session)
    row = get_meeting(session, slug, principal=principal)
    changes = {k: (v.value if hasattr(v, "value") else v)
               for k, v in spec.model_dump(exclude_unset=True).items() if v is not None}
    if not changes:
        raise InvalidInput("nothing to change", field="data")
    for key, value in changes.items():
        setattr(row, key, value)
    if row.ends_on < row.starts_on:
        raise InvalidInput("ends_on is before starts_on", field="ends_on")
    session.flush()
    log.append(session, kind="meeting.changed", subject=f"meeting:{row.slug}",
               actor=principal.actor, payload={"meeting": row.slug, "changes": {
                   k: iso(v) if isinstance(v, date) else v for k, v in changes.items()}})
    return row


def add_document(session: Session, *, principal: Principal, slug: str,
                 data: DocumentIn | dict[str, Any]) -> MeetingDocument:
    """Record a document the meeting produced (a final statement, an agreement …)."""
    require_edit(principal)
    spec = parse(DocumentIn, data)
    log.lock(session)
    meeting = get_meeting(session, slug, principal=principal)
    if spec.adopted_on is not None and spec.adopted_on < meeting.starts_on:
        raise InvalidInput(f"the meeting starts on {meeting.starts_on.isoformat()}",
                           field="adopted_on")
    row = MeetingDocument(meeting_id=meeting.id, kind=spec.kind.value, title=spec.title,
                          summary=spec.summary, adopted_on=spec.adopted_on, source=spec.source,
                          quote=spec.quote, recorded_by=principal.actor)
    session.add(row)
    session.flush()
    session.refresh(meeting, ["documents"])
    log.append(session, kind="meeting.document_added", subject=f"meeting:{meeting.slug}",
               actor=principal.actor, payload={"meeting": meeting.slug, **document_view(row)})
    return row


def publish_meeting(session: Session, *, principal: Principal, slug: str,
                    now: datetime | None = None) -> Meeting:
    """Make a meeting and everything recorded about it public (later changes are public too)."""
    require_edit(principal)
    log.lock(session)
    row = get_meeting(session, slug, principal=principal)
    if row.published_at is not None:
        raise Conflict(f"meeting {slug} is published already", field="meeting")
    row.published_at, row.published_by = now or utcnow(), principal.actor
    session.flush()
    log.append(session, kind="meeting.published", subject=f"meeting:{row.slug}",
               actor=principal.actor,
               payload={"meeting": row.slug, "published_at": iso(row.published_at)})
    return row


def get_meeting(session: Session, slug: str, *, principal: Principal) -> Meeting:
    """The meeting, if the caller may read it; an unpublished one is not found for others."""
    row = session.scalar(select(Meeting).where(Meeting.slug == slug))
    if row is None or not visible(principal, row):
        raise NotFound(f"no meeting {slug!r}", field="meeting")
    return row


def list_meetings(session: Session, *, principal: Principal,
                  truce: str | None = None) -> list[Meeting]:
    """Meetings by date; the public and parties see the published ones."""
    query = select(Meeting).order_by(Meeting.starts_on, Meeting.id)
    if not sees_unpublished(principal):
        query = query.where(Meeting.published_at.is_not(None))
    if truce is not None:
        query = query.join(Truce, Truce.id == Meeting.truce_id).where(Truce.slug == truce)
    return list(session.scalars(query))


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def document_view(row: MeetingDocument) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "title": row.title, "summary": row.summary,
            "adopted_on": iso(row.adopted_on), "source": row.source, "quote": row.quote}


def meeting_view(session: Session, row: Meeting, *, full: bool = True) -> dict[str, Any]:
    """The meeting; ``full`` adds its documents, invitations with replies, and attendance."""
    from trucewatch.talks.invitations import attendance_view, invitation_view

    truce = session.get(Truce, row.truce_id) if row.truce_id is not None else None
    view: dict[str, Any] = {
        "slug": row.slug, "title": row.title, "format": row.format,
        "starts_on": iso(row.starts_on), "ends_on": iso(row.ends_on), "venue": row.venue,
        "agenda": row.agenda, "outcome": row.outcome, "truce": truce.slug if truce else None,
        "convenors": [{"slug": c.actor.slug, "name": c.actor.name} for c in row.convenors],
        "source": row.source, "quote": row.quote, "published_at": iso(row.published_at),
    }
    if full:
        view["documents"] = [document_view(d) for d in row.documents]
        view["invitations"] = [invitation_view(i) for i in row.invitations]
        view["attendance"] = [attendance_view(a) for a in row.attendances]
    return view
