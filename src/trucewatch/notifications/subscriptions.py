"""Who wants to hear of what, and where: areas a user follows, e-mail and webhook channels.

Each change is a log entry. A user manages their own subscriptions; an administrator
(``user.manage``) manages anyone's, and only an administrator adds a webhook for a whole
organisation. A webhook's secret is made here, shown once, and kept out of the log.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.service import find_actor
from trucewatch.auth.models import User
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.auth.service import get_user
from trucewatch.errors import InvalidInput, NotFound, PermissionDenied
from trucewatch.log import service as log
from trucewatch.notifications.models import NotificationArea, NotificationChannel, WebhookSecret
from trucewatch.storage.base import utcnow
from trucewatch.truces.models import TruceZone
from trucewatch.truces.service import get_truce

EVENTS = ("report.arrived", "round.opened", "round.deadline", "round.decided")
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def _user_for(session: Session, principal: Principal, username: str | None) -> User:
    """The user a change is about: the named one (an administrator's business unless it is
    the caller), or the caller itself."""
    if username is None:
        if principal.user_id is None:
            raise InvalidInput("name the user (or act as one with --as)", field="user")
        user = session.get(User, principal.user_id)
        assert user is not None
        return user
    user = get_user(session, username)
    if principal.user_id != user.id:
        require(principal, Action.USER_MANAGE, organisation_id=user.organisation_id)
    return user


def _events(events: list[str] | None) -> list[str]:
    chosen = sorted(set(events or []))
    for i, event in enumerate(chosen):
        if event not in EVENTS:
            raise InvalidInput(f"unknown event {event!r}; choose from {', '.join(EVENTS)}",
                               field=f"events.{i}")
    return chosen


def follow_area(session: Session, *, principal: Principal, truce: str, zone: str | None = None,
                username: str | None = None) -> NotificationArea:
    """Have reports filed in ``truce`` (or only in its zone named ``zone``) reach the user."""
    user = _user_for(session, principal, username)
    found = get_truce(session, truce)
    zone_id = None
    if zone is not None:
        zone_row = session.scalar(select(TruceZone).where(TruceZone.truce_id == found.id,
                                                          TruceZone.name == zone))
        if zone_row is None:
            raise NotFound(f"truce {found.slug} has no zone {zone!r}", field="zone")
        zone_id = zone_row.id
    existing = session.scalar(select(NotificationArea).where(
        NotificationArea.user_id == user.id, NotificationArea.truce_id == found.id,
        NotificationArea.zone_id.is_(None) if zone_id is None
        else NotificationArea.zone_id == zone_id))
    if existing is not None:
        return existing
    area = NotificationArea(user_id=user.id, truce_id=found.id, zone_id=zone_id,
                            created_by=principal.actor)
    session.add(area)
    session.flush()
    log.append(session, kind="notification.area_followed", subject=f"user:{user.username}",
               actor=principal.actor,
               payload={"area_id": area.id, "truce": found.slug, "zone": zone})
    return area


def unfollow_area(session: Session, *, principal: Principal, area_id: int) -> None:
    area = session.get(NotificationArea, area_id)
    if area is None:
        raise NotFound(f"no followed area {area_id}", field="area")
    user = session.get(User, area.user_id)
    assert user is not None
    _user_for(session, principal, user.username)
    session.delete(area)
    session.flush()
    log.append(session, kind="notification.area_unfollowed", subject=f"user:{user.username}",
               actor=principal.actor, payload={"area_id": area_id})


def add_email(session: Session, *, principal: Principal, address: str,
              events: list[str] | None = None, username: str | None = None) -> NotificationChannel:
    """Send the user's notifications (of ``events``, or all) to an e-mail address too."""
    user = _user_for(session, principal, username)
    address = address.strip()
    if not EMAIL.match(address) or len(address) > 320:
        raise InvalidInput("not an e-mail address", field="address")
    channel = NotificationChannel(kind="email", user_id=user.id, address=address,
                                  events=_events(events), created_by=principal.actor)
    session.add(channel)
    session.flush()
    log.append(session, kind="notification.channel_added", subject=f"user:{user.username}",
               actor=principal.actor, payload=_channel_payload(channel, user.username, None))
    return channel


