"""Truces: list, read, their zones as GeoJSON, create."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from trucewatch.api import geojson
from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.pagination import Cursor, Limit, Page, after, decode_cursor, page
from trucewatch.api.problems import COMMON
from trucewatch.truces.schemas import TruceIn
from trucewatch.truces.service import create_truce, get_truce, list_truces, truce_view, zones_geojson

router = APIRouter(prefix="/truces", tags=["truces"], responses=COMMON)


@router.get("", response_model=Page[dict[str, Any]])
def list_(request: Request, response: Response, session: SessionDep, who: PrincipalDep,
          limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    """Every truce, in the order they were defined."""
    rows = after([get_truce(session, t.slug) for t in list_truces(session)],
                 after_id=decode_cursor(cursor), limit=limit, key=lambda t: t.id)
    return page(rows, limit=limit, key=lambda t: t.id, request=request, response=response,
                view=truce_view)


@router.get("/{slug}", response_model=dict[str, Any], responses=geojson.GEO_RESPONSE)
def read(slug: str, request: Request, session: SessionDep, who: PrincipalDep) -> Any:
    """One truce: parties, guarantors, rule, zones (with geometry); its zones as a
    FeatureCollection with ``Accept: application/geo+json``."""
    truce = get_truce(session, slug)
    if geojson.wants_geojson(request):
        return geojson.raw(zones_geojson(truce))
    return truce_view(truce, with_geometry=True)


@router.get("/{slug}/zones", response_class=JSONResponse,
            responses={200: {"content": {geojson.MEDIA_TYPE: {}}}})
def zones(slug: str, session: SessionDep, who: PrincipalDep) -> JSONResponse:
    """The truce's zones as a GeoJSON FeatureCollection (RFC 7946)."""
    return geojson.raw(zones_geojson(get_truce(session, slug)))


@router.post("", status_code=201, response_model=dict[str, Any],
             responses={409: COMMON[422] | {"description": "The slug is taken"}})
def create(body: TruceIn, session: SessionDep, who: PrincipalDep,
           response: Response) -> dict[str, Any]:
    """Define a truce: its parties, guarantors, rule and zones."""
    truce = create_truce(session, data=body, actor=who.actor, principal=who)
    response.headers["Location"] = f"/api/v1/truces/{truce.slug}"
    return truce_view(get_truce(session, truce.slug), with_geometry=True)
