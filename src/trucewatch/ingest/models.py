"""Tables of ingestion: the texts analysed, the proposals made from them, imported places."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trucewatch.storage.base import Base, JSONType, UTCDateTime, utcnow


class IngestedText(Base):
    """A text as analysed (for HTML, the text extracted from it); ``sha256`` is of the bytes
    received, and every proposal and acceptance cites it."""

    __tablename__ = "ingested_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(300))
    published: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(10))  # text or html
    text: Mapped[str] = mapped_column(Text)
    dropped: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)  # page furniture removed
    pipeline: Mapped[dict[str, Any]] = mapped_column(JSONType)  # model, version, warning
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ingested_by: Mapped[str] = mapped_column(String(80))

    proposals: Mapped[list[Proposal]] = relationship(back_populates="text", order_by="Proposal.id")


class Proposal(Base):
    """Something ingestion suggests and a person accepts or rejects, with its evidence."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_status_kind", "status", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text_id: Mapped[int] = mapped_column(ForeignKey("ingested_texts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # actor, affiliation, event, invitation, …
    key: Mapped[str] = mapped_column(String(500))  # what makes two proposals the same fact
    status: Mapped[str] = mapped_column(String(20), default="pending")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    sentence: Mapped[str] = mapped_column(Text)
    sentence_start: Mapped[int] = mapped_column(Integer)
    sentence_end: Mapped[int] = mapped_column(Integer)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    notes: Mapped[list[str]] = mapped_column(JSONType)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    record: Mapped[str] = mapped_column(String(120), default="")  # what accepting created

    text: Mapped[IngestedText] = relationship(back_populates="proposals")


class GazetteerPlace(Base):
    """A place users imported (``trucewatch geo import``): areas the packaged gazetteer lacks."""

    __tablename__ = "gazetteer_places"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    normalised: Mapped[str] = mapped_column(String(300), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    country: Mapped[str | None] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(80))
