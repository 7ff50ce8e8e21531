"""Tables of correlation: each truce's tuning, and the candidate links between reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trucewatch.storage.base import Base, JSONType, UTCDateTime, utcnow


class CorrelationSettings(Base):
    """A truce's weights and thresholds (only those that differ from the defaults)."""

    __tablename__ = "correlation_settings"

    truce_id: Mapped[int] = mapped_column(ForeignKey("truces.id"), primary_key=True)
    tuning: Mapped[dict[str, Any]] = mapped_column(JSONType)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(80))


class CandidateLink(Base):
    """A scored pair of reports (``report_a_id`` < ``report_b_id``) and what became of it:
    ``pending`` in the queue, ``confirmed`` or ``rejected`` by an officer, or ``linked``
    automatically. A pair is decided once; a later pass leaves a decided pair alone."""

    __tablename__ = "correlation_candidates"
    __table_args__ = (
        UniqueConstraint("report_a_id", "report_b_id", name="uq_correlation_candidates_pair"),
        CheckConstraint("report_a_id < report_b_id", name="ordered"),
        Index("ix_correlation_candidates_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_a_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    report_b_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    truce_id: Mapped[int | None] = mapped_column(ForeignKey("truces.id"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
