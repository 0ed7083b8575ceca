"""Error-free transformations and extended-precision sums, against exact rational arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import to_numpy
from tests.helpers import exact_prefix_sums, fr, ns, xp_settings
from tests.strategies import seeds
from vacuity.kernels.extended import U, accurate_sum, exact_prefix, gamma, two_prod, two_sum

# two_sum is error-free for any finite operands whose sum does not overflow (subnormals included).
sum_operands = st.floats(-1e307, 1e307, allow_nan=False, allow_infinity=False)


def _dyadic(lo: int, hi: int):
    """m * 2**e with |m| < 2**53 (exactly representable), e in [lo, hi]: a float range built by
    construction, far from overflow and from underflow of Dekker's error term."""
    return st.builds(math.ldexp, st.integers(-(2**53 - 1), 2**53 - 1), st.integers(lo, hi))


prod_operands = _dyadic(-480, 400) | st.sampled_from([0.0, 1.0, -1.0, 0.1, 1.0 / 3.0, 2.0**400, 2.0**-450])


# ------------------------------------------------------------------------------- two_sum / two_prod


@given(sum_operands, sum_operands)
def test_two_sum_is_error_free(a, b):
    s, e = two_sum(a, b)
    assert s == a + b
    assert Fraction(s) + Fraction(e) == Fraction(a) + Fraction(b)
    assert abs(e) <= U * abs(s)  # the error is the rounding of s: at most half an ulp


@given(prod_operands, prod_operands)
def test_two_prod_is_error_free(a, b):
    p, e = two_prod(a, b)
    assert p == a * b
    assert Fraction(p) + Fraction(e) == Fraction(a) * Fraction(b)


@xp_settings
@given(seeds, st.integers(1, 300), st.sampled_from([1e-200, 1e-8, 1.0, 1e8, 1e200]))
def test_two_sum_two_prod_arrays(xp, seed, n, scale):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n) * scale
    b = rng.standard_normal(n) * scale * rng.choice([1e-20, 1.0, 1e20], n)
    c = rng.standard_normal(n)
    s, e = (to_numpy(v) for v in two_sum(xp.asarray(a), xp.asarray(b)))
    p, f = (to_numpy(v) for v in two_prod(xp.asarray(a), xp.asarray(c)))
    for i in range(n):
        assert Fraction(s[i]) + Fraction(e[i]) == Fraction(a[i]) + Fraction(b[i])
        assert Fraction(p[i]) + Fraction(f[i]) == Fraction(a[i]) * Fraction(c[i])


def test_two_sum_catches_what_plain_addition_loses():
    s, e = two_sum(1.0, 1e-20)
    assert s == 1.0 and e == 1e-20
    p, f = two_prod(1.0 + 2.0**-30, 1.0 + 2.0**-30)
    assert p == 1.0 + 2.0**-29 and f == 2.0**-60


# ------------------------------------------------------------------------------------- gamma


def test_gamma_values():
    assert gamma(0) == 0.0
    assert gamma(1) >= U
    assert gamma(2**53) == math.inf
    assert gamma(2**54) == math.inf
    ks = [1, 2, 3, 10, 1000, 10**6, 10**12, 2**52]
    vals = [gamma(k) for k in ks]
    assert all(v2 > v1 for v1, v2 in zip(vals, vals[1:]))
    assert all(gamma(k) >= k * U for k in ks)


def test_gamma_on_arrays_is_elementwise():
    k = np.array([0.0, 1.0, 4.0, 1003.0, 2.0**53, 2.0**54])
    g = gamma(k)
    assert g.tolist()[:4] == [gamma(0.0), gamma(1.0), gamma(4.0), gamma(1003.0)]
    assert np.all(np.isinf(g[4:]))


@given(st.integers(1, 400))
def test_gamma_bounds_k_roundings(k):
    """gamma(k) >= (1 + u)^k - 1: it bounds the relative error of k successive roundings."""
    exact = (1 + Fraction(U)) ** k - 1
    assert Fraction(gamma(k)) >= exact
    assert Fraction(gamma(k)) <= Fraction(k * U) / (1 - Fraction(k * U)) * (1 + Fraction(U))


# ------------------------------------------------------------------------------ accurate_sum


@st.composite
def _term_lists(draw):
    """K arrays of length m with huge cancellation: random terms, their negations, and tiny ones."""
    rng = np.random.default_rng(draw(seeds))
    k = draw(st.integers(1, 12))
    m = draw(st.integers(1, 50))
    scale = draw(st.sampled_from([1e-100, 1.0, 1e100]))
    terms = [rng.standard_normal(m) * scale * 10.0 ** rng.integers(-30, 30, m) for _ in range(k)]
    if k >= 3 and draw(st.booleans()):
        terms[1] = -terms[0] * (1 + rng.standard_normal(m) * 2.0**-40)  # near-total cancellation
        terms[2] = -terms[0]
    return terms


@xp_settings
@given(_term_lists())
def test_accurate_sum_error_bound(xp, terms):
    s, err = accurate_sum([xp.asarray(t) for t in terms], ns(xp))
    s, err = to_numpy(s), to_numpy(err)
    for i in range(terms[0].shape[0]):
        exact = sum((fr(t[i]) for t in terms), Fraction(0))
        assert abs(fr(s[i]) - exact) <= fr(err[i])


