"""Score pairs of reports, in bulk: one similarity in [0, 1] per component, how much of it is
known, and the match probability they add up to.

Each component is compared only as far as both reports know it: a component one report lacks
is no evidence either way, and a coarse precision (a month, a region) counts partly, by the
factor in ``TIME_KNOWN`` / ``GEO_KNOWN``. The evidence of a component is its log-odds weight
for agreement times the similarity, less its weight for disagreement times the rest
(Fellegi–Sunter's agreement and disagreement weights, on a continuous similarity); the
score is the logistic of the prior plus the evidence. docs/correlation.md gives the
formulas; :func:`reasons` puts one pair's components into words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from trucewatch.correlation.features import GEO_PRECISIONS, TIME_PRECISIONS, Features
from trucewatch.correlation.tuning import COMPONENTS, Tuning

HOUR = 3600.0
DAY = 86400.0
# Slack added on each side of a report's interval, by its time precision (exact, day, week,
# month): clocks, time zones and "last night" make a day's report stray a little.
TIME_SLACK = np.array([3 * HOUR, 12 * HOUR, DAY, 2 * DAY])
# How much a time match at this precision (the coarser of the pair) is worth.
TIME_KNOWN = np.array([1.0, 1.0, 0.5, 0.25])
# Radius in km within which a point of this precision may lie from the event.
GEO_RADIUS_KM = np.array([1.0, 5.0, 25.0, 100.0])
GEO_KNOWN = np.array([1.0, 1.0, 0.6, 0.3])
PLACE_NAME_KNOWN = 0.6  # a shared place name without points: towns share names
EARTH_KM = 6371.0

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


@dataclass
class PairScores:
    score: F64  # the match probability, one per pair
    similarity: F32  # (pairs, len(COMPONENTS)): each component's similarity
    known: F32  # (pairs, len(COMPONENTS)): how much of it is known, 0 (unknown) to 1
    gap_hours: F64  # time between the slackened intervals, 0 when they overlap
    distance_km: F64  # NaN when either has no point

    @property
    def parts(self) -> F32:
        """Each similarity blended with 0.5 (no evidence) by how much of it is known."""
        return self.known * self.similarity + (1.0 - self.known) * 0.5


def _time(a: Features, ia: I64, b: Features, ib: I64) -> tuple[F64, F64, F64]:
    pa, pb = a.tprec[ia], b.tprec[ib]
    start_a, end_a = a.start[ia] - TIME_SLACK[pa], a.end[ia] + TIME_SLACK[pa]
    start_b, end_b = b.start[ib] - TIME_SLACK[pb], b.end[ib] + TIME_SLACK[pb]
    gap = np.maximum(0.0, np.maximum(start_a, start_b) - np.minimum(end_a, end_b))
    # A gap counts by the coarser report's slack: hours apart are much for two exact times.
    similarity = np.exp(-gap / np.maximum(TIME_SLACK[pa], TIME_SLACK[pb]))
    return similarity, TIME_KNOWN[np.maximum(pa, pb)], gap / HOUR


def _distance_km(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))


def _place(a: Features, ia: I64, b: Features, ib: I64) -> tuple[F64, F64, F64]:
    ga, gb = a.gprec[ia], b.gprec[ib]
    points = (ga >= 0) & (gb >= 0)
    distance = _distance_km(a.lat[ia], a.lon[ia], b.lat[ib], b.lon[ib])
    tolerance = GEO_RADIUS_KM[np.maximum(ga, 0)] + GEO_RADIUS_KM[np.maximum(gb, 0)]
    near = np.nan_to_num(np.exp(-np.maximum(0.0, distance - tolerance) / tolerance))
    pa, pb = a.place[ia], b.place[ib]
    named = (pa != 0) & (pb != 0)
    # Points decide when both have one; else the names, when both have one; else unknown.
    similarity = np.where(points, near, (pa == pb).astype(np.float64))
    known = np.where(points, GEO_KNOWN[np.maximum(np.maximum(ga, gb), 0)],
                     np.where(named, PLACE_NAME_KNOWN, 0.0))
    return similarity, known, np.where(points, distance, np.nan)


def _same(x: I64, y: I64) -> tuple[F64, F64]:
    return (x == y).astype(np.float64), ((x >= 0) & (y >= 0)).astype(np.float64)


def _casualties(a: Features, ia: I64, b: Features, ib: I64) -> tuple[F64, F64]:
    """Killed ranges that overlap (each widened by a fifth and one) agree; else their ratio."""
    lo_a, hi_a, lo_b, hi_b = a.killed_low[ia], a.killed_high[ia], b.killed_low[ib], b.killed_high[ib]
    known = ~(np.isnan(lo_a) | np.isnan(lo_b))
    overlap = (lo_a * 0.8 - 1 <= hi_b * 1.25 + 1) & (lo_b * 0.8 - 1 <= hi_a * 1.25 + 1)
    mid_a, mid_b = (lo_a + hi_a) / 2 + 1, (lo_b + hi_b) / 2 + 1
    with np.errstate(invalid="ignore"):
        ratio = np.minimum(mid_a, mid_b) / np.maximum(mid_a, mid_b)
    similarity = np.where(overlap, 1.0, np.nan_to_num(ratio) * 0.5)
    return np.where(known, similarity, 0.0), known.astype(np.float64)


def _narrative(a: Features, ia: I64, b: Features, ib: I64) -> tuple[F64, F64]:
    """The share of agreeing minhash values: an estimate of the narratives' word Jaccard."""
    known = a.has_text[ia] & b.has_text[ib]
    agree = (a.signature[ia] == b.signature[ib]).mean(axis=1) if len(ia) else np.zeros(0)
    # One-byte values also agree by chance, one time in 256: take that out.
    jaccard = np.maximum(0.0, (agree - 1 / 256) / (1 - 1 / 256))
    return np.where(known, jaccard, 0.0), known.astype(np.float64)


