"""Theory of the classical bounds: the closed forms against independent float oracles, their
derivations, the exact checks, and the errors bad parameters raise."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import bad_deltas, class_sizes, deltas, sample_sizes, sauer_pairs
from vacuity.theory import finite_class as TF
from vacuity.theory import hoeffding as TH
from vacuity.theory import vc as TV

# ---------------------------------------------------------------------------------- formulas


@given(sample_sizes, deltas)
def test_hoeffding_bound_is_the_textbook_formula_and_inverts_the_tail(n, delta):
    b = float(TH.bound([n], delta)[0])
    assert b == pytest.approx(math.sqrt(math.log(2 / delta) / (2 * n)), rel=1e-12)
    assert TH.tail(n, b) == pytest.approx(delta, rel=1e-9)


@given(sample_sizes, class_sizes, deltas)
def test_union_bound_formula_monotone_and_reduces_to_hoeffding(n, size, delta):
    b = float(TF.bound([n], size, delta)[0])
    assert b == pytest.approx(math.sqrt((math.log(size) + math.log(2 / delta)) / (2 * n)), rel=1e-12)
    assert b >= float(TH.bound([n], delta)[0]) * (1 - 1e-12)  # a union costs, never saves
    assert float(TF.bound([n], 1, delta)[0]) == pytest.approx(float(TH.bound([n], delta)[0]), rel=1e-12)
    # |H| exp(-2 n b^2) * 2 = delta: the bound is where the union tail reaches delta
    assert 2 * size * math.exp(-2 * n * b * b) == pytest.approx(delta, rel=1e-8)


@given(sauer_pairs(max_n=10**6, max_d=50), deltas)
def test_vc_bound_formula_and_one_sidedness(pair, delta):
    n, d = pair
    b = float(TV.bound([n], d, delta)[0])
    expected = math.sqrt(2 * d * math.log(math.e * n / d) / n) + math.sqrt(math.log(1 / delta) / (2 * n))
    assert b == pytest.approx(expected, rel=1e-12)


@given(st.lists(st.integers(1, 10**8), min_size=2, max_size=6, unique=True), deltas)
def test_bounds_decrease_in_n(ns, delta):
    ns = np.sort(np.asarray(ns))
    for values in (TH.bound(ns, delta), TF.bound(ns, 50, delta), TV.bound(ns, 1, delta)):
        assert np.all(np.diff(values) < 0)


@given(sauer_pairs())
def test_sauer_sum_between_its_exact_neighbours(pair):
    n, d = pair
    phi = TV.sauer_sum(n, d)
    assert phi <= 2**n
    assert (phi == 2**n) == (n <= d)
    assert phi <= TV.sauer_exponential(n, d) * (1 + 1e-12)
    assert TV.cover_count(n, d) <= TV.sauer_sum(n, d + 1)
    assert phi == TV.sauer_sum(n - 1, d) + TV.sauer_sum(n - 1, d - 1)


# ------------------------------------------------------------------------------ derivations


def test_derivations_hold():
    assert TH.prove_lemma_bernoulli().holds
    derived, lstar = TH.chernoff_tail()
    assert sp.simplify(derived - TH.tail_bound()) == 0 and lstar == 4 * TH.t / TH.n
    assert TH.bound_inverts_tail()
    assert TF.bound_inverts_tail() and TF.reduces_to_hoeffding()
    assert TV.prove_exponential_sauer().holds
    assert TV.bound_from_sauer()


def test_lemma_prover_proves_the_sharp_constant_and_refuses_a_smaller_one():
    assert TH.prove_lemma_bernoulli().holds and TH.prove_lemma_bernoulli(sp.Rational(1, 4)).holds
    assert not TH.prove_lemma_bernoulli(sp.Rational(7, 64)).holds
    assert TH.lemma_sharp_constant() == sp.Rational(1, 8)
    # the sharp constant is also the one the Chernoff derivation uses
    assert TH.LEMMA_CONSTANT == TH.lemma_sharp_constant()


@settings(max_examples=20)
@given(sample_sizes, deltas)
def test_derived_bounds_equal_the_stated_closed_forms(n, delta):
    from vacuity.kernels.deviation_stats import BOUND_AGREEMENT_RTOL

    ns = [n, 2 * n + 1]
    for stated, derived in ((TH.bound(ns, delta), TH.derived_bound(ns, delta)),
                            (TF.bound(ns, 37, delta), TF.derived_bound(ns, 37, delta)),
                            (TV.bound(ns, 1, delta), TV.derived_bound(ns, 1, delta))):
        assert np.all(np.abs(stated / derived - 1) <= BOUND_AGREEMENT_RTOL)


def test_derived_bound_is_computed_without_the_closed_form(monkeypatch):
    # a wrong closed form changes the stated bound but not the derived one
    before = TH.derived_bound([100], 0.05)
    monkeypatch.setattr(TH, "deviation_bound", lambda: sp.sqrt(sp.log(4 / TH.delta) / (2 * TH.n)))
    assert TH.derived_bound([100], 0.05) == pytest.approx(before, rel=1e-15)
    assert TH.bound([100], 0.05) / before == pytest.approx(math.sqrt(math.log(80) / math.log(40)), rel=1e-12)


@given(st.floats(1e-3, 1e3), st.floats(1e-6, 0.9))
def test_root_of_decreasing_finds_adjacent_floats(scale, target):
    root = TH.root_of_decreasing(lambda x: np.exp(-x / scale), target, np.array([1.0]))[0]
    assert root == pytest.approx(-scale * math.log(target), rel=1e-14)


def test_finite_class_root_check_refuses_hoeffdings_single_bound():
    assert not TF.bound_inverts_tail(bound=TH.deviation_bound())
    assert TF.bound_inverts_tail()


def test_provers_refuse_false_variants():
    n, delta = TH.n, TH.delta
    assert not TF.reduces_to_hoeffding(sp.sqrt((sp.log(TF.H) + sp.log(1 / delta)) / (2 * n)))
    assert not TV.bound_from_sauer(sp.sqrt(2 * TV.d * sp.log(sp.E * n / TV.d) / n)
                                   + sp.sqrt(sp.log(2 / delta) / (2 * n)))
    assert not TV.prove_exponential_sauer(2).holds  # (2n/d)^d fails for large d: d^d / d! ~ e^d / sqrt(2 pi d)
    assert TV.prove_exponential_sauer(3).holds  # true, only looser
    d = 40
    assert TV.sauer_sum(10**6, d) > (2 * 10**6 / d) ** d  # c = 2 is indeed false


def test_exact_tail_check_holds_and_catches_a_one_sided_tail(monkeypatch):
    chk = TH.exact_tail_check(12)
    assert chk.holds and chk.worst_ratio == pytest.approx(math.exp(0.5) / 2, rel=1e-14)  # n = 1, p = eps = 1/2
    monkeypatch.setattr(TH, "tail_bound", lambda: sp.exp(-2 * TH.n * TH.eps**2))
    bad = TH.exact_tail_check(12)
    assert not bad.holds and bad.worst_ratio > 1


def test_wrong_constants_are_caught_symbolically():
    n, delta = TH.n, TH.delta
    assert not TH.bound_inverts_tail(sp.sqrt(sp.log(1 / delta) / (2 * n)))  # one-sided constant
    assert not TH.bound_inverts_tail(sp.sqrt(sp.log(2 / delta) / 2) / n)  # 1/n rate
    assert not TH.bound_inverts_tail(sp.sqrt(sp.log(2 / delta) / n))  # lost the 2 in 2n


def test_exact_sauer_check_holds_and_catches_a_short_sum(monkeypatch):
    good = TV.exact_sauer_check(25)
    assert good.holds and good.worst_ratio == pytest.approx(2 / math.e, rel=1e-14)  # n = d = 1
    from math import comb

    monkeypatch.setattr(TV, "sauer_sum", lambda n, d: sum(comb(n, i) for i in range(d)))
    chk = TV.exact_sauer_check(25)
    assert not chk.tight_ok and not chk.cover_ok and not chk.holds


def test_cover_count_known_values():
    # halfspaces in the plane on n points in general position: 2, 4, 8, 14, 22, 32
    assert [TV.cover_count(m, 2) for m in range(1, 7)] == [2, 4, 8, 14, 22, 32]
    assert TV.cover_count(0, 3) == 1 and TV.halfspace_vc_dimension(3) == 4


# ------------------------------------------------------------------------------- bad input


@given(bad_deltas)
def test_delta_outside_unit_interval_is_refused(delta):
    with pytest.raises(ValueError, match="delta"):
        TH.bound([10], delta)
    with pytest.raises(ValueError, match="delta"):
        TF.bound([10], 5, delta)
    with pytest.raises(ValueError, match="delta"):
        TV.bound([10], 1, delta)


@pytest.mark.parametrize("call, message", [
    (lambda: TH.bound([0], 0.05), "at least 1"),
    (lambda: TH.bound([-3, 10], 0.05), "at least 1"),
    (lambda: TH.bound([float("nan")], 0.05), "finite"),
    (lambda: TF.bound([10], 0, 0.05), r"\|H\| must be at least 1"),
    (lambda: TF.bound([10], 2.5, 0.05), r"\|H\| must be an integer"),
    (lambda: TV.bound([10], 0, 0.05), "d must be at least 1"),
    (lambda: TV.bound([3], 5, 0.05), "n >= d"),
    (lambda: TV.sauer_sum(5, -1), "d must be at least 0"),
    (lambda: TV.sauer_sum(-1, 2), "n must be at least 0"),
    (lambda: TV.sauer_exponential(2, 3), "n >= d"),
    (lambda: TV.cover_count(4, -2), "d must be at least 0"),
    (lambda: TH.tail(0, 0.1), "n must be at least 1"),
    (lambda: TH.bound([10], True), "delta must be a real number"),
])
def test_bad_parameters_raise_one_clear_error(call, message):
    with pytest.raises(ValueError, match=message) as info:
        call()
    assert "\n" not in str(info.value)
