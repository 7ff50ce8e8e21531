"""The incident list and map: filters, keyset pages, counts and grid clusters, all in SQL.

One filter (``IncidentFilter``) serves the API, the web list and the map, over the one
visibility rule: unpublished incidents only with ``incident.read_unpublished``. Pages
are keyset pages in id order (``id > after``), so a page costs the same at 100,000
incidents as at ten. Map clusters are cells of a grid fixed per zoom level, counted by
the database, so the count on a cluster is the number of matching incidents in its cell.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Integer, Select, String, bindparam, cast, func, or_, select
from sqlalchemy.orm import Session, raiseload, selectinload

from trucewatch.actors.service import find_actor
from trucewatch.auth.policy import Action, allowed
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.incidents.workflow import STATUSES
from trucewatch.reports.models import Report
from trucewatch.reports.taxonomy import BY_CODE
from trucewatch.reports.when import parse_when
from trucewatch.truces.models import Truce
from trucewatch.verification.models import ReviewRound

Bbox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat

CELLS_PER_TILE = 4  # a 256-pixel map tile holds 4 × 4 cells: clusters about 64 px apart
MAX_ZOOM = 22
MAX_CELLS = 20_000  # a request may cover at most this many cells


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
class Cluster:
    """The matching incidents in one grid cell: how many, their mean point, the smallest id."""

    column: int
    row: int
    count: int
    latitude: float
    longitude: float
    first_id: int


@dataclass(frozen=True)
class ClusterMap:
    clusters: list[Cluster]
    cell_degrees: float
    total: int  # every matching incident in the bbox (equals the sum of the clusters)


def sees_unpublished(principal: Principal | None) -> bool:
    """``None`` is the mechanism itself (the command line without ``--as``): it sees all."""
    return principal is None or allowed(principal, Action.INCIDENT_READ_UNPUBLISHED)


def list_incidents(session: Session, *, principal: Principal | None, filters: IncidentFilter,
                   after_id: int = 0, limit: int | None = 50,
                   links: bool = True) -> list[Incident]:
    """The incidents after ``after_id`` in id order, with their links (a second query); without
    ``links``, reading them raises (take ``active_report_ids`` of the page instead)."""
    query = (matching(session, filters, principal=principal, box_index=_planned(session))
             .where(Incident.id > after_id).order_by(Incident.id))
    if limit is not None:
        query = query.limit(limit)
    load = selectinload(Incident.links) if links else raiseload(Incident.links)
    return list(session.scalars(query.options(load)))


class IncidentFields(Protocol):
    """What the views of an incident read (``incidents.service.incident_view``, the public
    view): an ``Incident``, or a row of :data:`PAGE_COLUMNS`."""

    @property
    def id(self) -> int: ...
    @property
    def truce_id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def occurred_start(self) -> datetime: ...
    @property
    def occurred_end(self) -> datetime: ...
    @property
    def time_precision(self) -> str: ...
    @property
    def place_name(self) -> str: ...
    @property
    def latitude(self) -> float | None: ...
    @property
    def longitude(self) -> float | None: ...
    @property
    def geo_precision(self) -> str | None: ...
    @property
    def category(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def published_at(self) -> datetime | None: ...


# The columns of IncidentFields. A page of the list reads these alone, as Core rows: fifty
# ORM objects (construction, loader state) cost a page more CPU in the server than its SQL.
PAGE_COLUMNS = (Incident.id, Incident.truce_id, Incident.title, Incident.status,
                Incident.occurred_start, Incident.occurred_end, Incident.time_precision,
                Incident.place_name, Incident.latitude, Incident.longitude,
                Incident.geo_precision, Incident.category, Incident.version,
                Incident.published_at)


def incident_rows(session: Session, *, principal: Principal | None, filters: IncidentFilter,
                  after_id: int = 0,
                  limit: int = 50) -> tuple[list[IncidentFields], dict[int, list[int]]]:
    """``list_incidents`` as rows of :data:`PAGE_COLUMNS` (IncidentFields), and the reports
    linked now to each, in one query (the ids aggregated per incident by the database).

    Read on the session's connection, past the ORM: pending ORM changes are not flushed."""
    planned = _planned(session)
    found = (matching(session, filters, principal=principal, box_index=planned)
             .where(Incident.id > after_id).order_by(Incident.id).limit(limit))
    linked = (select(func.aggregate_strings(cast(IncidentLink.report_id, String), ","))
              .where(IncidentLink.incident_id == Incident.id, IncidentLink.unlinked_at.is_(None))
              .scalar_subquery().label("linked_report_ids"))
    if planned:
        # The page's ids first, alone: an index of the filter then answers without the
        # table (PostgreSQL took the published ids' index for the public's status=open,
        # which holds none, and read all 40,000 published rows: 20-80 ms; the ids alone,
        # 0.03 ms). SQLite picks the index of the filter either way: one query is cheaper.
        ids = found.with_only_columns(Incident.id)
        query = select(*PAGE_COLUMNS, linked).where(Incident.id.in_(ids)).order_by(Incident.id)
    else:
        query = found.with_only_columns(*PAGE_COLUMNS, linked)
    rows: list[IncidentFields] = []
    reports: dict[int, list[int]] = {}
    for row in session.connection().execute(query):
        rows.append(row)
        reports[row.id] = sorted(int(i) for i in row.linked_report_ids.split(",")
                                 ) if row.linked_report_ids else []
    return rows, reports


