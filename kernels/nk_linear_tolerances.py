"""What the nk-linear check judges its samples with: statistical tolerances, KS p-values and the
floating-point rounding bounds of the Gram identity and of the torch step.

Statistical tolerances are ``sigmas`` standard errors of a derived (or, for Monte Carlo means,
estimated) spread, or exact binomial quantiles; none is tuned. Rounding bounds use Higham's
gamma_k = k u / (1 - k u) (``vacuity.kernels.extended.gamma``); the brute force's is derived in
docs/derivations/nk_linear.md, section 9. The levels and ``sigmas`` are the check's settings and are
passed in.
"""

from __future__ import annotations

import math

import numpy as np

from vacuity.kernels.arrays import to_numpy
from vacuity.kernels.extended import gamma

# ---------------------------------------------------------------------------- statistical tolerances


def binomial_tolerance(N: int, p: float, level: float) -> float:
    """Half-width t with P(|X/N - p| > t) <= level for X ~ Binomial(N, p): the exact upper and lower
    quantiles at level/2 each (scipy's binom.isf/ppf), the wider side. With N = 0 nothing is measured:
    infinite. A p so small that both quantiles are 0 gives t = p."""
    from scipy.stats import binom

    if N == 0:
        return math.inf
    hi = binom.isf(level / 2, N, p) / N - p
    lo = p - binom.ppf(level / 2, N, p) / N
    return float(max(hi, lo, 0.0))


def binomial_lower_count(trials: int, p: float, level: float) -> int:
    """Count c with P(X < c) <= level for X ~ Binomial(trials, p): fewer than c events of probability at
    least p are rejected (scipy's exact binom.ppf)."""
    from scipy.stats import binom

    return int(binom.ppf(level, trials, p))


POWER = 0.99
"""The power every replicate count is chosen for: a relative error ``r`` in a checked value is detected
with probability >= POWER at the SIGMAS-standard-error tolerance (docs/derivations/nk_linear.md, 11)."""


def detectable_relative_error(cv: float, reps: int, sigmas: float, power: float = POWER) -> float:
    """The smallest relative error r in a mean that a ``sigmas``-SE two-sided check on ``reps`` replicates
    (each with coefficient of variation ``cv`` = sd / mean) detects with probability >= ``power``:
    r = cv (sigmas + z_power) / sqrt(reps) (normal approximation; the far tail is negligible)."""
    from statistics import NormalDist

    return cv * (sigmas + NormalDist().inv_cdf(power)) / math.sqrt(reps)


def reps_for_power(cv: float, rel: float, sigmas: float, power: float = POWER) -> int:
    """Replicates needed for ``detectable_relative_error`` <= ``rel``."""
    from statistics import NormalDist

    return math.ceil((cv * (sigmas + NormalDist().inv_cdf(power)) / rel) ** 2)


def bounded_mean_tolerance(p: float, N: int, sigmas: float) -> float:
    """``sigmas`` standard errors of the mean of N independent [0, 1]-valued losses with mean p: a loss in
    [0, 1] has E l^2 <= E l = p, so Var <= p (1 - p) (equality for the 0-1 loss); the tolerance uses that
    bound."""
    return sigmas * math.sqrt(max(p * (1.0 - p), 0.0) / N)


def binomial_upper_count(trials: int, p: float, level: float) -> int:
    """Count c with P(X > c) <= level for X ~ Binomial(trials, p) (scipy's exact binom.isf): how many
    of ``trials`` independent events of probability at most p may occur before that is rejected."""
    from scipy.stats import binom

    return int(binom.isf(level, trials, p))


def standard_error(variance: float, reps: int) -> float:
    """sqrt(variance / reps), the standard error of a mean of ``reps`` replicates; NaN (a failing
    tolerance) when the derived variance is negative, i.e. the derived second and fourth moments
    contradict each other (docs/derivations/nk_linear.md, section 10)."""
    return math.sqrt(variance / reps) if variance >= 0 else math.nan


def replicate_mean_tolerance(variance: float, reps: int, sigmas: float) -> float:
    """``sigmas`` standard errors of a mean of ``reps`` replicates whose variance is derived."""
    return sigmas * standard_error(variance, reps)


