"""GeoJSON (RFC 7946) for anything with a place, when the client asks for it.

A list answers ``Accept: application/geo+json`` with a FeatureCollection: one Feature per
item, its point as geometry (null when it has no place) and the item's view as properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

MEDIA_TYPE = "application/geo+json"


def wants_geojson(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip().lower() == MEDIA_TYPE for part in accept.split(","))


def feature(view: dict[str, Any]) -> dict[str, Any]:
    lon, lat = view.get("longitude"), view.get("latitude")
    geometry = ({"type": "Point", "coordinates": [lon, lat]}
                if lon is not None and lat is not None else None)
    return {"type": "Feature", "id": view["id"], "geometry": geometry, "properties": view}


def collection(views: Iterable[dict[str, Any]], *, next_cursor: str | None = None,
               headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "FeatureCollection", "features": [feature(v) for v in views]}
    if next_cursor is not None:
        body["next"] = next_cursor  # a foreign member (RFC 7946 §6.1), as in the JSON page
    return JSONResponse(body, media_type=MEDIA_TYPE, headers=headers)


def raw(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, media_type=MEDIA_TYPE)


# For the OpenAPI document: lists that also answer in GeoJSON.
GEO_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {"schema": {"type": "object", "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"type": "object"}},
        "next": {"type": ["string", "null"]}}}}},
          "description": "A page, or a GeoJSON FeatureCollection with Accept: "
                         "application/geo+json"},
}
