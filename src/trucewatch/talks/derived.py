"""The views analysts ask for: a meeting's participation matrix, an actor's history of
invitations and replies, and the timeline of the process."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.models import Actor, Affiliation
from trucewatch.actors.service import find_actor
from trucewatch.auth.principal import Principal
from trucewatch.talks.enums import Capacity
from trucewatch.talks.invitations import invitee_text, reply_view
from trucewatch.talks.meetings import get_meeting, iso, list_meetings
from trucewatch.talks.models import Invitation, Meeting


def _memberships(session: Session, person_id: int, day: date) -> list[tuple[Affiliation, bool]]:
    """The person's affiliations that began by ``day``, each with whether it had ended."""
    rows = session.scalars(select(Affiliation).where(Affiliation.person_id == person_id)
                           .order_by(Affiliation.id))
    return [(a, a.valid_to is not None and a.valid_to < day) for a in rows
            if a.valid_from is None or a.valid_from <= day]


def _row(org: Actor) -> dict[str, Any]:
    return {"organisation": org.slug, "name": org.name, "invited_as_body": [],
            "representatives_invited": [], "members_invited_personally": [],
            "covered_by_class": [], "replies": [], "attendees": []}


def _brief(inv: Invitation) -> dict[str, Any]:
    return {"invitation": inv.id, "status": inv.status, "to": invitee_text(inv)}


def participation_matrix(session: Session, *, principal: Principal,
                         meeting: str) -> dict[str, Any]:
    """Per organisation: invited as a body, through representatives, through members invited
    personally, or as one of a class; the replies; who attended for it."""
    row = get_meeting(session, meeting, principal=principal)
    rows: dict[int, dict[str, Any]] = {}
    unaffiliated: list[dict[str, Any]] = []

    def at(org: Actor) -> dict[str, Any]:
        return rows.setdefault(org.id, _row(org))

    for inv in row.invitations:
        day = inv.sent_on or row.starts_on
        if inv.capacity == Capacity.ORGANISATION.value and inv.invitee is not None:
            at(inv.invitee)["invited_as_body"].append(_brief(inv))
        elif inv.capacity == Capacity.REPRESENTATIVE.value and inv.represents is not None:
            at(inv.represents)["representatives_invited"].append(
                {**_brief(inv), "person": inv.invitee.slug if inv.invitee else None})
        elif inv.capacity == Capacity.PERSONAL.value and inv.invitee is not None:
            memberships = _memberships(session, inv.invitee.id, day)
            if not memberships:
                unaffiliated.append({**_brief(inv), "person": inv.invitee.slug})
            for aff, ended in memberships:
                at(aff.organisation)["members_invited_personally"].append(
                    {**_brief(inv), "person": inv.invitee.slug, "name": inv.invitee.name,
                     "role": aff.role, "former": ended})
        elif inv.capacity == Capacity.CLASS.value:
            for org in _class_members(session, inv):
                at(org)["covered_by_class"].append(_brief(inv))
        for rep in inv.replies:
            if rep.replied_by is not None and rep.replied_by.kind == ActorKind.ORGANISATION.value:
                at(rep.replied_by)["replies"].append({**reply_view(rep), "invitation": inv.id})
    for att in row.attendances:
        body: Actor | None = att.represents
        if body is None and att.actor.kind == ActorKind.ORGANISATION.value:
            body = att.actor
        if body is not None:
            at(body)["attendees"].append({"attendee": att.actor.slug, "role": att.role})
    out = sorted(rows.values(), key=lambda r: r["name"].casefold())
    for r in out:
        r["invited"] = bool(r["invited_as_body"] or r["representatives_invited"]
                            or r["members_invited_personally"] or r["covered_by_class"])
        r["members_invited_while_organisation_not"] = (
            not r["invited_as_body"] and bool(r["members_invited_personally"]
                                              or r["representatives_invited"]))
        r["replied"] = r["replies"][-1]["status"] if r["replies"] else None
        r["attended"] = bool(r["attendees"])
    return {"meeting": row.slug, "title": row.title, "organisations": out,
            "unaffiliated": unaffiliated}


