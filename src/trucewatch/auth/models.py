"""The users table: every person who files, assesses or administers belongs to one organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trucewatch.actors.models import Actor
from trucewatch.log import state
from trucewatch.storage.base import Base, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_hash: Mapped[str | None] = mapped_column(Text)  # argon2id, None: cannot log in
    is_active: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[Actor] = relationship()
    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan",
                                                 order_by="UserRole.id")


class UserRole(Base):
    """A role a user holds: reporter, guarantor_officer, coordinator, administrator, observer."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by: Mapped[str] = mapped_column(String(80), default="")


class ApiToken(Base):
    """An API token: only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInFailure(Base):
    """A failed sign-in, counted against a username or a client address (auth/throttle.py).

    ``key`` is a keyed hash of the lower-cased username or of the address, never the value
    itself, so the table is no list of who tried which account. Rows older than the window
    are deleted as new ones are written. Security telemetry, not a state change of the
    mechanism: the log does not record these rows (docs/web.md, "Sign-in limits").
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256, hex
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# The log's row snapshots skip this table, as they skip the notification queues
# and the correlation index (notifications/models.py, correlation/models.py).
state.UNTRACKED = state.UNTRACKED | {SignInFailure.__tablename__}
