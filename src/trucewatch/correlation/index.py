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
from typing import Any, cast

import numpy as np
from sqlalchemy import Float, Table, bindparam, func, insert, literal, select, text
from sqlalchemy.orm import Session

from trucewatch.correlation import records as store_records
from trucewatch.correlation.blocking import BlockIndex, candidates_of, index_keys, one_query_keys
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
_KEYS = 5000  # keys per IN list (SQLite allows 32,766 parameters a statement)
_ANALYZE_AFTER = 1000  # reports indexed at once, after which PostgreSQL's statistics are renewed


def _organisation(value: str | None) -> int:
    return -1 if value is None else int(value)


def write(session: Session, rows: Sequence[ReportRecord]) -> None:
    """Index ``rows`` (reports from ``records.records``, not yet indexed)."""
    write_rows(session, index_rows(rows))


IndexRows = tuple[list[dict[str, Any]], list[dict[str, Any]]]
"""The rows that index some reports: their ``correlation_features`` and ``correlation_keys``."""


def index_rows(rows: Sequence[ReportRecord]) -> IndexRows:
    """The index rows of ``rows``, computed without touching the store."""
    if not rows:
        return [], []
    f = build(rows)
    features = [{
        "report_id": r.id, "start": float(f.start[k]), "end": float(f.end[k]),
        "time_precision": int(f.tprec[k]), "latitude": r.latitude, "longitude": r.longitude,
        "geo_precision": int(f.gprec[k]), "place": int(f.place[k]), "category": r.category,
        "alleged": _organisation(r.alleged), "affected": _organisation(r.affected),
        "killed_low": None if r.killed is None else float(r.killed[0]),
        "killed_high": None if r.killed is None else float(r.killed[1]),
        "signature": f.signature[k].tobytes(), "has_text": bool(f.has_text[k]),
    } for k, r in enumerate(rows)]
    keys, owners = index_keys(f)
    pairs = sorted({(int(key), int(f.ids[row])) for key, row in zip(keys.tolist(), owners.tolist(),
                                                                    strict=True)})
    return features, [{"key": k, "report_id": r} for k, r in pairs]


# Core statements of the tables, not the ORM's bulk insert: the rows go to the driver's
# executemany as they are (the ORM's bulk path costs more than the write under the lock).
_INSERT_FEATURES = insert(cast(Table, ReportFeatures.__table__))
_INSERT_KEYS = insert(cast(Table, BlockKey.__table__))


def write_rows(session: Session, rows: IndexRows) -> None:
    features, keys = rows
    if features:
        session.execute(_INSERT_FEATURES, features)
    if keys:
        session.execute(_INSERT_KEYS, keys)


def indexed_through(session: Session) -> int:
    """The report id up to which every report is indexed."""
    return int(session.scalar(select(IndexState.indexed_through).where(IndexState.id == 1))
               or 0)


def unindexed(session: Session) -> tuple[int, int, list[ReportRecord]]:
    """What :func:`catch_up` would index, read without writing: (the index's reach, the
    newest report's id, the records of the reports not indexed up to it)."""
    through = indexed_through(session)
    newest = int(session.scalar(select(func.max(Report.id))) or 0)
    if newest <= through:
        return through, newest, []
    return through, newest, _missing_records(session, through, newest)


def _missing_records(session: Session, through: int, newest: int) -> list[ReportRecord]:
    # Two primary-key reads rather than an anti-join, whose plan depends on statistics that
    # PostgreSQL may not have yet (a hash anti-join over every indexed report: 90 ms).
    newer = list(session.scalars(select(Report.id).where(Report.id > through,
                                                         Report.id <= newest)
                                 .order_by(Report.id)))
    have: set[int] = set()
    for begin in range(0, len(newer), _CHUNK):
        have.update(session.scalars(select(ReportFeatures.report_id).where(
            ReportFeatures.report_id.in_(newer[begin:begin + _CHUNK]))))
    missing = [i for i in newer if i not in have]
    found: list[ReportRecord] = []
    for begin in range(0, len(missing), _CHUNK):
        found += store_records.records(session, Report.id.in_(missing[begin:begin + _CHUNK]))
    return found


def catch_up(session: Session) -> int:
    """Index every report not indexed yet (filed since the index was last complete); how many.
    The caller holds the log head lock, so no filing commits meanwhile."""
    through, newest, missing = unindexed(session)
    if newest <= through:
        return 0
    write(session, missing)
    advance(session, newest, indexed=len(missing))
    return len(missing)


def advance(session: Session, newest: int, *, indexed: int) -> None:
    """Every report up to ``newest`` is indexed now (``indexed`` of them just written)."""
    if indexed >= _ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # Fresh statistics, or the planner (which last saw the tables nearly empty) scans
        # correlation_keys instead of reading its primary key (50 ms instead of 2), and the
        # reports after the index's end likewise (40 ms instead of 1).
        session.execute(text("ANALYZE reports, correlation_features, correlation_keys"))
    state = session.get(IndexState, 1)
    if state is None:
        session.add(IndexState(id=1, indexed_through=newest))
    else:
        state.indexed_through = newest
    session.flush()


