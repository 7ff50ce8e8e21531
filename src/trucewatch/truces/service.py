"""Everything the mechanism does with truces: define them, their parties and zones, and read them."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session, selectinload

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.models import Actor
from trucewatch.actors.service import find_actor
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput, NotFound
from trucewatch.geo.zones import ZoneIndex, check_zone_geometry
from trucewatch.log import service as log
from trucewatch.truces.models import Truce, TruceParticipant, TruceZone
from trucewatch.truces.schemas import TruceIn
from trucewatch.validation import parse

ROLES = ("guarantor", "party", "excluded")


def create_truce(session: Session, *, data: TruceIn | dict[str, Any], actor: str,
                 principal: Principal | None = None) -> Truce:
    if principal is not None:
        require(principal, Action.TRUCE_EDIT)
    spec = parse(TruceIn, data)
    if session.scalar(select(Truce.id).where(Truce.slug == spec.slug)) is not None:
        raise Conflict(f"a truce {spec.slug!r} exists already", field="slug")
    truce = Truce(slug=spec.slug, name=spec.name, starts_at=spec.starts_at, ends_at=spec.ends_at,
                  terms=spec.terms, rule_kind=spec.rule.kind.value, rule_k=spec.rule.k)
    seen: dict[int, str] = {}
    for role, refs in (("guarantor", spec.guarantors), ("party", spec.parties),
                       ("excluded", spec.excluded)):
        for i, ref in enumerate(refs):
            field = {"guarantor": "guarantors", "party": "parties"}.get(role, role) + f".{i}"
            member = find_actor(session, ref, field=field, kind=ActorKind.ORGANISATION)
            if member.id in seen:
                raise InvalidInput(f"{member.slug} is already listed as {seen[member.id]}",
                                   field=field)
            seen[member.id] = role
            truce.participants.append(TruceParticipant(actor=member, role=role))
    names: set[str] = set()
    for i, zone in enumerate(spec.zones):
        if zone.name in names:
            raise InvalidInput(f"two zones are called {zone.name!r}", field=f"zones.{i}.name")
        names.add(zone.name)
        geometry = check_zone_geometry(zone.geometry, field=f"zones.{i}.geometry")
        truce.zones.append(TruceZone(name=zone.name, geometry=geometry))
    session.add(truce)
    session.flush()
    log.append(session, kind="truce.created", subject=f"truce:{truce.slug}", actor=actor,
               payload=truce_view(truce, with_geometry=True))
    return truce


def get_truce(session: Session, slug: str | None = None) -> Truce:
    """The truce with ``slug``; without a slug, the only (or most recent) truce."""
    query = select(Truce).options(
        selectinload(Truce.participants).selectinload(TruceParticipant.actor)
        .selectinload(Actor.names),
        selectinload(Truce.zones),
    )
    if slug is None:
        truce = session.scalar(query.order_by(Truce.starts_at.desc()).limit(1))
        if truce is None:
            raise NotFound("no truce is defined yet (try `trucewatch demo`)", field="truce")
        return truce
    truce = session.scalar(query.where(Truce.slug == slug))
    if truce is None:
        raise NotFound(f"no truce {slug!r}", field="truce")
    return truce


def list_truces(session: Session) -> list[Truce]:
    return list(session.scalars(select(Truce).order_by(Truce.starts_at)))


def zone_index(truce: Truce) -> ZoneIndex:
    return ZoneIndex([(z.id, z.geometry) for z in truce.zones])


_ZONE_INDEXES = threading.local()  # prepared shapes are built per thread: GEOS is not shared
_ZONE_INDEXES_MAX = 32


def stored_zone_index(session: Session, truce_id: int) -> ZoneIndex:
    """The zone index of truce ``truce_id`` as stored, prepared once per thread and zones.

    Every filing looks its point up in its truce's zones, and preparing the shapes costs
    more than the rest of a lookup. The index is kept under the zones' ids and their stored
    GeoJSON text, read on every call: a zone that differs in a single byte (another
    database, a restored store) gets an index of its own, never a stale one.
    """
    rows = session.execute(
        select(TruceZone.id, cast(TruceZone.geometry, Text))
        .where(TruceZone.truce_id == truce_id).order_by(TruceZone.id)).all()
    key = tuple((zone_id, text) for zone_id, text in rows)
    cache: OrderedDict[tuple[tuple[int, str], ...], ZoneIndex] | None = getattr(
        _ZONE_INDEXES, "cache", None)
    if cache is None:
        cache = _ZONE_INDEXES.cache = OrderedDict()
    index = cache.get(key)
    if index is None:
        index = cache[key] = ZoneIndex([(zone_id, json.loads(text)) for zone_id, text in key])
        if len(cache) > _ZONE_INDEXES_MAX:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return index


def rule_text(truce: Truce) -> str:
    n = len(truce.actors_with("guarantor"))
    if truce.rule_kind == "unanimity":
        return f"unanimity of the {n} guarantors"
    return f"{truce.rule_k} of {n} guarantors"


def truce_view(truce: Truce, *, with_geometry: bool = False) -> dict[str, Any]:
    def slugs(role: str) -> list[str]:
        return [a.slug for a in truce.actors_with(role)]

    return {
        "slug": truce.slug,
        "name": truce.name,
        "starts_at": truce.starts_at.isoformat(),
        "ends_at": truce.ends_at.isoformat() if truce.ends_at else None,
        "terms": truce.terms,
        "rule": {"kind": truce.rule_kind, "k": truce.rule_k, "text": rule_text(truce)},
        "guarantors": slugs("guarantor"),
        "parties": slugs("party"),
        "excluded": slugs("excluded"),
        "names": {p.actor.slug: p.actor.name for p in truce.participants},
        "zones": [
            {"name": z.name, **({"geometry": z.geometry} if with_geometry else {})}
            for z in truce.zones
        ],
    }


def zones_geojson(truce: Truce) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": z.id, "geometry": z.geometry,
             "properties": {"name": z.name, "truce": truce.slug}}
            for z in truce.zones
        ],
    }
