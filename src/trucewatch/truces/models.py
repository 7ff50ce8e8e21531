"""Tables of truces, their participants and their zones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trucewatch.actors.models import Actor
from trucewatch.storage.base import Base, JSONType, UTCDateTime, utcnow


class Truce(Base):
    __tablename__ = "truces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terms: Mapped[str] = mapped_column(Text, default="")
    rule_kind: Mapped[str] = mapped_column(String(20))  # "unanimity" or "k_of_n"
    rule_k: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participants: Mapped[list[TruceParticipant]] = relationship(
        back_populates="truce", cascade="all, delete-orphan", order_by="TruceParticipant.id"
    )
    zones: Mapped[list[TruceZone]] = relationship(
        back_populates="truce", cascade="all, delete-orphan", order_by="TruceZone.id"
    )

    def actors_with(self, role: str) -> list[Actor]:
        return [p.actor for p in self.participants if p.role == role]


class TruceParticipant(Base):
    """An actor's place in a truce: ``guarantor``, ``party`` (covered) or ``excluded``."""

    __tablename__ = "truce_participants"
    __table_args__ = (UniqueConstraint("truce_id", "actor_id", name="uq_truce_participants_actor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    truce_id: Mapped[int] = mapped_column(ForeignKey("truces.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    role: Mapped[str] = mapped_column(String(20))

    truce: Mapped[Truce] = relationship(back_populates="participants")
    actor: Mapped[Actor] = relationship()


class TruceZone(Base):
    """A named zone of a truce; ``geometry`` is a GeoJSON Polygon or MultiPolygon (RFC 7946)."""

    __tablename__ = "truce_zones"
    __table_args__ = (UniqueConstraint("truce_id", "name", name="uq_truce_zones_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    truce_id: Mapped[int] = mapped_column(ForeignKey("truces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONType)

    truce: Mapped[Truce] = relationship(back_populates="zones")
