"""Everything the mechanism does with actors: register, name, find, affiliate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.models import Actor, ActorName, Affiliation
from trucewatch.actors.names import normalise_name
from trucewatch.actors.schemas import ActorIn, AffiliationIn, NameIn
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput, NotFound, UnknownReference
from trucewatch.log import service as log
from trucewatch.validation import parse


def create_actor(session: Session, *, data: ActorIn | dict[str, Any], actor: str,
                 principal: Principal | None = None) -> Actor:
    _check(principal)
    spec = parse(ActorIn, data)
    if session.scalar(select(Actor.id).where(Actor.slug == spec.slug)) is not None:
        raise Conflict(f"an actor {spec.slug!r} exists already", field="slug")
    row = Actor(
        slug=spec.slug,
        kind=spec.kind.value,
        organisation_type=spec.organisation_type.value if spec.organisation_type else None,
        country=spec.country,
        description=spec.description,
    )
    seen: set[tuple[str, str]] = set()
    for name in spec.names:
        if (name.lang, name.name) in seen:
            continue
        seen.add((name.lang, name.name))
        row.names.append(_name_row(name))
    session.add(row)
    session.flush()
    log.append(session, kind="actor.created", subject=f"actor:{row.slug}", actor=actor,
               payload=actor_view(row))
    return row


def add_name(session: Session, *, actor_ref: str, name: NameIn | dict[str, Any],
             actor: str, principal: Principal | None = None) -> Actor:
    _check(principal)
    row = find_actor(session, actor_ref, field="actor")
    spec = parse(NameIn, name)
    if any(n.lang == spec.lang and n.name == spec.name for n in row.names):
        raise Conflict(f"{row.slug} already has the name {spec.name!r} ({spec.lang})", field="name")
    row.names.append(_name_row(spec))
    session.flush()
    log.append(session, kind="actor.named", subject=f"actor:{row.slug}", actor=actor,
               payload={"name": spec.name, "lang": spec.lang, "primary": spec.primary})
    return row


def _check(principal: Principal | None) -> None:
    if principal is not None:
        require(principal, Action.ACTOR_EDIT)


def _name_row(name: NameIn) -> ActorName:
    return ActorName(name=name.name, lang=name.lang, is_primary=name.primary,
                     normalised=normalise_name(name.name))


def get_actor(session: Session, slug: str) -> Actor:
    row = session.scalar(select(Actor).where(Actor.slug == slug).options(selectinload(Actor.names)))
    if row is None:
        raise NotFound(f"no actor {slug!r}", field="actor")
    return row


def find_actor(session: Session, ref: str, *, field: str = "actor",
               kind: ActorKind | None = None) -> Actor:
    """Find an actor by slug, or by any of its names or aliases in any language."""
    return pick_actor(search_actors(session, ref), ref, field=field, kind=kind)


def pick_actor(matches: list[Actor], ref: str, *, field: str = "actor",
               kind: ActorKind | None = None) -> Actor:
    """The one actor ``ref`` names among ``matches``, or the error :func:`find_actor` raises."""
    if kind is not None:
        matches = [a for a in matches if a.kind == kind.value]
    if not matches:
        what = "organisation" if kind is ActorKind.ORGANISATION else "actor"
        raise UnknownReference(f"no {what} known as {ref!r}", field=field)
    if len(matches) > 1:
        slugs = ", ".join(a.slug for a in matches)
        raise InvalidInput(f"{ref!r} could be any of {slugs}: use the slug", field=field)
    return matches[0]


def search_actors_many(session: Session, refs: Iterable[str]) -> dict[str, list[Actor]]:
    """:func:`search_actors` for many references in two queries (bulk filing names ~20 actors)."""
    wanted = {ref: ref.strip() for ref in refs}
    by_slug = {a.slug: a for a in session.scalars(
        select(Actor).where(Actor.slug.in_(set(wanted.values()))))}
    keys = {ref: normalise_name(ref) for ref, slug in wanted.items() if slug not in by_slug}
    named: dict[str, list[Actor]] = {}
    if any(keys.values()):
        rows = session.execute(
            select(ActorName.normalised, Actor).join(Actor, Actor.id == ActorName.actor_id)
            .where(ActorName.normalised.in_({k for k in keys.values() if k}))
            .order_by(Actor.slug))
        for key, actor in rows:
            found = named.setdefault(key, [])
            if actor not in found:
                found.append(actor)
    return {ref: [by_slug[slug]] if slug in by_slug else list(named.get(keys[ref], []))
            for ref, slug in wanted.items()}


def search_actors(session: Session, ref: str) -> list[Actor]:
    """Exact slug match wins; otherwise every actor one of whose names normalises to ``ref``."""
    by_slug = session.scalar(select(Actor).where(Actor.slug == ref.strip()))
    if by_slug is not None:
        return [by_slug]
    key = normalise_name(ref)
    if not key:
        return []
    ids = select(ActorName.actor_id).where(ActorName.normalised == key)
    return list(session.scalars(select(Actor).where(Actor.id.in_(ids)).order_by(Actor.slug)))


def list_actors(session: Session, *, kind: ActorKind | None = None, text: str | None = None,
                organisation_type: str | None = None) -> list[Actor]:
    query = select(Actor).options(selectinload(Actor.names)).order_by(Actor.slug)
    if kind is not None:
        query = query.where(Actor.kind == kind.value)
    if organisation_type is not None:
        query = query.where(Actor.organisation_type == organisation_type)
    if text:
        key = f"%{normalise_name(text)}%"
        named = select(ActorName.actor_id).where(ActorName.normalised.like(key))
        query = query.where(or_(Actor.id.in_(named), Actor.slug.like(f"%{text.lower()}%")))
    return list(session.scalars(query))


def affiliate(session: Session, *, data: AffiliationIn | dict[str, Any], actor: str,
              principal: Principal | None = None) -> Affiliation:
    _check(principal)
    spec = parse(AffiliationIn, data)
    person = find_actor(session, spec.person, field="person", kind=ActorKind.PERSON)
    organisation = find_actor(session, spec.organisation, field="organisation",
                              kind=ActorKind.ORGANISATION)
    row = Affiliation(person_id=person.id, organisation_id=organisation.id, role=spec.role,
                      valid_from=spec.valid_from, valid_to=spec.valid_to, source=spec.source)
    session.add(row)
    session.flush()
    log.append(session, kind="affiliation.created", subject=f"actor:{person.slug}", actor=actor,
               payload={"person": person.slug, "organisation": organisation.slug,
                        "role": spec.role, "valid_from": _iso(spec.valid_from),
                        "valid_to": _iso(spec.valid_to), "source": spec.source})
    return row


def affiliations_of(session: Session, actor_row: Actor) -> list[Affiliation]:
    column = Affiliation.person_id if actor_row.kind == "person" else Affiliation.organisation_id
    return list(session.scalars(
        select(Affiliation).where(column == actor_row.id)
        .options(selectinload(Affiliation.person).selectinload(Actor.names),
                 selectinload(Affiliation.organisation).selectinload(Actor.names))
        .order_by(Affiliation.valid_from, Affiliation.id)
    ))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def actor_view(row: Actor) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "kind": row.kind,
        "organisation_type": row.organisation_type,
        "country": row.country,
        "name": row.name,
        "description": row.description,
        "names": [{"name": n.name, "lang": n.lang, "primary": n.is_primary} for n in row.names],
    }


def affiliation_view(row: Affiliation) -> dict[str, Any]:
    return {
        "person": row.person.slug,
        "person_name": row.person.name,
        "organisation": row.organisation.slug,
        "organisation_name": row.organisation.name,
        "role": row.role,
        "valid_from": _iso(row.valid_from),
        "valid_to": _iso(row.valid_to),
        "source": row.source,
    }
