"""Tables of reports, their casualty figures, confidential sources and attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trucewatch.actors.models import Actor
from trucewatch.storage.base import Base, UTCDateTime, utcnow


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("filed_by_org_id", "idempotency_key", name="uq_reports_idempotency"),
        Index("ix_reports_occurred_start", "occurred_start"),
        Index("ix_reports_lat_lon", "latitude", "longitude"),
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)", name="lat"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)", name="lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    truce_id: Mapped[int | None] = mapped_column(ForeignKey("truces.id"), index=True)
    filed_by_org_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical submission
    source_kind: Mapped[str] = mapped_column(String(20))
    source_description: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    occurred_start: Mapped[datetime] = mapped_column(UTCDateTime)
    occurred_end: Mapped[datetime] = mapped_column(UTCDateTime)
    time_precision: Mapped[str] = mapped_column(String(10))
    place_name: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[str | None] = mapped_column(String(10))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("truce_zones.id"))
    category: Mapped[str] = mapped_column(String(40), index=True)
    alleged_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    affected_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    narrative: Mapped[str] = mapped_column(Text, default="")
    synthetic: Mapped[bool] = mapped_column(default=False)

    filed_by_org: Mapped[Actor] = relationship(foreign_keys=[filed_by_org_id])
    alleged_actor: Mapped[Actor | None] = relationship(foreign_keys=[alleged_actor_id])
    affected_actor: Mapped[Actor | None] = relationship(foreign_keys=[affected_actor_id])
    casualties: Mapped[list[Casualty]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="Casualty.id"
    )
    attachments: Mapped[list[ReportAttachment]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportAttachment.id"
    )


class Casualty(Base):
    """One casualty figure of a report: outcome × group, as a low / best / high range."""

    __tablename__ = "report_casualties"
    __table_args__ = (
        UniqueConstraint("report_id", "outcome", "group", name="uq_report_casualties_cell"),
        CheckConstraint("low >= 0 AND low <= best AND best <= high", name="range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))  # killed | injured
    group: Mapped[str] = mapped_column(String(12))  # civilian | combatant | unknown
    low: Mapped[int] = mapped_column()
    best: Mapped[int] = mapped_column()
    high: Mapped[int] = mapped_column()

    report: Mapped[Report] = relationship(back_populates="casualties")


class ConfidentialSource(Base):
    """Who told the filer, kept apart from the report and never shown to other parties."""

    __tablename__ = "report_confidential_sources"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    identity: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(Text, default="")
    salt: Mapped[str] = mapped_column(String(64))  # the log holds only sha256(salt + identity)


class AttachmentBlob(Base):
    """Attachment content, stored once per SHA-256 however many reports cite it."""

    __tablename__ = "attachment_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column()
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportAttachment(Base):
    __tablename__ = "report_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(255))

    report: Mapped[Report] = relationship(back_populates="attachments")
    blob: Mapped[AttachmentBlob] = relationship()