def test_accurate_sum_is_faithful_where_naive_sum_fails():
    terms = [np.array([1e16]), np.array([1.0]), np.array([-1e16]), np.array([1e-5])]
    s, err = accurate_sum(terms, np)
    assert (1e16 + 1.0 - 1e16) + 1e-5 != 1.0 + 1e-5  # the naive sum loses the 1
    assert abs(Fraction(float(s[0])) - (Fraction(1) + Fraction(1e-5))) <= Fraction(float(err[0]))
    # the documented bound u|s| + gamma(K-1)^2 sum|terms| (K = 4), not the naive error of 1
    k = len(terms)
    documented = U * abs(s[0]) + gamma(k - 1) ** 2 * sum(abs(float(t[0])) for t in terms)
    assert err[0] >= documented
    assert err[0] <= documented * (1 + 1e-10)
    assert err[0] < 1e-14


# ----------------------------------------------------------------------------- exact_prefix


@st.composite
def _prefix_parts(draw):
    """1 or 2 equally long parts (e.g. the hi/lo of a TwoProduct), with cancellation and wide range."""
    rng = np.random.default_rng(draw(seeds))
    n = draw(st.integers(0, 400))
    kind = draw(st.sampled_from(["gaussian", "wide", "cancel", "twoprod"]))
    if kind == "gaussian":
        parts = [rng.standard_normal(n) * draw(st.sampled_from([1e-150, 1.0, 1e150]))]
    elif kind == "wide":
        parts = [rng.standard_normal(n) * 10.0 ** rng.integers(-60, 60, n)]
    elif kind == "cancel":  # +x, tiny, -x, ... : prefix sums swing by 1e20 around values near 1
        big = rng.standard_normal(n) * 1e20
        big[1::2] = -big[0::2][: n // 2]
        parts = [big + rng.standard_normal(n) * (rng.random(n) < 0.3)]
    else:
        w = rng.standard_normal(n) * 10.0 ** rng.integers(-10, 10, n)
        b = rng.standard_normal(n)
        parts = list(two_prod(w, b))
    return parts


@xp_settings
@given(_prefix_parts(), st.integers(0, 4))
def test_exact_prefix_error_bound(xp, parts, levels):
    comps, err = exact_prefix([xp.asarray(p) for p in parts], ns(xp), max_levels=levels)
    comps = [to_numpy(c) for c in comps]
    err = to_numpy(err)
    n = parts[0].shape[0]
    assert all(c.shape == (n + 1,) for c in comps)
    assert err.shape == (n + 1,)
    assert len(comps) <= levels + 1
    exact = [Fraction(0)]
    for j in range(n):
        exact.append(exact[-1] + sum((fr(p[j]) for p in parts), Fraction(0)))
    for k in range(n + 1):
        got = sum((fr(c[k]) for c in comps), Fraction(0))
        assert abs(got - exact[k]) <= fr(err[k]), (k, float(got - exact[k]), err[k])


def test_exact_prefix_huge_cancellation_is_exact():
    """1e20, 1, -1e20, 1, ...: the float cumulative sum returns 0 everywhere; exact_prefix gets every
    prefix exactly right (the err bound is 0 because nothing is left after extraction)."""
    n = 200
    v = np.empty(n)
    v[0::2] = 1e20
    v[1::2] = 1.0
    v[2::4] = -1e20
    comps, err = exact_prefix([v], np)
    exact = exact_prefix_sums(v)
    naive = np.concatenate([[0.0], np.cumsum(v)])
    assert any(Fraction(naive[k]) != exact[k] for k in range(n + 1))
    for k in range(n + 1):
        assert sum((fr(c[k]) for c in comps), Fraction(0)) == exact[k]
    assert np.all(err >= 0)


def test_exact_prefix_empty_and_zero():
    comps, err = exact_prefix([np.zeros(0)], np)
    assert [c.tolist() for c in comps] == [[0.0]] and err.tolist() == [0.0]
    comps, err = exact_prefix([np.zeros(5)], np)
    assert all(np.all(c == 0) for c in comps) and np.all(err == 0)


def test_exact_prefix_default_runs_until_exact():
    """By default extraction continues until nothing remains: any dynamic range, zero error."""
    rng = np.random.default_rng(3)
    v = rng.standard_normal(500) * 10.0 ** rng.integers(-150, 150, 500)
    comps, err = exact_prefix([v], np)
    exact = exact_prefix_sums(v)
    assert np.all(err == 0)
    for k in range(501):
        assert sum((fr(c[k]) for c in comps), Fraction(0)) == exact[k]


@pytest.mark.parametrize("levels", [0, 1, 3])
def test_exact_prefix_levels_reduce_error(levels):
    """More extraction levels can only shrink the remainder's error bound (0 levels = plain cumsum)."""
    rng = np.random.default_rng(7)
    v = rng.standard_normal(1000) * 10.0 ** rng.integers(-40, 40, 1000)
    _, e0 = exact_prefix([v], np, max_levels=0)
    _, e = exact_prefix([v], np, max_levels=levels)
    assert np.all(e <= e0)
    if levels:
        assert np.max(e) < np.max(e0)


def test_unit_roundoff_table_is_keyed_by_dtype():
    import torch

    from vacuity.kernels.extended import U, unit_roundoff

    assert unit_roundoff(np.float64) == unit_roundoff(np.dtype("float64")) == U == np.finfo(np.float64).eps / 2
    assert unit_roundoff(torch.float32) == np.finfo(np.float32).eps / 2
    assert unit_roundoff("float16") == np.finfo(np.float16).eps / 2
    with pytest.raises(ValueError, match="no rounding unit"):
        unit_roundoff(np.int64)