def sample_mean_tolerance(x: np.ndarray, sigmas: float, floor: float = 0.0) -> float:
    """``sigmas`` standard errors of the mean of ``x`` estimated from ``x`` itself (ddof = 1), plus an
    absolute ``floor`` for a reference whose own error does not shrink with the sample."""
    return sigmas * x.std(ddof=1) / math.sqrt(x.shape[0]) + floor


def mean_margin_tolerance(var: float, cov: float, n: int, sigmas: float) -> float:
    """``sigmas`` sd of the mean of n exchangeable margins with variance ``var`` and pairwise covariance
    ``cov``: Var(mean) = (var + (n - 1) cov) / n."""
    return sigmas * math.sqrt((var + (n - 1) * cov) / n)


def norm_ratio_tolerance(norm2_variance: float, n: int, s2: float, sigmas: float) -> float:
    """``sigmas`` sd of ||w2||^2 / (n s^2) given Var ||w2||^2 (derived: 2 n^2 s^4 / D, so sqrt(2/D))."""
    return sigmas * math.sqrt(norm2_variance) / (n * s2)


def normal_upper_quantile(eps: float) -> float:
    """z_eps with Phi(-z_eps) = eps (scipy's ndtri of 1 - eps: since 1 - eps is rounded first, eps is
    honoured to about 1e-16 absolutely, not relatively)."""
    from scipy.special import ndtri

    return float(ndtri(1 - eps))


# ------------------------------------------------------------------------------------ KS p-values


def ks_pvalue(a, b) -> float:
    """Two-sample Kolmogorov-Smirnov p-value (scipy's ks_2samp, exact where it can be)."""
    from scipy.stats import ks_2samp

    return float(ks_2samp(a, b).pvalue)


def chi2_ks_pvalue(x, dof: int) -> float:
    """One-sample KS p-value of ``x`` against the chi-square law with ``dof`` degrees of freedom."""
    from scipy.stats import chi2, kstest

    return float(kstest(x, chi2(dof).cdf).pvalue)


def sampler_agreement_pvalues(stats: dict, n: int, D: int, s2: float) -> dict[str, float]:
    """KS p-values from ``stats`` (sampler name -> (first margins, ||w2||^2) over replicates): every
    pair of samplers on both statistics, then each sampler's ||w2||^2 against (n s^2 / D) chi^2_D."""
    pvals = {}
    names = list(stats)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            pvals[f"{a}~{b} margin"] = ks_pvalue(stats[a][0], stats[b][0])
            pvals[f"{a}~{b} norm"] = ks_pvalue(stats[a][1], stats[b][1])
    scale = n * s2 / D
    for name in names:
        pvals[f"{name} norm~chi2"] = chi2_ks_pvalue(stats[name][1] / scale, D)
    return pvals


def smallest_pvalue(pvals: dict[str, float]) -> tuple[str, list[str]]:
    """(the test to judge, the tests with a non-finite p-value). min() alone skips a NaN that is not
    first, so a non-finite p-value (NaN samples) is the one judged whenever there is one."""
    bad = [k for k, v in pvals.items() if not math.isfinite(v)]
    return (bad[0] if bad else min(pvals, key=pvals.get)), bad


# -------------------------------------------------------------------------------- rounding bounds


def gram_margin_bound(n: int, D: int, K: int, S, cc: float):
    """Per point, |computed margin - (c c' +- (G 1)_i)| <= 2 gamma_(n+D+2K+10) (S_i + c c') for the
    brute force, S = |Z| |Z|^T 1 (docs/derivations/nk_linear.md, section 9). Any array namespace."""
    return 2 * gamma(n + D + 2 * K + 10) * (S + cc)


def gram_norm_bound(n: int, D: int, S_total: float) -> float:
    """|computed ||w2||^2 - 1^T G 1| <= 3 gamma_(D+2n+2) 1^T S for the brute force (section 9)."""
    return 3 * gamma(D + 2 * n + 2) * S_total


def gram_reduction_error_units(sample, cc: float, K: int) -> float:
    """Largest deviation of a brute-force sample drawn ``with_gram`` from its own Gram reduction (train
    and S' margins vs c c' +- (G 1)_i, ||w2||^2 vs 1^T G 1), in units of the bounds above: <= 1."""
    G1 = to_numpy(sample.gram).sum(axis=1)
    S = to_numpy(sample.margin_magnitude)
    tol = gram_margin_bound(sample.n, sample.D, K, S, cc)
    tol_norm = gram_norm_bound(sample.n, sample.D, float(S.sum()))
    return max(float(np.max(np.abs(to_numpy(sample.train_margins) - (cc + G1)) / tol)),
               float(np.max(np.abs(to_numpy(sample.s_prime_margins) - (cc - G1)) / tol)),
               abs(sample.w2_norm2 - float(G1.sum())) / tol_norm)


