"""The gazetteer as the mechanism knows it: the packaged GeoNames extract, the truces' named
zones, and places users imported; and the import itself (``trucewatch geo import``)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.names import normalise_name
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.ingest.gazetteer import Gazetteer, Place, geonames
from trucewatch.ingest.models import GazetteerPlace
from trucewatch.log import service as log
from trucewatch.truces.models import Truce, TruceZone


def own_places(session: Session) -> list[tuple[str, Place]]:
    """The truces' zones (at their centroid) and the imported places, by name."""
    out: list[tuple[str, Place]] = []
    for zone, truce in session.execute(select(TruceZone, Truce.slug).join(
            Truce, Truce.id == TruceZone.truce_id)):
        centre = shape(zone.geometry).representative_point()
        out.append((zone.name, Place(zone.name, centre.y, centre.x, None, "zone", 0,
                                     f"zone:{truce}/{zone.name}")))
    for row in session.scalars(select(GazetteerPlace)):
        out.append((row.name, Place(row.name, row.latitude, row.longitude, row.country,
                                    "imported", 0, f"imported:{row.source}")))
    return out


def gazetteer_for(session: Session) -> tuple[Gazetteer, list[tuple[str, Place]]]:
    places = own_places(session)
    return geonames().with_places(places), places


def import_places(session: Session, *, principal: Principal, content: bytes,
                  source: str) -> int:
    """Import places from a CSV (name, latitude, longitude[, country]) or a GeoJSON
    FeatureCollection (each feature's ``name`` property, at its representative point)."""
    require(principal, Action.INGEST)
    text = content.decode("utf-8-sig", errors="replace")
    rows = _geojson(text) if text.lstrip().startswith("{") else _csv(text)
    if not rows:
        raise InvalidInput("no places in the file", field="file")
    for name, lat, lon, country in rows:
        session.add(GazetteerPlace(name=name, normalised=normalise_name(name), latitude=lat,
                                   longitude=lon, country=country, source=source[:300],
                                   imported_by=principal.actor))
    session.flush()
    log.append(session, kind="gazetteer.imported", subject=f"gazetteer:{source[:60]}",
               actor=principal.actor, payload={"source": source, "places": len(rows)})
    return len(rows)


def _csv(text: str) -> list[tuple[str, float, float, str | None]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.lower(): f for f in reader.fieldnames or []}
    name_f = fields.get("name") or fields.get("name_en") or fields.get("admin3name_en")
    lat_f = fields.get("latitude") or fields.get("lat")
    lon_f = fields.get("longitude") or fields.get("lon") or fields.get("lng")
    if not (name_f and lat_f and lon_f):
        raise InvalidInput("a CSV needs name, latitude and longitude columns", field="file")
    out = []
    for i, row in enumerate(reader, start=2):
        try:
            out.append((row[name_f].strip(), float(row[lat_f]), float(row[lon_f]),
                        (row.get(fields.get("country", ""), "") or "").strip()[:2].upper() or None))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"line {i}: {exc}", field="file") from exc
    return [r for r in out if r[0]]


def _geojson(text: str) -> list[tuple[str, float, float, str | None]]:
    try:
        data: dict[str, Any] = json.loads(text)
        out = []
        for i, feature in enumerate(data.get("features", [])):
            props = feature.get("properties") or {}
            name = props.get("name") or props.get("name_en") or props.get("ADM1_EN") or \
                props.get("ADM2_EN")
            if not name:
                raise InvalidInput(f"feature {i} has no name property", field="file")
            point = shape(feature["geometry"]).representative_point()
            out.append((str(name), point.y, point.x, props.get("country")))
        return out
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"not GeoJSON: {exc}", field="file") from exc
