"""The symbolic side of Nagarajan & Kolter's linear counterexample: moments, Gram reduction, the test
error given w, the D condition and the eps_unif lemma."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given, settings
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


def test_replicate_statistics_reduce_to_chi_square_at_n_1():
    """n = 1: x = sigma^2 (Q - D), V = x^2, Var V = sigma^8 (E (Q - D)^4 - (2D)^2) = sigma^8 (12 D (D + 4)
    - 4 D^2), chi-square's fourth central moment."""
    rs = T.replicate_statistic_moments()
    sig2 = T.s2 / T.D
    assert sp.simplify(rs["V"][1].subs(T.n, 1) - sig2**4 * (12 * T.D * (T.D + 4) - 4 * T.D**2)) == 0
    assert sp.simplify(rs["W_sq"][1] - (T.n * sig2) ** 4 * (12 * T.D * (T.D + 4) - 4 * T.D**2)) == 0


def test_replicate_statistic_means_are_the_stated_moments():
    rs = T.replicate_statistic_moments()
    stated = T.stated_moments()
    for key, target in (("V", "noise_var"), ("P", "noise_cov"), ("W", "norm_mean"), ("W_sq", "norm_var")):
        assert sp.simplify(rs[key][0] - stated[target]) == 0


def test_replicate_statistic_variances_by_simulation():
    """The derived variances of V and P (which set the check's tolerances) against 200,000 rank-one
    draws at (16, 32): the sample variance within 6 of its standard errors (estimated from the draws)."""
    from vacuity.kernels import nk_linear as K

    G1, _ = K.rank_one_batch(16, 32, 200_000, seed=3)
    per = K.replicate_statistics(G1, 32.0)
    vals = T.replicate_statistic_values(T.Setting(16, 32))
    for key in ("V", "P"):
        x = per[key]
        d2 = (x - x.mean()) ** 2
        assert abs(d2.mean() - vals[key][1]) <= 6 * d2.std() / math.sqrt(x.size), key


def test_stated_moments_are_the_derived_ones():
    stated = T.stated_moments()
    En, Vn = T.noise_norm_moments()
    m, v, cv = T.noise_margin_moments()
    for a, b in ((En, "norm_mean"), (Vn, "norm_var"), (m, "noise_mean"), (v, "noise_var"), (cv, "noise_cov")):
        assert sp.simplify(a - stated[b]) == 0


def test_ramp_expectation_is_proved_and_a_wrong_form_rejected():
    assert T.prove_ramp_expectation()
    assert not T.prove_ramp_expectation(lambda mu, tau: T.normal_cdf(-mu / tau))
    assert not T.prove_ramp_expectation(lambda mu, tau: T.normal_cdf((T.gam - mu) / tau))


def test_ramp_expectation_matches_mpmath_quadrature():
    import mpmath as mp

    mu, tau, g = 2.0, 1.3, 0.7
    f = sp.lambdify((sp.Symbol("mu"), sp.Symbol("tau", positive=True), T.gam),
                    T.ramp_expectation(sp.Symbol("mu"), sp.Symbol("tau", positive=True)), "mpmath")
    pdf = lambda m: mp.npdf(m, mu, tau)  # noqa: E731
    ref = mp.ncdf(0, mu, tau) + mp.quad(lambda m: (1 - m / g) * pdf(m), [0, g])
    assert float(f(mu, tau, g)) == pytest.approx(float(ref), rel=1e-12)
    assert float(T.ramp_loss(sp.Float(0.35), sp.Float(0.7))) == pytest.approx(0.5)


def test_ramp_gap_clause():
    assert T.prove_ramp_gap()
    assert not T.prove_ramp_gap(lambda eg: 1 - eg / 2)
    assert not T.prove_ramp_gap(lambda eg: 1 + 0 * eg)


def test_gram_reduction_rejects_s_prime_without_the_flip():
    assert not T.prove_gram_reduction(1, s_prime_sign=+1).holds
    assert not T.prove_gram_reduction(2, K_value=3, s_prime_sign=+1).holds


@settings(max_examples=30)
@given(st.integers(1, 10**5), st.floats(1e-4, 0.4), st.floats(1e-4, 0.4), st.floats(0.01, 0.95),
       st.floats(0.05, 1.0))
def test_sufficient_D_lies_in_its_bracket(n, eps, delta, rho, frac):
    rho_t = frac * rho
    d = T.sufficient_D(n, eps, delta, rho, rho_t)
    lo, hi = T.sufficient_D_bracket(n, eps, delta, rho, rho_t)
    assert lo <= d <= hi
    assert T.sufficient_D(n, eps, delta, rho, rho_t) >= T.sufficient_D(n, eps, delta, rho)  # gamma > 0 needs more


def test_sufficient_D_rejects_a_ramp_margin_beyond_the_signal():
    with pytest.raises(ValueError, match="gamma"):
        T.sufficient_D(10, 0.1, 0.1, 0.5, 0.6)


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
                                            sp.Symbol("rho_t", positive=True): 0.125,
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
