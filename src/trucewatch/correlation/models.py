"""Tables of correlation: each truce's tuning, the candidate links between reports, the
stored index (each report's features and block keys) that a new report is matched through,
and the reports filed but not matched yet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from trucewatch.log import state
from trucewatch.storage.base import Base, JSONType, UTCDateTime, utcnow

# The stored index is derived from the reports (and rebuilt from them by index.catch_up),
# not a state change of the mechanism: the log's row snapshots skip it, as they skip the
# notification queues (notifications/models.py); a backup leaves it out.
DERIVED = frozenset({"correlation_features", "correlation_keys", "correlation_index_state"})
# The reports waiting to be matched are work to do, not a state change either: a marker is
# written in the filing's transaction and removed by the matching that logs what it did.
WAITING = frozenset({"correlation_pending"})
state.UNTRACKED = state.UNTRACKED | DERIVED | WAITING


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


class ReportFeatures(Base):
    """What correlation compares of a report, computed once (``correlation/index.py``), so
    that a new report is scored against its candidates without reading their reports."""

    __tablename__ = "correlation_features"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[float] = mapped_column(Float)  # seconds since the epoch
    end: Mapped[float] = mapped_column(Float)
    time_precision: Mapped[int] = mapped_column(SmallInteger)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[int] = mapped_column(SmallInteger)  # -1 without a point
    place: Mapped[int] = mapped_column(BigInteger)  # hash of the place name's skeleton
    category: Mapped[str] = mapped_column(String(40))
    alleged: Mapped[int] = mapped_column(BigInteger)  # organisation id, -1 unknown
    affected: Mapped[int] = mapped_column(BigInteger)
    killed_low: Mapped[float | None] = mapped_column(Float)
    killed_high: Mapped[float | None] = mapped_column(Float)
    signature: Mapped[bytes] = mapped_column(LargeBinary)  # one byte per minhash value
    has_text: Mapped[bool] = mapped_column(Boolean)


class BlockKey(Base):
    """One block a report can be found in (``blocking.index_keys``), indexed by key."""

    __tablename__ = "correlation_keys"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True, index=True)


class IndexState(Base):
    """How far the stored index is complete: every report with an id up to
    ``indexed_through`` has its features and keys (a single row, id 1)."""

    __tablename__ = "correlation_index_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    indexed_through: Mapped[int] = mapped_column(BigInteger)


class PendingMatch(Base):
    """A report filed with matching on and not matched yet (``correlation/matcher.py``):
    written in the filing's transaction, deleted by the transaction that matches it. A
    failed attempt is counted (with its error) in a transaction of its own; after
    ``matcher.MAX_ATTEMPTS`` the matcher leaves the report to ``trucewatch correlate run
    --report``."""

    __tablename__ = "correlation_pending"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
