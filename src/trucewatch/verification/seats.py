"""Which guarantor seat a caller holds, checked against the access rules and the truce."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.models import Actor
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, PermissionDenied
from trucewatch.incidents.models import Incident
from trucewatch.truces.models import Truce


def truce_of(session: Session, incident: Incident) -> Truce:
    if incident.truce_id is None:
        raise Conflict(f"incident {incident.id} falls under no truce, so no guarantors can "
                       "review it", field="incident")
    truce = session.get(Truce, incident.truce_id)
    assert truce is not None  # a foreign key
    return truce


def guarantor_ids(truce: Truce) -> list[int]:
    """The truce's guarantors in the order the truce lists them: the seats of its rounds."""
    return [p.actor_id for p in truce.participants if p.role == "guarantor"]


def seat_of(principal: Principal, action: Action, *, seats: Sequence[int], what: str) -> int:
    """The guarantor state the caller acts for: allowed by the rules, and one of ``seats``."""
    require(principal, action, organisation_id=principal.organisation_id)
    seat = principal.organisation_id
    if seat is None or seat not in seats:
        org = principal.organisation_slug or "no organisation"
        raise PermissionDenied(f"{principal.actor} acts for {org}, which holds no guarantor "
                               f"seat in {what}", field="principal")
    return seat


def slugs(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Actor.id, Actor.slug).where(Actor.id.in_(wanted)))
    return {actor_id: slug for actor_id, slug in rows}


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None
