"""The Rademacher theory: derivations agree with the stated bounds, numeric versions validate their
input, and wrong constants or rates are told apart from the right ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import confidences, radii, sample_sizes
from vacuity.theory import rademacher as T
from vacuity.theory import rates


@pytest.mark.parametrize("dim", [1, 2, 3, 4])
def test_linear_sup_is_cauchy_schwarz(dim):
    assert T.prove_linear_sup(dim).holds


@pytest.mark.parametrize("size", range(1, 7))
def test_second_moment_by_enumeration(size):
    assert T.prove_second_moment(size, dim=2)


def test_second_moment_general_collapses_to_trace():
    collapsed, trace = T.second_moment_general()
    assert collapsed == trace


def test_second_moment_general_needs_uncorrelated_signs(monkeypatch):
    """If E[σ_i σ_j] were not 0 off the diagonal the double sum would not collapse to the trace."""
    original = T.sign_correlation
    monkeypatch.setattr(T, "sign_correlation", lambda same: original(same) if same else sp.Rational(1, 2))
    collapsed, trace = T.second_moment_general()
    assert collapsed != trace


def test_linear_bound_derived_equals_stated():
    assert T.sqrt_is_concave()
    assert T.same_expression(T.derive_linear_bound(), T.linear_bound())
    assert T.linear_rate_exponent() == sp.Rational(-1, 2)


def test_massart_derivation():
    t_star, bound = T.derive_massart()
    assert T.same_expression(bound, T.massart_bound())
    assert T.same_expression(t_star, sp.sqrt(2 * sp.log(T.N)) / T.R_A)
    assert T.cosh_below_gaussian()


def test_cosh_below_gaussian_is_proved_for_every_k():
    proof = T.prove_cosh_below_gaussian()
    assert proof.holds
    assert sp.simplify(proof.step - 1 / (2 * sp.Symbol("k", integer=True, nonnegative=True) + 1)) == 0


@pytest.mark.parametrize("lhs, rhs", [
    (None, lambda k: 1 / (3**k * sp.factorial(k))),  # cosh t <= exp(t^2/3): false (t^2 coefficient 1/2 > 1/3)
    (lambda k: 2 / sp.factorial(2 * k), None),  # 2 cosh t: false at t = 0
    # true for the first 40 coefficients, false from k = 41 on: a check of finitely many k passes it
    (lambda k: 1 / sp.factorial(2 * k) * sp.Rational(101, 100) ** sp.Max(k - 40, 0), None),
])
def test_cosh_below_gaussian_refuses_a_wrong_pair(lhs, rhs):
    assert not T.prove_cosh_below_gaussian(lhs, rhs).holds


def test_same_expression_never_accepts_an_identity_true_at_one_point():
    """n and 2n - 10/21 agree at n = 10/21, the single rational point the old check evaluated."""
    assert not T.same_expression(T.n, 2 * T.n - sp.Rational(10, 21))
    assert not T.same_expression(T.R_hat + T.n, T.R_hat + 2 * T.n - sp.Rational(10, 21))
    assert not T.same_expression(sp.log(T.n), sp.log(2 * T.n))
    # equal for positive symbols only: log(n delta) = log n + log delta, sqrt(n^2) = n
    assert T.same_expression(sp.log(T.n * T.delta), sp.log(T.n) + sp.log(T.delta))
    assert T.same_expression(sp.sqrt(T.n**2), T.n)


def test_theorem_3_3_and_3_5_derived_equal_stated():
    assert T.same_expression(T.derive_bound_expected(), T.bound_expected())
    assert T.same_expression(T.derive_bound_empirical(), T.bound_empirical())
    assert T.same_expression(T.derive_bound_binary(), T.bound_binary())
    assert T.same_expression(T.derive_bound_binary_expected(), T.bound_binary_expected())
    wrong = 2 * T.R_m_H + sp.sqrt(sp.log(1 / T.delta) / (2 * T.n))
    assert not T.same_expression(T.derive_bound_binary_expected(), wrong)
    assert T.zero_one_loss_identity()
    assert all(T.sign_flip_is_bijection(m) for m in range(1, 6))


@pytest.mark.parametrize("wrong", [
    2 * T.R_hat + 3 * sp.sqrt(sp.log(1 / T.delta) / (2 * T.n)),  # log(1/δ) in place of log(2/δ)
    2 * T.R_hat + 3 * sp.sqrt(sp.log(2 / T.delta) / T.n),  # 1/n in place of 1/(2n)
    2 * T.R_hat + 3 * sp.log(2 / T.delta) / (2 * T.n),  # rate 1/n
    T.R_hat + 3 * sp.sqrt(sp.log(2 / T.delta) / (2 * T.n)),  # missing factor 2
    2 * T.R_hat + 2 * sp.sqrt(sp.log(2 / T.delta) / (2 * T.n)),  # 2 in place of 3
])
def test_wrong_empirical_bounds_are_told_apart(wrong):
    assert not T.same_expression(T.derive_bound_empirical(), wrong)


@pytest.mark.parametrize("wrong", [
    T.R_m + sp.sqrt(sp.log(1 / T.delta) / (2 * T.n)),
    2 * T.R_m + sp.sqrt(sp.log(2 / T.delta) / (2 * T.n)),
    2 * T.R_m + sp.sqrt(sp.log(1 / T.delta) / (2 * T.n**2)),
])
def test_wrong_expected_bounds_are_told_apart(wrong):
    assert not T.same_expression(T.derive_bound_expected(), wrong)


def test_vacuity_threshold():
    assert T.same_expression(T.vacuity_threshold(), T.vacuity_threshold_stated())
    assert all(T.agreement_identity(m) for m in range(1, 5))
    # at the threshold the stated bound is exactly 1
    n_, d_ = 400, 0.05
    assert T.bound_binary_value(T.vacuity_threshold_value(n_, d_), n_, d_) == pytest.approx(1.0, abs=1e-12)


# ------------------------------------------------------------------------- numeric versions


@given(sample_sizes, radii, radii)
def test_linear_bound_value(n_, r_, lam_):
    v = T.linear_bound_value(n_, r_, lam_)
    assert v == pytest.approx(r_ * lam_ / math.sqrt(n_), rel=1e-12)
    assert T.linear_bound_value(n_ + 1, r_, lam_) < v


@given(sample_sizes, confidences, st.floats(0, 10))
def test_bound_values_monotone(n_, d_, comp):
    e = T.bound_empirical_value(comp, n_, d_)
    x = T.bound_expected_value(comp, n_, d_)
    b = T.bound_binary_value(comp, n_, d_)
    assert e == pytest.approx(2 * comp + 3 * math.sqrt(math.log(2 / d_) / (2 * n_)), rel=1e-9)
    assert x == pytest.approx(2 * comp + math.sqrt(math.log(1 / d_) / (2 * n_)), rel=1e-9)
    assert b == pytest.approx(comp + 3 * math.sqrt(math.log(2 / d_) / (2 * n_)), rel=1e-9)
    assert e >= x  # the empirical form pays 3 sqrt(log(2/δ)) for not knowing the expectation
    assert T.bound_empirical_value(comp, n_ + 1, d_) <= e
    assert T.bound_empirical_value(comp, n_, d_ + (1 - d_) / 2) <= e  # a larger delta, still < 1


@given(st.floats(1e-3, 1e3), st.integers(1, 10**6), sample_sizes)
def test_massart_value(rmax, size, n_):
    assert T.massart_value(rmax, size, n_) == pytest.approx(rmax * math.sqrt(2 * math.log(size)) / n_, rel=1e-12,
                                                            abs=1e-300)


@pytest.mark.parametrize("call, match", [
    (lambda: T.linear_bound_value(0), "n must be an integer >= 1"),
    (lambda: T.linear_bound_value(2.5), "n must be an integer >= 1"),
    (lambda: T.linear_bound_value(10, r_value=0.0), "r must be positive"),
    (lambda: T.linear_bound_value(10, lam_value=-1.0), "Lambda must be positive"),
    (lambda: T.bound_empirical_value(0.1, 10, 0.0), "delta must lie in"),
    (lambda: T.bound_empirical_value(0.1, 10, 1.0), "delta must lie in"),
    (lambda: T.bound_expected_value(0.1, 10, 1.5), "delta must lie in"),
    (lambda: T.bound_expected_value(-0.1, 10, 0.5), "non-negative"),
    (lambda: T.bound_binary_value(0.5, 10, 0.05, train_error=1.5), "train error"),
    (lambda: T.massart_value(1.0, 0, 10), r"\|A\|"),
    (lambda: T.vacuity_threshold_value(0, 0.05), "n must be"),
])
def test_invalid_parameters_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@given(st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0)).filter(lambda v: not math.isnan(v)))
def test_delta_outside_unit_interval_is_refused(d_):
    with pytest.raises(ValueError, match="delta"):
        T.check_delta(d_)


def test_rated_bounds_registered_with_their_rate():
    for b in T.rated_bounds():
        assert rates.BOUNDS[b.name] == b
        assert rates.derived_exponent(b.expr) == b.rate_exponent
    from vacuity.proofs_checked.core.registry import CLAIMS

    assert "vacuity.theory.rademacher" in CLAIMS["rademacher-linear"].modules("theory")


def test_rated_bound_refuses_a_wrong_rate(monkeypatch):
    monkeypatch.setattr(T, "linear_bound", lambda: T.r * T.Lam / T.n)
    with pytest.raises(ValueError, match="scales as n"):
        T.rated_bounds()


# ------------------------------------------------ the proofs' negative controls and tightness laws


def test_enumerations_refuse_wrong_right_hand_sides():
    assert all(not T.prove_second_moment(m, claimed=T.wrong_second_moment) for m in (2, 3))
    assert T.prove_second_moment(1, claimed=T.wrong_second_moment)  # one point: no cross term to tell
    assert all(T.prove_second_moment_variance(m) for m in range(1, 5))
    assert not T.prove_second_moment_variance(3, claimed=T.wrong_second_moment_variance)
    assert not T.agreement_identity(3, claimed=lambda m, size: 1 - sp.Rational(m, size))
    assert T.agreement_identity(3)


def test_jensen_sandwich():
    j = T.prove_jensen_sandwich()
    assert j.holds and j.nonnegative
    assert sp.expand(j.polynomial - sp.Symbol("s", nonnegative=True) * (sp.Symbol("s", nonnegative=True) - 1) ** 2
                     * (sp.Symbol("s", nonnegative=True) + 2) / 2) == 0
    # the polynomial lower bound really is below sqrt on [0, oo) and touches it at u = 1
    u = np.linspace(0, 9, 2001)
    assert np.all(np.sqrt(u) >= 1 + (u - 1) / 2 - (u - 1) ** 2 / 2 - 1e-15)
    assert T.jensen_ratio_lower_value(4.0, 2.0) == pytest.approx(1 - 2.0 / 32)


def test_massart_cube_ratio():
    assert T.same_expression(T.derive_massart_cube_ratio(), 1 / sp.sqrt(2 * sp.log(2)))
    assert T.massart_cube_ratio_stated() == pytest.approx(0.8493218002880191, rel=1e-15)


def test_near_misses_are_wrong_and_refused():
    derived = T.derive_bound_empirical()
    misses = T.near_misses(derived)
    assert len(misses) >= 4
    tried, accepted = T.accepted_near_misses(derived)
    assert tried == len(misses) and accepted == []
    assert T.near_misses(sp.Integer(3)) == [sp.Integer(4)]
    # a prover that says yes to everything accepts them all
    original = T.same_expression
    try:
        T.same_expression = lambda a, b: True
        assert len(T.accepted_near_misses(derived)[1]) == tried
    finally:
        T.same_expression = original


def test_derived_rates_and_elasticity():
    rates_ = T.derived_rates()
    assert set(rates_) == {b.name for b in T.rated_bounds()}
    assert all(v == sp.Rational(-1, 2) for v in rates_.values())
    assert T.linear_bound_elasticity() == sp.Rational(-1, 2)
    assert T.linear_bound_slope_over([64, 256, 1024], [1.0, 5.0, 2.0], 2.0, 3.0) == -0.5


def test_mlp_parameter_count_and_steps():
    assert T.mlp_parameter_count_value(64, 256, 1) == 64 * 256 + 256 + 257
    assert T.mlp_parameter_count_value(40, 512, 2) == 40 * 512 + 512 + 512 * 512 + 512 + 513
    assert T.sgd_steps(100, 3, 32) == 12 and T.sgd_steps(64, 2, 64) == 2
    with pytest.raises(ValueError, match="depth"):
        T.mlp_parameter_count_value(3, 4, 0)
    with pytest.raises(ValueError, match="batch"):
        T.sgd_steps(10, 1, 0)
