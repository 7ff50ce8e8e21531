"""The stored index a new report is matched through: each report's features and block keys.

A report is indexed once (its features computed from the store, its keys from
``blocking.index_keys``). Matching a new report then reads only its candidates: the rows of
``correlation_keys`` under the keys it looks in (``blocking.one_query_keys``), through the
primary key, and their features, never the reports around it. :func:`catch_up` indexes the
reports filed since the index was last complete (filed with matching off, or before the
index existed), so no report is missed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from trucewatch.correlation import records as store_records
from trucewatch.correlation.blocking import index_keys, one_query_keys
from trucewatch.correlation.features import (
    SIGNATURE,
    Features,
    ReportRecord,
    build,
    category_codes,
    empty,
)
from trucewatch.correlation.models import BlockKey, IndexState, ReportFeatures
from trucewatch.reports.models import Report

_CHUNK = 5000  # reports indexed, or features read, per statement
_KEYS = 500  # keys per IN list
_ANALYZE_AFTER = 1000  # reports indexed at once, after which PostgreSQL's statistics are renewed


def _organisation(value: str | None) -> int:
    return -1 if value is None else int(value)


def write(session: Session, rows: Sequence[ReportRecord]) -> None:
    """Index ``rows`` (reports from ``records.records``, not yet indexed)."""
    if not rows:
        return
    f = build(rows)
    session.execute(insert(ReportFeatures), [{
        "report_id": r.id, "start": float(f.start[k]), "end": float(f.end[k]),
        "time_precision": int(f.tprec[k]), "latitude": r.latitude, "longitude": r.longitude,
        "geo_precision": int(f.gprec[k]), "place": int(f.place[k]), "category": r.category,
        "alleged": _organisation(r.alleged), "affected": _organisation(r.affected),
        "killed_low": None if r.killed is None else float(r.killed[0]),
        "killed_high": None if r.killed is None else float(r.killed[1]),
        "signature": f.signature[k].tobytes(), "has_text": bool(f.has_text[k]),
    } for k, r in enumerate(rows)])
    keys, owners = index_keys(f)
    pairs = sorted({(int(key), int(f.ids[row])) for key, row in zip(keys.tolist(), owners.tolist(),
                                                                    strict=True)})
    if pairs:
        session.execute(insert(BlockKey), [{"key": k, "report_id": r} for k, r in pairs])


def catch_up(session: Session) -> int:
    """Index every report not indexed yet (filed since the index was last complete); how many.
    The caller holds the log head lock, so no filing commits meanwhile."""
    state = session.get(IndexState, 1)
    through = state.indexed_through if state is not None else 0
    newest = int(session.scalar(select(func.max(Report.id))) or 0)
    if newest <= through:
        return 0
    # Two primary-key reads rather than an anti-join, whose plan depends on statistics that
    # PostgreSQL may not have yet (a hash anti-join over every indexed report: 90 ms).
    newer = list(session.scalars(select(Report.id).where(Report.id > through)
                                 .order_by(Report.id)))
    have: set[int] = set()
    for begin in range(0, len(newer), _CHUNK):
        have.update(session.scalars(select(ReportFeatures.report_id).where(
            ReportFeatures.report_id.in_(newer[begin:begin + _CHUNK]))))
    missing = [i for i in newer if i not in have]
    for begin in range(0, len(missing), _CHUNK):
        chunk = missing[begin:begin + _CHUNK]
        write(session, store_records.records(session, Report.id.in_(chunk)))
    if len(missing) >= _ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # Fresh statistics, or the planner (which last saw the tables nearly empty) scans
        # correlation_keys instead of reading its primary key (50 ms instead of 2), and the
        # reports after the index's end likewise (40 ms instead of 1).
        session.execute(text("ANALYZE reports, correlation_features, correlation_keys"))
    if state is None:
        session.add(IndexState(id=1, indexed_through=newest))
    else:
        state.indexed_through = newest
    session.flush()
    return len(missing)


def features(session: Session, report_ids: Sequence[int]) -> Features:
    """The stored features of ``report_ids`` (those indexed), in id order."""
    rows: list[ReportFeatures] = []
    ids = sorted(set(report_ids))
    for begin in range(0, len(ids), _CHUNK):
        rows += session.scalars(select(ReportFeatures).where(
            ReportFeatures.report_id.in_(ids[begin:begin + _CHUNK]))
            .order_by(ReportFeatures.report_id)).all()
    if not rows:
        return empty()
    category, group = category_codes([r.category for r in rows])

    def floats(values: list[float | None]) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    return Features(
        ids=np.array([r.report_id for r in rows], dtype=np.int64),
        start=np.array([r.start for r in rows], dtype=np.float64),
        end=np.array([r.end for r in rows], dtype=np.float64),
        tprec=np.array([r.time_precision for r in rows], dtype=np.int8),
        lat=floats([r.latitude for r in rows]), lon=floats([r.longitude for r in rows]),
        gprec=np.array([r.geo_precision for r in rows], dtype=np.int8),
        place=np.array([r.place for r in rows], dtype=np.int64),
        category=category, group=group,
        alleged=np.array([r.alleged for r in rows], dtype=np.int64),
        affected=np.array([r.affected for r in rows], dtype=np.int64),
        killed_low=floats([r.killed_low for r in rows]),
        killed_high=floats([r.killed_high for r in rows]),
        signature=np.frombuffer(b"".join(r.signature for r in rows), dtype=np.uint8)
        .reshape(len(rows), SIGNATURE),
        has_text=np.array([r.has_text for r in rows], dtype=np.bool_))


def candidates(session: Session, query: Features) -> Features:
    """The indexed reports that share a block with the one report of ``query`` (itself not)."""
    keys = sorted(set(one_query_keys(query, 0).tolist()))
    found: set[int] = set()
    for begin in range(0, len(keys), _KEYS):
        found.update(session.scalars(select(BlockKey.report_id).where(
            BlockKey.key.in_(keys[begin:begin + _KEYS]))))
    found.discard(int(query.ids[0]))
    return features(session, sorted(found))