def _planned(session: Session) -> bool:
    """Whether a page in id order leaves the box and the published ones' indexes to the
    planner: PostgreSQL's, with statistics of both, picks well (0.02-0.2 ms a page at
    100,000 incidents; with them hidden it read the whole table in parallel, 35-80 ms).
    SQLite's has none, and looked up every row of a dense box by its index: hidden there."""
    return session.get_bind().dialect.name != "sqlite"


def active_report_ids(session: Session, incident_ids: Iterable[int]) -> dict[int, list[int]]:
    """The reports linked now to each incident, in one query of two columns."""
    found: dict[int, list[int]] = {i: [] for i in incident_ids}
    if found:
        rows = session.execute(
            select(IncidentLink.incident_id, IncidentLink.report_id)
            .where(IncidentLink.incident_id.in_(found), IncidentLink.unlinked_at.is_(None))
            .order_by(IncidentLink.report_id))
        for incident_id, report_id in rows:
            found[incident_id].append(report_id)
    return found


def count_incidents(session: Session, *, principal: Principal | None, filters: IncidentFilter) -> int:
    query = matching(session, filters, principal=principal)
    return session.scalar(query.with_only_columns(func.count(), maintain_column_froms=True)) or 0


def day_range(session: Session, *, principal: Principal | None,
              filters: IncidentFilter) -> tuple[str, str] | None:
    """The first and last day an incident that matches starts on (for the map's time slider)."""
    query = matching(session, filters, principal=principal).with_only_columns(
        func.min(Incident.occurred_start), func.max(Incident.occurred_start))
    first, last = session.execute(query).one()
    if first is None or last is None:
        return None
    return first.date().isoformat(), last.date().isoformat()


def cell_degrees(zoom: int) -> float:
    """The side of a grid cell at ``zoom`` (web-map zoom levels: 0 shows the whole world)."""
    return 360.0 / (2 ** zoom) / CELLS_PER_TILE


def cell_of(latitude: float, longitude: float, zoom: int) -> tuple[int, int]:
    """The (column, row) of a point, computed exactly as the database computes it."""
    size = cell_degrees(zoom)
    return math.floor((longitude + 180.0) / size), math.floor((latitude + 90.0) / size)


def cluster_incidents(session: Session, *, principal: Principal | None, filters: IncidentFilter,
                      zoom: int) -> ClusterMap:
    """The matching incidents with a point inside ``filters.bbox``, counted per grid cell."""
    if not 0 <= zoom <= MAX_ZOOM:
        raise InvalidInput(f"zoom must be 0 to {MAX_ZOOM}", field="zoom")
    if filters.bbox is None:
        raise InvalidInput("give the map's bbox", field="bbox")
    size = cell_degrees(zoom)
    min_lon, min_lat, max_lon, max_lat = filters.bbox
    cells = (math.floor((max_lon - min_lon) / size) + 1) * (math.floor((max_lat - min_lat) / size) + 1)
    if cells > MAX_CELLS:
        raise InvalidInput(f"the bbox spans {cells} cells at zoom {zoom}; at most {MAX_CELLS}: "
                           "zoom out or narrow it", field="bbox")
    column = _floor(session, (Incident.longitude + 180.0) / size).label("column")
    row = _floor(session, (Incident.latitude + 90.0) / size).label("row")
    # Only a bare box is counted from the (longitude, latitude) index alone; with any other
    # condition, looking each row up by the box's or the published ones' index cost up to a
    # second at 100,000 incidents on SQLite, where reading the table through takes a fifth.
    # (The box excludes incidents without a point.)
    alone = sees_unpublished(principal) and filters == IncidentFilter(bbox=filters.bbox)
    query = (matching(session, filters, principal=principal, box_index=alone)
             .with_only_columns(column, row, func.count(), func.avg(Incident.latitude),
                                func.avg(Incident.longitude), func.min(Incident.id))
             .group_by(column, row).order_by(column, row))
    clusters = [Cluster(int(c), int(r), int(n), float(lat), float(lon), int(first))
                for c, r, n, lat, lon, first in session.execute(query)]
    return ClusterMap(clusters=clusters, cell_degrees=size, total=sum(c.count for c in clusters))


