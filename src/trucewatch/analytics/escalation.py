"""Escalation alerts: a Poisson CUSUM on a zone's daily incident counts against its own baseline.

The method is the Poisson CUSUM of Lucas (J. M. Lucas, "Counted data CUSUM's",
Technometrics 27(2), 1985, pp. 129–144; also Montgomery, *Introduction to Statistical
Quality Control*, §9.1.7). For an in-control daily rate λ0 and the rate λ1 the alarm
should catch, the reference value is

    k = (λ1 − λ0) / (ln λ1 − ln λ0)

and the statistic S_t = max(0, S_{t−1} + x_t − k) raises an alarm when it exceeds h.
Here λ0 is the zone's own mean daily count over the ``baseline_days`` that end a week
before the day (never less than ``FLOOR``: a quiet zone's first incident is not an
escalation by itself),
λ1 = ``ratio`` · λ0, and after an alarm the statistic restarts at 0. The defaults
(28-day baseline, ratio 2, h = 8) come from the back-test in bench/escalation.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

BASELINE_DAYS = 28
RATIO = 2.0
THRESHOLD = 8.0
FLOOR = 0.25  # incidents a day: the least baseline a zone is held to
GUARD_DAYS = 7  # the days just before t stay out of its baseline


@dataclass(frozen=True)
class Alarm:
    index: int  # the day (position in the series) the alarm is raised
    baseline: float  # λ0 on that day
    statistic: float  # S_t when it crossed h


def reference_value(baseline: float, ratio: float) -> float:
    shifted = ratio * baseline
    return (shifted - baseline) / (math.log(shifted) - math.log(baseline))


def poisson_cusum(counts: Sequence[int], *, baseline_days: int = BASELINE_DAYS,
                  ratio: float = RATIO, threshold: float = THRESHOLD,
                  floor: float = FLOOR, guard_days: int = GUARD_DAYS) -> list[Alarm]:
    """The alarms on a daily series; the first days only build the baseline.

    λ0 on day t is the mean of the ``baseline_days`` that end ``guard_days`` before t, so
    the first week of an escalation does not raise the baseline it is measured against.
    """
    if ratio <= 1 or threshold <= 0 or baseline_days < 1 or guard_days < 0:
        raise ValueError("ratio must exceed 1, threshold and baseline_days be positive")
    alarms: list[Alarm] = []
    statistic = 0.0
    lead = baseline_days + guard_days
    for index in range(lead, len(counts)):
        window = counts[index - lead:index - guard_days]
        baseline = max(floor, sum(window) / baseline_days)
        statistic = max(0.0, statistic + counts[index] - reference_value(baseline, ratio))
        if statistic > threshold:
            alarms.append(Alarm(index, baseline, statistic))
            statistic = 0.0
    return alarms
