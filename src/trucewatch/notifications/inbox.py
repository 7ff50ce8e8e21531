"""A user's notifications in the app: list them, count the unread, mark them read.

Read flags are the user's own bookkeeping and are not logged (docs/notifications.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.notifications.models import Notification
from trucewatch.storage.base import utcnow


def _user_id(principal: Principal) -> int:
    if principal.user_id is None:
        raise InvalidInput("notifications belong to a user: sign in, or act as one with --as",
                           field="user")
    return principal.user_id


def list_notifications(session: Session, *, principal: Principal, unread_only: bool = False,
                       before_id: int | None = None, limit: int = 50) -> list[Notification]:
    """The caller's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == _user_id(principal))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def notifications_after(session: Session, *, principal: Principal, after_id: int = 0,
                        unread_only: bool = False, limit: int = 50) -> list[Notification]:
    """The caller's notifications after ``after_id``, oldest first (for cursor pages and for
    a client that polls for new ones)."""
    query = select(Notification).where(Notification.user_id == _user_id(principal),
                                       Notification.id > after_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id).limit(limit)))


def unread_count(session: Session, *, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, *, principal: Principal, ids: list[int] | None = None,
              now: datetime | None = None) -> int:
    """Mark the caller's notifications ``ids`` (or all of them) read; how many changed."""
    query = update(Notification).where(Notification.user_id == _user_id(principal),
                                       Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    changed: int = session.execute(query.values(read_at=now or utcnow()),
                                   execution_options={"synchronize_session": False}
                                   ).rowcount  # type: ignore[attr-defined]
    return changed


def notification_view(note: Notification) -> dict[str, Any]:
    return {"id": note.id, "event": note.event, "subject": note.subject, "title": note.title,
            "body": note.body, "link": note.link,
            "created_at": note.created_at.isoformat().replace("+00:00", "Z"),
            "read": note.read_at is not None}
