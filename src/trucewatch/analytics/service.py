"""Counts of incidents by period, zone, governorate, category and responsible party; hotspots
on a grid; escalation alerts per zone. Each reads what the caller may see (unpublished
incidents only with ``incident.read_unpublished``), over ``incidents.listing``'s filter."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.analytics.escalation import BASELINE_DAYS, RATIO, THRESHOLD, poisson_cusum
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.geo.zones import ZoneIndex
from trucewatch.incidents.listing import IncidentFilter, matching, sees_unpublished
from trucewatch.incidents.models import Incident
from trucewatch.truces.models import TruceZone
from trucewatch.verification.models import ReviewRound
from trucewatch.web.basemap import governorates

OUTSIDE = "outside the zones"
UNKNOWN = "unknown"


class Dimension(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    ZONE = "zone"
    GOVERNORATE = "governorate"
    CATEGORY = "category"
    RESPONSIBLE = "responsible"


@dataclass(frozen=True)
class Row:
    """One incident as analytics sees it."""

    id: int
    day: date
    latitude: float | None
    longitude: float | None
    category: str
    zone: str
    responsible: str | None


def rows(session: Session, *, principal: Principal | None, filters: IncidentFilter) -> list[Row]:
    """The matching incidents with their zone and the party their decision holds responsible."""
    query = matching(session, filters, principal=principal).with_only_columns(
        Incident.id, Incident.occurred_start, Incident.latitude, Incident.longitude,
        Incident.category, Incident.truce_id, Incident.published_at).order_by(Incident.id)
    found = session.execute(query).all()
    zones = _zones_of(session, found)
    responsible = _responsible(session, [r.id for r in found],
                               public=not sees_unpublished(principal))
    return [Row(r.id, r.occurred_start.date(), r.latitude, r.longitude, r.category,
                zones.get(r.id, OUTSIDE), responsible.get(r.id)) for r in found]


def _zones_of(session: Session, found: Sequence[Any]) -> dict[int, str]:
    zones: dict[int, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    names: dict[int, str] = {}
    for zone_id, truce_id, name, geometry in session.execute(
            select(TruceZone.id, TruceZone.truce_id, TruceZone.name, TruceZone.geometry)):
        zones[truce_id].append((zone_id, geometry))
        names[zone_id] = name
    out: dict[int, str] = {}
    for truce_id, shapes in zones.items():
        mine = [r for r in found if r.truce_id == truce_id]
        hits = ZoneIndex(shapes).zones_of([(r.latitude, r.longitude) for r in mine])
        out.update({r.id: names[z] for r, z in zip(mine, hits, strict=True) if z is not None})
    return out


def _responsible(session: Session, ids: list[int], *, public: bool) -> dict[int, str]:
    """The party of each incident's latest confirmed decision (public: published by then)."""
    out: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        query = (select(ReviewRound.incident_id, ReviewRound.decision_body)
                 .join(Incident, Incident.id == ReviewRound.incident_id)
                 .where(ReviewRound.incident_id.in_(ids[start:start + 5000]),
                        ReviewRound.status == "decided")
                 .order_by(ReviewRound.incident_id, ReviewRound.number))
        if public:
            query = query.where(ReviewRound.decided_at <= Incident.published_at)
        for incident_id, body in session.execute(query):
            decision = json.loads(body or "{}")
            if decision.get("decision") == "confirmed" and decision.get("responsible"):
                out[incident_id] = decision["responsible"]
            else:
                out.pop(incident_id, None)
    return out


def counts(session: Session, *, principal: Principal | None, filters: IncidentFilter,
           by: str, data_dir: str | Path) -> list[dict[str, Any]]:
    """``[{"key": …, "count": n}]`` by one dimension, largest first (periods in time order)."""
    try:
        dimension = Dimension(by)
    except ValueError:
        raise InvalidInput(f"{by!r}: count by {', '.join(Dimension)}", field="by") from None
    found = rows(session, principal=principal, filters=filters)
    if dimension is Dimension.GOVERNORATE:
        keys = _governorates(found, data_dir)
    else:
        keys = [_key(r, dimension) for r in found]
    tally = Counter(keys)
    if dimension in (Dimension.DAY, Dimension.WEEK, Dimension.MONTH):
        ordered = sorted(tally.items())
    else:
        ordered = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"key": k, "count": n} for k, n in ordered]


