"""The complete list of a bulletin's incidents, as CSV or GeoJSON, streamed in chunks.

The printed bulletin names only its notable incidents (``bulletins.summary``); this list
holds every incident it counts, from the same ``Bulletin`` (so the same edition and the
same access rule), with the outcome, the casualties and the dissents.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from trucewatch.bulletins.contents import Bulletin, Entry
from trucewatch.errors import InvalidInput

FORMATS = ("csv", "geojson")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}
COLUMNS = ("id", "date", "title", "place", "latitude", "longitude", "zone", "governorate",
           "category", "status", "published", "responsible", "confidence", "basis", "round",
           "killed_low", "killed_best", "killed_high", "injured_low", "injured_best",
           "injured_high", "dissents")
CHUNK = 500  # rows a chunk


def listing(bulletin: Bulletin, *, format: str) -> Iterator[str]:
    """The bulletin's incidents as text chunks of ``format`` (csv or geojson)."""
    if format not in FORMATS:
        raise InvalidInput(f"{format!r}: the list is csv or geojson", field="format")
    return _csv(bulletin) if format == "csv" else _geojson(bulletin)


def file_name(bulletin: Bulletin, suffix: str) -> str:
    period = bulletin.period
    return (f"bulletin-{period.kind.value}-{period.first.isoformat()}-"
            f"{bulletin.edition.value}.{suffix}")


def row(entry: Entry) -> dict[str, Any]:
    """One incident of the list, by column."""
    killed, injured = entry.casualty("killed"), entry.casualty("injured")
    return {
        "id": entry.id, "date": entry.day.isoformat(), "title": entry.title,
        "place": entry.place, "latitude": entry.latitude, "longitude": entry.longitude,
        "zone": entry.zone, "governorate": entry.governorate, "category": entry.category,
        "status": entry.status, "published": entry.published,
        "responsible": entry.responsible, "confidence": entry.confidence, "basis": entry.basis,
        "round": entry.round,
        "killed_low": killed.low if killed else None,
        "killed_best": killed.best if killed else None,
        "killed_high": killed.high if killed else None,
        "injured_low": injured.low if injured else None,
        "injured_best": injured.best if injured else None,
        "injured_high": injured.high if injured else None,
        "dissents": [str(d) for d in entry.dissents],
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def _csv(bulletin: Bulletin) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for start in range(0, len(bulletin.entries), CHUNK):
        for entry in bulletin.entries[start:start + CHUNK]:
            values = row(entry)
            writer.writerow([_cell(values[c]) for c in COLUMNS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _geojson(bulletin: Bulletin) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    for i, entry in enumerate(bulletin.entries):
        values = row(entry)
        geometry = ({"type": "Point", "coordinates": [entry.longitude, entry.latitude]}
                    if entry.latitude is not None and entry.longitude is not None else None)
        feature = {"type": "Feature", "id": entry.id, "geometry": geometry,
                   "properties": values}
        yield ("\n" if i == 0 else ",\n") + json.dumps(feature, ensure_ascii=False)
    yield "\n]}\n"
