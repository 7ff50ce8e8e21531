"""Tables of joint verification. Nothing here is updated in place without a kept history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trucewatch.storage.base import Base, JSONType, UTCDateTime, utcnow


class ReviewRound(Base):
    """One round of joint review of an incident, decided by the truce's rule as it stood."""

    __tablename__ = "review_rounds"
    __table_args__ = (UniqueConstraint("incident_id", "number", name="uq_review_rounds_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    number: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | decided | withdrawn
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(80))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    rule_kind: Mapped[str] = mapped_column(String(20))
    rule_k: Mapped[int] = mapped_column()  # unanimity is stored as k = n
    guarantor_ids: Mapped[list[int]] = mapped_column(JSONType)  # the seats, fixed at opening
    decision: Mapped[str | None] = mapped_column(String(20))  # confirmed|not_confirmed|disputed
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responsible_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    decision_body: Mapped[str | None] = mapped_column(Text)  # the RFC 8785 JSON guarantors sign
    closed_by: Mapped[str | None] = mapped_column(String(80))  # None: decided when all assessed

    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="round", order_by="Assessment.id")
    decision_signatures: Mapped[list[DecisionSignature]] = relationship(
        order_by="DecisionSignature.id")


class Assessment(Base):
    """One guarantor's signed finding in a round; a revision adds a row and retires the last."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("round_id", "guarantor_id", "version", name="uq_assessments_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"), index=True)
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    finding: Mapped[str] = mapped_column(String(30))
    responsible_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    confidence: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(80))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_body: Mapped[str] = mapped_column(Text)  # the RFC 8785 JSON that was signed
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))  # base64 Ed25519 signature

    round: Mapped[ReviewRound] = relationship(back_populates="assessments")


class DecisionSignature(Base):
    """A guarantor's Ed25519 signature over a round's decision body (one per guarantor)."""

    __tablename__ = "decision_signatures"
    __table_args__ = (
        UniqueConstraint("round_id", "guarantor_id", name="uq_decision_signatures_guarantor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id"), index=True)
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    signed_by: Mapped[str] = mapped_column(String(80))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))


class Investigation(Base):
    """A tasked investigation of an incident (site visit, interviews, findings, evidence)."""

    __tablename__ = "investigations"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    tasked_by: Mapped[str] = mapped_column(String(80))
    tasked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))  # the tasking state
    assignee: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="tasked")
    site_visit: Mapped[str] = mapped_column(String(20), default="not_attempted")
    interviews: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    result: Mapped[str | None] = mapped_column(String(30))
    responsible_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessDenial(Base):
    """Monitors refused access or movement, recorded against the party that refused."""

    __tablename__ = "access_denials"

    id: Mapped[int] = mapped_column(primary_key=True)
    investigation_id: Mapped[int | None] = mapped_column(ForeignKey("investigations.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    truce_id: Mapped[int | None] = mapped_column(ForeignKey("truces.id"), index=True)
    denied_by_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # access | movement
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place_name: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Measure(Base):
    """A measure against a violator (demarche, warning, sanction), from proposed to closed."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("review_rounds.id"))  # the decision
    against_actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    proposed_by: Mapped[str] = mapped_column(String(80))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rule_kind: Mapped[str] = mapped_column(String(20))
    rule_k: Mapped[int] = mapped_column()
    guarantor_ids: Mapped[list[int]] = mapped_column(JSONType)


class MeasureVote(Base):
    """A guarantor's signed position on a measure; a change of mind adds a row."""

    __tablename__ = "measure_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    vote: Mapped[str] = mapped_column(String(10))  # agree | disagree
    is_current: Mapped[bool] = mapped_column(default=True)
    cast_by: Mapped[str] = mapped_column(String(80))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_body: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))


class MeasureStatusChange(Base):
    __tablename__ = "measure_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
