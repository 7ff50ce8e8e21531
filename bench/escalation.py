"""Back-test of the escalation alert (Poisson CUSUM, ``analytics/escalation.py``) on synthetic
zones with known change points: detection delay and false alarms, beside a naive rule.

Each synthetic zone has a daily Poisson rate λ0 (drawn from 0.3 to 4 a day) for a
random 60–200 days, then λ0 × m (m from 1.5 to 4) for 60 days; a third of the zones
never change (every alarm on them is false). The naive baseline rule alarms on a day
whose count exceeds the trailing 28-day mean + 3 standard deviations.

    .venv/bin/python bench/escalation.py [--zones 300] [--seed 2017]
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Callable, Sequence

import numpy as np

from trucewatch.analytics.escalation import BASELINE_DAYS, RATIO, THRESHOLD, poisson_cusum

AFTER = 60  # days after the change


def zones(n: int, seed: int) -> list[tuple[list[int], int | None, float]]:
    """(daily counts, the change day or None, the multiplier) of ``n`` synthetic zones."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    out: list[tuple[list[int], int | None, float]] = []
    for i in range(n):
        rate = rng.uniform(0.3, 4.0)
        before = rng.randrange(60, 201)
        if i % 3 == 0:
            counts = np_rng.poisson(rate, before + AFTER).tolist()
            out.append((counts, None, 1.0))
            continue
        m = rng.uniform(1.5, 4.0)
        counts = np_rng.poisson(rate, before).tolist() + np_rng.poisson(rate * m, AFTER).tolist()
        out.append((counts, before, m))
    return out


def naive(counts: Sequence[int]) -> list[int]:
    alarms = []
    for t in range(BASELINE_DAYS, len(counts)):
        window = counts[t - BASELINE_DAYS:t]
        if counts[t] > statistics.fmean(window) + 3 * statistics.pstdev(window):
            alarms.append(t)
    return alarms


def score(detector: Callable[[Sequence[int]], list[int]],
          data: list[tuple[list[int], int | None, float]]) -> dict[str, float]:
    delays: list[int] = []
    false_alarms = missed = 0
    quiet_days = 0
    for counts, change, _m in data:
        alarms = detector(counts)
        end = change if change is not None else len(counts)
        false_alarms += sum(1 for a in alarms if a < end)
        quiet_days += end - BASELINE_DAYS
        if change is None:
            continue
        after = [a - change for a in alarms if a >= change]
        if after:
            delays.append(after[0])
        else:
            missed += 1
    changed = sum(1 for _c, change, _m in data if change is not None)
    return {"detected": len(delays) / changed, "missed": missed,
            "median_delay": statistics.median(delays) if delays else float("nan"),
            "p90_delay": float(np.percentile(delays, 90)) if delays else float("nan"),
            "false_alarms": false_alarms,
            "false_per_1000_days": 1000 * false_alarms / quiet_days}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args(argv)
    data = zones(args.zones, args.seed)
    changed = sum(1 for _c, change, _m in data if change is not None)
    print(f"{len(data)} synthetic zones, {changed} with a change point, seed {args.seed}")
    print(f"{'detector':<34} {'detected':>8} {'missed':>6} {'median delay d':>14} "
          f"{'p90 delay d':>11} {'false alarms':>12} {'per 1000 quiet days':>19}")
    rows = [(f"Poisson CUSUM (ratio {RATIO}, h {THRESHOLD})",
             lambda c: [a.index for a in poisson_cusum(c)]),
            ("Poisson CUSUM (ratio 2, h 4)",
             lambda c: [a.index for a in poisson_cusum(c, threshold=4.0)]),
            ("baseline: mean + 3 sd of 28 days", naive)]
    for name, detector in rows:
        r = score(detector, data)
        print(f"{name:<34} {r['detected']:>8.1%} {r['missed']:>6.0f} {r['median_delay']:>14.1f} "
              f"{r['p90_delay']:>11.1f} {r['false_alarms']:>12.0f} "
              f"{r['false_per_1000_days']:>19.2f}")


if __name__ == "__main__":
    main()
