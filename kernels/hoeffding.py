"""Hoeffding's single-hypothesis deviation |R_hat - R| at scale, on NumPy or CuPy.

The losses of one fixed hypothesis are i.i.d. Bernoulli(p) (p = R, its true risk). Two paths:

- ``binomial_deviations``: the count of errors drawn directly as Binomial(n, p) — cost independent
  of n, so n = 1e9 costs what n = 10 does;
- ``bernoulli_deviations``: brute force, n uniform draws per replicate compared with p and summed
  (chunked over the n axis so memory stays bounded).

They must agree in distribution (tests and the checked proof compare both with the exact law).
``exact_mean_deviation``, ``exact_tail`` and ``exact_deviation_law`` give E|X/n - p|, P[|X/n - p| >= eps]
and the whole law of |X/n - p| from the binomial pmf itself (scipy, float64), the references the
simulations are judged against.
"""

from __future__ import annotations

import numpy as np
from array_api_compat import array_namespace

from vacuity.kernels.deviation_sims import DeviationSimulator, mean_and_se, register_simulator
from vacuity.kernels.sampling import Draws
from vacuity.theory.bound_params import check_count, check_n, check_probability

_CHUNK_ELEMENTS = 1 << 22  # uniforms per brute-force chunk (32 MiB of float64)


def _check(n, p, replicates):
    check_n(n)
    check_probability("p", p)
    check_count("replicates", replicates, 1)


def deviations_from_counts(counts, n: int, p: float, xp=None):
    """|counts / n - p| for an array of error counts."""
    xp = xp or array_namespace(counts)
    return xp.abs(xp.astype(counts, xp.float64) / n - p)


def binomial_deviations(n: int, p: float, replicates: int, seed: int, xp=np):
    """|R_hat - R| for ``replicates`` independent samples of size n, counts drawn as Binomial(n, p)."""
    _check(n, p, replicates)
    counts = Draws(xp, seed).binomial(n, p, size=(replicates,))
    return deviations_from_counts(counts, n, p, xp)


def bernoulli_deviations(n: int, p: float, replicates: int, seed: int, xp=np):
    """The same deviations by brute force: n Bernoulli(p) losses per replicate, summed in chunks."""
    _check(n, p, replicates)
    draws = Draws(xp, seed)
    counts = xp.zeros((replicates,), dtype=xp.int64)
    step = max(1, _CHUNK_ELEMENTS // replicates)
    for start in range(0, n, step):
        m = min(step, n - start)
        losses = draws.uniform((replicates, m)) < p
        counts = counts + xp.sum(xp.astype(losses, xp.int64), axis=1)
    return deviations_from_counts(counts, n, p, xp)


def _support(n: int, p: float):
    # the binomial mass outside mean +- 40 sd is below 1e-300: sum over the rest only
    sd = np.sqrt(n * p * (1 - p))
    lo = max(0, int(np.floor(n * p - 40 * sd - 1)))
    hi = min(n, int(np.ceil(n * p + 40 * sd + 1)))
    return np.arange(lo, hi + 1)


def exact_mean_deviation(ns, p: float) -> np.ndarray:
    """E|X/n - p| for X ~ Binomial(n, p), at each n in ``ns`` (float64, from the pmf)."""
    from scipy.stats import binom

    out = []
    for n in np.atleast_1d(ns):
        n = int(n)
        k = _support(n, p)
        out.append(float(np.sum(binom.pmf(k, n, p) * np.abs(k / n - p))))
    return np.asarray(out)


def exact_deviation_law(n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """The law of |X/n - p|, X ~ Binomial(n, p): its distinct values (computed by the same float64
    operations as ``deviations_from_counts``, so simulated deviations land exactly on them) and their
    masses, over the support +- 40 sd (the rest is below 1e-300)."""
    from scipy.stats import binom

    check_n(n)
    check_probability("p", p)
    k = _support(n, p)
    values = np.abs(k.astype(np.float64) / n - p)
    atoms, where = np.unique(values, return_inverse=True)
    return atoms, np.bincount(where, weights=binom.pmf(k, n, p), minlength=atoms.size)


EXACT_AGREEMENT_RTOL = 1e-9
"""|P_cdf / P_law - 1| allowed between the exact tail from scipy's binomial cdf/sf (regularized incomplete
beta, relative accuracy about 1e-14) and the same tail summed from the pmf over the law's atoms (at most
80 sd + 3 terms: 1.2e6 at n = 1e9, so at most 1.2e6 u = 1.3e-10 of summation error): 1e-9 covers both at
every size this project runs. A wrong tail (a side missing, a boundary on the wrong side of an atom it
should include) is off by far more."""


def tail_from_law(atoms, probs, eps: float) -> float:
    """P[|X/n - p| >= eps] summed from the law's masses (``exact_deviation_law``): the independent
    second computation of ``exact_tail``."""
    return float(np.sum(np.asarray(probs)[np.asarray(atoms) >= eps]))


def exact_quantile(n: int, p: float, level: float) -> float:
    """The level-quantile of |X/n - p|: the smallest value v with P[|X/n - p| <= v] >= level."""
    atoms, probs = exact_deviation_law(n, p)
    cdf = np.cumsum(probs)
    return float(atoms[min(int(np.searchsorted(cdf, level, side="left")), atoms.size - 1)])


def exact_mean_square_deviation(n: int, p: float) -> float:
    """E (R_hat - R)^2 = Var(X/n) = p (1 - p) / n exactly, X ~ Binomial(n, p)."""
    return p * (1 - p) / n


def exact_tail(n: int, p: float, eps: float) -> float:
    """P[|X/n - p| >= eps] for X ~ Binomial(n, p).

    The two tails are X <= k_lo and X >= k_hi, with k_lo the largest k with p - k/n >= eps and k_hi the
    smallest with k/n - p >= eps, each decided by the same float comparison as the definition (a floor
    of n (p - eps) alone can round a boundary point onto the wrong side)."""
    from scipy.stats import binom

    check_n(n)
    check_probability("p", p)
    if not eps > 0:
        return 1.0  # every outcome deviates by at least 0 (and the two tails would overlap)
    lo = int(np.floor(n * (p - eps)))
    lo = min(max(lo, -1), n)
    while lo >= 0 and not (p - lo / n >= eps):
        lo -= 1
    while lo + 1 <= n and p - (lo + 1) / n >= eps:
        lo += 1
    hi = int(np.ceil(n * (p + eps)))
    hi = min(max(hi, 0), n + 1)
    while hi <= n and not (hi / n - p >= eps):
        hi += 1
    while hi - 1 >= 0 and (hi - 1) / n - p >= eps:
        hi -= 1
    below = float(binom.cdf(lo, n, p)) if lo >= 0 else 0.0
    above = float(binom.sf(hi - 1, n, p)) if hi <= n else 0.0
    return below + above


DEFAULT_P = 0.3  # the true risk in the rate simulation: off-centre, so the law is skewed


def _simulate_mean(ns, seed: int, replicates: int = 20000, p: float = DEFAULT_P):
    return mean_and_se(ns, lambda i, n: binomial_deviations(n, p, replicates, seed + i))


SIMULATOR = register_simulator(DeviationSimulator(
    bound="hoeffding",
    simulate=_simulate_mean,
    ns=(100, 1000, 10_000, 100_000, 1_000_000),
    exact_mean=lambda ns: exact_mean_deviation(ns, DEFAULT_P),
    what=f"E|R_hat - R| for Bernoulli({DEFAULT_P}) losses (binomial counts)",
))
