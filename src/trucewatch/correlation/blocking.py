"""Which pairs are worth scoring: reports that share a block of time and space.

A report is indexed under one key per way it can be found: its point's grid cell at the
level its place precision sets (and, as a "shadow", in the cells of every coarser level),
and its place name's skeleton; each with its time bucket (a day, a week or a month, by its
time precision). A query asks the four cells nearest its point at its own level (natives
and shadows) and at every coarser level (natives), its place name, and every bucket its
interval (plus slack) touches, at every bucket size. A cell is at least four times the
radius of its level at Syria's latitudes (0.25° for exact and near points, 1.25° for a
district), so two points within tolerance share one of the four cells; region cells
(2.5°) reach 110 km, a region and a finer point, not two regions at their widest. Keys
are sorted once (n log n) and queried by binary search, so the work grows with n log n
and the pairs that share a block, not n². Every key holds the
category's ACLED event type: reports of different types (a battle, a strike, violence
against civilians, a strategic development) are not compared.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from trucewatch.correlation.features import Features
from trucewatch.correlation.scoring import DAY, TIME_SLACK

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

# Grid cell size in degrees for points of place precision exact/near, district, region: a
# cell is at least twice the distance within which two such points can be the same place.
CELL_DEG = (0.25, 1.25, 2.5)
_GEO_LEVEL = np.array([0, 0, 1, 2])  # by GEO_PRECISIONS
_PLACE_LEVEL = 3
_SHADOW = 3  # a shadow key of level L has the code L + _SHADOW + 1 (5, 6) beside the natives
_TIME_LEVEL = np.array([0, 0, 1, 2])  # by TIME_PRECISIONS: day, day, week, month buckets
_DAY_OFFSET = 25567  # days from 1900-01-01 to the epoch: buckets stay positive
_MARGIN = DAY  # beyond the slack, so that near misses in time still meet
# Reports are bucketed by their start: a query reaches back by the longest interval and
# slack a report of that bucket level can have (day: 1 day + 12 h, week, month: 31 + 2 days)
# and forward by the slack.
_REACH_BACK = (1.5 * DAY, 8 * DAY, 33 * DAY)
_REACH_ON = (0.5 * DAY, DAY, 2 * DAY)


def _bucket(seconds: F64, level: int) -> I64:
    day = np.floor(seconds / DAY).astype(np.int64) + _DAY_OFFSET
    if level == 0:
        return day
    if level == 1:
        return (day + 1) // 7  # 1900-01-01 was a Monday: weeks start on Mondays
    months = seconds.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    return months + 12 * 70


def _key(glevel: int, tlevel: int, cx: I64, cy: I64, bucket: I64, group: I64) -> I64:
    return (((((group & 0x7) << 5 | (glevel * 3 + tlevel)) << 11 | (cx & 0x7FF)) << 10
             | (cy & 0x3FF)) << 17 | (bucket & 0x1FFFF))


def _shadow(glevel: int) -> int:
    return glevel + _SHADOW + 1


def _place_cells(place: I64) -> tuple[I64, I64]:
    return place & 0x7FF, (place >> 11) & 0x3FF


def _cells(f: Features, rows: I64, level: int) -> tuple[F64, F64]:
    size = CELL_DEG[level]
    return f.lon[rows] / size + 1024, f.lat[rows] / size + 512


def index_keys(f: Features) -> tuple[I64, I64]:
    """(key, row) for every way each report can be found."""
    rows = np.arange(len(f), dtype=np.int64)
    tlevel = _TIME_LEVEL[f.tprec]
    buckets = np.select([tlevel == 0, tlevel == 1],
                        [_bucket(f.start, 0), _bucket(f.start, 1)], _bucket(f.start, 2))
    keys, owners = [], []
    has_point = f.gprec >= 0
    own = _GEO_LEVEL[np.maximum(f.gprec, 0)]
    for glevel in range(3):
        for t in range(3):
            for code, level_rows in ((glevel, own == glevel), (_shadow(glevel), own < glevel)):
                sel = rows[has_point & level_rows & (tlevel == t)]
                x, y = _cells(f, sel, glevel)
                keys.append(_key(code, t, np.floor(x).astype(np.int64),
                                 np.floor(y).astype(np.int64), buckets[sel], f.group[sel]))
                owners.append(sel)
    for t in range(3):
        sel = rows[(f.place != 0) & (tlevel == t)]
        cx, cy = _place_cells(f.place[sel])
        keys.append(_key(_PLACE_LEVEL, t, cx, cy, buckets[sel], f.group[sel]))
        owners.append(sel)
    return np.concatenate(keys), np.concatenate(owners)


def _time_ranges(f: Features, rows: I64, level: int) -> Iterator[tuple[I64, I64]]:
    """(rows, bucket) for every bucket of ``level`` each row's slackened interval touches."""
    margin = TIME_SLACK[f.tprec[rows]] + _MARGIN
    low = _bucket(f.start[rows] - margin - _REACH_BACK[level], level)
    high = _bucket(f.end[rows] + margin + _REACH_ON[level], level)
    for offset in range(int((high - low).max(initial=-1)) + 1):
        mask = low + offset <= high
        yield rows[mask], low[mask] + offset


