"""Tables of talks. Replies are never overwritten: each is a row, the invitation keeps the latest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trucewatch.actors.models import Actor
from trucewatch.storage.base import Base, UTCDateTime, utcnow


class Meeting(Base):
    """A round of talks or a briefing: who convenes it, where, when, about what."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(20))  # direct | proximity | briefing
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    truce_id: Mapped[int | None] = mapped_column(ForeignKey("truces.id"), index=True)
    source: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(80))

    convenors: Mapped[list[MeetingConvenor]] = relationship(order_by="MeetingConvenor.id")
    documents: Mapped[list[MeetingDocument]] = relationship(order_by="MeetingDocument.id")
    invitations: Mapped[list[Invitation]] = relationship(order_by="Invitation.id")
    attendances: Mapped[list[Attendance]] = relationship(order_by="Attendance.id")


class MeetingConvenor(Base):
    __tablename__ = "meeting_convenors"
    __table_args__ = (UniqueConstraint("meeting_id", "actor_id", name="uq_meeting_convenors_actor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))

    actor: Mapped[Actor] = relationship()


class MeetingDocument(Base):
    """What a meeting produced: a final statement, an agreement, a communiqué."""

    __tablename__ = "meeting_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    adopted_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))


class Invitation(Base):
    """An invitation to an organisation, to a person (personally or as a representative), or
    to a class of actors; ``status`` is the latest reply's (``pending`` before any)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    capacity: Mapped[str] = mapped_column(String(20))
    invitee_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    represents_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    class_description: Mapped[str] = mapped_column(Text, default="")
    class_organisation_type: Mapped[str | None] = mapped_column(String(40))
    class_member_of_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    via_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    sent_on: Mapped[date | None] = mapped_column(Date)  # None: not reported
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitee: Mapped[Actor | None] = relationship(foreign_keys=[invitee_id])
    represents: Mapped[Actor | None] = relationship(foreign_keys=[represents_id])
    class_member_of: Mapped[Actor | None] = relationship(foreign_keys=[class_member_of_id])
    sent_by: Mapped[Actor | None] = relationship(foreign_keys=[sent_by_id])
    via: Mapped[Actor | None] = relationship(foreign_keys=[via_id])
    replies: Mapped[list[Reply]] = relationship(order_by="Reply.id")


class Reply(Base):
    """A reply to an invitation, with its date, the reason given and the source reporting it."""

    __tablename__ = "invitation_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    replied_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))  # who answered
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))  # a spokesman
    source: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    replied_by: Mapped[Actor | None] = relationship(foreign_keys=[replied_by_id])
    reported_by: Mapped[Actor | None] = relationship(foreign_keys=[reported_by_id])


class Attendance(Base):
    """Who came to a meeting, representing whom, in what role (a delegation is its members)."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "actor_id", name="uq_attendances_actor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    represents_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    role: Mapped[str] = mapped_column(String(120), default="")
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    source: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))

    actor: Mapped[Actor] = relationship(foreign_keys=[actor_id])
    represents: Mapped[Actor | None] = relationship(foreign_keys=[represents_id])
