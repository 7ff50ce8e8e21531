"""Validate GeoJSON zone geometries (RFC 7946) and find the zone a point falls in."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

from trucewatch.errors import InvalidInput

ZONE_TYPES = ("Polygon", "MultiPolygon")


def check_coordinates(latitude: float | None, longitude: float | None, *, field: str = "") -> None:
    """Both or neither; finite; within WGS 84 bounds."""
    prefix = f"{field}." if field else ""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise InvalidInput("give both latitude and longitude, or neither", field=prefix + missing)
    if latitude is None or longitude is None:
        return
    if not math.isfinite(latitude) or not -90 <= latitude <= 90:
        raise InvalidInput(f"{latitude} is not a latitude (-90 to 90)", field=prefix + "latitude")
    if not math.isfinite(longitude) or not -180 <= longitude <= 180:
        raise InvalidInput(f"{longitude} is not a longitude (-180 to 180)",
                           field=prefix + "longitude")


def check_zone_geometry(geometry: Any, *, field: str = "geometry") -> dict[str, Any]:
    """Return ``geometry`` if it is a valid GeoJSON Polygon or MultiPolygon, else raise."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ZONE_TYPES:
        raise InvalidInput("a zone must be a GeoJSON Polygon or MultiPolygon", field=field)
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise InvalidInput(f"malformed coordinates: {exc}", field=field) from None
    if geom.is_empty:
        raise InvalidInput("the zone is empty", field=field)
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidInput("coordinates outside longitude -180..180 / latitude -90..90",
                           field=field)
    if not geom.is_valid:
        raise InvalidInput(f"invalid polygon: {explain_validity(geom)}", field=field)
    return {"type": geometry["type"], "coordinates": shapely.geometry.mapping(geom)["coordinates"]}


class ZoneIndex:
    """Prepared zone shapes of one truce, for repeated point lookups."""

    def __init__(self, zones: Sequence[tuple[int, dict[str, Any]]]) -> None:
        self._zones = []
        for zone_id, geometry in zones:
            geom = shape(geometry)
            shapely.prepare(geom)
            self._zones.append((zone_id, geom))

    def zone_of(self, latitude: float | None, longitude: float | None) -> int | None:
        if latitude is None or longitude is None:
            return None
        point = Point(longitude, latitude)
        for zone_id, geom in self._zones:
            if geom.covers(point):
                return zone_id
        return None

    def zones_of(self, points: Sequence[tuple[float | None, float | None]]) -> list[int | None]:
        """:meth:`zone_of` for many (latitude, longitude) pairs at once, vectorised.

        For a point, ``intersects`` is ``covers``: inside or on the boundary. The first zone
        that holds a point wins, as in :meth:`zone_of`.
        """
        found: list[int | None] = [None] * len(points)
        placed = [i for i, (lat, lon) in enumerate(points) if lat is not None and lon is not None]
        if not placed or not self._zones:
            return found
        lats = np.fromiter((points[i][0] for i in placed), dtype=float, count=len(placed))
        lons = np.fromiter((points[i][1] for i in placed), dtype=float, count=len(placed))
        open_ = np.ones(len(placed), dtype=bool)
        for zone_id, geom in self._zones:
            hit = open_ & shapely.intersects_xy(geom, lons, lats)
            for j in np.flatnonzero(hit):
                found[placed[j]] = zone_id
            open_ &= ~hit
        return found
