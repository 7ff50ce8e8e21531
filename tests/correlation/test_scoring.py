"""The score of a pair, component by component, at every time and place precision; blocking
finds every pair the score would queue."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

import numpy as np
import pytest

from trucewatch.correlation.blocking import (
    BlockIndex,
    candidate_pairs,
    candidates_of,
    one_query_keys,
    query_keys,
    sorted_unique,
)
from trucewatch.correlation.clustering import components, decide, groups
from trucewatch.correlation.features import ReportRecord, build
from trucewatch.correlation.scoring import (
    GEO_RADIUS_KM,
    _rounded,
    describe,
    evidence,
    reasons,
    reasons_of,
    score_pairs,
)
from trucewatch.correlation.tuning import COMPONENTS, DEFAULT, tuning_from
from trucewatch.errors import InvalidInput
from trucewatch.reports.enums import GeoPrecision, TimePrecision
from trucewatch.reports.when import parse_when

DAY = datetime(2017, 1, 10, tzinfo=UTC)
LABELS = {"exact": "2017-01-10T14:00:00Z", "day": "2017-01-10", "week": "2017-W02",
          "month": "2017-01"}


def record(rid: int = 1, **fields: Any) -> ReportRecord:
    base: dict[str, Any] = dict(id=rid, start=DAY, end=DAY + timedelta(days=1),
                                time_precision="day", category="shelling", latitude=35.81,
                                longitude=36.61, geo_precision="exact", place_name="Ariha",
                                alleged="a", affected="b", killed=(2, 3),
                                narrative="Shells fell on the market of Ariha")
    base.update(fields)
    return ReportRecord(**base)


def parts(a: ReportRecord, b: ReportRecord) -> dict[str, float]:
    f = build([a, b])
    s = score_pairs(f, np.array([0]), f, np.array([1]), DEFAULT)
    return dict(reasons(s, 0, DEFAULT)["components"])  # type: ignore[call-overload]


def score(a: ReportRecord, b: ReportRecord) -> float:
    f = build([a, b])
    return float(score_pairs(f, np.array([0]), f, np.array([1]), DEFAULT).score[0])


def when(precision: str) -> dict[str, Any]:
    w = parse_when(LABELS[precision], now=DAY + timedelta(days=60))
    return {"start": w.start, "end": w.end, "time_precision": w.precision.value}


@pytest.mark.parametrize("precision", [p.value for p in TimePrecision])
def test_time_overlap_counts_less_the_coarser_the_precision(precision: str) -> None:
    exact = record(**when("exact"))
    same = parts(exact, record(2, **when(precision)))["time"]
    expected = {"exact": 1.0, "day": 1.0, "week": 0.75, "month": 0.625}[precision]
    assert same == pytest.approx(expected)
    # Three days later is out of every interval but the month's.
    later = when(precision)
    later["start"] += timedelta(days=3)
    later["end"] += timedelta(days=3)
    apart = parts(exact, record(2, **later))["time"]
    assert apart < same or precision == "month"


def test_a_time_gap_decays_by_the_day() -> None:
    # Day intervals widened by 12 h each, a gap decaying by that slack: 6 h, then 3 days.
    near = parts(record(), record(2, start=DAY + timedelta(days=2, hours=6),
                                  end=DAY + timedelta(days=3, hours=6)))["time"]
    far = parts(record(), record(2, start=DAY + timedelta(days=5),
                                 end=DAY + timedelta(days=6)))["time"]
    assert near == pytest.approx(np.exp(-0.5), abs=1e-3)
    assert far == pytest.approx(np.exp(-6), abs=1e-3)
    # Two exact hours decay by their 3 h slack: 0–1 h and 10–11 h are 3 h beyond both slacks.
    exact = {"time_precision": "exact", "end": DAY + timedelta(hours=1)}
    hours = parts(record(**exact), record(2, **(exact | {"start": DAY + timedelta(hours=10),
                                                       "end": DAY + timedelta(hours=11)})))
    assert hours["time"] == pytest.approx(np.exp(-1), abs=1e-3)


@pytest.mark.parametrize("precision,within,beyond", [
    ("exact", 1.5, 6.0), ("near", 5.5, 20.0), ("district", 25.0, 90.0), ("region", 90.0, 400.0)])
def test_distance_is_judged_by_place_precision(precision: str, within: float,
                                               beyond: float) -> None:
    km = 1 / 111.2  # degrees of latitude per km
    inside = parts(record(), record(2, latitude=35.81 + within * km, geo_precision=precision))
    outside = parts(record(), record(2, latitude=35.81 + beyond * km, geo_precision=precision))
    known = {"exact": 1.0, "near": 1.0, "district": 0.6, "region": 0.3}[precision]
    assert inside["place"] == pytest.approx(known + (1 - known) * 0.5, abs=1e-3)
    assert outside["place"] < inside["place"]
    assert GeoPrecision(precision)


def test_place_names_decide_without_points_through_their_skeletons() -> None:
    no_point: dict[str, Any] = {"latitude": None, "longitude": None, "geo_precision": None}
    assert parts(record(**no_point), record(2, place_name="Areeha", **no_point))["place"] == 0.8
    assert parts(record(**no_point), record(2, place_name="Idlib", **no_point))["place"] == 0.2
    assert parts(record(**no_point), record(2, place_name="", **no_point))["place"] == 0.5


def test_category_actors_casualties_and_narrative() -> None:
    same = parts(record(), record(2))
    assert all(same[c] == 1.0 for c in COMPONENTS)
    other = parts(record(), record(2, category="air_strike", alleged="c", affected=None,
                                   killed=(30, 40), narrative="Jets bombed a bakery"))
    assert other["category"] == 0.5  # same ACLED event type
    assert other["alleged_actor"] == 0.0 and other["affected_actor"] == 0.5
    assert other["casualties"] < 0.2 and other["narrative"] == 0.0
    assert parts(record(), record(2, category="abduction_detention"))["category"] == 0.0
    assert parts(record(), record(2, killed=(3, 4)))["casualties"] == 1.0
    assert parts(record(), record(2, killed=None, narrative=""))["casualties"] == 0.5


def test_thresholds_separate_link_queue_and_nothing() -> None:
    assert decide(score(record(), record(2)), DEFAULT) == "link"
    queued = record(2, narrative="Mortar rounds hit a school", killed=None, affected=None,
                    alleged=None)
    assert decide(score(record(), queued), DEFAULT) == "review"
    other = record(2, category="abduction_detention", narrative="Men taken at a checkpoint",
                   alleged="z", killed=(0, 0))
    assert decide(score(record(), other), DEFAULT) is None
    strict = tuning_from({"link_threshold": 0.999})
    assert decide(score(record(), record(2, narrative="")), strict) == "review"
    with pytest.raises(InvalidInput):
        tuning_from({"narrative": -1})
    with pytest.raises(InvalidInput):
        tuning_from({"colour": 1})
    assert tuning_from({"prior": -7}).prior == -7  # the prior alone may be negative


def test_unknown_components_give_no_evidence_and_agreement_raises_the_score() -> None:
    bare: dict[str, Any] = {"alleged": None, "affected": None, "killed": None, "narrative": ""}
    f = build([record(**bare), record(2, **bare)])
    s = score_pairs(f, np.array([0]), f, np.array([1]), DEFAULT)
    given = reasons(s, 0, DEFAULT)["evidence"]
    assert isinstance(given, dict)
    assert [given[c] for c in ("alleged_actor", "affected_actor", "casualties", "narrative")] \
        == [0.0, 0.0, 0.0, 0.0]
    # Time, place and category alone: the prior plus their agreement weights.
    logit = DEFAULT.prior + DEFAULT.time + DEFAULT.place + DEFAULT.category
    assert s.score[0] == pytest.approx(1 / (1 + np.exp(-logit)), abs=1e-6)
    # Each further agreeing component raises the score, each disagreeing one lowers it.
    assert score(record(**bare), record(2, **(bare | {"alleged": None, "killed": (2, 3)}))) \
        <= score(record(), record(2)) and score(record(), record(2, alleged="z")) < \
        score(record(), record(2))
    # A region counts less than an exact point: the same distance is less evidence.
    region = parts(record(), record(2, geo_precision="region"))["place"]
    assert region == pytest.approx(0.3 * 1 + 0.7 * 0.5)


def test_reasons_name_every_component_and_the_measures() -> None:
    f = build([record(), record(2, latitude=35.82)])
    s = score_pairs(f, np.array([0]), f, np.array([1]), DEFAULT)
    text = describe(reasons(s, 0, DEFAULT))
    assert text.startswith("correlation score ") and "distance_km 1.11" in text
    assert all(name in text for name in COMPONENTS)


def _random_records(n: int, seed: int) -> list[ReportRecord]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        precision = rng.choice(["exact", "day", "day", "week", "month"])
        day = DAY + timedelta(days=rng.randrange(60))
        w = parse_when(day.date().isoformat() if precision != "exact" else
                       day.isoformat().replace("+00:00", "Z"), precision,
                       now=DAY + timedelta(days=400))
        point = rng.random() < 0.8
        out.append(record(i, start=w.start, end=w.end, time_precision=w.precision.value,
                          latitude=35 + rng.random() if point else None,
                          longitude=36 + rng.random() if point else None,
                          geo_precision=rng.choice(["exact", "near", "district", "region"])
                          if point else None,
                          place_name=rng.choice(["Ariha", "Areeha", "Saraqib", "", "Binnish"]),
                          category=rng.choice(["shelling", "air_strike"])))
    return out


def test_blocking_finds_every_pair_the_score_would_queue() -> None:
    recs = _random_records(300, seed=7)
    f = build(recs)
    i, j = candidate_pairs(f)
    found = set(zip(i.tolist(), j.tolist(), strict=True))
    all_i, all_j = map(np.array, zip(*combinations(range(len(recs)), 2), strict=True))
    s = score_pairs(f, all_i, f, all_j, DEFAULT)
    # Blocking's promise: pairs of one event type at most a day apart (beyond the slack)
    # and within the distance their precisions allow (up to 110 km), or with one place
    # name, share a block.
    tolerance = np.minimum(110.0, GEO_RADIUS_KM[np.maximum(f.gprec[all_i], 0)] + GEO_RADIUS_KM[
        np.maximum(f.gprec[all_j], 0)])
    same_type = f.group[all_i] == f.group[all_j]
    close = same_type & (s.gap_hours <= 24) & ((np.nan_to_num(s.distance_km, nan=1e9) <= tolerance)
                                   | ((f.place[all_i] == f.place[all_j]) & (f.place[all_i] != 0)))
    wanted = set(zip(all_i[close].tolist(), all_j[close].tolist(), strict=True))
    assert len(wanted) > 100 and wanted <= found
    assert len(found) < len(all_i) / 3  # and it is far from every pair
    # The incremental lookup keeps the promise for each report against those before it.
    for last in range(250, 300):
        index = BlockIndex(f.take(np.arange(last)))
        qi, rj = candidates_of(index, f.take(np.array([last])))
        assert {a for a, b in wanted if b == last} <= set(rj.tolist())
        assert set(rj.tolist()) <= {a for a, b in found if b == last} and not qi.any()


def test_groups_join_pairs_above_the_threshold() -> None:
    labels = groups(5, np.array([0, 1, 3]), np.array([1, 2, 4]), np.array([0.9, 0.85, 0.5]),
                    0.8)
    assert labels.tolist() == [0, 0, 0, 3, 4]


def test_a_pair_below_the_review_threshold_keeps_two_groups_apart() -> None:
    i, j = np.array([0, 1, 0]), np.array([1, 2, 2])
    joined = groups(3, i, j, np.array([0.9, 0.85, 0.3]), 0.8)
    assert joined.tolist() == [0, 0, 0]  # single linkage would chain them
    apart = groups(3, i, j, np.array([0.9, 0.85, 0.3]), 0.8, apart=0.65)
    assert apart.tolist() == [0, 0, 2]


def test_the_sorted_unique_and_the_components_agree_with_plain_definitions() -> None:
    rng = np.random.default_rng(11)
    codes = rng.integers(0, 5000, 20_000)
    assert np.array_equal(sorted_unique(codes), np.unique(codes))
    assert len(sorted_unique(np.empty(0, np.int64))) == 0
    n = 300
    i, j = rng.integers(0, n, 200), rng.integers(0, n, 200)
    label = components(n, i, j)
    reach = {x: {x} for x in range(n)}  # the component of each row, by merging sets
    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        merged = reach[a] | reach[b]
        for x in merged:
            reach[x] = merged
    assert all(label[x] == min(reach[x]) for x in range(n))


def test_one_reports_query_keys_are_those_of_the_vectorised_query() -> None:
    recs = _random_records(200, seed=5) + [record(900, latitude=None, longitude=None,
                                                  geo_precision=None)]
    f = build(recs)
    keys, owners = query_keys(f, np.arange(len(f), dtype=np.int64))
    for row in range(len(f)):
        assert set(one_query_keys(f, row).tolist()) == set(keys[owners == row].tolist())


def _reasons_one_by_one(s: Any, k: int, tuning: Any) -> dict[str, object]:
    """The reasons of pair ``k`` as they were worked out pair by pair before ``reasons_of``
    (numpy on one row, each value rounded by ``scoring._rounded``)."""
    known, similarity = s.known[k], s.similarity[k]
    part = known * similarity + (1.0 - known) * 0.5
    weight = evidence(s.similarity[k:k + 1], s.known[k:k + 1], tuning)[0]
    measured: dict[str, object] = {"gap_hours": _rounded(s.gap_hours[k], 2)}
    if not np.isnan(s.distance_km[k]):
        measured["distance_km"] = _rounded(s.distance_km[k], 2)
    return {"score": _rounded(s.score[k], 4),
            "components": {n: _rounded(part[c], 3) for c, n in enumerate(COMPONENTS)},
            "evidence": {n: _rounded(weight[c], 2) for c, n in enumerate(COMPONENTS)},
            **measured}


@pytest.mark.parametrize("tuning", [DEFAULT, tuning_from({"link_threshold": 0.9,
                                                          "review_threshold": 0.2})])
def test_reasons_of_many_pairs_are_each_pairs_reasons(tuning: Any) -> None:
    recs = _random_records(120, seed=11)  # points and place names only, several precisions
    f = build(recs)
    i, j = candidate_pairs(f)
    s = score_pairs(f, i, f, j, tuning)
    ks = np.random.default_rng(3).permutation(len(i))
    found = reasons_of(s, ks, tuning)
    assert len(found) == len(ks) > 200
    assert any("distance_km" not in r for r in found) and any("distance_km" in r for r in found)
    for k, got in zip(ks.tolist(), found, strict=True):
        assert got == _reasons_one_by_one(s, k, tuning) == reasons(s, k, tuning)
    assert reasons_of(s, ks[:0], tuning) == []