def _floor(session: Session, value: ColumnElement[float | None]) -> ColumnElement[int]:
    """floor() of a value >= 0: SQLite may lack floor(), and PostgreSQL's CAST rounds."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(value, Integer)  # truncation is floor for values >= 0
    return cast(func.floor(value), Integer)


def matching(session: Session, f: IncidentFilter, *, principal: Principal | None,
             box_index: bool = False) -> Select[Incident]:
    """``SELECT incidents`` with the caller's visibility and every filter given; the box
    uses the (longitude, latitude) index only with ``box_index`` (pages in id order walk
    the primary key and test the box: a dense box sorted by id cost tens of ms)."""
    privileged = sees_unpublished(principal)
    query = select(Incident)
    for condition in _conditions(session, f, privileged=privileged, box_index=box_index,
                                 published_index=box_index or f.bbox is None):
        query = query.where(condition)
    return query


def _conditions(session: Session, f: IncidentFilter, *, privileged: bool, box_index: bool,
                published_index: bool) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if not privileged:
        published = Incident.published_at if published_index else func.coalesce(
            Incident.published_at, Incident.published_at)  # the same, but no index applies
        where.append(published.is_not(None))
    if f.occurred_from:
        where.append(Incident.occurred_end > parse_when(f.occurred_from,
                                                        field="occurred_from").start)
    if f.occurred_to:
        where.append(Incident.occurred_start < parse_when(f.occurred_to,
                                                          field="occurred_to").end)
    if f.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = (_planning(session, v) for v in check_bbox(f.bbox))
        # ``x + 0.0`` is x, but no index applies to it
        lon, lat = ((Incident.longitude, Incident.latitude) if box_index
                    else (Incident.longitude + 0.0, Incident.latitude + 0.0))
        where += [lon.between(min_lon, max_lon), lat.between(min_lat, max_lat)]
    if f.category:
        if f.category not in BY_CODE:
            raise InvalidInput(f"{f.category!r} is not in the taxonomy", field="category")
        where.append(Incident.category == _planning(session, f.category))
    if f.status:
        if f.status not in STATUSES:
            raise InvalidInput(f"{f.status!r} is not a status ({', '.join(STATUSES)})",
                               field="status")
        where.append(Incident.status == _planning(session, f.status))
    if f.truce:
        where.append(Incident.truce_id.in_(select(Truce.id).where(Truce.slug == f.truce)))
    if f.truce_id is not None:
        where.append(Incident.truce_id == f.truce_id)
    if f.alleged:
        actor = find_actor(session, f.alleged, field="alleged")
        where.append(Incident.id.in_(
            select(IncidentLink.incident_id).join(Report, Report.id == IncidentLink.report_id)
            .where(IncidentLink.unlinked_at.is_(None), Report.alleged_actor_id == actor.id)))
    if f.responsible:
        actor = find_actor(session, f.responsible, field="responsible")
        decided = (select(ReviewRound.id)
                   .where(ReviewRound.incident_id == Incident.id,
                          ReviewRound.status == "decided",
                          ReviewRound.responsible_actor_id == actor.id))
        if not privileged:  # only what the published decision says
            decided = decided.where(ReviewRound.decided_at <= Incident.published_at)
        where.append(decided.exists())
    if f.text:
        like = f"%{f.text}%"
        where.append(or_(Incident.title.ilike(like), Incident.place_name.ilike(like)))
    return where


def _planning(session: Session, value: float | str) -> Any:
    """A value that chooses the plan, written into the statement on PostgreSQL. psycopg
    prepares a statement from its fifth run, and the server may then plan it once for any
    values: that generic plan took the box's index for a dense box and sorted its 11,000
    rows (40 ms a page instead of 0.04). Checked values only (a bbox of floats, a taxonomy
    code, a status): SQLAlchemy renders them as literals."""
    if session.get_bind().dialect.name == "postgresql":
        return bindparam(None, value, literal_execute=True)
    return value


def check_bbox(bbox: Bbox) -> Bbox:
    min_lon, min_lat, max_lon, max_lat = bbox
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput("bbox must be min_lon,min_lat,max_lon,max_lat within WGS 84 "
                           "bounds, min before max", field="bbox")
    return bbox
