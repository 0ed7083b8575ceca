"""Every tolerance of the project in one place: how many standard errors a Monte Carlo check allows
(``SIGMAS``), the standard errors those checks use, and how closely two floating-point computations of
the same quantity must agree, keyed by dtype (``TOLERANCES``, ``tolerance``).

Monte Carlo checks are judged as |measured - predicted| <= SIGMAS * SE with the SE derived from the
variance of the estimate (docs/derivations/classical_bounds.md for the classical-bound claims); the
helpers below are those variances' standard errors. Rounding-error bounds of a particular kernel live
with the kernel (``kernels/<topic>.py``, built from ``kernels/extended.gamma``); this table is for
comparisons whose error has no such derivation: the same computation on another backend, with another
reduction order or chunking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SIGMAS = 6.0
"""Standard errors allowed by every Monte Carlo check (claims and tests alike).

Why 6: for an (asymptotically) normal estimate a one-sided excursion beyond 6 standard errors has
probability Phi(-6) ~ 1e-9 per check (2e-9 two-sided), so even the suite's thousands of such checks,
rerun on every commit, essentially never fail by chance; a wrong constant or law still moves the mean by
many standard errors and is caught. Not tuned to make anything pass."""


# ------------------------------------------------------------------- Monte Carlo standard errors


def mc_tolerance(se: float, sigmas: float = SIGMAS) -> float:
    """The band of a Monte Carlo check: ``sigmas`` standard errors of the estimate."""
    return sigmas * se


def lower_confidence_limit(mean: float, se: float, sigmas: float = SIGMAS) -> float:
    """mean - sigmas SE: what a one-sided "Monte Carlo estimate <= bound" check compares with the bound
    (a true value at the bound gives a larger estimate with probability ~ Phi(-sigmas))."""
    return mean - sigmas * se


def mean_se(x) -> tuple[float, float]:
    """(sample mean, its standard error s / sqrt(R)) of R i.i.d. replicates, s the ddof=1 deviation."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size < 2:
        raise ValueError("need at least two replicates for a standard error")
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


