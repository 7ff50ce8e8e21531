"""Tables of the log: its entries and the single head row writers lock to append."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trucewatch.storage.base import Base, UTCDateTime


class LogEntry(Base):
    """One state change. ``body`` is RFC 8785 canonical JSON; hashes are hex SHA-256.

    ``leaf_hash`` is the RFC 6962 leaf hash of ``body`` (``SHA-256(0x00 || body)``);
    ``chain_hash`` is ``SHA-256(previous chain_hash || leaf_hash)``, so changing or
    removing any entry changes every chain hash after it.
    """

    __tablename__ = "log_entries"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(80), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))


class LogHead(Base):
    """The latest sequence number and chain hash; one row, locked by each appending writer."""

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(default=0)
    chain_hash: Mapped[str] = mapped_column(String(64))


class TreeHead(Base):
    """A signed tree head (RFC 6962 §3.5): the Merkle root of the first ``size`` entries."""

    __tablename__ = "tree_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(unique=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))


class TreeHeadCountersignature(Base):
    """A guarantor's signature over a tree head: it has seen this history and vouches for it."""

    __tablename__ = "tree_head_countersignatures"
    __table_args__ = (UniqueConstraint("tree_head_id", "key_id", name="uq_countersign_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_head_id: Mapped[int] = mapped_column(ForeignKey("tree_heads.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)

