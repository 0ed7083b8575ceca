"""What the classical-bound claims measure from simulated deviations: the (1 - delta)-quantile against
the bound with a distribution-free tolerance, and the log-log slope of the mean deviation with a band
from the Monte Carlo standard errors.

Quantile check. The bound b claims P[D >= b] <= delta. Over R independent replicates the number of
exceedances is then stochastically at most Binomial(R, delta), so the measured exceedance fraction
must satisfy E / R <= delta + k sqrt(delta (1 - delta) / R) (k = 6 standard errors). Equivalently the
empirical quantile at level 1 - delta - k sqrt(delta (1 - delta) / R) must not exceed b; both are
reported. (docs/derivations/classical_bounds.md)

Slope check. log E[D] is fitted on log n by weighted least squares with weights (mean / SE)^2 (the
delta-method variance of log of a Monte Carlo mean); the slope's standard error is sqrt(1 / S_xx).
Where E[D] is known exactly at each n, the same fit of the exact means gives the reference slope, and
|fitted - reference| <= k SE is the check that the simulation follows the exact curve. Whether the rate
is the declared one is then a property of the exact curve itself, tested on its local elasticities
(log-log secants between consecutive sizes): at the two largest sizes the elasticity must equal the
declared exponent to within the slope's resolution k SE, and its departure must be smaller there than at
the two smallest sizes (it shrinks with n). A curve with the wrong exponent fails the first whatever the
simulation does. Without an exact curve (finite class) the fitted slope must lie within k SE of the
declared exponent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vacuity.kernels.arrays import to_numpy
from vacuity.kernels.extended import U
from vacuity.kernels.tolerances import SIGMAS, exceedance_slack, mean_se
from vacuity.theory.rates import fit_loglog_slope


def geometric_sizes(n_min: int, n_max: int, count: int) -> list[int]:
    """``count`` integer sizes from n_min to n_max, evenly spaced in log n, distinct: the sample sizes
    of a rate sweep (at least three, so a slope has a standard error)."""
    if count < 3 or n_max <= n_min:
        raise ValueError("a rate needs at least three sizes and n_max > n_min")
    sizes = sorted({int(round(v)) for v in np.geomspace(n_min, n_max, count)})
    if len(sizes) < 3:
        raise ValueError(f"sizes {n_min}..{n_max} give fewer than three distinct values")
    return sizes


@dataclass(frozen=True)
class TailSummary:
    replicates: int
    mean: float
    se: float  # standard error of the mean
    quantile: float  # empirical (1 - delta)-quantile
    quantile_lower_level: float  # empirical quantile at 1 - delta - k sqrt(delta(1-delta)/R)
    exceed_fraction: float  # fraction of replicates with D >= bound
    exceed_tolerance: float  # delta + k sqrt(delta (1 - delta) / R)

    @property
    def within_bound(self) -> bool:
        return self.exceed_fraction <= self.exceed_tolerance


def tail_summary(devs, bound_value: float, delta: float, sigmas: float = SIGMAS) -> TailSummary:
    d = np.asarray(to_numpy(devs), dtype=np.float64).ravel()
    r = d.size
    if r < 2:
        raise ValueError("need at least two replicates")
    if not np.isfinite(d).all():
        raise ValueError("deviations contain NaN or infinite values")
    slack = exceedance_slack(delta, r, sigmas)
    mean, se = mean_se(d)
    return TailSummary(
        replicates=r,
        mean=mean,
        se=se,
        quantile=float(np.quantile(d, 1 - delta)),
        quantile_lower_level=float(np.quantile(d, max(0.0, 1 - delta - slack))),
        exceed_fraction=float(np.mean(d >= bound_value)),
        exceed_tolerance=float(delta + slack),
    )


# Rounding of one log-log secant: each log of a float64 mean is within u (1 + |log m|) of the exact log,
# so a secant is within 2 u (1 + max |log m|) / min(log n_{i+1} - log n_i) of its exact value; departures
# below four times that are indistinguishable from zero (an exact power law).
_U = U


@dataclass(frozen=True)
class SlopeCheck:
    slope: float
    se: float
    reference: float  # slope of the exact means where known, else the declared exponent
    declared: float
    sigmas: float
    elasticities: tuple[float, ...] | None = None  # exact curve's log-log secants, smallest sizes first
    floor: float = 0.0  # rounding floor of a secant's departure

    @property
    def departure(self) -> float:
        """|reference - declared|: the finite-n bend of the exact curve's fitted slope over these sizes
        (reported; the rate test uses the local elasticities)."""
        return abs(self.reference - self.declared)

    @property
    def band(self) -> float:
        return self.sigmas * self.se

    @property
    def passed(self) -> bool:
        """The fitted slope agrees with the reference (exact curve's slope, else the declared exponent)."""
        return bool(np.isfinite(self.slope) and abs(self.slope - self.reference) <= self.band)

    @property
    def end_departure(self) -> float:
        """|elasticity - declared| of the exact curve between its two largest sizes."""
        return abs(self.elasticities[-1] - self.declared) if self.elasticities else float("nan")

    @property
    def start_departure(self) -> float:
        return abs(self.elasticities[0] - self.declared) if self.elasticities else float("nan")

    @property
    def departure_shrinks(self) -> bool:
        if not self.elasticities:
            return True
        return bool(self.end_departure <= self.floor or self.end_departure < self.start_departure)

    @property
    def exact_rate_ok(self) -> bool:
        """The exact curve's elasticity at the largest sizes is the declared exponent within k SE, and its
        departure shrinks with n. True where there is no exact curve (nothing to test)."""
        if not self.elasticities:
            return True
        return bool(np.isfinite(self.end_departure) and self.end_departure <= self.band and self.departure_shrinks)

    @property
    def matches_declared(self) -> bool:
        """The measured rate is the declared one: with an exact curve, the slope follows the curve and the
        curve's own rate is the declared one; without, the slope is within k SE of the declared exponent."""
        if not self.elasticities:
            return bool(np.isfinite(self.slope) and abs(self.slope - self.declared) <= self.band)
        return self.passed and self.exact_rate_ok


def local_elasticities(ns, values) -> tuple[np.ndarray, float]:
    """Log-log secants (log v_{i+1} - log v_i) / (log n_{i+1} - log n_i) and their rounding floor."""
    ln = np.log(np.asarray(ns, dtype=np.float64))
    lv = np.log(np.asarray(values, dtype=np.float64))
    steps = np.diff(ln)
    if ln.size < 2 or not np.all(steps > 0):
        raise ValueError("sizes must be strictly increasing, at least two of them")
    if not np.all(np.isfinite(lv)):
        raise ValueError("exact means must be positive and finite")
    floor = 4 * 2 * _U * (1 + float(np.max(np.abs(lv)))) / float(steps.min())
    return np.diff(lv) / steps, floor


def slope_check(ns, means, ses, declared: float, exact_means=None, sigmas: float = SIGMAS) -> SlopeCheck:
    ns = np.asarray(ns, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    ses = np.asarray(ses, dtype=np.float64)
    if not (np.all(ses > 0) and np.all(np.isfinite(ses))):
        raise ValueError("standard errors must be positive and finite to weight a slope fit")
    w = (means / ses) ** 2
    slope, se = fit_loglog_slope(ns, means, weights=w)
    if exact_means is None:
        return SlopeCheck(slope, se, float(declared), float(declared), sigmas)
    exact = np.asarray(exact_means, dtype=np.float64)
    ref, _ = fit_loglog_slope(ns, exact, weights=w)
    el, floor = local_elasticities(ns, exact)
    return SlopeCheck(slope, se, float(ref), float(declared), sigmas, tuple(float(x) for x in el), floor)