# Nullable floats come back as this number, turned into NaN by numpy for the whole column
# (a None check per value and column cost more than the rest of reading a candidate).
_NONE = -1e300


def _or_none(column: Any) -> Any:
    return func.coalesce(column, literal(_NONE, Float())).label(column.key)


_FEATURE_COLUMNS = (
    ReportFeatures.report_id, ReportFeatures.start, ReportFeatures.end,
    ReportFeatures.time_precision, _or_none(ReportFeatures.latitude),
    _or_none(ReportFeatures.longitude), ReportFeatures.geo_precision, ReportFeatures.place,
    ReportFeatures.category, ReportFeatures.alleged, ReportFeatures.affected,
    _or_none(ReportFeatures.killed_low), _or_none(ReportFeatures.killed_high),
    ReportFeatures.signature, ReportFeatures.has_text)


# Statements with an expanding IN parameter: built and compiled once, a list of thousands of
# ids or keys costs no per-element coercion (several milliseconds per match otherwise).
_FEATURES_OF = (select(*_FEATURE_COLUMNS)
                .where(ReportFeatures.report_id.in_(bindparam("ids", expanding=True)))
                .order_by(ReportFeatures.report_id))
# The features of every report under some of the keys, each report once (SQL's semi-join
# does what a loop over thousands of (key, report) rows in Python did).
_FEATURES_UNDER = select(*_FEATURE_COLUMNS).where(ReportFeatures.report_id.in_(
    select(BlockKey.report_id).where(BlockKey.key.in_(bindparam("keys", expanding=True)))))


def features(session: Session, report_ids: Sequence[int]) -> Features:
    """The stored features of ``report_ids`` (those indexed), in id order. Read as plain
    rows: a candidate's ORM object cost more to build than its scoring."""
    rows: list[Any] = []
    ids = sorted(set(report_ids))
    for begin in range(0, len(ids), _CHUNK):
        rows += session.execute(_FEATURES_OF, {"ids": ids[begin:begin + _CHUNK]}).all()
    return _as_features(rows)


def _as_features(rows: Sequence[Any]) -> Features:
    """Features of rows of ``_FEATURE_COLUMNS``, in the rows' order."""
    if not rows:
        return empty()
    (report_id, start, end, tprec, lat, lon, gprec, place, category, alleged, affected,
     killed_low, killed_high, signature, has_text) = zip(*rows, strict=True)
    codes, group = category_codes(category)

    def floats(values: Sequence[float]) -> np.ndarray:
        column = np.array(values, dtype=np.float64)
        column[column == _NONE] = np.nan
        return column

    return Features(
        ids=np.array(report_id, dtype=np.int64),
        start=np.array(start, dtype=np.float64), end=np.array(end, dtype=np.float64),
        tprec=np.array(tprec, dtype=np.int8), lat=floats(lat), lon=floats(lon),
        gprec=np.array(gprec, dtype=np.int8), place=np.array(place, dtype=np.int64),
        category=codes, group=group,
        alleged=np.array(alleged, dtype=np.int64), affected=np.array(affected, dtype=np.int64),
        killed_low=floats(killed_low), killed_high=floats(killed_high),
        signature=np.frombuffer(b"".join(signature), dtype=np.uint8)
        .reshape(len(rows), SIGNATURE),
        has_text=np.array(has_text, dtype=np.bool_))


def candidates(session: Session, query: Features) -> Features:
    """The indexed reports that share a block with the one report of ``query`` (itself not)."""
    _, stored, sj = batch_candidates(session, query)
    return stored.take(np.unique(sj))


def batch_candidates(session: Session, query: Features
                     ) -> tuple[np.ndarray, Features, np.ndarray]:
    """The indexed reports that share a block with each report of ``query``: (query row,
    stored features, stored row) for every pair, each unordered pair once (two reports of
    ``query`` that find each other are kept from the lower id's side), no report with
    itself. The features of every report under the reports' keys are read in one pass
    (one statement per :data:`_KEYS` keys); which of them share a block with which report
    is then worked out in memory, by the same keys (``blocking.candidates_of``)."""
    keys = sorted({key for row in range(len(query)) for key in one_query_keys(query, row).tolist()})
    rows: dict[int, Any] = {}
    connection = session.connection()  # plain rows: no ORM loading for tens of thousands
    for begin in range(0, len(keys), _KEYS):
        for row in connection.execute(_FEATURES_UNDER, {"keys": keys[begin:begin + _KEYS]}):
            rows[row[0]] = row
    none = np.empty(0, dtype=np.int64)
    if not rows:
        return none, empty(), none
    stored = _as_features([rows[i] for i in sorted(rows)])
    qi, sj = candidates_of(BlockIndex(stored), query)
    mine, theirs = query.ids[qi], stored.ids[sj]
    batch = np.isin(theirs, query.ids)
    keep = (mine != theirs) & (~batch | (mine < theirs))
    return qi[keep], stored, sj[keep]