def evidence(similarity: F32, known: F32, tuning: Tuning) -> F64:
    """Each component's log-odds for "one event": agreement weight × similarity less
    disagreement weight × (1 − similarity), times how much of it is known."""
    agree, against = np.array(tuning.weights()), np.array(tuning.against())
    return known * (similarity * agree - (1.0 - similarity) * against)


def combine(similarity: F32, known: F32, tuning: Tuning) -> F64:
    """The match probability of each pair: the logistic of the prior plus the evidence."""
    logit = tuning.prior + evidence(similarity, known, tuning).sum(axis=1)
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -50.0, 50.0))), dtype=np.float64)


CHUNK = 1 << 19  # pairs scored at once: bounds the temporaries (a few hundred MB)


def score_pairs(a: Features, ia: I64, b: Features, ib: I64, tuning: Tuning) -> PairScores:
    """Score the pairs (a[ia[k]], b[ib[k]]); ``a`` and ``b`` may be the same table."""
    if len(ia) <= CHUNK:
        return _score(a, ia, b, ib, tuning)
    parts = [_score(a, ia[k:k + CHUNK], b, ib[k:k + CHUNK], tuning)
             for k in range(0, len(ia), CHUNK)]
    return PairScores(**{name: np.concatenate([getattr(p, name) for p in parts])
                         for name in ("score", "similarity", "known", "gap_hours",
                                      "distance_km")})


def _score(a: Features, ia: I64, b: Features, ib: I64, tuning: Tuning) -> PairScores:
    time, time_known, gap = _time(a, ia, b, ib)
    place, place_known, distance = _place(a, ia, b, ib)
    category = np.where(a.category[ia] == b.category[ib], 1.0,
                        np.where(a.group[ia] == b.group[ib], 0.5, 0.0))
    columns = [(time, time_known), (place, place_known), (category, np.ones(len(ia))),
               _same(a.alleged[ia], b.alleged[ib]), _same(a.affected[ia], b.affected[ib]),
               _casualties(a, ia, b, ib), _narrative(a, ia, b, ib)]
    if len(ia):
        similarity = np.column_stack([c[0] for c in columns]).astype(np.float32)
        known = np.column_stack([c[1] for c in columns]).astype(np.float32)
    else:
        similarity = known = np.zeros((0, len(COMPONENTS)), dtype=np.float32)
    return PairScores(score=combine(similarity, known, tuning), similarity=similarity,
                      known=known, gap_hours=gap, distance_km=distance)


def reasons(scores: PairScores, k: int, tuning: Tuning) -> dict[str, object]:
    """The reasons for pair ``k``: each component's similarity (0.5 where unknown), the
    evidence it gave (log-odds) and what it measured."""
    return reasons_of(scores, np.array([k], dtype=np.int64), tuning)[0]


def reasons_of(scores: PairScores, ks: I64, tuning: Tuning) -> list[dict[str, object]]:
    """:func:`reasons` of each pair of ``ks``, worked out as arrays (a batch keeps tens of
    thousands of pairs); the same values, each rounded alike."""
    known, similarity = scores.known[ks], scores.similarity[ks]  # not ``parts``: every pair's
    part = (known * similarity + (1.0 - known) * 0.5).tolist()
    weight = evidence(similarity, known, tuning).tolist()
    gap, distance, score = (scores.gap_hours[ks].tolist(), scores.distance_km[ks].tolist(),
                            scores.score[ks].tolist())
    found: list[dict[str, object]] = []
    for row in range(len(ks)):
        measured: dict[str, object] = {"gap_hours": _rounded(gap[row], 2)}
        if not math.isnan(distance[row]):
            measured["distance_km"] = _rounded(distance[row], 2)
        found.append({
            "score": _rounded(score[row], 4),
            "components": {name: _rounded(v, 3)
                           for name, v in zip(COMPONENTS, part[row], strict=True)},
            "evidence": {name: _rounded(v, 2)
                         for name, v in zip(COMPONENTS, weight[row], strict=True)},
            **measured})
    return found


def _rounded(value: object, digits: int) -> float | int:
    """``value`` rounded, whole numbers as integers: JSON reads 1 and 1.0 alike, and a log
    body without integral floats takes canonical JSON's fast path (log/canonical.py)."""
    number = round(float(value), digits)  # type: ignore[arg-type]
    return int(number) if number.is_integer() else number


def describe(reason: dict[str, object]) -> str:
    """One line for a link's reason in the log: 'score 0.91: time 1.0, place 0.98, …'."""
    parts = reason["components"]
    assert isinstance(parts, dict)
    text = ", ".join(f"{name} {value}" for name, value in parts.items())
    extra = [f"{key} {reason[key]}" for key in ("gap_hours", "distance_km") if key in reason]
    return f"correlation score {reason['score']}: {text} ({', '.join(extra)})"


__all__ = ["GEO_PRECISIONS", "TIME_PRECISIONS", "PairScores", "combine", "evidence", "reasons",
           "reasons_of", "score_pairs"]
