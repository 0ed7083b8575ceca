"""Kernels of the classical-bound claims on every backend: two simulation paths per claim that must
agree, exact references, the LP/Radon shattering tools, and the statistics the checks use."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SIGMAS, to_numpy
from tests.helpers import ns as namespace
from tests.strategies import integer_point_sets, seeds
from vacuity.kernels import finite_class as KF
from vacuity.kernels import hoeffding as KH
from vacuity.kernels import shattering as S
from vacuity.kernels import vc as KV
from vacuity.kernels.deviation_stats import geometric_sizes, slope_check, tail_summary
from vacuity.kernels.extended import U, gamma
from vacuity.kernels.sampling import Draws
from vacuity.kernels.tolerances import bonferroni_t_limit, difference_se, mc_tolerance, mean_se
from vacuity.theory import vc as TV


def _mean_se(x):
    return mean_se(to_numpy(x))


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


def test_exact_mean_square_deviation_is_the_binomial_variance():
    from scipy.stats import binom

    for n, p in ((1, 0.5), (37, 0.1), (400, 0.97)):
        k = np.arange(n + 1)
        direct = float(np.sum(binom.pmf(k, n, p) * (k / n - p) ** 2))
        assert KH.exact_mean_square_deviation(n, p) == pytest.approx(direct, rel=1e-10)
    assert KH.exact_mean_square_deviation(100, 0.3) != pytest.approx(0.3 * 0.7 / 99, rel=1e-6)


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
    assert np.max(np.abs(sups - fast)) <= KF.matrix_sup_rounding_bound(2 * m)
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
    (ma, _), (mb, _) = _mean_se(a), _mean_se(b)
    assert abs(ma - mb) <= mc_tolerance(difference_se(to_numpy(a), to_numpy(b)))


def test_finite_problem_bad_input():
    with pytest.raises(ValueError, match="0/1"):
        KF.loss_matrix([[0, 2]])
    with pytest.raises(ValueError, match="probability vector"):
        KF.make_problem([0.5, 0.6], [0.1, 0.1], [[0, 1]])
    with pytest.raises(ValueError, match="columns"):
        KF.make_problem([0.5, 0.5], [0.1, 0.1], [[0, 1, 1]])
    with pytest.raises(ValueError, match="sum to 1"):
        Draws(np, 0).multinomial(5, [0.5, 0.4], 3)


def test_matrix_sup_rounding_bound_is_gamma_and_not_looser():
    assert KF.matrix_sup_rounding_bound(10) == 2 * gamma(12)
    # the observed gap stays below it, but it is within a few orders of magnitude of the observed gap
    problem = KF.random_problem(6, 30, 0)
    sups, counts = KF.brute_force_sups(problem, 500, 50, 1, np)
    gap = np.max(np.abs(sups - KF.sups_from_counts(problem, counts, 500, np)))
    assert gap <= KF.matrix_sup_rounding_bound(problem.cell_probs.size) < 1e-12


def test_risk_bias_z_is_small_for_unbiased_risks_and_large_for_wrong_ones():
    problem = KF.random_problem(8, 200, 0)
    counts = Draws(np, 1).multinomial(300, problem.cell_probs, 2000)
    limit = bonferroni_t_limit(problem.class_size, 2000 - 1)
    z = KF.risk_bias_z(problem, counts, 300)
    assert z.shape == (200,) and np.all(z >= 0) and z.max() <= limit
    # risks off by 0.01 for one hypothesis: its empirical risks are then biased by 0.01 (~ 20 SE)
    wrong = KF.FiniteProblem(problem.cell_probs, problem.tables, problem.losses,
                             problem.risks + 0.01 * (np.arange(200) == 7))
    assert KF.risk_bias_z(wrong, counts, 300)[7] > limit


def test_prefix_sup_quantiles_grow_with_the_class():
    problem = KF.random_problem(8, 300, 0)
    ks = [1, 3, 10, 30, 100, 300]
    q = KF.prefix_sup_quantiles(problem, 400, 2000, 0.05, ks, seed=2)
    assert len(q) == len(ks) and all(a <= b for a, b in zip(q, q[1:])) and q[-1] > q[0]
    # one hypothesis: sqrt(n) |R_hat - R| is about |N(0, R(1-R))|, whose 0.95-quantile is 1.96 sd
    sd = np.sqrt(problem.risks[0] * (1 - problem.risks[0]))
    assert q[0] == pytest.approx(1.96 * sd, rel=0.1)


# ---------------------------------------------------------------------------- thresholds


@settings(max_examples=15)
@given(st.integers(1, 200), seeds)
def test_sorted_sup_equals_brute_force(n, seed):
    Uab = np.random.default_rng(seed).random((4, n))
    fast, both = KV.sups_from_uniforms(Uab, np)
    assert np.max(np.abs(fast - KV.brute_force_sups(Uab, np))) <= KV.SUP_PATHS_ROUNDING == 4 * U
    assert KV.sup_paths_gap(Uab, np) <= KV.SUP_PATHS_ROUNDING
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


@pytest.mark.parametrize("lo, hi, count, sizes", [(100, 10_000, 3, [100, 1000, 10_000]),
                                                  (10, 1000, 5, [10, 32, 100, 316, 1000])])
def test_geometric_sizes(lo, hi, count, sizes):
    assert geometric_sizes(lo, hi, count) == sizes


def test_geometric_sizes_refuses_too_few():
    with pytest.raises(ValueError, match="three"):
        geometric_sizes(10, 1000, 2)
    with pytest.raises(ValueError, match="fewer than three"):
        geometric_sizes(10, 11, 5)


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


# ------------------------------------------------------ exact laws and the law/tail statistics


@pytest.mark.parametrize("n, p", [(1, 0.5), (10, 0.3), (137, 0.9), (100_000, 0.3)])
def test_exact_deviation_law_is_the_binomial_law_of_the_deviation(n, p):
    atoms, probs = KH.exact_deviation_law(n, p)
    assert np.all(np.diff(atoms) > 0) and probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert float(np.sum(atoms * probs)) == pytest.approx(KH.exact_mean_deviation([n], p)[0], rel=1e-12)
    for eps in (atoms[len(atoms) // 3], atoms[-1]):  # the tail at an atom: every mass at or above it
        assert KH.exact_tail(n, p, float(eps)) == pytest.approx(float(probs[atoms >= eps].sum()), rel=1e-9, abs=1e-15)
    q = KH.exact_quantile(n, p, 0.95)
    assert probs[atoms <= q].sum() >= 0.95 - 1e-12 and probs[atoms < q].sum() < 0.95


def test_simulated_deviations_land_on_the_exact_atoms(xp):
    xp = namespace(xp)
    atoms, _ = KH.exact_deviation_law(50, 0.3)
    for dev in (KH.binomial_deviations(50, 0.3, 500, 1, xp), KH.bernoulli_deviations(50, 0.3, 500, 2, xp)):
        assert np.all(np.isin(np.asarray(to_numpy(dev)), atoms))


def test_ks_distance_discrete_sees_a_wrong_law_and_passes_the_right_one():
    from vacuity.kernels.deviation_stats import dkw_limit, ks_distance_discrete

    atoms, probs = KH.exact_deviation_law(10, 0.3)
    R = 20000
    right = KH.binomial_deviations(10, 0.3, R, 5)
    assert ks_distance_discrete(right, atoms, probs) <= dkw_limit(R)
    wrong = KH.deviations_from_counts(np.random.default_rng(6).binomial(9, 0.3, R), 10, 0.3)  # n - 1 trials
    assert ks_distance_discrete(wrong, atoms, probs) > dkw_limit(R)
    # a sample off the atoms counts against the law
    assert ks_distance_discrete(np.full(10, 0.123456), atoms, probs) >= 0.5


def test_ks_distance_continuous_exact_and_bracketed():
    from vacuity.kernels.deviation_stats import dkw_limit, ks_distance_continuous

    x = np.random.default_rng(0).random(4000)
    exact = ks_distance_continuous(x, lambda v: v)
    bracketed = ks_distance_continuous(x, lambda v: v, 64)
    assert exact <= bracketed <= exact + 2.0 / 64  # overstated by at most the largest step across the grid
    assert exact <= dkw_limit(x.size) and ks_distance_continuous(x**2, lambda v: v, 64) > dkw_limit(x.size)
    from scipy.stats import kstest

    assert exact == pytest.approx(kstest(x, "uniform").statistic, rel=1e-12)


def test_dkw_levels_and_binomial_band():
    from scipy.stats import binom

    from vacuity.kernels.deviation_stats import binomial_band, dkw_detectable, dkw_limit

    assert dkw_limit(20000) == pytest.approx(0.02277, rel=1e-3)
    assert dkw_detectable(20000) == pytest.approx(dkw_limit(20000) + np.sqrt(np.log(200) / 40000), rel=1e-12)
    band = binomial_band(0.05, 4000)
    lo, hi = binom.ppf(9.9e-10, 4000, 0.05), binom.isf(9.9e-10, 4000, 0.05)
    assert band == pytest.approx(max(0.05 - lo / 4000, hi / 4000 - 0.05), abs=1 / 4000)
    assert binomial_band(1e-20, 1000) == pytest.approx(1e-20)  # no exceedance allowed at all
    with pytest.raises(ValueError):
        binomial_band(1.5, 10)


def test_variance_ratios_have_mean_one_and_see_a_wrong_sampler():
    problem = KF.random_problem(8, 50, 3)
    sups, ratios = KF.sups_and_variance_ratios(problem, 500, 4000, 4)
    m, se = mean_se(ratios)
    assert abs(m - 1.0) <= SIGMAS * se
    assert np.array_equal(to_numpy(sups), to_numpy(KF.sup_deviations(problem, 500, 4000, 4)))  # same draws
    doubled = Draws(np, 4).multinomial(500, problem.cell_probs, 4000) * 2 - 500 * problem.cell_probs  # 4x variance
    m2, se2 = mean_se(KF.variance_ratios(problem, doubled, 500))
    assert abs(m2 - 1.0) > SIGMAS * se2


def test_exact_single_tails_and_mean_brackets_hold_on_simulation():
    problem = KF.random_problem(6, 30, 7)
    n, eps = 400, 0.05
    tails = KF.exact_single_tails(problem, n, eps)
    for h in (0, 17):
        assert tails[h] == pytest.approx(KH.exact_tail(n, float(problem.risks[h]), eps))
    sup = np.asarray(KF.sup_deviations(problem, n, 20000, 8))
    frac = float(np.mean(sup >= eps))
    assert tails.max() - 0.01 <= frac <= tails.sum() + 0.01
    m, se = mean_se(sup)
    assert KF.exact_mean_lower_bound(problem, n) <= m + SIGMAS * se
    assert m - SIGMAS * se <= KF.maximal_inequality_bound(problem.class_size, n)


def test_tail_from_law_agrees_with_the_cdf_tail():
    for n, p in ((10, 0.3), (1000, 0.3), (100_000, 0.97)):
        atoms, probs = KH.exact_deviation_law(n, p)
        for eps in (0.5 / np.sqrt(n), 2.0 / np.sqrt(n)):
            law = KH.tail_from_law(atoms, probs, eps)
            assert abs(KH.exact_tail(n, p, eps) - law) <= KH.EXACT_AGREEMENT_RTOL * law


@pytest.mark.parametrize("n", [1, 2, 7, 64, 1000])
def test_birnbaum_tingey_is_the_exact_one_sided_ks_tail(n):
    for eps in (1e-3, 0.05, 0.3, 0.9):
        bt = KV.exact_tail_birnbaum_tingey(n, eps)
        assert abs(KV.exact_tail_one_sided(n, eps) - bt) <= KV.birnbaum_tingey_rtol(n) * bt + 1e-300
    assert KV.exact_tail_birnbaum_tingey(5, 0.0) == 1.0 and KV.exact_tail_birnbaum_tingey(5, 1.0) == 0.0
    assert KV.exact_tail_birnbaum_tingey(1, 0.3) == pytest.approx(0.7, rel=1e-15)  # P[1 - U >= 0.3]


def test_mean_by_integration_carries_its_error_bound():
    for n in (64, 300):
        value, err = KV.mean_by_integration(n, with_error=True)
        assert 0 < err < 1e-8 and abs(KV.exact_mean_one_sided([n])[0] - value) <= err


def test_non_certificates_break_one_condition_each_and_are_refused():
    from fractions import Fraction

    rng = np.random.default_rng(4)
    for d in (1, 2, 3):
        X = rng.integers(-20, 21, size=(d + 2, d))
        lam, _ = S.radon_certificate(X)
        bad = S.non_certificates(X, lam)
        assert len(bad) == 2 and not any(S.radon_certificate_holds(X, b) for b in bad)
        affine, linear = bad
        assert sum(affine, Fraction(0)) != 0  # the affine condition broken ...
        assert all(sum(a * int(X[i, j]) for i, a in enumerate(affine)) == 0 for j in range(d))  # ... only


def test_chunked_sups_equal_unchunked(monkeypatch):
    problem = KF.random_problem(5, 30, 1)
    counts = Draws(np, 2).multinomial(100, problem.cell_probs, 50)
    whole = KF.sups_from_counts(problem, counts, 100, np)
    monkeypatch.setattr(KF, "_CHUNK_ELEMENTS", 7 * problem.class_size)  # 7 rows a chunk
    assert np.array_equal(KF.sups_from_counts(problem, counts, 100, np), whole)
    ratios = KF.variance_ratios(problem, counts, 100)
    assert ratios.shape == (50,)


def test_one_sided_ks_tail_is_exact_beyond_scipys_exact_range():
    # scipy's smirnov turns asymptotic above n = 10^6; the exact tail then comes from the Birnbaum-Tingey sum
    n = KV.SMIRNOV_EXACT_MAX + 1
    eps = 3.0 / np.sqrt(n)
    assert KV.exact_tail_one_sided(n, eps) == KV.exact_tail_birnbaum_tingey(n, eps)
    m = KV.SMIRNOV_EXACT_MAX
    ratio = KV.exact_tail_one_sided(m, eps) / KV.exact_tail_birnbaum_tingey(m, eps)
    assert abs(ratio - 1) <= KV.birnbaum_tingey_rtol(m)