def _key(row: Row, dimension: Dimension) -> str:
    if dimension is Dimension.DAY:
        return row.day.isoformat()
    if dimension is Dimension.WEEK:
        year, week, _ = row.day.isocalendar()
        return f"{year}-W{week:02d}"
    if dimension is Dimension.MONTH:
        return row.day.strftime("%Y-%m")
    if dimension is Dimension.ZONE:
        return row.zone
    if dimension is Dimension.CATEGORY:
        return row.category
    return row.responsible or UNKNOWN


def _governorates(found: list[Row], data_dir: str | Path) -> list[str]:
    """Point in the imported governorate polygons; without an import, the zone stands in."""
    features = governorates(data_dir).get("features", [])
    if not features:
        return [r.zone for r in found]
    shapes = [shape(f["geometry"]) for f in features]
    names = [str(f.get("properties", {}).get("name", "")) for f in features]
    keys = [UNKNOWN] * len(found)
    placed = [i for i, r in enumerate(found) if r.latitude is not None and r.longitude is not None]
    lons = [found[i].longitude for i in placed]
    lats = [found[i].latitude for i in placed]
    open_ = set(range(len(placed)))
    for geometry, name in zip(shapes, names, strict=True):
        hits = shapely.intersects_xy(geometry, lons, lats)
        for j in [j for j in open_ if hits[j]]:
            keys[placed[j]] = name
            open_.discard(j)
    return keys


def hotspots(session: Session, *, principal: Principal | None, filters: IncidentFilter,
             cell_km: float = 10.0, top: int = 20) -> list[dict[str, Any]]:
    """The ``top`` grid cells (about ``cell_km`` on a side) holding the most incidents."""
    if not 0.5 <= cell_km <= 500:
        raise InvalidInput("cell_km must be 0.5 to 500", field="cell_km")
    size = cell_km / 111.32  # degrees of latitude; longitude cells narrow with the cosine
    tally: Counter[tuple[int, int]] = Counter()
    points: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for r in rows(session, principal=principal, filters=filters):
        if r.latitude is None or r.longitude is None:
            continue
        width = size / max(0.1, math.cos(math.radians(r.latitude)))
        cell = (math.floor(r.longitude / width), math.floor(r.latitude / size))
        tally[cell] += 1
        points[cell].append((r.latitude, r.longitude))
    out = []
    for cell, n in tally.most_common(top):
        lats, lons = zip(*points[cell], strict=True)
        out.append({"count": n, "latitude": round(sum(lats) / n, 5),
                    "longitude": round(sum(lons) / n, 5), "cell": list(cell)})
    return out


def escalation(session: Session, *, principal: Principal | None, filters: IncidentFilter,
               baseline_days: int = BASELINE_DAYS, ratio: float = RATIO,
               threshold: float = THRESHOLD) -> list[dict[str, Any]]:
    """Each zone's alarms (Poisson CUSUM against its own baseline, ``analytics.escalation``)."""
    found = rows(session, principal=principal, filters=filters)
    if not found:
        return []
    first, last = min(r.day for r in found), max(r.day for r in found)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for r in found:
        series[r.zone][(r.day - first).days] += 1
    out = []
    for zone, counts_ in sorted(series.items()):
        try:
            alarms = poisson_cusum(counts_, baseline_days=baseline_days, ratio=ratio,
                                   threshold=threshold)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="ratio") from None
        for alarm in alarms:
            out.append({"zone": zone, "day": days[alarm.index].isoformat(),
                        "count": counts_[alarm.index], "baseline": round(alarm.baseline, 3),
                        "statistic": round(alarm.statistic, 3)})
    return out
