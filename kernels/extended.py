"""Extended-precision building blocks on float64 arrays of any namespace (NumPy, CuPy, torch).

Why this module exists: the memorizer's matrix A (Zhang et al., Lemma 1) is so ill-conditioned that a
float64 residual y - A w is dominated by the rounding of its own evaluation. Verifying the solve needs
the residual to far more than 53 bits. Everything here is built from error-free transformations (Knuth's
TwoSum, Dekker's TwoProduct, Rump-Ogita-Oishi extraction), each a handful of elementwise float64
operations, so it vectorizes on every backend and never depends on an FMA or on summation order.

All bounds use the unit roundoff ``U = 2**-53`` and Higham's ``gamma(k) = k U / (1 - k U)``.
"""

from __future__ import annotations

import math

U = 2.0**-53
"""Unit roundoff of IEEE binary64 (half of machine epsilon); the kernels compute in float64."""

TINY = 2.0**-1074
"""Smallest subnormal: in the underflow range a rounding errs by up to TINY / 2 absolutely, so every
bound below carries a (normally negligible) absolute term in TINY as well as its relative one."""

_SPLITTER = 134217729.0  # 2**27 + 1, Dekker's split constant for binary64


UNIT_ROUNDOFF = {
    "float64": 2.0**-53,
    "float32": 2.0**-24,
    "float16": 2.0**-11,
    "bfloat16": 2.0**-8,
}
"""The one table of rounding units, keyed by dtype name; every tolerance is derived from it."""


def unit_roundoff(dtype) -> float:
    """u for a NumPy, CuPy or torch dtype (or its name)."""
    name = getattr(dtype, "__name__", None) or str(dtype).rsplit(".", 1)[-1]
    try:
        return UNIT_ROUNDOFF[name]
    except KeyError:
        raise ValueError(f"no rounding unit for dtype {dtype!r}") from None


def gamma(k, u: float = U):
    """Higham's gamma_k = k u / (1 - k u): bounds the relative error of k successive roundings.
    ``k`` may be an array (of any namespace): then elementwise, inf where k u >= 1."""
    ku = k * u
    if isinstance(ku, (int, float)):
        if ku >= 1.0:
            return math.inf
        return ku / (1.0 - ku)
    from array_api_compat import array_namespace

    xp = array_namespace(ku)
    safe = xp.where(ku < 1.0, ku, 0.0)
    return xp.where(ku < 1.0, safe / (1.0 - safe), math.inf)


def two_sum(a, b):
    """s + e == a + b exactly, s = fl(a + b) (Knuth; no ordering assumption)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def _split(a):
    t = _SPLITTER * a
    hi = t - (t - a)
    return hi, a - hi


def two_prod(a, b):
    """p + e == a * b exactly, p = fl(a * b) (Dekker; valid while |a|, |b| < 2**996)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def accurate_sum(terms, xp):
    """Sum2 of Ogita, Rump & Oishi (2005) over a list of equally shaped arrays, elementwise.

    Returns ``(s, err)``: ``s`` approximates the exact sum and ``|s - exact| <= err`` with
    ``err = U |s| + gamma(K-1)**2 * sum|terms|`` (their Proposition 4.5; additions never underflow
    inexactly, so no absolute term is needed here).
    """
    s = terms[0]
    comp = xp.zeros_like(s)
    absum = xp.abs(s)
    for t in terms[1:]:
        s, e = two_sum(s, t)
        comp = comp + e
        absum = absum + xp.abs(t)
    s = s + comp
    k = len(terms)
    # absum is itself a float sum of nonnegative terms: inflate by (1 + gamma(k)) to stay an upper bound.
    err = U * (1.0 + 2.0 * U) * xp.abs(s) + gamma(k - 1) ** 2 * (1.0 + gamma(k)) * absum
    return s, err


_NORMAL_PRODUCT = 2.0**-969  # above this |a*b| Dekker's TwoProduct is exact: a*b - p is representable


def underflow_slack(a, b, p, xp):
    """Absolute error allowance for a product p = fl(a*b) (or its TwoProduct) that may have
    underflowed: TINY where |p| is too small for the error-free transformation and neither factor is
    zero (a zero factor makes the product exact), else 0."""
    risky = (xp.abs(p) < _NORMAL_PRODUCT) & (a != 0) & (b != 0)
    return xp.where(risky, TINY, 0.0)


def _extraction_sigma(max_abs: float, n_terms: int) -> float:
    # sigma = 2**M * 2**ceil(log2 max|p|) with 2**M >= n_terms + 2 makes every partial sum of the
    # extracted parts an exact multiple of U*sigma bounded by sigma (Rump, Ogita & Oishi 2008, Lemma 3.3).
    m = math.ceil(math.log2(n_terms + 2))
    _, e = math.frexp(max_abs)  # max_abs < 2**e
    return math.ldexp(1.0, m + e)


def exact_prefix(parts, xp, max_levels: int = 64):
    """Prefix sums of ``sum(parts)`` (1-D arrays of equal length n) to far beyond float64.

    Returns ``(components, err)``. ``components`` is a list of arrays of length n + 1 (leading 0);
    the exact prefix sum P_k = sum_{j<k} sum(parts)_j satisfies |P_k - sum(components)_k| <= err_k.
    Each extraction level peels off the high-order parts of what remains on a grid where their
    cumulative sum is *exact*; levels continue until nothing remains (then err = 0) or ``max_levels``
    is reached, so values of any dynamic range are summed exactly. Each level gains about
    53 - log2(n) bits, so typical data needs 2-4 levels.
    """
    n = parts[0].shape[0]
    n_terms = n * len(parts)
    rest = list(parts)
    components = []
    for _ in range(max_levels):
        max_abs = max(float(xp.max(xp.abs(p))) if n else 0.0 for p in rest)
        if max_abs == 0.0:
            break
        sigma = _extraction_sigma(max_abs, n_terms)
        high = None
        for idx, p in enumerate(rest):
            q = (sigma + p) - sigma  # exact: p = q + (p - q) with q on the grid U*sigma
            rest[idx] = p - q
            high = q if high is None else high + q  # exact: both on the grid, |sum| <= sigma
        components.append(xp.cumulative_sum(high, include_initial=True))
    tail = rest[0]
    tail_abs = xp.abs(rest[0])
    for p in rest[1:]:
        tail = tail + p  # error folded into err below via |p| terms
        tail_abs = tail_abs + xp.abs(p)
    if not components or float(xp.max(tail_abs)) > 0.0:
        components.append(xp.cumulative_sum(tail, include_initial=True))
    # Any-order float summation of m terms errs by at most gamma(m-1) * sum|terms|; the elementwise
    # combination of the rest parts adds one more rounding per part.
    err = gamma(n_terms + len(parts)) * (1.0 + gamma(n_terms + 1)) * xp.cumulative_sum(
        tail_abs, include_initial=True
    )
    return components, err
