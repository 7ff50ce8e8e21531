"""The Poisson CUSUM finds known change points soon after they happen, and stays quiet without."""

from __future__ import annotations

import numpy as np
import pytest

from trucewatch.analytics.escalation import poisson_cusum, reference_value


def test_reference_value_lies_between_the_two_rates() -> None:
    assert 1.0 < reference_value(1.0, 2.0) < 2.0
    assert reference_value(1.0, 2.0) == pytest.approx(1 / np.log(2))


@pytest.mark.parametrize(("rate", "factor"), [(0.5, 4.0), (1.0, 3.0), (3.0, 2.0)])
def test_a_rise_is_found_within_days(rate: float, factor: float) -> None:
    rng = np.random.default_rng(8)
    delays = []
    for _ in range(20):
        change = 120
        counts = (rng.poisson(rate, change).tolist()
                  + rng.poisson(rate * factor, 40).tolist())
        alarms = [a.index for a in poisson_cusum(counts)]
        after = [a for a in alarms if a >= change]
        assert after and after[0] - change <= 21, (rate, alarms)
        assert sum(1 for a in alarms if a < change) <= 1
        delays.append(after[0] - change)
    assert float(np.median(delays)) <= 12, delays


def test_a_steady_zone_raises_almost_no_alarm() -> None:
    rng = np.random.default_rng(2017)
    days = alarms = 0
    for rate in (0.3, 1.0, 2.5, 5.0):
        for _ in range(10):
            counts = rng.poisson(rate, 365).tolist()
            alarms += len(poisson_cusum(counts))
            days += 365
    assert alarms / days < 0.005  # fewer than one false alarm in 200 days


def test_an_exact_series() -> None:
    quiet = [1, 0] * 20  # 0.5 a day for 40 days
    alarms = poisson_cusum(quiet + [4, 4, 4], baseline_days=28, ratio=2.0, threshold=8.0)
    # k = 0.5 / ln 2 = 0.721: S = 3.28, 6.56, 9.84 > 8 on the third day of fours.
    assert [a.index for a in alarms] == [42]
    assert alarms[0].baseline == 0.5 and alarms[0].statistic == pytest.approx(3 * (4 - 0.5 / np.log(2)))
    with pytest.raises(ValueError):
        poisson_cusum(quiet, ratio=1.0)
