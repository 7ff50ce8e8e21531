"""The dispatcher: derive new notifications, then send due e-mail and webhook deliveries.

Deriving is one transaction. Each delivery is claimed (``pending`` → ``sending``) in a
transaction of its own before anything leaves the server, and its outcome recorded in
another, so two dispatchers never send the same delivery and no database lock is held
while a server answers. A dispatcher that dies between the claim and the record leaves the
delivery ``sending``: it is never sent twice, and ``notify run`` lists it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from trucewatch.auth.models import User
from trucewatch.config import Settings
from trucewatch.notifications import email, webhooks
from trucewatch.notifications.derive import Derived, derive, still_visible
from trucewatch.notifications.models import (
    Notification,
    NotificationAttempt,
    NotificationChannel,
    NotificationDelivery,
    WebhookSecret,
)
from trucewatch.notifications.webhooks import Outcome
from trucewatch.storage import Store
from trucewatch.storage.base import utcnow


@dataclass(frozen=True)
class DeliveryConfig:
    """The settings deliveries need (``TRUCEWATCH_SMTP_*``, ``TRUCEWATCH_NOTIFY_*``)."""

    base_url: str = "http://127.0.0.1:8000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "trucewatch@localhost"
    deadline_hours: float = 24
    max_attempts: int = 6
    backoff_seconds: float = 60
    timeout_seconds: float = 10
    interval_seconds: float = 30

    @classmethod
    def from_settings(cls, s: Settings) -> DeliveryConfig:
        return cls(base_url=s.base_url, smtp_host=s.smtp_host, smtp_port=s.smtp_port,
                   smtp_starttls=s.smtp_starttls, smtp_user=s.smtp_user,
                   smtp_password=s.smtp_password, mail_from=s.mail_from,
                   deadline_hours=s.notify_deadline_hours, max_attempts=s.notify_max_attempts,
                   backoff_seconds=s.notify_backoff_seconds,
                   timeout_seconds=s.notify_timeout_seconds,
                   interval_seconds=s.notify_interval_seconds)


@dataclass
class PassResult:
    derived: Derived
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    stuck: list[int] = field(default_factory=list)  # deliveries left ``sending`` by a crash

    def as_json(self) -> dict[str, object]:
        return {"notifications": self.derived.notifications,
                "deliveries_queued": self.derived.deliveries, "cursor": self.derived.cursor,
                "sent": self.sent, "retrying": self.retrying, "failed": self.failed,
                "stuck_sending": self.stuck, "events": self.derived.events}


def run_pass(store: Store, config: DeliveryConfig, *,
             now: Callable[[], datetime] = utcnow) -> PassResult:
    """Derive, then try every delivery that is due; one pass of ``trucewatch notify``."""
    with store.session() as session:
        result = PassResult(derive(session, now=now(), deadline_hours=config.deadline_hours))
    with store.session() as session:
        due = list(session.scalars(select(NotificationDelivery.id).where(
            NotificationDelivery.status == "pending",
            NotificationDelivery.next_attempt_at <= now()).order_by(NotificationDelivery.id)))
    for delivery_id in due:
        outcome = _attempt(store, config, delivery_id, now)
        if outcome == "sent":
            result.sent += 1
        elif outcome == "pending":
            result.retrying += 1
        elif outcome == "failed":
            result.failed += 1
    with store.session() as session:
        result.stuck = list(session.scalars(select(NotificationDelivery.id).where(
            NotificationDelivery.status == "sending").order_by(NotificationDelivery.id)))
    return result


def watch(store: Store, config: DeliveryConfig, *, passes: int = 0,
          report: Callable[[PassResult], None] = lambda _r: None) -> None:
    """Run passes every ``interval_seconds``; ``passes`` > 0 stops after that many."""
    done = 0
    while True:
        report(run_pass(store, config))
        done += 1
        if passes and done >= passes:
            return
        time.sleep(config.interval_seconds)


def _attempt(store: Store, config: DeliveryConfig, delivery_id: int,
             now: Callable[[], datetime]) -> str | None:
    with store.session() as session:
        claimed = session.execute(update(NotificationDelivery).where(
            NotificationDelivery.id == delivery_id, NotificationDelivery.status == "pending")
            .values(status="sending")).rowcount  # type: ignore[attr-defined]
        if claimed != 1:
            return None  # another dispatcher has it
        delivery = session.get(NotificationDelivery, delivery_id)
        assert delivery is not None
        channel = session.get(NotificationChannel, delivery.channel_id)
        note = session.get(Notification, delivery.notification_id)
        assert channel is not None and note is not None
        secret = session.get(WebhookSecret, channel.id)
        user = session.get(User, note.user_id)
        job = _Job(delivery.id, delivery.attempts + 1, channel.kind, channel.address,
                   secret.secret if secret else "", note, user.username if user else "",
                   channel.removed_at is not None, user is not None and user.is_active,
                   still_visible(session, note))
    started = now()
    clock = time.monotonic()
    outcome = _send(config, job)
    took = int((time.monotonic() - clock) * 1000)
    with store.session() as session:
        return _record(session, config, job, outcome, started, took)


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    number: int
    kind: str
    address: str
    secret: str
    note: Notification
    username: str
    removed: bool
    active: bool  # the user is still active: a deactivated user's mail is not sent
    visible: bool  # and may still read what the notification tells of


def _send(config: DeliveryConfig, job: _Job) -> Outcome:
    note = job.note
    if job.removed:
        return Outcome(False, None, "channel removed before sending", retry=False)
    if not job.active:
        return Outcome(False, None, f"user {job.username} deactivated before sending", retry=False)
    if not job.visible:
        return Outcome(False, None, f"no longer visible to {job.username}", retry=False)
    link = config.base_url + note.link if note.link else ""
    if job.kind == "email":
        if not config.smtp_host:
            return Outcome(False, None, "no SMTP server configured (TRUCEWATCH_SMTP_HOST)")
        text = "\n\n".join(part for part in (note.title, note.body, link) if part)
        text += ("\n\n-- \nYou receive this because of your trucewatch notification settings "
                 "(`trucewatch notify list`).\n")
        host = config.mail_from.rpartition("@")[2] or "localhost"
        msg = email.message(sender=config.mail_from, to=job.address,
                            subject=f"[trucewatch] {note.title}", text=text, event=note.event,
                            message_id=f"<delivery-{job.delivery_id}.{note.event_key.replace(':', '-')}"
                                       f"@{host}>")
        return email.send(msg, host=config.smtp_host, port=config.smtp_port,
                          timeout=config.timeout_seconds, starttls=config.smtp_starttls,
                          user=config.smtp_user, password=config.smtp_password)
    body = json.dumps({
        "delivery": job.delivery_id, "event": note.event, "event_key": note.event_key,
        "subject": note.subject, "title": note.title, "body": note.body, "link": link,
        "user": job.username, "created_at": note.created_at.isoformat().replace("+00:00", "Z"),
        "payload": note.payload,
    }, ensure_ascii=False, sort_keys=True).encode()
    return webhooks.post(job.address, body, secret=job.secret, delivery_id=job.delivery_id,
                         event=note.event, timeout=config.timeout_seconds)


def _record(session: Session, config: DeliveryConfig, job: _Job, outcome: Outcome,
            started: datetime, took: int) -> str:
    delivery = session.get(NotificationDelivery, job.delivery_id)
    assert delivery is not None
    delivery.attempts = job.number
    retry_at = None
    if outcome.ok:
        delivery.status, delivery.sent_at, delivery.last_error = "sent", started, ""
    elif outcome.retry and job.number < config.max_attempts:
        retry_at = started + timedelta(seconds=config.backoff_seconds * 2 ** (job.number - 1))
        delivery.status, delivery.next_attempt_at = "pending", retry_at
        delivery.last_error = outcome.error
    else:
        delivery.status, delivery.last_error = "failed", outcome.error
    session.add(NotificationAttempt(delivery_id=delivery.id, number=job.number,
                                    started_at=started, ok=outcome.ok,
                                    status_code=outcome.status_code, error=outcome.error[:2000],
                                    duration_ms=took, retry_at=retry_at))
    session.flush()
    return delivery.status
