"""The trend test, with no database: is this window's count of disputes filed a spike over its
trailing baseline?

Why a Poisson test. Disputes for one fulfilment centre, carrier or claim type arrive one at a
time and mostly independently of each other, so the count in a fixed window is close to Poisson
with the baseline's mean rate. The counts are often small (two a day from a quiet centre), where
a z-score or a "three times the standard deviation" rule is badly wrong: with a mean of 2, a
normal approximation puts 6 at 2.8 standard deviations, once in 430 windows, although it happens
once in 60. The exact
one-sided upper tail P(X ≥ observed | λ) is right at any count, needs no history of variances,
and is cheap to sum. It is one-sided because only rises are a problem to investigate. The
baseline's mean is taken as the true rate: four weeks are 28 windows of history, and the little
noise left in it lets slightly more quiet windows through than the nominal rate at small means
(tests/quality/test_trends.py measures it), which the guards below keep rare.

Three guards sit on top of the p-value (all settings, ARBITER["TREND_…"]):
- the p-value threshold is strict (0.001): every key is tested every hour, so a lenient one
  would cry wolf somewhere every day;
- at least TREND_MIN_COUNT cases (5): nobody can act on a spike of three disputes;
- at least TREND_MIN_RATIO times the expected count (2×): at a busy key, a 15 % rise is
  "significant" but not a spike anyone needs to hear about.
A key with no baseline (a new fulfilment centre, a carrier seen for the first time) would make
any count infinitely surprising, so the expected count never goes below TREND_FLOOR_PER_WINDOW
(1 per window): two or five cases on a new key stay quiet (p ≈ 0.26 and 0.004), a burst of
thirty does not (p < 1e-30).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# Stop adding tail terms once they no longer change the sum in double precision.
_NEGLIGIBLE = 1e-17


def poisson_upper_tail(observed: int, mean: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(mean), exact to double precision, also far in the tail
    (no 1 − (something close to 1)), with log-space terms so that large counts do not overflow."""
    if observed <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    log_mean = math.log(mean)

    def log_term(k: int) -> float:
        return k * log_mean - mean - math.lgamma(k + 1)

    if observed <= mean:
        # The tail holds about half the mass or more: the complement loses no precision.
        below = math.fsum(math.exp(log_term(k)) for k in range(observed))
        return min(1.0, max(0.0, 1.0 - below))
    # Above the mean each term is the previous one times mean / k < 1: sum relative to the first
    # term (which may be far below the smallest double), then scale in log space.
    relative, term, k = 1.0, 1.0, observed
    while term > relative * _NEGLIGIBLE:
        k += 1
        term *= mean / k
        relative += term
    return min(1.0, math.exp(log_term(observed) + math.log(relative)))


@dataclass(frozen=True)
class Thresholds:
    """When a window's count is a spike worth an alert (see the module's docstring)."""

    p_value: float = 0.001
    min_count: int = 5
    min_ratio: float = 2.0
    floor_per_window: float = 1.0

    @classmethod
    def from_settings(cls, arbiter: Mapping) -> Thresholds:
        default = cls()
        return cls(
            p_value=float(arbiter.get("TREND_P_VALUE", default.p_value)),
            min_count=int(arbiter.get("TREND_MIN_COUNT", default.min_count)),
            min_ratio=float(arbiter.get("TREND_MIN_RATIO", default.min_ratio)),
            floor_per_window=float(arbiter.get("TREND_FLOOR_PER_WINDOW", default.floor_per_window)),
        )


@dataclass(frozen=True)
class Assessment:
    """One key's window against its baseline."""

    observed: int
    expected: float  # the baseline's mean count per window, never below the floor
    p_value: float
    spike: bool


def expected_per_window(
    *, baseline_filed: int, baseline_days: int, window_hours: float, floor: float
) -> float:
    """The baseline's mean count for a window of `window_hours`, at least `floor`."""
    rate = baseline_filed / baseline_days * window_hours / 24 if baseline_days > 0 else 0.0
    return max(rate, floor)


def assess(
    *,
    observed: int,
    baseline_filed: int,
    baseline_days: int,
    window_hours: float,
    thresholds: Thresholds,
) -> Assessment:
    """Test one key: `observed` cases in the window, `baseline_filed` in the `baseline_days`
    before it."""
    expected = expected_per_window(
        baseline_filed=baseline_filed,
        baseline_days=baseline_days,
        window_hours=window_hours,
        floor=thresholds.floor_per_window,
    )
    p_value = poisson_upper_tail(observed, expected)
    spike = (
        p_value < thresholds.p_value
        and observed >= thresholds.min_count
        and observed >= thresholds.min_ratio * expected
    )
    return Assessment(observed=observed, expected=expected, p_value=p_value, spike=spike)
