"""Tables of notifications: subscriptions (state of the mechanism, logged) and delivery
bookkeeping (derived from the log, not logged).

Areas and channels are choices a user or an administrator makes, so each change is a log
entry. The inbox, the deliveries, their attempts, the dispatcher's cursor and webhook
secrets are a projection of the log plus delivery outcomes: they can be rebuilt from the
log, the secret must never enter it, and writing an entry per read flag or retry would
bury the record of the mechanism under its own mail. Those tables are added to the log's
untracked tables here (docs/notifications.md argues it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trucewatch.log import state
from trucewatch.storage.base import Base, JSONType, UTCDateTime, utcnow

UNLOGGED = frozenset({"notifications", "notification_deliveries", "notification_attempts",
                      "notification_cursors", "webhook_secrets"})
# The log's row snapshots skip these tables, as they skip the log's own (log/state.py).
state.UNTRACKED = state.UNTRACKED | UNLOGGED


class NotificationArea(Base):
    """A user follows a truce, or one zone of it: reports filed there reach the user."""

    __tablename__ = "notification_areas"
    __table_args__ = (UniqueConstraint("user_id", "truce_id", "zone_id",
                                       name="uq_notification_areas_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    truce_id: Mapped[int] = mapped_column(ForeignKey("truces.id"))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("truce_zones.id"))  # None: whole truce
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))


class NotificationChannel(Base):
    """Where notifications go besides the app: a user's e-mail address, or a webhook URL of a
    user or of an organisation (which receives what any of its users is notified of)."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # email | webhook
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    address: Mapped[str] = mapped_column(String(500))  # e-mail address or https URL
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)  # empty: every event
    secret_sha256: Mapped[str | None] = mapped_column(String(64))  # webhooks: the secret's digest
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(80))


class WebhookSecret(Base):
    """The HMAC key of a webhook channel; unlogged, the log holds only its SHA-256."""

    __tablename__ = "webhook_secrets"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(100))


class Notification(Base):
    """One thing one user is told about; ``event_key`` makes it unique per user."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "event_key", name="uq_notifications_event"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(120))  # e.g. log:412, deadline:7
    event: Mapped[str] = mapped_column(String(40))  # report.arrived | round.opened | …
    subject: Mapped[str] = mapped_column(String(80))  # report:12, incident:3
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")  # a path of the web app
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationDelivery(Base):
    """One notification to send over one channel; an organisation's webhook gets one per event."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("channel_id", "event_key", name="uq_notification_deliveries_event"),
        Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE"))
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    event_key: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")


class NotificationAttempt(Base):
    """One try at a delivery: when, how it ended, and how long it took."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("notification_deliveries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column()
    status_code: Mapped[int | None] = mapped_column()  # HTTP or SMTP reply code
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: no retry follows


class NotificationCursor(Base):
    """How far the dispatcher has read the log; its row is locked while a pass derives."""

    __tablename__ = "notification_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
