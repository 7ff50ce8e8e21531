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
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from sqlalchemy import ColumnElement, Integer, Select, String, bindparam, cast, func, select
from sqlalchemy.orm import Session, raiseload, selectinload

from trucewatch.auth.policy import Action, allowed
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput
from trucewatch.incidents.filtering import (
    Bbox,
    IncidentFilter,
    Shape,
    check_bbox,
    conditions,
    filter_values,
)
from trucewatch.incidents.models import Incident, IncidentLink

__all__ = ["Bbox", "IncidentFilter", "check_bbox"]  # re-exported: where callers find them

CELLS_PER_TILE = 4  # a 256-pixel map tile holds 4 × 4 cells: clusters about 64 px apart
MAX_ZOOM = 22
MAX_CELLS = 20_000  # a request may cover at most this many cells


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


class IncidentRow(NamedTuple):
    """An incident's columns that its views read (IncidentFields), as a plain tuple: fifty
    ORM objects (construction, loader state) cost a page more CPU in the server than its
    SQL, and reading a SQLAlchemy Row's fields by name about 2 µs each."""

    id: int
    truce_id: int | None
    title: str
    status: str
    occurred_start: datetime
    occurred_end: datetime
    time_precision: str
    place_name: str
    latitude: float | None
    longitude: float | None
    geo_precision: str | None
    category: str
    version: int
    published_at: datetime | None


PAGE_COLUMNS = tuple(getattr(Incident, name) for name in IncidentRow._fields)


def incident_rows(session: Session, *, principal: Principal | None, filters: IncidentFilter,
                  after_id: int = 0,
                  limit: int = 50) -> tuple[list[IncidentRow], dict[int, list[int]]]:
    """``list_incidents`` as :class:`IncidentRow` tuples, and the reports linked now to each,
    in one query (the ids aggregated per incident by the database); its statement is built
    once per shape of filter (:func:`page_statement`) and run with this filter's values.

    Read on the session's connection, past the ORM: pending ORM changes are not flushed."""
    values = filter_values(session, filters)
    shape = _shape(session, principal, planned=_planned(session), bbox=filters.bbox is not None,
                   given=values)
    rows: list[IncidentRow] = []
    reports: dict[int, list[int]] = {}
    width = len(IncidentRow._fields)
    parameters = values | {"after_id": after_id, "limit": limit}
    for row in session.connection().execute(page_statement(shape), parameters):
        incident = IncidentRow._make(row[:width])
        rows.append(incident)
        linked = row[width]
        reports[incident.id] = sorted(int(i) for i in linked.split(",")) if linked else []
    return rows, reports


@lru_cache(maxsize=512)
def page_statement(shape: Shape) -> Select[Any]:
    """One page of a filter of ``shape`` in id order: the :class:`IncidentRow` columns and the
    linked report ids, comma-separated; parameters ``after_id``, ``limit`` and the filter's."""
    found = (select(Incident.id).where(*conditions(shape))
             .where(Incident.id > bindparam("after_id")).order_by(Incident.id)
             .limit(bindparam("limit")))
    linked = (select(func.aggregate_strings(cast(IncidentLink.report_id, String), ","))
              .where(IncidentLink.incident_id == Incident.id, IncidentLink.unlinked_at.is_(None))
              .scalar_subquery().label("linked_report_ids"))
    if shape.box_index:  # PostgreSQL's planner (see _planned)
        # The page's ids first, alone: an index of the filter then answers without the
        # table (PostgreSQL took the published ids' index for the public's status=open,
        # which holds none, and read all 40,000 published rows: 20-80 ms; the ids alone,
        # 0.03 ms). SQLite picks the index of the filter either way: one query is cheaper.
        return select(*PAGE_COLUMNS, linked).where(Incident.id.in_(found)).order_by(Incident.id)
    return found.with_only_columns(*PAGE_COLUMNS, linked)


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
    values = filter_values(session, f)
    shape = _shape(session, principal, planned=box_index, bbox=f.bbox is not None,
                   given=values)
    return select(Incident).where(*conditions(shape)).params(values)


def _shape(session: Session, principal: Principal | None, *, planned: bool, bbox: bool,
           given: Iterable[str]) -> Shape:
    return Shape(dialect=session.get_bind().dialect.name,
                 privileged=sees_unpublished(principal), box_index=planned,
                 published_index=planned or not bbox, given=frozenset(given))
