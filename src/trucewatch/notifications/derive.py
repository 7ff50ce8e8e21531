"""Derive notifications from the log, and from the clock for deadlines.

A pass reads the log entries after the dispatcher's cursor (``report.filed``,
``reports.filed``, ``round.opened``, ``round.decided``), finds who should hear of each, keeps
only those allowed to see it (the reading functions decide, as for any page), and writes
one inbox row per user plus one pending delivery per channel. The cursor moves in the same
transaction, and every row is unique by its event key, so a second pass adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from trucewatch.actors.models import Actor
from trucewatch.auth.models import User, UserRole
from trucewatch.auth.principal import Principal, Role
from trucewatch.auth.service import principal_for
from trucewatch.errors import NotFound
from trucewatch.incidents.models import Incident
from trucewatch.incidents.service import get_incident
from trucewatch.log.models import LogEntry, LogHead
from trucewatch.notifications.models import (
    Notification,
    NotificationArea,
    NotificationChannel,
    NotificationCursor,
    NotificationDelivery,
)
from trucewatch.reports.models import Report
from trucewatch.reports.reading import visible_to
from trucewatch.storage.base import utcnow
from trucewatch.truces.models import Truce, TruceParticipant, TruceZone
from trucewatch.verification.models import ReviewRound

CURSOR = "log"
KINDS = ("report.filed", "reports.filed", "round.opened", "round.decided")
BATCH = 500


@dataclass
class Derived:
    """What a pass wrote: inbox rows and deliveries, and how far it read the log."""

    now: datetime
    notifications: int = 0
    deliveries: int = 0
    cursor: int = 0
    events: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    """A notification before it is addressed to anyone."""

    event_key: str
    event: str
    subject: str
    title: str
    body: str
    link: str
    payload: dict[str, Any]


def derive(session: Session, *, now: datetime | None = None,
           deadline_hours: float = 24) -> Derived:
    """One pass over the new log entries and the rounds near their deadline (never commits)."""
    now = now or utcnow()
    cursor = _lock_cursor(session, now)
    result = Derived(now=now, cursor=cursor.seq)
    end = _log_size(session)
    last = cursor.seq
    while True:  # only the kinds that notify, by the index on kind; the cursor skips the rest
        entries = list(session.scalars(select(LogEntry).where(
            LogEntry.seq > last, LogEntry.seq <= end, LogEntry.kind.in_(KINDS))
            .order_by(LogEntry.seq).limit(BATCH)))
        for entry in entries:
            _from_entry(session, entry, result)
        if len(entries) < BATCH:
            break
        last = entries[-1].seq
    cursor.seq = max(cursor.seq, end)
    cursor.updated_at = now
    result.cursor = cursor.seq
    for rnd in _rounds_near_deadline(session, now, timedelta(hours=deadline_hours)):
        draft, audience = _deadline(session, rnd)
        _address(session, draft, audience, result)
    session.flush()
    return result


def _lock_cursor(session: Session, now: datetime) -> NotificationCursor:
    """The cursor, locked; a first pass starts at the log's current end, not its beginning
    (an existing mechanism's history is not news)."""
    cursor = session.scalar(select(NotificationCursor).where(NotificationCursor.name == CURSOR)
                            .with_for_update())
    if cursor is None:
        cursor = NotificationCursor(name=CURSOR, seq=_log_size(session), updated_at=now)
        session.add(cursor)
        session.flush()
    return cursor


def _log_size(session: Session) -> int:
    """The number of entries committed so far (entries are numbered 1… under the head's lock)."""
    return session.scalar(select(LogHead.size).where(LogHead.id == 1)) or 0


def _from_entry(session: Session, entry: LogEntry, result: Derived) -> None:
    payload = json.loads(entry.body).get("payload", {})
    key = f"log:{entry.seq}"
    if entry.kind in ("report.filed", "reports.filed"):
        ids = _report_ids(entry, payload)
        _reports_arrived(session, key, ids, result)
        return
    rnd = session.get(ReviewRound, payload.get("round_id"))
    if rnd is None:
        return
    if entry.kind == "round.opened":
        draft, audience = _round_opened(session, key, rnd)
    else:
        draft, audience = _round_decided(session, key, rnd)
    _address(session, draft, audience, result)


def _report_ids(entry: LogEntry, payload: dict[str, Any]) -> list[int]:
    if entry.kind == "report.filed":
        return [int(entry.subject.split(":", 1)[1])]
    return [int(r["id"]) for r in payload.get("reports", ())]


# --- who hears of what --------------------------------------------------------------------


def _active_users(session: Session, query: Any) -> list[User]:
    return list(session.scalars(query.where(User.is_active.is_(True))
                                .options(selectinload(User.roles),
                                         selectinload(User.organisation))
                                .order_by(User.id)).unique())


def _officers_of(session: Session, organisation_ids: Iterable[int]) -> list[User]:
    ids = list(set(organisation_ids))
    if not ids:
        return []
    return _active_users(session, select(User).join(UserRole).where(
        User.organisation_id.in_(ids), UserRole.role == Role.GUARANTOR_OFFICER.value))


def _coordinators(session: Session) -> list[User]:
    return _active_users(session, select(User).join(UserRole).where(
        UserRole.role == Role.COORDINATOR.value))


def _reports_arrived(session: Session, key: str, ids: list[int], result: Derived) -> None:
    """A filing reaches the officers of the states guaranteeing the reports' truces (their
    area) and users following the truce or the zone; each sees only reports they may read."""
    reports = list(session.scalars(select(Report).where(Report.id.in_(ids)).order_by(Report.id)))
    if not reports:
        return
    truce_ids = {r.truce_id for r in reports if r.truce_id is not None}
    guarantors = session.scalars(select(TruceParticipant.actor_id).where(
        TruceParticipant.truce_id.in_(truce_ids), TruceParticipant.role == "guarantor"))
    audience = {u.id: u for u in _officers_of(session, guarantors)}
    zone_ids = {r.zone_id for r in reports if r.zone_id is not None}
    followers = _active_users(session, select(User).join(
        NotificationArea, NotificationArea.user_id == User.id).where(
        NotificationArea.truce_id.in_(truce_ids),
        or_(NotificationArea.zone_id.is_(None), NotificationArea.zone_id.in_(zone_ids))))
    for user in followers:
        audience.setdefault(user.id, user)
    filers = {r.filed_by_user_id for r in reports}
    names = _names(session, reports)
    for user in audience.values():
        if user.id in filers and len(filers) == 1:
            continue  # the filer knows
        principal = principal_for(user)
        seen = _visible_reports(session, principal, reports, _area_of(session, user, reports))
        if not seen:
            continue
        draft = _report_draft(key, seen, names)
        _address(session, draft, [(user, principal)], result)


def _area_of(session: Session, user: User, reports: list[Report]) -> list[Report]:
    """The reports of a filing that lie in ``user``'s area: its state guarantees their truce,
    or it follows their truce or zone."""
    guaranteed = set(session.scalars(select(TruceParticipant.truce_id).where(
        TruceParticipant.actor_id == user.organisation_id,
        TruceParticipant.role == "guarantor"))) if any(
        r.role == Role.GUARANTOR_OFFICER.value for r in user.roles) else set()
    areas = list(session.scalars(select(NotificationArea).where(
        NotificationArea.user_id == user.id)))
    return [r for r in reports if r.truce_id in guaranteed or any(
        a.truce_id == r.truce_id and a.zone_id in (None, r.zone_id) for a in areas)]


def _visible_reports(session: Session, principal: Principal, reports: list[Report],
                     in_area: list[Report]) -> list[Report]:
    if not in_area:
        return []
    query = select(Report.id).where(Report.id.in_([r.id for r in in_area]))
    visible = visible_to(principal)
    if visible is not None:
        query = query.where(visible)
    ids = set(session.scalars(query))
    return [r for r in in_area if r.id in ids]


def _names(session: Session, reports: list[Report]) -> dict[str, dict[int, str]]:
    truces = {t.id: t.slug for t in session.scalars(select(Truce).where(
        Truce.id.in_({r.truce_id for r in reports if r.truce_id})))}
    zones = {z.id: z.name for z in session.scalars(select(TruceZone).where(
        TruceZone.id.in_({r.zone_id for r in reports if r.zone_id})))}
    orgs = {a.id: a.slug for a in session.scalars(select(Actor).where(
        Actor.id.in_({r.filed_by_org_id for r in reports})))}
    return {"truce": truces, "zone": zones, "org": orgs}


def _report_draft(key: str, reports: list[Report], names: dict[str, dict[int, str]]) -> Draft:
    items = [{
        "id": r.id, "category": r.category, "place_name": r.place_name,
        "occurred": r.occurred_start.date().isoformat(),
        "truce": names["truce"].get(r.truce_id or 0), "zone": names["zone"].get(r.zone_id or 0),
        "filed_by": names["org"].get(r.filed_by_org_id),
    } for r in reports]
    lines = [f"report {i['id']}: {i['category']} at {i['place_name'] or 'an unnamed place'}, "
             f"{i['occurred']} ({i['zone'] or 'no zone'}, {i['truce'] or 'no truce'}), "
             f"filed by {i['filed_by']}" for i in items]
    first = items[0]
    if len(items) == 1:
        title = (f"Report {first['id']} in your area: {first['category']} at "
                 f"{first['place_name'] or 'an unnamed place'}")
        link, subject = f"/reports/{first['id']}", f"report:{first['id']}"
    else:
        title = f"{len(items)} reports filed in your area"
        link, subject = "/review", f"reports:{first['id']}-{items[-1]['id']}"
    return Draft(key, "report.arrived", subject, title[:300], "\n".join(lines), link,
                 {"reports": items})


def _round_opened(session: Session, key: str,
                  rnd: ReviewRound) -> tuple[Draft, list[tuple[User, Principal]]]:
    incident = session.get(Incident, rnd.incident_id)
    assert incident is not None
    draft = Draft(key, "round.opened", f"incident:{incident.id}",
                  f"Review round {rnd.number} opened on incident {incident.id}: "
                  f"{incident.title}"[:300],
                  f"Assess it before {_iso(rnd.deadline)}.", f"/incidents/{incident.id}",
                  _round_payload(rnd, incident))
    return draft, _who_sees(session, incident.id, _officers_of(session, rnd.guarantor_ids))


def _round_decided(session: Session, key: str,
                   rnd: ReviewRound) -> tuple[Draft, list[tuple[User, Principal]]]:
    incident = session.get(Incident, rnd.incident_id)
    assert incident is not None
    decision = (rnd.decision or "").replace("_", " ")
    draft = Draft(key, "round.decided", f"incident:{incident.id}",
                  f"Incident {incident.id} {decision}: {incident.title}"[:300],
                  f"Review round {rnd.number} was decided {decision} on {_iso(rnd.decided_at)}.",
                  f"/incidents/{incident.id}",
                  {**_round_payload(rnd, incident), "decision": rnd.decision})
    people = _officers_of(session, rnd.guarantor_ids) + _coordinators(session)
    return draft, _who_sees(session, incident.id, people)


def _deadline(session: Session, rnd: ReviewRound) -> tuple[Draft, list[tuple[User, Principal]]]:
    """A round near its deadline reaches the officers of the seats that have not assessed."""
    incident = session.get(Incident, rnd.incident_id)
    assert incident is not None
    assessed = {a.guarantor_id for a in rnd.assessments if a.is_current}
    waiting = [s for s in rnd.guarantor_ids if s not in assessed]
    draft = Draft(f"deadline:{rnd.id}", "round.deadline", f"incident:{incident.id}",
                  f"Review round {rnd.number} on incident {incident.id} closes "
                  f"{_iso(rnd.deadline)}"[:300],
                  "Your state has not assessed it yet. After the deadline the round is decided "
                  "on what was filed.", f"/incidents/{incident.id}",
                  _round_payload(rnd, incident))
    return draft, _who_sees(session, incident.id, _officers_of(session, waiting))


def _rounds_near_deadline(session: Session, now: datetime, ahead: timedelta) -> list[ReviewRound]:
    return list(session.scalars(select(ReviewRound).where(
        ReviewRound.status == "open", ReviewRound.deadline > now,
        ReviewRound.deadline <= now + ahead).options(selectinload(ReviewRound.assessments))
        .order_by(ReviewRound.id)))


def _who_sees(session: Session, incident_id: int,
              people: list[User]) -> list[tuple[User, Principal]]:
    seen: dict[int, tuple[User, Principal]] = {}
    for user in people:
        if user.id in seen:
            continue
        principal = principal_for(user)
        try:
            get_incident(session, incident_id, principal=principal)
        except NotFound:
            continue
        seen[user.id] = (user, principal)
    return list(seen.values())


def _round_payload(rnd: ReviewRound, incident: Incident) -> dict[str, Any]:
    return {"incident": incident.id, "incident_title": incident.title, "round_id": rnd.id,
            "round": rnd.number, "deadline": _iso(rnd.deadline)}


def _iso(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def still_visible(session: Session, note: Notification) -> bool:
    """May the notification's user still read what it tells of (checked again before sending:
    a role or a user may have changed since it was derived)?"""
    user = session.get(User, note.user_id)
    if user is None or not user.is_active:
        return False
    principal = principal_for(user)
    if note.event == "report.arrived":
        ids = [int(r["id"]) for r in note.payload.get("reports", ())]
        query = select(func.count()).select_from(Report).where(Report.id.in_(ids))
        visible = visible_to(principal)
        if visible is not None:
            query = query.where(visible)
        return session.scalar(query) == len(ids)
    try:
        get_incident(session, int(note.payload["incident"]), principal=principal)
    except (NotFound, KeyError, ValueError):
        return False
    return True


# --- writing ------------------------------------------------------------------------------


def _address(session: Session, draft: Draft, audience: list[tuple[User, Principal]],
             result: Derived) -> None:
    """An inbox row per user (unless there is one for this event already) and a pending
    delivery per channel that wants the event; an organisation's webhook gets one per event."""
    for user, _principal in audience:
        exists = session.scalar(select(Notification.id).where(
            Notification.user_id == user.id, Notification.event_key == draft.event_key))
        if exists is not None:
            continue
        note = Notification(user_id=user.id, event_key=draft.event_key, event=draft.event,
                            subject=draft.subject, title=draft.title, body=draft.body,
                            link=draft.link, payload=draft.payload, created_at=result.now)
        session.add(note)
        session.flush()
        result.notifications += 1
        result.events.append(f"{draft.event} {draft.subject} → {user.username}")
        for channel in _channels(session, user, draft.event):
            taken = session.scalar(select(func.count()).select_from(NotificationDelivery).where(
                NotificationDelivery.channel_id == channel.id,
                NotificationDelivery.event_key == draft.event_key))
            if taken:
                continue
            session.add(NotificationDelivery(channel_id=channel.id, notification_id=note.id,
                                             event_key=draft.event_key, status="pending",
                                             next_attempt_at=note.created_at))
            session.flush()
            result.deliveries += 1


def _channels(session: Session, user: User, event: str) -> list[NotificationChannel]:
    found = session.scalars(select(NotificationChannel).where(
        NotificationChannel.removed_at.is_(None),
        or_(NotificationChannel.user_id == user.id,
            NotificationChannel.organisation_id == user.organisation_id))
        .order_by(NotificationChannel.id))
    return [c for c in found if not c.events or event in c.events]
