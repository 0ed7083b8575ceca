"""The symbolic side of Nagarajan & Kolter's linear counterexample: moments, Gram reduction, the test
error given w, the D condition and the eps_unif lemma."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from vacuity.theory import nk_linear as T

valid = st.tuples(st.integers(1, 5000), st.integers(1, 10**9), st.integers(1, 50),
                  st.floats(0.01, 10), st.floats(0.01, 10), st.floats(0.01, 1e3))


def test_gaussian_expectation_moments():
    a = sp.Symbol("a", real=True)
    v = sp.Symbol("v", positive=True)
    assert T.gaussian_expectation(a**4, {a: v}) == 3 * v**2
    assert T.gaussian_expectation(a**3 + a, {a: v}) == 0


def test_noise_norm_moments():
    mean, var = T.noise_norm_moments()
    assert sp.simplify(mean - T.n * T.s2) == 0
    assert sp.simplify(var - 2 * T.n**2 * T.s2**2 / T.D) == 0


def test_margin_moments_and_rank_one_agree():
    m, v, cv = T.noise_margin_moments()
    assert sp.simplify(m - T.s2) == 0
    assert sp.simplify(v - (T.n + 1) * T.s2**2 / T.D) == 0
    assert sp.simplify(cv - T.s2**2 / T.D) == 0
    assert all(sp.simplify(a - b) == 0 for a, b in zip((m, v, cv), T.rank_one_moments()))
    mt, _ = T.train_margin_moments()
    ms, _ = T.s_prime_margin_moments()
    assert sp.simplify(mt - (T.c * T.cp + T.s2)) == 0
    assert sp.simplify(ms - (T.c * T.cp - T.s2)) == 0


@pytest.mark.parametrize("n_value", [1, 2])
def test_gram_reduction(n_value):
    proof = T.prove_gram_reduction(n_value, D_value=2, K_value=3)
    assert proof.holds and proof.patterns == 2**n_value


def test_test_error_given_w_and_threshold():
    err = T.test_error_given_w()
    # s^2 / D, not s^2: the error depends on D
    assert err.has(T.D)
    val = float(err.subs({T.c: 2, T.cp: 2, T.s2: 32, T.D: 10**4, T.W2: 100 * 32}))
    assert val == pytest.approx(0.5 * math.erfc(4 * math.sqrt(1e4 / (32 * 3200)) / math.sqrt(2)), rel=1e-12)
    z = sp.Symbol("z_epsilon", positive=True)
    assert sp.simplify(err.subs(T.W2, T.test_error_norm_threshold()) - T.normal_cdf(-z)) == 0


def test_lemma():
    assert T.prove_eps_unif_lemma()
    assert not T.prove_eps_unif_lemma(lambda e: 1)  # a gap of 1 is not guaranteed
    assert not T.prove_eps_unif_lemma(lambda e: 1 - e / 2)
    assert T.prove_good_pair_positive()


def test_good_pair_positivity_is_proved_for_every_delta_not_one_value():
    """1 - 3 delta > 0 at delta = 1/4 alone would pass for 1 - 4.1 delta; the proof over all of (0, 1/3)
    rejects bounds that go negative anywhere there, and a bound that is positive everywhere passes."""
    assert not T.prove_good_pair_positive(1 - 4 * T.delta)  # zero at 1/4
    assert not T.prove_good_pair_positive(1 - sp.Rational(41, 10) * T.delta)
    assert (1 - sp.Rational(39, 10) * T.delta).subs(T.delta, sp.Rational(1, 4)) > 0  # positive at 1/4 ...
    assert not T.prove_good_pair_positive(1 - sp.Rational(39, 10) * T.delta)  # ... but not on (0, 1/3)
    assert T.prove_good_pair_positive(1 - 2 * T.delta)


def test_theory_imports_no_scipy():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(T))
    names = {a.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module}
    assert "scipy" not in names, names


def test_z_eps_matches_scipy_ndtri():
    from scipy.special import ndtri

    for e in (0.5, 0.1, 0.01, 1e-3, 1e-6, 1e-12):
        z = T.condition_terms(10, 1e6, e, 0.01, 0.125)[3]
        assert z == pytest.approx(float(ndtri(1 - e)), rel=4e-16, abs=4e-16)


def test_fourth_moments_reduce_to_chi_square_at_n_1():
    """n = 1: x = sigma^2 (Q - D), E x^4 = sigma^8 12 D (D + 4) (chi-square's fourth central moment)."""
    m4, _ = T.margin_fourth_moments()
    assert sp.simplify(m4.subs(T.n, 1) - (T.s2 / T.D) ** 4 * 12 * T.D * (T.D + 4)) == 0


@given(valid)
def test_setting_accepts_valid(params):
    n, D, K, c, cp, s2 = params
    s = T.Setting(n, D, K, c, cp, s2)
    assert s.rho == pytest.approx(c * cp / s2)
    mom = T.margin_moments(s)
    assert mom["var"] == pytest.approx((n + 1) * s2**2 / D, rel=1e-12)
    assert mom["train_mean"] + mom["s_prime_mean"] == pytest.approx(2 * c * cp)
    assert T.expected_norm2(s) == pytest.approx(n * s2)


@pytest.mark.parametrize("kw,match", [
    ({"n": 0, "D": 10}, "n must"), ({"n": 3, "D": 0}, "D must"), ({"n": 3, "D": 10, "K": 0}, "K must"),
    ({"n": 3, "D": 10, "s2": -1.0}, "s2"), ({"n": 3, "D": 10, "c": 0.0}, "c must"),
    ({"n": 3, "D": 10, "c_prime": float("nan")}, "c_prime"), ({"n": 2.5, "D": 10}, "n must"),
])
def test_setting_rejects_invalid(kw, match):
    with pytest.raises(ValueError, match=match):
        T.Setting(**kw)


@given(st.integers(1, 10**5), st.floats(1e-4, 0.4), st.floats(1e-4, 0.4), st.floats(0.01, 0.95))
def test_sufficient_D_is_minimal_and_monotone(n, eps, delta, rho):
    d = T.sufficient_D(n, eps, delta, rho)
    assert T.condition_holds(n, d, eps, delta, rho)
    assert d == 1 or not T.condition_holds(n, d - 1, eps, delta, rho)
    assert T.sufficient_D(2 * n, eps, delta, rho) >= d  # more points need more dimensions


def test_sufficient_D_approaches_leading_order():
    z = 2.3263478740408408  # Phi^-1(0.99)
    for n in (10**4, 10**6):
        d = T.sufficient_D(n, 0.01, 0.01, 0.125)
        lead = float(T.asymptotic_D().subs({T.n: n, T.delta: 0.01, sp.Symbol("rho", positive=True): 0.125,
                                            sp.Symbol("z_epsilon", positive=True): z}))
        assert 1 <= d / lead < 1.02


def test_sufficient_D_rejects_no_counterexample():
    with pytest.raises(ValueError, match="c c'"):
        T.sufficient_D(10, 0.1, 0.1, 1.5)
    with pytest.raises(ValueError, match="eps"):
        T.sufficient_D(10, 1.5, 0.1, 0.5)


def test_expected_test_error_near_approximation_at_large_D():
    from vacuity.kernels import nk_linear as K

    s = T.Setting(64, 4000)
    assert K.expected_test_error(64, 4000, s.c, s.c_prime, s.s2) == pytest.approx(T.approx_test_error(s), rel=2e-2)
    assert K.log10_conditional_test_error(10**9, 2.0, 2.0, 32.0, 4096 * 32.0) < -800
