"""Kernels of the classical-bound claims on every backend: two simulation paths per claim that must
agree, exact references, the LP/Radon shattering tools, and the statistics the checks use."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import to_numpy
from tests.helpers import ns as namespace
from tests.strategies import integer_point_sets, seeds
from vacuity.kernels import finite_class as KF
from vacuity.kernels import hoeffding as KH
from vacuity.kernels import shattering as S
from vacuity.kernels import vc as KV
from vacuity.kernels.deviation_stats import slope_check, tail_summary
from vacuity.kernels.extended import U, gamma
from vacuity.kernels.sampling import Draws
from vacuity.theory import vc as TV

SIGMAS = 6.0


def _mean_se(x):
    x = np.asarray(to_numpy(x), dtype=np.float64)
    return x.mean(), x.std(ddof=1) / np.sqrt(x.size)


# ----------------------------------------------------------------------------- Hoeffding


@pytest.mark.parametrize("n, p", [(1, 0.5), (37, 0.1), (1000, 0.3), (5000, 0.97)])
def test_binomial_and_bernoulli_paths_match_the_exact_law(xp, n, p):
    xp = namespace(xp)
    R = 4000
    exact = float(KH.exact_mean_deviation([n], p)[0])
    a = KH.binomial_deviations(n, p, R, 1, xp)
    b = KH.bernoulli_deviations(n, p, R, 2, xp)
    for dev in (a, b):
        m, se = _mean_se(dev)
        assert abs(m - exact) <= SIGMAS * se + 1e-15
        sq = np.asarray(to_numpy(dev)) ** 2
        assert abs(sq.mean() - p * (1 - p) / n) <= SIGMAS * sq.std(ddof=1) / np.sqrt(R) + 1e-15


def test_same_seed_same_draws(xp):
    xp = namespace(xp)
    a = to_numpy(KH.bernoulli_deviations(300, 0.4, 50, 7, xp))
    b = to_numpy(KH.bernoulli_deviations(300, 0.4, 50, 7, xp))
    assert np.array_equal(a, b)


# risks below 1e-12 are left out: scipy's binomial pmf overflows at subnormal p (its own limit)
_risks = st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(1e-12, 1 - 1e-12))


@given(st.integers(1, 400), _risks, st.floats(0.0, 1.0))
def test_exact_tail_matches_direct_summation(n, p, eps):
    from scipy.stats import binom

    k = np.arange(n + 1)
    dev = np.abs(k / n - p)
    direct = float(np.sum(binom.pmf(k, n, p)[dev >= eps]))
    # same float comparison decides every point; scipy's cdf/sf vs summed pmf differ by rounding only
    assert KH.exact_tail(n, p, eps) == pytest.approx(direct, rel=1e-9, abs=1e-12)


def test_exact_mean_deviation_closed_form_at_half():
    # de Moivre: E|X - n/2| = n C(n, n/2) / 2^(n+1) for even n
    from math import comb

    for n in (2, 10, 100):
        assert KH.exact_mean_deviation([n], 0.5)[0] == pytest.approx(comb(n, n // 2) / 2 ** (n + 1), rel=1e-12)


# -------------------------------------------------------------------------- finite class


def test_multinomial_counts_are_multinomial(xp):
    xp = namespace(xp)
    probs = np.array([0.5, 0.2, 0.0, 0.25, 0.05])
    R, n = 20000, 37
    c = np.asarray(to_numpy(Draws(xp, 3).multinomial(n, probs, R)), dtype=np.float64)
    assert c.shape == (R, probs.size) and np.all(c.sum(axis=1) == n) and np.all(c[:, 2] == 0)
    se = np.sqrt(n * probs * (1 - probs) / R)
    assert np.all(np.abs(c.mean(axis=0) - n * probs) <= SIGMAS * se + 1e-12)
    cov01 = np.mean((c[:, 0] - n * probs[0]) * (c[:, 1] - n * probs[1]))
    assert abs(cov01 - (-n * probs[0] * probs[1])) <= SIGMAS * np.std(
        (c[:, 0] - n * probs[0]) * (c[:, 1] - n * probs[1])) / np.sqrt(R)


@settings(max_examples=10)
@given(st.integers(1, 12), st.integers(1, 60), st.integers(1, 300), seeds)
def test_matrix_sup_equals_pointwise_sup_on_the_same_points(m, size, n, seed):
    problem = KF.random_problem(m, size, seed)
    sups, counts = KF.brute_force_sups(problem, n, 3, seed, np)
    fast = KF.sups_from_counts(problem, counts, n, np)
    assert np.max(np.abs(sups - fast)) <= 2 * gamma(2 * m + 2)
    assert np.all(counts.sum(axis=1) == n)


def test_risks_are_the_loss_expectations():
    problem = KF.make_problem([0.25, 0.75], [1.0, 0.2], [[1, 1], [0, 1], [1, 0], [0, 0]])
    # h = (1, 1): errs on y = 0 only: 0.75 * 0.8 = 0.6 ; h = (0, 0): errs on y = 1: 0.25 + 0.15
    assert problem.risks == pytest.approx([0.6, 0.6 + 0.25, 0.6 * 0 + 0.15 + 0.0, 0.4])


def test_sup_deviation_mean_agrees_across_paths(xp):
    xp = namespace(xp)
    problem = KF.random_problem(8, 40, 0)
    a, _ = KF.brute_force_sups(problem, 200, 400, 1, xp)
    b = KF.sup_deviations(problem, 200, 4000, 2, xp)
    (ma, sa), (mb, sb) = _mean_se(a), _mean_se(b)
    assert abs(ma - mb) <= SIGMAS * np.hypot(sa, sb)


def test_finite_problem_bad_input():
    with pytest.raises(ValueError, match="0/1"):
        KF.loss_matrix([[0, 2]])
    with pytest.raises(ValueError, match="probability vector"):
        KF.make_problem([0.5, 0.6], [0.1, 0.1], [[0, 1]])
    with pytest.raises(ValueError, match="columns"):
        KF.make_problem([0.5, 0.5], [0.1, 0.1], [[0, 1, 1]])
    with pytest.raises(ValueError, match="sum to 1"):
        Draws(np, 0).multinomial(5, [0.5, 0.4], 3)


# ---------------------------------------------------------------------------- thresholds


@settings(max_examples=15)
@given(st.integers(1, 200), seeds)
def test_sorted_sup_equals_brute_force(n, seed):
    Uab = np.random.default_rng(seed).random((4, n))
    fast, both = KV.sups_from_uniforms(Uab, np)
    assert np.max(np.abs(fast - KV.brute_force_sups(Uab, np))) <= 4 * U
    assert np.all(both >= fast) and np.all(fast >= 0)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50, 400])
def test_exact_mean_one_sided_is_the_integral_of_the_exact_tail(n):
    assert KV.exact_mean_one_sided([n])[0] == pytest.approx(KV.mean_by_integration(n), rel=1e-8, abs=1e-12)


def test_exact_mean_small_cases():
    # n = 1: D+ = 1 - U, mean 1/2; n = 2: 3/8
    assert KV.exact_mean_one_sided([1, 2]) == pytest.approx([0.5, 0.375], rel=1e-15)


def test_threshold_sup_mean_matches_exact(xp):
    xp = namespace(xp)
    plus, both = KV.threshold_sups(300, 3000, 4, xp)
    m, se = _mean_se(plus)
    assert abs(m - KV.exact_mean_one_sided([300])[0]) <= SIGMAS * se


# ---------------------------------------------------------------------------- shattering


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_simplex_is_shattered_exactly_and_by_lp(d):
    assert S.simplex_shattered_exactly(d)
    assert S.shattered(S.simplex_points(d))


@settings(max_examples=25)
@given(integer_point_sets())
def test_radon_labeling_is_infeasible_for_every_set_of_d_plus_2_points(X):
    lam, labels = S.radon_certificate(X)
    assert S.radon_certificate_holds(X, lam)
    assert not S.realizable(X, labels)
    assert not S.shattered(X)


def test_radon_point_is_in_both_hulls():
    X = np.array([[0, 0], [6, 1], [5, 6], [1, 4]])
    lam, labels = S.radon_certificate(X)
    rp = S.radon_point(X, lam)
    neg = sum(v for v in lam if v < 0)
    other = [sum(v * int(X[i, j]) for i, v in enumerate(lam) if v < 0) / neg for j in range(2)]
    assert rp == other


@pytest.mark.parametrize("d", [1, 2, 3])
def test_growth_count_of_random_points_is_covers_count(d):
    rng = np.random.default_rng(d)
    for m in range(1, d + 5):
        assert S.growth_count(rng.standard_normal((m, d))) == TV.cover_count(m, d)


def test_a_false_radon_certificate_is_refused():
    X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
    lam, _ = S.radon_certificate(X)
    bad = list(lam)
    bad[0] += 1
    assert not S.radon_certificate_holds(X, bad)
    assert not S.radon_certificate_holds(X, [0, 0, 0, 0])


def test_shattering_bad_input():
    with pytest.raises(ValueError, match="shape"):
        S.realizable(np.zeros(3), [1, 1, 1])
    with pytest.raises(ValueError, match=r"\+-1"):
        S.realizable(np.zeros((3, 2)), [1, 0, 1])
    with pytest.raises(ValueError, match="d \\+ 2 integer points"):
        S.radon_certificate(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        S.realizable(np.array([[np.nan]]), [1])


def test_xor_is_not_realizable():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    assert not S.realizable(X, [1, 1, -1, -1])
    assert S.growth_count(X) == 14
    assert all(S.realizable(X, y) for y in itertools.product((1, -1), repeat=4) if y not in
               ((1, 1, -1, -1), (-1, -1, 1, 1)))


# ------------------------------------------------------------------------------- statistics


def test_tail_summary_flags_a_bound_that_is_too_small():
    dev = np.random.default_rng(0).random(10000)
    ok = tail_summary(dev, 0.96, 0.05)
    assert ok.within_bound and ok.quantile_lower_level <= ok.quantile
    bad = tail_summary(dev, 0.9, 0.05)  # P[D >= 0.9] = 0.1 > delta
    assert not bad.within_bound
    assert ok.exceed_tolerance == pytest.approx(0.05 + 6 * np.sqrt(0.05 * 0.95 / 10000))


def test_slope_check_catches_a_wrong_rate():
    ns = np.array([100.0, 1000, 10000])
    good = slope_check(ns, ns**-0.5, 0.001 * ns**-0.5, -0.5)
    assert good.passed and good.matches_declared and good.slope == pytest.approx(-0.5)
    bad = slope_check(ns, ns**-1.0, 0.001 * ns**-1.0, -0.5)
    assert not bad.passed and not bad.matches_declared
    with pytest.raises(ValueError, match="standard errors"):
        slope_check(ns, ns**-0.5, np.zeros(3), -0.5)



def test_slope_check_tests_the_rate_not_only_agreement_with_the_exact_curve():
    """Simulated means equal to an exact curve with the wrong exponent agree with that curve, but the
    curve's rate is not the declared one: matches_declared must fail (it used to pass, the band against
    the declared exponent being widened by the curve's own departure)."""
    ns = np.array([100.0, 1000, 10000, 100000])
    wrong = 3.0 / ns
    sc = slope_check(ns, wrong, 0.001 * wrong, -0.5, exact_means=wrong)
    assert sc.passed  # the simulation follows its exact curve ...
    assert not sc.exact_rate_ok and not sc.matches_declared  # ... whose rate is -1, not -1/2
    assert sc.end_departure == pytest.approx(0.5)