def difference_se(a, b) -> float:
    """Standard error of mean(a) - mean(b) for two independent samples: sqrt(s_a^2/R_a + s_b^2/R_b),
    computed as hypot(s_a, s_b) / sqrt(R) when both have R replicates."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.size < 2 or b.size < 2:
        raise ValueError("need at least two replicates in each sample for a standard error")
    if a.size == b.size:
        return float(np.hypot(a.std(ddof=1), b.std(ddof=1)) / np.sqrt(a.size))
    return float(np.hypot(a.std(ddof=1) / np.sqrt(a.size), b.std(ddof=1) / np.sqrt(b.size)))


def binomial_se(q: float, n: int) -> float:
    """Standard error sqrt(q (1 - q) / n) of a fraction of n independent Bernoulli(q) trials."""
    if not 0.0 <= q <= 1.0 or n < 1:
        raise ValueError(f"need a probability q in [0, 1] and n >= 1 trials; got q = {q}, n = {n}")
    return math.sqrt(q * (1 - q) / n)


def exceedance_slack(delta: float, replicates: int, sigmas: float = SIGMAS) -> float:
    """sigmas sqrt(delta (1 - delta) / R): how far above delta the fraction of R replicates exceeding a
    (1 - delta)-quantile bound may lie. The count of exceedances is stochastically at most
    Binomial(R, delta) when the bound holds (docs/derivations/classical_bounds.md)."""
    return sigmas * binomial_se(delta, replicates)


def normal_mean_se(variance: float, n: int) -> float:
    """Standard error sqrt(v / N) of the mean of N draws of variance v."""
    return math.sqrt(variance / n)


def normal_variance_tolerance(variance: float, n: int, sigmas: float = SIGMAS) -> float:
    """``sigmas`` standard errors of the sample variance of N normal draws of variance v: the standard
    error is v sqrt(2 / (N - 1)) (Var s^2 = 2 v^2 / (N - 1) for normal data). Evaluated left to right as
    sigmas * v * sqrt(2 / (N - 1)), the rounding the recorded results were computed with."""
    if n < 2:
        raise ValueError("need at least two draws for a sample variance")
    return sigmas * variance * math.sqrt(2 / (n - 1))


def bonferroni_t_limit(tests: int, dof: int, sigmas: float = SIGMAS) -> float:
    """The |t| level for the largest of ``tests`` Student-t(dof) statistics: the t quantile with upper
    tail Phi(-sigmas) / tests, so that P[max |t| > limit] <= 2 Phi(-sigmas) by the union bound (the
    two-sided ``sigmas``-sigma level of one normal statistic)."""
    from scipy.stats import norm
    from scipy.stats import t as student

    if tests < 1 or dof < 1:
        raise ValueError(f"need tests >= 1 and dof >= 1; got {tests}, {dof}")
    return float(student.isf(norm.sf(sigmas) / tests, dof))


# ------------------------------------------------------------------ agreement tolerances by dtype


@dataclass(frozen=True)
class Tol:
    """|a - b| <= atol + rtol |b|: how closely two computations of the same value must agree."""

    rtol: float
    atol: float

    def bound(self, reference) -> float:
        return self.atol + self.rtol * float(np.max(np.abs(np.asarray(reference, dtype=np.float64))))

    def close(self, a, b) -> bool:
        """Every element of ``a`` within the tolerance of ``b`` (NumPy arrays or scalars)."""
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        return bool(np.all(np.abs(a - b) <= self.atol + self.rtol * np.abs(b)))


TOLERANCES: dict = {
    # ~4.5e3 u (u = 2^-53): the same float64 computation on another backend (CuPy, torch) or with another
    # reduction order (BLAS blocking, pairwise vs sequential sums). Reordering an n-term sum changes it by
    # at most about 2 gamma_n sum|terms|, and the compared reductions have up to a few thousand terms of one
    # sign. atol is pytest.approx's default floor, for values that cancel to zero in one order.
    np.float64: Tol(rtol=1e-12, atol=1e-12),
    # ~170 u (u = 2^-24): float32 libraries sum in blocks or pairwise, so reordering errors grow like
    # log(n) u rather than n u; 1e-5 covers that with a margin and is what torch.testing uses as atol.
    np.float32: Tol(rtol=1e-5, atol=1e-5),
    # ~20 u (u = 2^-11): half-precision reductions accumulate in float32, so only the final roundings of
    # inputs and output (a handful of u) remain.
    np.float16: Tol(rtol=1e-2, atol=1e-3),
    # ~13 u (u = 2^-8), same reasoning as float16; NumPy has no bfloat16 type, so it is keyed by name
    # (torch.bfloat16 and ml_dtypes' bfloat16 both print as "bfloat16").
    "bfloat16": Tol(rtol=5e-2, atol=1e-2),
}
"""The one table of agreement tolerances, keyed by NumPy scalar type (CuPy uses the same types)."""

OVERRIDES: dict[str, dict] = {
    # Tighter: a Monte Carlo mean computed in chunks and merged (Chan et al.) sees the same draws as one
    # pass; only the ~k additions merging k chunk sums differ, so 1e-13 (~450 u) already leaves room for
    # dozens of chunks. Used by the rademacher chunking test.
    "chunked_mean": {np.float64: Tol(rtol=1e-13, atol=1e-12)},
    # Looser: an SE from merged running variances. The merge adds (delta mean)^2 terms and the SE is a
    # square root of a difference of such sums: its relative error is the mean's times mean^2 / variance
    # (~1e2 for the estimates compared), so 1e-10.
    "merged_se": {np.float64: Tol(rtol=1e-10, atol=1e-12)},
}
"""Named, commented exceptions to ``TOLERANCES``: ``tolerance(dtype, override=name)``."""


def _key(dtype):
    """The table key of a NumPy/CuPy dtype, scalar type, array, dtype name, or torch dtype (by name)."""
    if not isinstance(dtype, (type, str, np.dtype)) and hasattr(dtype, "dtype"):
        dtype = dtype.dtype  # an array (NumPy, CuPy, torch): its dtype
    name = str(dtype).rsplit(".", 1)[-1]  # torch.float64 -> float64
    if name == "bfloat16":
        return "bfloat16"
    try:
        return np.dtype(dtype).type
    except TypeError:
        pass
    try:
        return np.dtype(name).type
    except TypeError:
        raise ValueError(f"no tolerance for dtype {dtype!r}") from None


def tolerance(dtype, override: str | None = None) -> Tol:
    """The agreement tolerance for ``dtype`` (NumPy or CuPy dtype, scalar type, array, name, or torch
    dtype), or the named override where one is declared for that dtype."""
    key = _key(dtype)
    if override is not None:
        table = OVERRIDES.get(override)
        if table is None:
            raise ValueError(f"no tolerance override named {override!r}; known: {sorted(OVERRIDES)}")
        if key in table:
            return table[key]
    try:
        return TOLERANCES[key]
    except KeyError:
        raise ValueError(f"no tolerance for dtype {dtype!r}") from None
