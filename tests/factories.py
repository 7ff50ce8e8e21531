"""Factories that build valid domain input; tests override the fields they care about."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from trucewatch.actors.service import create_actor
from trucewatch.truces.service import create_truce

_counter = itertools.count(1)


def organisation(session: Session, slug: str | None = None, *, org_type: str = "armed_group",
                 name: str | None = None, aliases: tuple[str, ...] = ()) -> str:
    slug = slug or f"org-{next(_counter)}"
    names = [{"name": name or slug.replace("-", " ").title(), "lang": "en", "primary": True}]
    names += [{"name": a, "lang": "en"} for a in aliases]
    create_actor(session, data={"slug": slug, "kind": "organisation",
                                "organisation_type": org_type, "names": names}, actor="test")
    return slug


def truce(session: Session, **overrides: Any) -> str:
    guarantors = overrides.pop("guarantors", None) or [
        organisation(session, org_type="state") for _ in range(3)]
    parties = overrides.pop("parties", None) or [organisation(session) for _ in range(2)]
    data = {
        "slug": f"truce-{next(_counter)}",
        "name": "Test truce",
        "starts_at": "2016-12-29T22:00:00+00:00",
        "guarantors": guarantors,
        "parties": parties,
        "zones": [{"name": "Zone A", "geometry": {"type": "Polygon", "coordinates": [
            [[36.0, 35.0], [37.0, 35.0], [37.0, 36.0], [36.0, 36.0], [36.0, 35.0]]]}}],
        **overrides,
    }
    return create_truce(session, data=data, actor="test").slug


def report(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "idempotency_key": f"key-{next(_counter)}",
        "source_kind": "party",
        "occurred": "2017-01-10",
        "place_name": "Ariha",
        "latitude": 35.81,
        "longitude": 36.61,
        "category": "shelling",
        "casualties": [{"outcome": "killed", "group": "civilian", "low": 1, "best": 2, "high": 3}],
        "narrative": "Shells fell on the market.",
    }
    data.update(overrides)
    return data