def test_slope_check_accepts_an_exact_curve_with_a_one_over_n_correction():
    ns = np.array([100.0, 1000, 10000, 100000])
    exact = ns**-0.5 * (1 + 2.0 / ns)  # elasticity -1/2 - 2/n + O(1/n^2)
    sc = slope_check(ns, exact, 0.001 * exact, -0.5, exact_means=exact)
    assert sc.passed and sc.departure_shrinks and sc.matches_declared
    assert sc.end_departure < sc.start_departure
    # a departure that does not shrink with n fails even when it is below the band at the largest sizes
    bent = ns**-0.5 * np.exp(3e-5 * np.log(ns) ** 2)  # elasticity -1/2 + 6e-5 log n, growing
    sc = slope_check(ns, bent, 0.001 * bent, -0.5, exact_means=bent)
    assert sc.end_departure <= sc.band and not sc.departure_shrinks and not sc.matches_declared
    # and a correction still larger than the slope's resolution at the largest sizes fails
    early = ns**-0.5 * (1 + 2000.0 / ns)
    sc = slope_check(ns, early, 0.001 * early, -0.5, exact_means=early)
    assert sc.departure_shrinks and sc.end_departure > sc.band and not sc.matches_declared

def test_kernel_bad_input():
    with pytest.raises(ValueError, match="n must be at least 1"):
        KH.binomial_deviations(0, 0.5, 10, 0)
    with pytest.raises(ValueError, match="p must lie"):
        KH.bernoulli_deviations(10, 1.5, 10, 0)
    with pytest.raises(ValueError, match="replicates"):
        KV.threshold_sups(10, 0, 0)
    with pytest.raises(ValueError, match="two replicates"):
        tail_summary(np.array([0.1]), 0.5, 0.05)


# ------------------------------------------------- the theorems themselves, on the exact laws


@given(st.integers(1, 10**9), _risks, st.floats(1e-9, 0.999))
def test_hoeffding_holds_on_the_exact_binomial_law(n, p, delta):
    from vacuity.theory import hoeffding as TH

    b = float(TH.bound([n], delta)[0])
    assert KH.exact_tail(n, p, b) <= delta * (1 + 1e-9)


@settings(max_examples=20)
@given(st.integers(1, 5000), st.floats(1e-9, 0.999))
def test_vc_bound_holds_on_the_exact_ks_law(n, delta):
    # thresholds have VC dimension 1; sup_t (R - R_hat) = D_n^+ exactly
    assert KV.exact_tail_one_sided(n, float(TV.bound([n], 1, delta)[0])) <= delta