def sum_identity_bound(sample, cc: float, K: int) -> float:
    """A bound on |sum_i (train margin_i - c c') - ||w2||^2| as computed in float64 by each sampler
    (exactly 0 in exact arithmetic: sum_i (G 1)_i = 1^T G 1). docs/derivations/nk_linear.md, section 9:

    * rank-one: 2 gamma_(n+10) (sum_i |x_i| + n c c' + s^2 r (sum|g| + sum|g - gbar|) + ||w2||^2), the
      last-but-one scale (``sum_scale``) from the centring's rounded mean;
    * Bartlett: 4 gamma_(n+2) (s^2 1^T |M| |M^T 1| (``sum_scale``) + sum_i |x_i| + n c c');
    * brute force: 4 gamma_(D+2n+2K+12) (1^T S (``sum_scale``) + sum_i |x_i| + sum_i |train_i| + n c c').
    Here x_i = train_i - c c' as the check computes it."""
    x = to_numpy(sample.train_margins) - cc
    n = sample.n
    ax = float(np.sum(np.abs(x)))
    if sample.method == "rank_one":
        return 2 * gamma(n + 10) * (ax + n * cc + sample.sum_scale + sample.w2_norm2)
    if sample.method == "bartlett":
        return 4 * gamma(n + 2) * (sample.sum_scale + ax + n * cc)
    at = float(np.sum(np.abs(to_numpy(sample.train_margins))))
    return 4 * gamma(sample.D + 2 * n + 2 * K + 12) * (sample.sum_scale + ax + at + n * cc)


def sum_identity_error_units(sample, cc: float, K: int) -> float:
    """|sum_i (train_i - c c') - ||w2||^2| in units of ``sum_identity_bound``: <= 1."""
    x = to_numpy(sample.train_margins) - cc
    return abs(float(np.sum(x)) - sample.w2_norm2) / sum_identity_bound(sample, cc, K)


def torch_weight_error_units(X2: np.ndarray, y: np.ndarray, u: np.ndarray, w1: np.ndarray, w2: np.ndarray,
                             c_prime: float) -> float:
    """Largest deviation of the torch step's w = (w1, w2) from the closed form (c' u, y @ X2), in units
    of a rounding bound: <= 1. Both w2 and the reference are n-term sums of the data with at most four
    scalings (1/n of the mean, the step size n, the loss's sign), each within gamma_(n+4) sum_i |x2_ij|
    of the exact sum (Higham, Accuracy and Stability, eq. 3.5), so they differ by at most twice that;
    w1 = (c'/c) (1/n) sum_i c u is a sum of n equal terms and its bound 4 gamma_(n+4) c' has room to spare.
    The 1e-300 keeps a column of exact zeros at 0 units rather than 0/0."""
    g = gamma(X2.shape[0] + 4)
    tol_w2 = 2 * g * np.abs(X2).sum(axis=0) + 1e-300
    return max(float(np.max(np.abs(w2 - y @ X2) / tol_w2)),
               float(np.max(np.abs(w1 - c_prime * u))) / (4 * g * c_prime))


def torch_margin_error_units(X2: np.ndarray, y: np.ndarray, train_margins: np.ndarray, cc: float,
                             sign: float = 1.0) -> float:
    """Largest deviation of the torch model's train margins from c c' + (G 1)_i (``sign`` -1: its S'
    margins from c c' - (G 1)_i), G = Z Z^T with Z = y x2 from the same data, in units of
    8 gamma_(D+n+8) ((|Z| |Z|^T 1)_i + c c'): the brute force's scale (section 9) with the torch forward
    pass and the reference each as one such sum."""
    tn, tD = X2.shape
    Z = y[:, None] * X2
    G1 = Z @ Z.sum(axis=0)
    tol_m = gamma(tD + tn + 8) * 8 * (np.abs(Z) @ np.abs(Z).sum(axis=0) + cc)
    return float(np.max(np.abs(train_margins - (cc + sign * G1)) / tol_m))
