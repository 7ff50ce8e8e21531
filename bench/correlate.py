"""Correlation accuracy and speed: trucewatch against recordlinkage on the same reports.

Three streams with ground truth, each correlated by trucewatch's scoring
(``trucewatch.correlation``: blocking, pair scores, pairs at or above the default link
threshold joined) and by the peer, recordlinkage 0.16 (blocks on the day and on the place
name, comparisons of category, point, place name, actors, casualties, narrative and
day, its unsupervised ECM classifier, matched pairs joined), in the same run:

1. ``synth``: bench/synth.py at the chosen noise level (default 1);
2. ``ucdp``: the UCDP GED Syria extract, each event split into one report per source
   it lists (date interval and precision, point and place precision, place name, the
   two sides as actors, the fatality range, the source headline as narrative);
3. ``scale``: a synthetic stream of ``--scale`` reports over four years, trucewatch only
   (time from features to groups, peak memory), then one new report at a time matched
   against all the others (``--probes`` of them, p50/p95).

Printed per stream and system: pairwise precision, recall and F1 (pairs of reports put
in one group) and B-cubed F1, with the seconds taken. Results: docs/benchmarks.md.

    .venv/bin/python bench/correlate.py                       # all three, 1,000,000 at scale
    .venv/bin/python bench/correlate.py --only synth --reports 20000 --noise 2
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import platform
import resource
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import stream  # noqa: E402

from trucewatch.correlation.blocking import BlockIndex, candidate_pairs, candidates_of  # noqa: E402
from trucewatch.correlation.clustering import groups  # noqa: E402
from trucewatch.correlation.features import ReportRecord, build  # noqa: E402
from trucewatch.correlation.scoring import score_pairs  # noqa: E402
from trucewatch.correlation.tuning import COMPONENTS, DEFAULT, Tuning, tuning_from  # noqa: E402

I64 = npt.NDArray[np.int64]
UCDP = (Path(__file__).resolve().parents[2] / "shared" / "data" / "events"
        / "ucdp-ged-syria-2016-01-01_2019-11-30.csv.gz")


# --- measures --------------------------------------------------------------------------

def _pairs(counts: I64) -> int:
    return int((counts * (counts - 1) // 2).sum())


def scores(predicted: Sequence[int] | I64, truth: Sequence[int] | I64) -> dict[str, float]:
    """Pairwise precision/recall/F1 and B-cubed F1 of a grouping against the truth."""
    p, t = np.asarray(predicted, dtype=np.int64), np.asarray(truth, dtype=np.int64)
    _, pc = np.unique(p, return_counts=True)
    _, tc = np.unique(t, return_counts=True)
    cells, cell_of, cc = np.unique(np.stack([p, t], axis=1), axis=0, return_inverse=True,
                                   return_counts=True)
    both, pred_pairs, true_pairs = _pairs(cc), _pairs(pc), _pairs(tc)
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # B-cubed: for each report, the share of its group that is its event, and back.
    size_p = dict(zip(*np.unique(p, return_counts=True), strict=True))
    size_t = dict(zip(*np.unique(t, return_counts=True), strict=True))
    cell_n = cc[cell_of.ravel()]
    bp = float(np.mean(cell_n / np.array([size_p[x] for x in p.tolist()])))
    br = float(np.mean(cell_n / np.array([size_t[x] for x in t.tolist()])))
    del cells
    return {"precision": precision, "recall": recall, "f1": f1,
            "bcubed_f1": 2 * bp * br / (bp + br)}


# --- the two systems -------------------------------------------------------------------

def trucewatch_groups(records: Sequence[ReportRecord],
                      tuning: Tuning = DEFAULT) -> tuple[I64, dict[str, float]]:
    t0 = time.perf_counter()
    f = build(records)
    t1 = time.perf_counter()
    i, j = candidate_pairs(f)
    t2 = time.perf_counter()
    s = score_pairs(f, i, f, j, tuning)
    t3 = time.perf_counter()
    labels = groups(len(f), i, j, s.score, tuning.link_threshold, tuning.review_threshold)
    t4 = time.perf_counter()
    return labels, {"features_s": t1 - t0, "blocking_s": t2 - t1, "scoring_s": t3 - t2,
                    "grouping_s": t4 - t3, "pairs": float(len(i)), "seconds": t4 - t0}


def peer_groups(records: Sequence[ReportRecord]) -> list[tuple[str, I64, dict[str, float]]]:
    """recordlinkage's blocks and comparisons, classified two ways: its unsupervised ECM, and
    the rule its tutorial uses (enough of the comparisons agree); matched pairs joined."""
    import pandas as pd
    import recordlinkage

    t0 = time.perf_counter()
    frame = pd.DataFrame({
        "day": [r.start.date().isoformat() for r in records],
        "days": [r.start.timestamp() / 86400 for r in records],
        "lat": [r.latitude for r in records], "lon": [r.longitude for r in records],
        "place": [r.place_name.casefold() or None for r in records],
        "category": [r.category for r in records],
        "alleged": [r.alleged for r in records], "affected": [r.affected for r in records],
        "killed": [None if r.killed is None else sum(r.killed) / 2 for r in records],
        "narrative": [r.narrative or None for r in records],
    })
    indexer = recordlinkage.Index()
    indexer.block("day")
    indexer.block("place")
    candidates = indexer.index(frame)
    compare = recordlinkage.Compare(n_jobs=1)
    compare.exact("category", "category", label="category")
    compare.geo("lat", "lon", "lat", "lon", method="gauss", offset=5, scale=10, label="point")
    compare.string("place", "place", method="jarowinkler", threshold=0.85, label="place")
    compare.exact("alleged", "alleged", label="alleged")
    compare.exact("affected", "affected", label="affected")
    compare.numeric("killed", "killed", method="gauss", offset=1, scale=3, label="killed")
    compare.string("narrative", "narrative", method="qgram", threshold=0.5, label="narrative")
    compare.numeric("days", "days", method="gauss", offset=1, scale=1, label="day")
    features = compare.compute(candidates, frame)
    compared = time.perf_counter() - t0
    out = []
    for name, classify in (
            ("ECM", lambda: recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)),
            ("≥ 6 of 8 agree", lambda: features.index[(features >= 0.5).sum(axis=1) >= 6])):
        t1 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matches = classify()
        i = np.array(matches.get_level_values(0), dtype=np.int64)
        j = np.array(matches.get_level_values(1), dtype=np.int64)
        labels = groups(len(records), i, j, np.ones(len(i)), 0.5)
        out.append((f"recordlinkage 0.16, {name}", labels,
                    {"pairs": float(len(candidates)),
                     "seconds": compared + time.perf_counter() - t1}))
    return out


# --- fitting the default weights --------------------------------------------------------

def fit_tuning(records: Sequence[ReportRecord], truth: Sequence[int], *, iterations: int = 60,
               ridge: float = 1e-3) -> dict[str, float]:
    """Logistic regression of "one event" on each candidate pair's evidence terms (known ×
    similarity, known × (1 − similarity) per component), by Newton's method with the weights
    kept ≥ 0: the agreement and disagreement weights and the prior of a :class:`Tuning`."""
    f = build(records)
    i, j = candidate_pairs(f)
    s = score_pairs(f, i, f, j, DEFAULT)
    t = np.asarray(truth)
    y = (t[i] == t[j]).astype(np.float64)
    x = np.column_stack([s.known * s.similarity, -(s.known * (1 - s.similarity)),
                         np.ones(len(i))])
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -50, 50)))
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + ridge * np.eye(len(w))
        w -= np.linalg.solve(hessian, x.T @ (p - y) + ridge * w)
        w[:-1] = np.maximum(w[:-1], 0.0)  # a weight for agreement (or against) is never negative
    n = len(COMPONENTS)
    return {**{c: round(float(w[k]), 1) for k, c in enumerate(COMPONENTS)},
            **{f"{c}_against": round(float(w[n + k]), 1) for k, c in enumerate(COMPONENTS)},
            "prior": round(float(w[-1]), 1)}


def best_thresholds(records: Sequence[ReportRecord], truth: Sequence[int],
                    tuning: Tuning) -> tuple[float, float, float]:
    """The (link, review) thresholds of a small grid with the best pairwise F1, and that F1."""
    f = build(records)
    i, j = candidate_pairs(f)
    s = score_pairs(f, i, f, j, tuning)
    return max((scores(groups(len(f), i, j, s.score, link, review), truth)["f1"], link, review)
               for link in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
               for review in (0.01, 0.02, 0.05, 0.1, 0.2) if review <= link)


# --- the UCDP extract, split per source ------------------------------------------------

_CATEGORY = {"1": "armed_clash", "2": "armed_clash", "3": "attack_on_civilians"}
_WHERE = {"1": "exact", "2": "near", "3": "district", "4": "region"}


def ucdp_reports(path: Path = UCDP) -> tuple[list[ReportRecord], list[int]]:
    records: list[ReportRecord] = []
    truth: list[int] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for event, row in enumerate(csv.DictReader(handle)):
            start = datetime.fromisoformat(row["date_start"]).replace(tzinfo=UTC)
            end = datetime.fromisoformat(row["date_end"]).replace(tzinfo=UTC) + timedelta(days=1)
            width = (end - start).days
            precision = "day" if width <= 1 else "week" if width <= 7 else "month"
            where = row["where_prec"].split(".")[0]
            point = where in _WHERE
            # source_article: "OFFICE,DATE,HEADLINE";"OFFICE,DATE,HEADLINE";…
            items = next(csv.reader(io.StringIO(row["source_article"]), delimiter=";",
                                    quotechar='"'), []) or [""]
            for item in items:
                parts = item.split(",", 2)
                records.append(ReportRecord(
                    id=len(records), start=start, end=end, time_precision=precision,
                    category=_CATEGORY.get(row["type_of_violence"].split(".")[0], "armed_clash"),
                    latitude=float(row["latitude"]) if point else None,
                    longitude=float(row["longitude"]) if point else None,
                    geo_precision=_WHERE.get(where), place_name=row["where_coordinates"],
                    alleged=row["side_a"] or None, affected=row["side_b"] or None,
                    killed=(int(float(row["low"] or 0)), int(float(row["high"] or 0))),
                    narrative=parts[2] if len(parts) == 3 else ""))
                truth.append(event)
    return records, truth


# --- runs ------------------------------------------------------------------------------

def _row(name: str, system: str, measured: dict[str, float], timing: dict[str, float]) -> str:
    return (f"| {name} | {system} | {measured['precision']:.3f} | {measured['recall']:.3f} | "
            f"{measured['f1']:.3f} | {measured['bcubed_f1']:.3f} | {int(timing['pairs']):,} | "
            f"{timing['seconds']:.1f} |")


# UCDP's per-source reports carry the article's headline as their narrative, and one daily
# round-up (SOHR's) is the source of many events of a day, so the narrative says little
# about which event a report is of. The run is repeated with it tuned out, to measure that.
UCDP_TUNING = tuning_from({"narrative": 0.0})


def compare_on(name: str, records: list[ReportRecord], truth: list[int],
               peer: bool = True, tuning: Tuning = DEFAULT) -> None:
    systems: list[tuple[str, Callable[[Sequence[ReportRecord]], tuple[I64, dict[str, float]]]]] = [
        ("trucewatch", lambda rs: trucewatch_groups(rs, tuning))]
    if tuning != DEFAULT:
        changed = ", ".join(f"{k} {v:g}" for k, v in tuning.as_dict().items()
                            if DEFAULT.as_dict()[k] != v)
        systems[0] = (f"trucewatch ({changed})", systems[0][1])
    for system, run in systems:
        labels, timing = run(records)
        print(_row(name, system, scores(labels, truth), timing), flush=True)
    if peer:
        for system, labels, timing in peer_groups(records):
            print(_row(name, system, scores(labels, truth), timing), flush=True)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale(n: int, probes: int, seed: int, from_scratch: bool = True) -> None:
    t0 = time.perf_counter()
    records, truth = stream(n_reports=n, seed=seed, start=date(2016, 1, 1), days=4 * 365,
                            n_towns=max(600, n // 100))
    generated = time.perf_counter() - t0
    if from_scratch:
        correlate_from_scratch(records, truth, generated)
    t0 = time.perf_counter()
    stored = build(records[:-probes])
    index = BlockIndex(stored)
    print(f"incremental: {len(stored):,} stored reports' features built in "
          f"{time.perf_counter() - t0:.1f} s and their keys sorted", flush=True)
    times = []
    for record in records[-probes:]:
        start = time.perf_counter()
        new = build([record])
        qi, rj = candidates_of(index, new)
        s = score_pairs(new, qi, stored, rj, DEFAULT)
        _ = rj[s.score >= DEFAULT.review_threshold]
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1000
    print(f"incremental: one new report against {len(stored):,} stored, {probes} probes: "
          f"p50 {np.percentile(ms, 50):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms, "
          f"max {ms.max():.2f} ms; peak memory {_peak_mb():,.0f} MB", flush=True)


def correlate_from_scratch(records: list[ReportRecord], truth: list[int], generated: float) -> None:
    n = len(records)
    before = _peak_mb()
    labels, timing = trucewatch_groups(records)
    measured = scores(labels, truth)
    print(f"scale: {n:,} reports generated in {generated:.1f} s (peak {before:,.0f} MB); "
          f"correlated in {timing['seconds']:.1f} s (features {timing['features_s']:.1f}, "
          f"blocking {timing['blocking_s']:.1f}, scoring {timing['scoring_s']:.1f}, grouping "
          f"{timing['grouping_s']:.1f}); {int(timing['pairs']):,} pairs scored; peak memory "
          f"{_peak_mb():,.0f} MB; pairwise F1 {measured['f1']:.3f}, B-cubed F1 "
          f"{measured['bcubed_f1']:.3f}", flush=True)


# --- the store path: match_report against reports filed through the filing service -------

def submission(r: ReportRecord) -> dict[str, object]:
    """A synthetic report as a filing (actors left out: the bench registers none)."""
    occurred = {"exact": r.start.strftime("%Y-%m-%dT%H:%M:%SZ"), "day": r.start.date().isoformat(),
                "week": r.start.strftime("%G-W%V"), "month": r.start.strftime("%Y-%m")}
    data: dict[str, object] = {
        "idempotency_key": f"bench-{r.id}", "source_kind": "media", "category": r.category,
        "occurred": occurred[r.time_precision], "time_precision": r.time_precision,
        "place_name": r.place_name, "latitude": r.latitude, "longitude": r.longitude,
        "geo_precision": r.geo_precision, "narrative": r.narrative}
    if r.killed is not None:
        low, high = r.killed
        data["casualties"] = [{"outcome": "killed", "group": "unknown", "low": low,
                               "best": (low + high) // 2, "high": high}]
    return data


def store_path(n: int, probes: int, seed: int, db: str | None) -> None:
    """File ``n`` synthetic reports into a store, then time ``match_report`` (in a transaction
    of its own, as after a filing) for ``probes`` more, each filed just before."""
    import tempfile

    from trucewatch.actors.service import create_actor
    from trucewatch.correlation.index import candidates, catch_up, features
    from trucewatch.correlation.service import match_report
    from trucewatch.reports.service import file_reports
    from trucewatch.storage import open_store
    from trucewatch.truces.service import create_truce

    url = db or f"sqlite:///{tempfile.mkdtemp(prefix='trucewatch-bench-')}/correlate.db"
    store = open_store(url)
    generated, _ = stream(n_reports=n + probes + n // 100, seed=seed, start=date(2016, 1, 1),
                          days=4 * 365, n_towns=max(600, (n + probes) // 100))
    # Filing wants a place name or a point: the 0.5 % with neither are left out.
    records = [r for r in generated if r.latitude is not None or r.place_name][:n + probes]
    with store.session() as s:
        for slug, kind in (("bench-media", "media"), ("bench-g1", "state"), ("bench-g2", "state"),
                           ("bench-p1", "armed_group"), ("bench-p2", "armed_group")):
            create_actor(s, data={"slug": slug, "kind": "organisation", "organisation_type": kind,
                                  "names": [{"name": slug, "lang": "en", "primary": True}]},
                         actor="bench")
        create_truce(s, data={
            "slug": "bench", "name": "Bench truce", "starts_at": "2015-12-31T00:00:00+00:00",
            "guarantors": ["bench-g1", "bench-g2"], "parties": ["bench-p1", "bench-p2"],
            "zones": [{"name": "Syria", "geometry": {"type": "Polygon", "coordinates": [
                [[35.0, 32.0], [43.0, 32.0], [43.0, 37.6], [35.0, 37.6], [35.0, 32.0]]]}}]},
            actor="bench")
    t0 = time.perf_counter()
    for begin in range(0, n, 1000):
        with store.session() as s:
            file_reports(s, submissions=[submission(r) | {"truce": "bench"}
                                         for r in records[begin:min(n, begin + 1000)]],
                         organisation="bench-media", actor="bench")
    filed = time.perf_counter() - t0
    t0 = time.perf_counter()
    with store.session() as s:
        indexed = catch_up(s)  # what a first match (or pass) after the filings does, once
    print(f"store path: {n:,} reports filed in {filed:.0f} s; {indexed:,} indexed in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    times: list[float] = []
    scored: list[int] = []
    reads: list[tuple[float, float]] = []
    for r in records[n:]:
        with store.session() as s:
            [new] = file_reports(s, submissions=[submission(r) | {"truce": "bench"}],
                                 organisation="bench-media", actor="bench")
        with store.session() as s:  # the read side alone: index it, look up, score
            start = time.perf_counter()
            catch_up(s)
            indexed_at = time.perf_counter()
            query = features(s, [new.id])
            stored = candidates(s, query)
            score_pairs(query, np.zeros(len(stored), dtype=np.int64), stored,
                        np.arange(len(stored), dtype=np.int64), DEFAULT)
            reads.append((indexed_at - start, time.perf_counter() - indexed_at))
            s.rollback()
        start = time.perf_counter()
        with store.session() as s:
            done = match_report(s, report_id=new.id)
        times.append(time.perf_counter() - start)
        scored.append(done.scored)
    index_ms, lookup_ms = (np.array(column) * 1000 for column in zip(*reads, strict=True))
    print(f"store path: indexing the new report p50 {np.percentile(index_ms, 50):.1f} ms, p95 "
          f"{np.percentile(index_ms, 95):.1f} ms; its candidates read from the index and scored "
          f"p50 {np.percentile(lookup_ms, 50):.1f} ms, p95 {np.percentile(lookup_ms, 95):.1f} ms",
          flush=True)
    ms = np.array(times) * 1000
    print(f"store path ({store.engine.url.get_backend_name()}): match_report of one new report "
          f"against {n:,}, {probes} probes (each filed just before): p50 {np.percentile(ms, 50):.1f} ms, "
          f"p95 {np.percentile(ms, 95):.1f} ms, max {ms.max():.1f} ms; pairs scored p50 "
          f"{np.percentile(scored, 50):.0f}", flush=True)
    store.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("synth", "ucdp", "scale", "store"), action="append")
    parser.add_argument("--reports", type=int, default=20_000, help="synthetic reports")
    parser.add_argument("--noise", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=1000)
    parser.add_argument("--no-pass", dest="from_scratch", action="store_false",
                        help="scale: only the incremental probes, not the pass from scratch")
    parser.add_argument("--store", type=int, default=20_000,
                        help="reports filed before the store path's probes")
    parser.add_argument("--db", help="store for the store path (default: a new SQLite file)")
    parser.add_argument("--fit", type=int, metavar="SEED",
                        help="fit the default weights and thresholds on this seed's synthetic "
                             "stream (never the seed reported) and print them")
    parser.add_argument("--no-peer", dest="peer", action="store_false",
                        help="trucewatch only (the peer takes minutes on the UCDP stream)")
    args = parser.parse_args(argv)
    runs = args.only or ["synth", "ucdp", "scale"]
    if args.fit is not None:
        records, truth = stream(n_reports=args.reports, seed=args.fit, noise=args.noise)
        fitted = fit_tuning(records, truth)
        f1, link, review = best_thresholds(records, truth, tuning_from(fitted))
        print(f"fitted on seed {args.fit}, {args.reports:,} reports: {fitted}; thresholds "
              f"link {link}, review {review} (pairwise F1 {f1:.3f} on the same seed)")
        return
    print(f"# {platform.python_version()} on {platform.machine()}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("| stream | system | precision | recall | F1 | B-cubed F1 | pairs compared | s |")
    print("|---|---|---|---|---|---|---|---|")
    if "synth" in runs:
        records, truth = stream(n_reports=args.reports, seed=args.seed, noise=args.noise)
        compare_on(f"synth {args.reports:,} noise {args.noise:g}", records, truth, args.peer)
    if "ucdp" in runs:
        records, truth = ucdp_reports()
        compare_on(f"UCDP GED Syria {len(records):,}", records, truth, args.peer)
        compare_on(f"UCDP GED Syria {len(records):,}", records, truth, peer=False,
                   tuning=UCDP_TUNING)
    if "scale" in runs:
        scale(args.scale, args.probes, args.seed, args.from_scratch)
    if "store" in runs:
        store_path(args.store, min(args.probes, 200), args.seed, args.db)


if __name__ == "__main__":
    main()
