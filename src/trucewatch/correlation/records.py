"""Reports from the store as :class:`ReportRecord` rows, organisations resolved."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from trucewatch.actors.models import Actor, Affiliation
from trucewatch.correlation.features import ReportRecord
from trucewatch.reports.models import Casualty, Report

# How far around a new report the store is read before blocking picks the candidates: a
# month-precision report starts up to a month before any day in it, and slack is ≤ 3 days.
WINDOW_BEFORE = timedelta(days=34)
WINDOW_AFTER = timedelta(days=3)
BOX_DEG = 2.5  # beyond the largest grid cell of blocking


def organisations(session: Session, actor_ids: Iterable[int]) -> dict[int, int]:
    """Actor id → the organisation it stands for: itself, or a person's organisation (their
    earliest affiliation), so that a spokesman and the group he speaks for agree."""
    ids = set(actor_ids)
    if not ids:
        return {}
    kinds = dict(session.execute(select(Actor.id, Actor.kind).where(Actor.id.in_(ids))).all())
    out = {i: i for i, kind in kinds.items() if kind != "person"}
    people = [i for i, kind in kinds.items() if kind == "person"]
    if people:
        rows = session.execute(
            select(Affiliation.person_id, Affiliation.organisation_id)
            .where(Affiliation.person_id.in_(people)).order_by(Affiliation.id))
        for person, organisation in rows:
            out.setdefault(person, organisation)
    for person in people:
        out.setdefault(person, person)
    return out


def _killed(casualties: Sequence[tuple[int, str, int, int]], report_id: int) -> tuple[int, int] | None:
    cells = [(low, high) for rid, outcome, low, high in casualties
             if rid == report_id and outcome == "killed"]
    if not cells:
        return None
    return sum(c[0] for c in cells), sum(c[1] for c in cells)


def records(session: Session, where: ColumnElement[bool] | None = None) -> list[ReportRecord]:
    """Every report matching ``where`` (all of them without), in id order."""
    query = select(Report.id, Report.occurred_start, Report.occurred_end, Report.time_precision,
                   Report.category, Report.latitude, Report.longitude, Report.geo_precision,
                   Report.place_name, Report.alleged_actor_id, Report.affected_actor_id,
                   Report.narrative).order_by(Report.id)
    if where is not None:
        query = query.where(where)
    rows = session.execute(query).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    casualties: list[tuple[int, str, int, int]] = []
    for begin in range(0, len(ids), 5000):
        casualties += [tuple(c) for c in session.execute(  # type: ignore[misc]
            select(Casualty.report_id, Casualty.outcome, Casualty.low, Casualty.high)
            .where(Casualty.report_id.in_(ids[begin:begin + 5000])))]
    by_report: dict[int, list[tuple[int, str, int, int]]] = {}
    for c in casualties:
        by_report.setdefault(c[0], []).append(c)
    orgs = organisations(session, {a for r in rows for a in (r.alleged_actor_id,
                                                              r.affected_actor_id) if a})

    def org(actor_id: int | None) -> str | None:
        return None if actor_id is None else str(orgs.get(actor_id, actor_id))

    return [ReportRecord(
        id=r.id, start=r.occurred_start, end=r.occurred_end, time_precision=r.time_precision,
        category=r.category, latitude=r.latitude, longitude=r.longitude,
        geo_precision=r.geo_precision, place_name=r.place_name, alleged=org(r.alleged_actor_id),
        affected=org(r.affected_actor_id), killed=_killed(by_report.get(r.id, []), r.id),
        narrative=r.narrative) for r in rows]


def around(record: ReportRecord) -> ColumnElement[bool]:
    """The reports that could share a block with ``record`` (read through the indexes on
    ``occurred_start`` and on the point), itself excluded."""
    start: datetime = record.start
    clauses = [Report.occurred_start >= start - WINDOW_BEFORE,
               Report.occurred_start <= record.end + WINDOW_AFTER,
               Report.id != record.id]
    if record.latitude is not None and record.longitude is not None:
        clauses.append(or_(Report.latitude.is_(None), and_(
            Report.latitude.between(record.latitude - BOX_DEG, record.latitude + BOX_DEG),
            Report.longitude.between(record.longitude - BOX_DEG, record.longitude + BOX_DEG))))
    return and_(*clauses)
