"""The actor registry: list (kind, text, cursor), read with affiliations, create."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.schemas import ActorIn
from trucewatch.actors.service import (
    actor_view,
    affiliation_view,
    affiliations_of,
    create_actor,
    get_actor,
    list_actors,
)
from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.pagination import Cursor, Limit, Page, after, decode_cursor, page
from trucewatch.api.problems import COMMON

router = APIRouter(prefix="/actors", tags=["actors"], responses=COMMON)


@router.get("", response_model=Page[dict[str, Any]])
def list_(request: Request, response: Response, session: SessionDep, who: PrincipalDep,
          limit: Limit = 50, cursor: Cursor = None, kind: ActorKind | None = None,
          text: Annotated[str | None, Query(max_length=200)] = None) -> dict[str, Any]:
    """Organisations and persons of the registry, in the order they were added."""
    rows = after(list_actors(session, kind=kind, text=text), after_id=decode_cursor(cursor),
                 limit=limit, key=lambda a: a.id)
    return page(rows, limit=limit, key=lambda a: a.id, request=request, response=response,
                view=actor_view)


@router.get("/{slug}", response_model=dict[str, Any])
def read(slug: str, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """One actor, its names and its affiliations."""
    row = get_actor(session, slug)
    return actor_view(row) | {"affiliations": [affiliation_view(a)
                                               for a in affiliations_of(session, row)]}


@router.post("", status_code=201, response_model=dict[str, Any],
             responses={409: COMMON[422] | {"description": "The slug is taken"}})
def create(body: ActorIn, session: SessionDep, who: PrincipalDep,
           response: Response) -> dict[str, Any]:
    """Add an organisation or a person to the registry (administrators)."""
    row = create_actor(session, data=body, actor=who.actor, principal=who)
    response.headers["Location"] = f"/api/v1/actors/{row.slug}"
    return actor_view(row)