def _class_members(session: Session, inv: Invitation) -> list[Actor]:
    """Organisations a class invitation reaches: of its organisation type, or the one its
    members belong to."""
    found: list[Actor] = []
    if inv.class_member_of is not None:
        found.append(inv.class_member_of)
    if inv.class_organisation_type is not None:
        found += session.scalars(select(Actor).where(
            Actor.organisation_type == inv.class_organisation_type).order_by(Actor.slug))
    return found


def actor_history(session: Session, *, principal: Principal, actor: str) -> dict[str, Any]:
    """For an actor: each meeting where it (or, for an organisation, a member) was invited or
    came, with the invitations, their replies and the attendance."""
    who = find_actor(session, actor, field="actor")
    members = set()
    if who.kind == ActorKind.ORGANISATION.value:
        members = set(session.scalars(select(Affiliation.person_id).where(
            Affiliation.organisation_id == who.id)))
    meetings = []
    for meeting in list_meetings(session, principal=principal):
        invitations = [_history_item(inv, who, members) for inv in meeting.invitations]
        invitations = [i for i in invitations if i is not None]
        attended = [{"attendee": a.actor.slug, "role": a.role,
                     "represents": a.represents.slug if a.represents else None}
                    for a in meeting.attendances
                    if who.id in (a.actor_id, a.represents_id) or a.actor_id in members]
        if invitations or attended:
            meetings.append({"meeting": meeting.slug, "title": meeting.title,
                             "starts_on": iso(meeting.starts_on), "invitations": invitations,
                             "attended": attended})
    return {"actor": who.slug, "name": who.name, "meetings": meetings}


def _history_item(inv: Invitation, who: Actor, members: set[int]) -> dict[str, Any] | None:
    if inv.invitee_id == who.id:
        how = {"organisation": "as a body", "personal": "in a personal capacity",
               "representative": "as a representative"}[inv.capacity]
    elif inv.represents_id == who.id:
        how = "through a representative"
    elif inv.invitee_id in members:
        how = "a member, personally"
    elif inv.class_member_of_id == who.id or (
            inv.class_organisation_type is not None
            and inv.class_organisation_type == who.organisation_type):
        how = "as one of a class"
    else:
        return None
    return {**_brief(inv), "how": how, "sent_on": iso(inv.sent_on),
            "replies": [reply_view(r) for r in inv.replies]}


def timeline(session: Session, *, principal: Principal,
             truce: str | None = None) -> list[dict[str, Any]]:
    """Every dated step of the process in order: meetings, invitations, replies, documents."""
    events: list[tuple[date, int, dict[str, Any]]] = []
    for meeting in list_meetings(session, principal=principal, truce=truce):
        events += _meeting_events(meeting)
    events.sort(key=lambda e: (e[0], e[1]))
    return [e[2] for e in events]


def _meeting_events(meeting: Meeting) -> list[tuple[date, int, dict[str, Any]]]:
    def event(day: date, order: int, kind: str, text: str, **extra: Any) -> tuple[
            date, int, dict[str, Any]]:
        return (day, order, {"date": day.isoformat(), "kind": kind, "meeting": meeting.slug,
                             "text": text, **extra})

    span = (f"{meeting.starts_on.isoformat()} to {meeting.ends_on.isoformat()}"
            if meeting.ends_on != meeting.starts_on else meeting.starts_on.isoformat())
    out = [event(meeting.starts_on, 2, "meeting", f"{meeting.title} ({meeting.format}, "
                 f"{meeting.venue or 'venue not recorded'}, {span})", quote=meeting.quote)]
    for inv in meeting.invitations:
        if inv.sent_on is not None:
            out.append(event(inv.sent_on, 0, "invitation", f"invitation to {invitee_text(inv)}",
                             invitation=inv.id, quote=inv.quote))
        for rep in inv.replies:
            out.append(event(rep.replied_on, 1, "reply",
                             f"{invitee_text(inv)}: {rep.status.replace('_', ' ')}"
                             + (f" ({rep.reason})" if rep.reason else ""),
                             invitation=inv.id, quote=rep.quote))
    for doc in meeting.documents:
        out.append(event(doc.adopted_on or meeting.ends_on, 3, "document",
                         f"{doc.kind.replace('_', ' ')}: {doc.title}", quote=doc.quote))
    return out
