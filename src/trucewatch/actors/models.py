"""Tables of actors, their names and aliases, and person → organisation affiliations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trucewatch.storage.base import Base, UTCDateTime, utcnow


class Actor(Base):
    __tablename__ = "actors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    organisation_type: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    names: Mapped[list[ActorName]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="ActorName.id"
    )

    @property
    def name(self) -> str:
        """The primary English name, else the first primary name, else the slug."""
        primaries = [n for n in self.names if n.is_primary]
        for n in primaries:
            if n.lang == "en":
                return n.name
        return primaries[0].name if primaries else self.slug


class ActorName(Base):
    """A name or alias of an actor in one language; ``normalised`` is what lookup compares."""

    __tablename__ = "actor_names"
    __table_args__ = (
        UniqueConstraint("actor_id", "lang", "name", name="uq_actor_names_actor_lang_name"),
        Index("ix_actor_names_normalised", "normalised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(8))  # BCP 47 primary tag: en, ar, ru, tr …
    is_primary: Mapped[bool] = mapped_column(default=False)
    normalised: Mapped[str] = mapped_column(String(300))

    actor: Mapped[Actor] = relationship(back_populates="names")


class Affiliation(Base):
    """A person holds a role in an organisation over a period (open-ended when ``valid_to`` is null)."""

    __tablename__ = "affiliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    role: Mapped[str] = mapped_column(String(120))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[Actor] = relationship(foreign_keys=[person_id])
    organisation: Mapped[Actor] = relationship(foreign_keys=[organisation_id])
