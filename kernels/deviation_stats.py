"""What the classical-bound claims measure from simulated deviations, and the tolerances they are judged
with (docs/derivations/classical_bounds.md derives each one and the power it gives).

Stated vs derived bound. A bound is a closed form typed into the theory module; the derivation gives it
as the root of a derived tail (or a derived formula at a derived growth function). Both are evaluated
at the sweep sizes over a grid of the other parameters and must agree to ``BOUND_AGREEMENT_RTOL``
(rounding only), both ways: a bound 2x too loose is as wrong as one 2x too tight.

Law check. Where the deviation's exact law is known, the empirical CDF of R replicates is compared
with it by the Kolmogorov distance sup_x |F_R(x) - F(x)|, held to the Dvoretzky-Kiefer-Wolfowitz level
sqrt(log(2/alpha)/(2R)) with alpha = 2 Phi(-6) (Massart's constant: valid for every law, discrete too).

Exceedance check. The fraction of replicates with D >= b is Binomial(R, q)/R with q = P[D >= b]; where q
is exact it is compared two-sidedly with q (``binomial_band``: the exact binomial quantiles at Phi(-6)
each side); where it is not (finite class) the bound claims q <= delta, so the fraction must satisfy
E / R <= delta + k sqrt(delta (1 - delta) / R) (k = 6 standard errors).

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

import math
from dataclasses import dataclass

import numpy as np

from vacuity.kernels.arrays import to_numpy
from vacuity.kernels.extended import U
from vacuity.kernels.tolerances import SIGMAS, exceedance_slack, mean_se
from vacuity.theory.rates import fit_loglog_slope

BOUND_AGREEMENT_RTOL = 32 * U
"""|stated / derived - 1| allowed between a bound's closed form and its derivation evaluated numerically:
each side is within 16u of its exact value (the closed form: at most eight correctly rounded operations,
log's condition number 1/log(2/delta) < 1.5 on 2/delta > 2; the root: two floats apart after bisection,
plus the tail's own rounding (3x + 2)u divided by its elasticity 2x, x = log(2/delta) > log 2). Any
error in a formula (a constant, log(4/delta), d + 1) moves the bound by far more (1e-3 and up)."""


def delta_grid(delta: float) -> tuple[float, ...]:
    """delta/10, delta, sqrt(delta): three distinct failure probabilities in (0, 1) around the run's one, so
    that a bound which ignores delta, or gets its dependence on delta wrong, differs somewhere."""
    return (delta / 10, delta, float(np.sqrt(delta)))


def relative_gap(stated, derived) -> float:
    """The signed relative difference stated / derived - 1 of largest magnitude (NaN if any is not finite)."""
    stated = np.asarray(stated, dtype=np.float64)
    derived = np.asarray(derived, dtype=np.float64)
    if not (np.all(np.isfinite(stated)) and np.all(np.isfinite(derived)) and np.all(derived > 0)):
        return float("nan")
    gaps = stated / derived - 1.0
    return float(gaps[np.argmax(np.abs(gaps))])


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def dkw_limit(replicates: int, sigmas: float = SIGMAS) -> float:
    """The Kolmogorov distance between R i.i.d. draws' empirical CDF and their true law exceeds
    sqrt(log(2/alpha)/(2R)) with probability at most alpha (Dvoretzky-Kiefer-Wolfowitz with Massart's
    constant, any law); alpha = 2 Phi(-sigmas), the two-sided false-failure rate of a 6-SE check."""
    if replicates < 1:
        raise ValueError("need at least one replicate")
    alpha = 2 * _normal_sf(sigmas)
    return math.sqrt(math.log(2 / alpha) / (2 * replicates))


def dkw_detectable(replicates: int, power: float = 0.99, sigmas: float = SIGMAS) -> float:
    """The smallest Kolmogorov distance between the sampled law G and the reference F that the check
    ``distance <= dkw_limit`` fails with probability >= ``power``: distance(F_R, F) >= d(G, F) -
    distance(F_R, G), and the last exceeds sqrt(log(2/(1 - power))/(2R)) with probability <= 1 - power."""
    return dkw_limit(replicates, sigmas) + math.sqrt(math.log(2 / (1 - power)) / (2 * replicates))


def ks_distance_discrete(samples, atoms, probs) -> float:
    """sup_x |F_R(x) - F(x)| for samples of a law on the float values ``atoms`` with masses ``probs``
    (atoms computed by the same float operations as the samples, so each sample is one of them). Both
    CDFs are step functions jumping only at atoms: the sup is attained at one. A sample off the atoms
    counts against the law (it lies where F has no mass)."""
    x = np.sort(np.asarray(to_numpy(samples), dtype=np.float64).ravel())
    atoms = np.asarray(atoms, dtype=np.float64)
    probs = np.asarray(probs, dtype=np.float64)
    order = np.argsort(atoms)
    atoms, probs = atoms[order], probs[order]
    F = np.cumsum(probs)
    pts = np.unique(np.concatenate([atoms, x]))
    Fr = np.searchsorted(x, pts, side="right") / x.size
    idx = np.searchsorted(atoms, pts, side="right") - 1
    Fx = np.where(idx >= 0, F[np.maximum(idx, 0)], 0.0)
    return float(np.max(np.abs(Fr - Fx)))


KS_GRID = 128
"""Exact-CDF evaluations per Kolmogorov distance of a continuous law whose CDF is costly (the one-sided
KS law costs O(n) per point): at the sample's quantiles of level k/128, so the distance is overstated
by at most the largest step of F between them (about 1/128 plus the distance itself)."""


def ks_distance_continuous(samples, cdf, grid: int | None = None) -> float:
    """sup_x |F_R(x) - F(x)| for a continuous law with CDF ``cdf`` (vectorized): the Kolmogorov-Smirnov
    statistic, max over the sorted sample of max(i/R - F(x_i), F(x_i) - (i-1)/R). With ``grid``, F is
    evaluated only at ``grid + 1`` sample quantiles and bracketed between them by monotonicity
    (F(g_lo) <= F(x) <= F(g_hi)): the result is then an upper bound on the distance, exceeding it by at
    most the largest step of F across the grid (a conservative check: it can only fail more often when
    the law is wrong)."""
    x = np.sort(np.asarray(to_numpy(samples), dtype=np.float64).ravel())
    r = x.size
    i = np.arange(1, r + 1)
    if grid is None:
        F_lo = F_hi = np.asarray(cdf(x), dtype=np.float64)
    else:
        g = np.unique(np.quantile(x, np.linspace(0.0, 1.0, int(grid) + 1)))
        g[0], g[-1] = x[0], x[-1]
        Fg = np.asarray(cdf(g), dtype=np.float64)
        F_lo = Fg[np.searchsorted(g, x, side="right") - 1]
        F_hi = Fg[np.searchsorted(g, x, side="left")]
    return float(max(np.max(i / r - F_lo), np.max(F_hi - (i - 1) / r)))


def binomial_band(q: float, replicates: int, sigmas: float = SIGMAS) -> float:
    """Half-width of the band around q in which the fraction of R Bernoulli(q) trials falls except with
    probability <= 2 Phi(-sigmas): the larger distance from q to the exact Binomial(R, q) quantiles at
    Phi(-sigmas) on either side (no normal approximation: q may be 1e-20)."""
    from scipy.stats import binom

    if not 0.0 <= q <= 1.0 or replicates < 1:
        raise ValueError(f"need q in [0, 1] and R >= 1; got q = {q}, R = {replicates}")
    tail = _normal_sf(sigmas)
    lo = float(binom.ppf(tail, replicates, q)) if q > 0 else 0.0
    hi = float(binom.isf(tail, replicates, q)) if q > 0 else 0.0
    return max(q - lo / replicates, hi / replicates - q, 0.0)


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
