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
|fitted - reference| <= k SE is the check; the reference's own distance from the declared exponent is
the finite-n departure of the elasticity, reported and added to the band against the declared exponent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vacuity.kernels.arrays import to_numpy
from vacuity.theory.rates import fit_loglog_slope

SIGMAS = 6.0


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
    slack = sigmas * np.sqrt(delta * (1 - delta) / r)
    return TailSummary(
        replicates=r,
        mean=float(d.mean()),
        se=float(d.std(ddof=1) / np.sqrt(r)),
        quantile=float(np.quantile(d, 1 - delta)),
        quantile_lower_level=float(np.quantile(d, max(0.0, 1 - delta - slack))),
        exceed_fraction=float(np.mean(d >= bound_value)),
        exceed_tolerance=float(delta + slack),
    )


@dataclass(frozen=True)
class SlopeCheck:
    slope: float
    se: float
    reference: float  # slope of the exact means where known, else the declared exponent
    declared: float
    sigmas: float

    @property
    def departure(self) -> float:
        """|reference - declared|: the finite-n bend of the exact curve over these sizes."""
        return abs(self.reference - self.declared)

    @property
    def band(self) -> float:
        return self.sigmas * self.se

    @property
    def passed(self) -> bool:
        return bool(np.isfinite(self.slope) and abs(self.slope - self.reference) <= self.band)

    @property
    def declared_band(self) -> float:
        return self.band + self.departure

    @property
    def matches_declared(self) -> bool:
        return bool(np.isfinite(self.slope) and abs(self.slope - self.declared) <= self.declared_band)


def slope_check(ns, means, ses, declared: float, exact_means=None, sigmas: float = SIGMAS) -> SlopeCheck:
    ns = np.asarray(ns, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    ses = np.asarray(ses, dtype=np.float64)
    if not (np.all(ses > 0) and np.all(np.isfinite(ses))):
        raise ValueError("standard errors must be positive and finite to weight a slope fit")
    w = (means / ses) ** 2
    slope, se = fit_loglog_slope(ns, means, weights=w)
    if exact_means is None:
        ref = float(declared)
    else:
        ref, _ = fit_loglog_slope(ns, np.asarray(exact_means, dtype=np.float64), weights=w)
    return SlopeCheck(slope, se, float(ref), float(declared), sigmas)
