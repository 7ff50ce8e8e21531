"""The public keys the mechanism knows; private keys never enter the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trucewatch.actors.models import Actor
from trucewatch.storage.base import Base, UTCDateTime, utcnow


class PublicKey(Base):
    """An Ed25519 public key. ``key_id`` is the hex SHA-256 of the 32 raw key bytes.

    ``purpose`` is ``signing`` for an organisation's key (assessments, countersignatures)
    or ``log`` for the server key that signs tree heads (``organisation_id`` is then null).
    """

    __tablename__ = "public_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the 32 raw bytes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Actor | None] = relationship()