def query_keys(f: Features, rows: I64) -> tuple[I64, I64]:
    """(key, row) for every block report ``rows`` of ``f`` should look in."""
    keys, owners = [], []
    with_point = rows[f.gprec[rows] >= 0]
    named = rows[f.place[rows] != 0]
    own = _GEO_LEVEL[np.maximum(f.gprec[with_point], 0)]
    for t in range(3):
        for glevel in range(3):
            x, y = _cells(f, with_point, glevel)
            cx, cy = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
            dx = np.where(x - cx < 0.5, -1, 1)
            dy = np.where(y - cy < 0.5, -1, 1)
            corners = [(cx, cy), (cx + dx, cy), (cx, cy + dy), (cx + dx, cy + dy)]
            for sel, bucket in _time_ranges(f, with_point, t):
                where = np.searchsorted(with_point, sel)
                level = own[where]
                for code, mask in ((glevel, level <= glevel), (_shadow(glevel), level == glevel)):
                    if not mask.any():
                        continue
                    for ax, ay in corners:
                        keys.append(_key(code, t, ax[where][mask], ay[where][mask],
                                         bucket[mask], f.group[sel[mask]]))
                        owners.append(sel[mask])
        for sel, bucket in _time_ranges(f, named, t):
            cx, cy = _place_cells(f.place[sel])
            keys.append(_key(_PLACE_LEVEL, t, cx, cy, bucket, f.group[sel]))
            owners.append(sel)
    if not keys:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(keys), np.concatenate(owners)


def one_query_keys(f: Features, row: int) -> I64:
    """The keys of :func:`query_keys` for one report, with Python numbers: a new report's
    lookup costs a few hundred integer operations instead of a few hundred numpy calls."""
    group, place = int(f.group[row]), int(f.place[row])
    margin = float(TIME_SLACK[f.tprec[row]]) + _MARGIN
    start, end = np.array([f.start[row]]), np.array([f.end[row]])
    point = int(f.gprec[row]) >= 0
    own = int(_GEO_LEVEL[max(int(f.gprec[row]), 0)])
    lon, lat = float(f.lon[row]), float(f.lat[row])
    keys: list[int] = []
    for t in range(3):
        low = int(_bucket(start - margin - _REACH_BACK[t], t)[0])
        high = int(_bucket(end + margin + _REACH_ON[t], t)[0])
        buckets = range(low, high + 1)
        for glevel in range(3) if point else ():
            size = CELL_DEG[glevel]
            x, y = lon / size + 1024, lat / size + 512
            cx, cy = math.floor(x), math.floor(y)
            dx, dy = (-1 if x - cx < 0.5 else 1), (-1 if y - cy < 0.5 else 1)
            codes = [c for c, wanted in ((glevel, own <= glevel), (_shadow(glevel), own == glevel))
                     if wanted]
            for code in codes:
                for ax, ay in ((cx, cy), (cx + dx, cy), (cx, cy + dy), (cx + dx, cy + dy)):
                    head = (((group & 0x7) << 5 | (code * 3 + t)) << 11 | (ax & 0x7FF)) << 10 \
                        | (ay & 0x3FF)
                    keys += [head << 17 | (b & 0x1FFFF) for b in buckets]
        if place:
            head = (((group & 0x7) << 5 | (_PLACE_LEVEL * 3 + t)) << 11 | (place & 0x7FF)) << 10 \
                | ((place >> 11) & 0x3FF)
            keys += [head << 17 | (b & 0x1FFFF) for b in buckets]
    return np.array(keys, dtype=np.int64)


class BlockIndex:
    """Sorted index keys of a table of reports, for the pairs a query's blocks hold."""

    def __init__(self, f: Features) -> None:
        keys, rows = index_keys(f)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.rows = rows[order]

    def lookup(self, keys: I64, owners: I64) -> tuple[I64, I64]:
        """(owner, indexed row) for every indexed row under one of ``keys``."""
        left = np.searchsorted(self.keys, keys, side="left")
        right = np.searchsorted(self.keys, keys, side="right")
        counts = right - left
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        first = np.repeat(left - (np.cumsum(counts) - counts), counts)
        return np.repeat(owners, counts), self.rows[np.arange(total) + first]


def sorted_unique(values: I64) -> I64:
    """``np.unique`` of int64 codes by one sort (numpy's hash-based unique is several times
    slower on tens of millions of pair codes)."""
    if len(values) == 0:
        return values
    values = np.sort(values)
    keep = np.empty(len(values), dtype=np.bool_)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def candidate_pairs(f: Features, *, chunk: int = 10_000) -> tuple[I64, I64]:
    """Every pair (i < j) of rows of ``f`` that share a block, once."""
    index = BlockIndex(f)
    found: list[I64] = []
    n = len(f)
    for begin in range(0, n, chunk):
        rows = np.arange(begin, min(n, begin + chunk), dtype=np.int64)
        qi, rj = index.lookup(*query_keys(f, rows))
        lo, hi = np.minimum(qi, rj), np.maximum(qi, rj)  # a pair may be found from either side
        keep = lo < hi
        found.append(sorted_unique(lo[keep] * n + hi[keep]))
    pairs = sorted_unique(np.concatenate(found)) if found else np.empty(0, np.int64)
    return pairs // max(n, 1), pairs % max(n, 1)


def candidates_of(index: BlockIndex, query: Features) -> tuple[I64, I64]:
    """(query row, indexed row) pairs for reports not in the index (incremental matching)."""
    if len(query) == 1:
        keys = one_query_keys(query, 0)
        qi, rj = index.lookup(keys, np.zeros(len(keys), dtype=np.int64))
    else:
        qi, rj = index.lookup(*query_keys(query, np.arange(len(query), dtype=np.int64)))
    if len(qi) == 0:
        return qi, rj
    width = int(rj.max()) + 1
    pairs = sorted_unique(qi * width + rj)
    return pairs // width, pairs % width