def add_webhook(session: Session, *, principal: Principal, url: str,
                events: list[str] | None = None, username: str | None = None,
                organisation: str | None = None) -> tuple[NotificationChannel, str]:
    """A webhook of a user, or of an organisation (administrators only); returns the channel
    and its secret, which is shown this once."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise InvalidInput("give an http:// or https:// URL", field="url")
    org_slug = None
    if organisation is not None:
        if username is not None:
            raise InvalidInput("a webhook belongs to a user or to an organisation, not both",
                               field="organisation")
        org = find_actor(session, organisation, field="organisation",
                         kind=ActorKind.ORGANISATION)
        require(principal, Action.USER_MANAGE, organisation_id=org.id)
        owner: dict[str, Any] = {"organisation_id": org.id}
        subject, org_slug = f"actor:{org.slug}", org.slug
        who = None
    else:
        user = _user_for(session, principal, username)
        owner = {"user_id": user.id}
        subject, who = f"user:{user.username}", user.username
    secret = "whsec_" + secrets.token_urlsafe(32)
    channel = NotificationChannel(kind="webhook", address=url, events=_events(events),
                                  secret_sha256=hashlib.sha256(secret.encode()).hexdigest(),
                                  created_by=principal.actor, **owner)
    session.add(channel)
    session.flush()
    session.add(WebhookSecret(channel_id=channel.id, secret=secret))
    session.flush()
    log.append(session, kind="notification.channel_added", subject=subject,
               actor=principal.actor, payload=_channel_payload(channel, who, org_slug))
    return channel, secret


def remove_channel(session: Session, *, principal: Principal, channel_id: int,
                   now: datetime | None = None) -> NotificationChannel:
    """Stop a channel; the row stays, with who removed it and when, and nothing more is sent."""
    channel = _channel(session, channel_id)
    _may_manage(session, principal, channel)
    if channel.removed_at is None:
        channel.removed_at = now or utcnow()
        channel.removed_by = principal.actor
        session.flush()
        log.append(session, kind="notification.channel_removed",
                   subject=f"notification_channel:{channel.id}", actor=principal.actor,
                   payload={"channel_id": channel.id})
    return channel


def _channel(session: Session, channel_id: int) -> NotificationChannel:
    channel = session.get(NotificationChannel, channel_id)
    if channel is None:
        raise NotFound(f"no notification channel {channel_id}", field="channel")
    return channel


def _may_manage(session: Session, principal: Principal, channel: NotificationChannel) -> None:
    if channel.user_id is not None and channel.user_id == principal.user_id:
        return
    org_id = channel.organisation_id
    if org_id is None and channel.user_id is not None:
        owner = session.get(User, channel.user_id)
        org_id = owner.organisation_id if owner else None
    try:
        require(principal, Action.USER_MANAGE, organisation_id=org_id)
    except PermissionDenied:
        raise NotFound(f"no notification channel {channel.id}", field="channel") from None


def _channel_payload(channel: NotificationChannel, username: str | None,
                     organisation: str | None) -> dict[str, Any]:
    return {"channel_id": channel.id, "kind": channel.kind, "user": username,
            "organisation": organisation, "address": channel.address,
            "events": channel.events, "secret_sha256": channel.secret_sha256}


def subscriptions_of(session: Session, *, principal: Principal,
                     username: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The areas and channels of a user (active ones), and those of its organisation."""
    user = _user_for(session, principal, username)
    areas = session.scalars(select(NotificationArea).where(NotificationArea.user_id == user.id)
                            .order_by(NotificationArea.id))
    channels = session.scalars(select(NotificationChannel).where(
        NotificationChannel.removed_at.is_(None),
        (NotificationChannel.user_id == user.id)
        | (NotificationChannel.organisation_id == user.organisation_id))
        .order_by(NotificationChannel.id))
    zones = {z.id: z.name for z in session.scalars(select(TruceZone))}
    from trucewatch.truces.models import Truce

    truces = {t.id: t.slug for t in session.scalars(select(Truce))}
    return {
        "areas": [{"id": a.id, "truce": truces[a.truce_id],
                   "zone": zones.get(a.zone_id) if a.zone_id else None} for a in areas],
        "channels": [{"id": c.id, "kind": c.kind, "address": c.address,
                      "events": c.events or list(EVENTS),
                      "owner": "organisation" if c.organisation_id else "user"}
                     for c in channels],
    }
