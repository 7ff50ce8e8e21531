"""A snapshot of the actor registry for linking mentions: every name and alias, their
transliteration skeletons, surnames, and the affiliations already recorded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trucewatch.actors.models import Actor, Affiliation
from trucewatch.actors.names import normalise_name
from trucewatch.ingest.transliteration import skeleton


@dataclass(frozen=True)
class KnownActor:
    slug: str
    kind: str  # person or organisation
    organisation_type: str | None
    name: str
    names: tuple[str, ...]
    country: str | None = None

    @property
    def label(self) -> str:
        """The spaCy entity label a mention of this actor carries."""
        if self.kind == "person":
            return "PERSON"
        return "GPE" if self.organisation_type == "state" and self.country and \
            "ministry" not in self.name.casefold() else "ORG"


@dataclass(frozen=True)
class KnownAffiliation:
    person: str
    organisation: str
    role: str


@dataclass
class Registry:
    actors: list[KnownActor] = field(default_factory=list)
    affiliations: list[KnownAffiliation] = field(default_factory=list)
    by_name: dict[str, list[KnownActor]] = field(default_factory=dict)
    by_skeleton: dict[str, list[KnownActor]] = field(default_factory=dict)
    by_surname: dict[str, list[KnownActor]] = field(default_factory=dict)
    by_country: dict[str, KnownActor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_name: defaultdict[str, list[KnownActor]] = defaultdict(list)
        by_skeleton: defaultdict[str, list[KnownActor]] = defaultdict(list)
        by_surname: defaultdict[str, list[KnownActor]] = defaultdict(list)
        for actor in self.actors:
            for name in actor.names:
                for index, key in ((by_name, normalise_name(name)), (by_skeleton, skeleton(name))):
                    if key and actor not in index[key]:
                        index[key].append(actor)
                words = normalise_name(name).split()
                if actor.kind == "person" and len(words) > 1 and actor not in by_surname[words[-1]]:
                    by_surname[words[-1]].append(actor)
            if actor.organisation_type == "state" and actor.country and \
                    "ministry" not in actor.name.casefold():
                self.by_country.setdefault(actor.country, actor)
        self.by_name, self.by_skeleton, self.by_surname = dict(by_name), dict(by_skeleton), \
            dict(by_surname)

    def get(self, slug: str) -> KnownActor | None:
        return next((a for a in self.actors if a.slug == slug), None)

    def roles_of(self, slug: str) -> list[KnownAffiliation]:
        return [a for a in self.affiliations if a.person == slug]


def load_registry(session: Session) -> Registry:
    """The registry as it stands in the database (a few hundred actors: read whole)."""
    rows = session.scalars(select(Actor).options(selectinload(Actor.names)).order_by(Actor.slug))
    actors = [KnownActor(slug=a.slug, kind=a.kind, organisation_type=a.organisation_type,
                         name=a.name, names=tuple(n.name for n in a.names), country=a.country)
              for a in rows]
    slugs = {a.id: a.slug for a in session.scalars(select(Actor))}
    affiliations = [KnownAffiliation(slugs[f.person_id], slugs[f.organisation_id], f.role)
                    for f in session.scalars(select(Affiliation))]
    return Registry(actors=actors, affiliations=affiliations)
