"""An ``IncidentFilter`` as SQL: its values checked, its shape, and its conditions.

The conditions name each value as a bound parameter instead of holding it, so that one
statement serves every filter of the same shape (which filters are given, and which
indexes the planner may use): ``incidents.listing`` builds a page's statement once per
shape and runs it with the values of each request, and SQLAlchemy compiles it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, bindparam, func, or_, select
from sqlalchemy.orm import Session

from trucewatch.actors.service import find_actor
from trucewatch.errors import InvalidInput
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.incidents.workflow import STATUSES
from trucewatch.reports.models import Report
from trucewatch.reports.taxonomy import BY_CODE
from trucewatch.reports.when import parse_when
from trucewatch.truces.models import Truce
from trucewatch.verification.models import ReviewRound

Bbox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat

# Values that choose the plan: written into the statement on PostgreSQL (see ``_planning``).
PLANNING = frozenset({"min_lon", "min_lat", "max_lon", "max_lat", "category", "status"})


@dataclass(frozen=True)
class IncidentFilter:
    occurred_from: str | None = None
    occurred_to: str | None = None
    bbox: Bbox | None = None
    category: str | None = None
    alleged: str | None = None  # a linked report alleges this actor did it
    responsible: str | None = None  # a decided review round holds this party responsible
    status: str | None = None
    truce: str | None = None  # slug
    truce_id: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Shape:
    """What a filter's statement depends on besides its values."""

    dialect: str
    privileged: bool  # sees unpublished incidents
    box_index: bool  # the box may use the (longitude, latitude) index
    published_index: bool  # "published" may use the published ones' indexes
    given: frozenset[str]  # the names of the values given


def filter_values(session: Session, f: IncidentFilter) -> dict[str, Any]:
    """The filter's values, checked and converted, by parameter name (actors looked up)."""
    values: dict[str, Any] = {}
    if f.occurred_from:
        values["occurred_from"] = parse_when(f.occurred_from, field="occurred_from").start
    if f.occurred_to:
        values["occurred_to"] = parse_when(f.occurred_to, field="occurred_to").end
    if f.bbox is not None:
        values.update(zip(("min_lon", "min_lat", "max_lon", "max_lat"), check_bbox(f.bbox),
                          strict=True))
    if f.category:
        if f.category not in BY_CODE:
            raise InvalidInput(f"{f.category!r} is not in the taxonomy", field="category")
        values["category"] = f.category
    if f.status:
        if f.status not in STATUSES:
            raise InvalidInput(f"{f.status!r} is not a status ({', '.join(STATUSES)})",
                               field="status")
        values["status"] = f.status
    if f.truce:
        values["truce"] = f.truce
    if f.truce_id is not None:
        values["truce_id"] = f.truce_id
    if f.alleged:
        values["alleged"] = find_actor(session, f.alleged, field="alleged").id
    if f.responsible:
        values["responsible"] = find_actor(session, f.responsible, field="responsible").id
    if f.text:
        values["text"] = f"%{f.text}%"
    return values


def conditions(shape: Shape) -> list[ColumnElement[bool]]:
    """The WHERE of a filter of ``shape``, each value a bound parameter of its name."""
    given = shape.given

    def value(name: str) -> BindParameter[Any]:
        return _planning(shape, name)

    where: list[ColumnElement[bool]] = []
    if not shape.privileged:
        published = Incident.published_at if shape.published_index else func.coalesce(
            Incident.published_at, Incident.published_at)  # the same, but no index applies
        where.append(published.is_not(None))
    if "occurred_from" in given:
        where.append(Incident.occurred_end > value("occurred_from"))
    if "occurred_to" in given:
        where.append(Incident.occurred_start < value("occurred_to"))
    if "min_lon" in given:
        # ``x + 0.0`` is x, but no index applies to it
        lon, lat = ((Incident.longitude, Incident.latitude) if shape.box_index
                    else (Incident.longitude + 0.0, Incident.latitude + 0.0))
        where += [lon.between(value("min_lon"), value("max_lon")),
                  lat.between(value("min_lat"), value("max_lat"))]
    if "category" in given:
        where.append(Incident.category == value("category"))
    if "status" in given:
        where.append(Incident.status == value("status"))
    if "truce" in given:
        where.append(Incident.truce_id.in_(select(Truce.id).where(Truce.slug == value("truce"))))
    if "truce_id" in given:
        where.append(Incident.truce_id == value("truce_id"))
    if "alleged" in given:
        where.append(Incident.id.in_(
            select(IncidentLink.incident_id).join(Report, Report.id == IncidentLink.report_id)
            .where(IncidentLink.unlinked_at.is_(None),
                   Report.alleged_actor_id == value("alleged"))))
    if "responsible" in given:
        decided = (select(ReviewRound.id)
                   .where(ReviewRound.incident_id == Incident.id,
                          ReviewRound.status == "decided",
                          ReviewRound.responsible_actor_id == value("responsible")))
        if not shape.privileged:  # only what the published decision says
            decided = decided.where(ReviewRound.decided_at <= Incident.published_at)
        where.append(decided.exists())
    if "text" in given:
        where.append(or_(Incident.title.ilike(value("text")),
                         Incident.place_name.ilike(value("text"))))
    return where


def _planning(shape: Shape, name: str) -> BindParameter[Any]:
    """The parameter ``name``; a value that chooses the plan is written into the statement on
    PostgreSQL. psycopg prepares a statement from its fifth run, and the server may then plan
    it once for any values: that generic plan took the box's index for a dense box and sorted
    its 11,000 rows (40 ms a page instead of 0.04). Checked values only (a bbox of floats, a
    taxonomy code, a status): SQLAlchemy renders them as literals."""
    return bindparam(name, literal_execute=shape.dialect == "postgresql" and name in PLANNING)


def check_bbox(bbox: Bbox) -> Bbox:
    min_lon, min_lat, max_lon, max_lat = bbox
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput("bbox must be min_lon,min_lat,max_lon,max_lat within WGS 84 "
                           "bounds, min before max", field="bbox")
    return bbox
