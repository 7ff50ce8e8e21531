"""Who may change and read talks records: coordinators change them; published ones are public."""

from __future__ import annotations

from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.models import Actor
from trucewatch.actors.service import find_actor
from trucewatch.auth.policy import Action, allowed, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.talks.models import Meeting


def require_edit(principal: Principal) -> None:
    require(principal, Action.TALKS_EDIT)


def sees_unpublished(principal: Principal) -> bool:
    return allowed(principal, Action.TALKS_READ_UNPUBLISHED)


def visible(principal: Principal, meeting: Meeting) -> bool:
    return meeting.published_at is not None or sees_unpublished(principal)


def actor_ref(session: Session, ref: str | None, *, field: str,
              kind: ActorKind | None = None) -> Actor | None:
    """The actor ``ref`` names (slug or any name), or None when no ref is given."""
    if ref is None:
        return None
    return find_actor(session, ref, field=field, kind=kind)


def organisation_ref(session: Session, ref: str | None, *, field: str) -> Actor | None:
    return actor_ref(session, ref, field=field, kind=ActorKind.ORGANISATION)


def person_ref(session: Session, ref: str, *, field: str) -> Actor:
    found = find_actor(session, ref, field=field)
    if found.kind != ActorKind.PERSON.value:
        raise InvalidInput(f"{found.slug} is an organisation, not a person", field=field)
    return found
