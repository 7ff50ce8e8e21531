"""What goes into talks: meetings, documents, invitations, replies, attendance."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trucewatch.actors.enums import OrganisationType
from trucewatch.talks.enums import Capacity, DocumentKind, MeetingFormat, ReplyStatus

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class Cited(BaseModel):
    """Where a fact comes from: the source (a statement, an article) and the sentence in it."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(default="", max_length=2000)
    quote: str = Field(default="", max_length=5000)


class MeetingIn(Cited):
    slug: str
    title: str = Field(min_length=1, max_length=300)
    format: MeetingFormat
    starts_on: date
    ends_on: date | None = None  # default: the day it starts
    venue: str = Field(default="", max_length=300)
    agenda: str = Field(default="", max_length=10000)
    outcome: str = Field(default="", max_length=10000)
    convenors: list[str] = Field(min_length=1, max_length=50)
    truce: str | None = Field(default=None, max_length=80)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("use lower-case letters, digits and hyphens (at most 80)")
        return value

    @model_validator(mode="after")
    def _dates(self) -> MeetingIn:
        if self.ends_on is None:
            self.ends_on = self.starts_on
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class MeetingChange(BaseModel):
    """Fields of a meeting that may be changed after it is recorded (only those given)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    format: MeetingFormat | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str | None = Field(default=None, max_length=300)
    agenda: str | None = Field(default=None, max_length=10000)
    outcome: str | None = Field(default=None, max_length=10000)


class DocumentIn(Cited):
    kind: DocumentKind
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=10000)
    adopted_on: date | None = None


class InvitationIn(Cited):
    capacity: Capacity
    invitee: str | None = Field(default=None, min_length=1, max_length=300)
    represents: str | None = Field(default=None, min_length=1, max_length=300)
    class_description: str = Field(default="", max_length=2000)
    class_organisation_type: OrganisationType | None = None
    class_member_of: str | None = Field(default=None, min_length=1, max_length=300)
    sent_by: str | None = Field(default=None, min_length=1, max_length=300)
    via: str | None = Field(default=None, min_length=1, max_length=300)
    sent_on: date | None = None
    note: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _shape(self) -> InvitationIn:
        if self.capacity is Capacity.CLASS:
            if self.invitee or self.represents:
                raise ValueError("an invitation to a class names no invitee or represents")
            if not self.class_description.strip():
                raise ValueError("an invitation to a class needs class_description")
            return self
        if self.invitee is None:
            raise ValueError(f"an invitation in capacity {self.capacity.value} needs invitee")
        if self.class_description or self.class_organisation_type or self.class_member_of:
            raise ValueError("class_* fields belong to invitations to a class")
        if (self.capacity is Capacity.REPRESENTATIVE) != (self.represents is not None):
            raise ValueError("represents is given exactly when the capacity is representative")
        return self


class ReplyIn(Cited):
    status: ReplyStatus
    replied_on: date
    reason: str = Field(default="", max_length=5000)
    replied_by: str | None = Field(default=None, min_length=1, max_length=300)
    reported_by: str | None = Field(default=None, min_length=1, max_length=300)

    @field_validator("status")
    @classmethod
    def _not_pending(cls, value: ReplyStatus) -> ReplyStatus:
        if value is ReplyStatus.PENDING:
            raise ValueError("pending is where an invitation starts, not a reply")
        return value


class AttendanceIn(Cited):
    attendee: str = Field(min_length=1, max_length=300)
    represents: str | None = Field(default=None, min_length=1, max_length=300)
    role: str = Field(default="", max_length=120)
    invitation: int | None = Field(default=None, ge=1, le=2**62)
