"""Monte Carlo and exact empirical Rademacher complexities: closed cases, agreement within derived
tolerances, the bounds they must satisfy, chunking and backend invariance, bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SIGMAS, to_numpy, tolerance
from tests.helpers import xp_settings
from tests.strategies import ball_points, seeds
from vacuity.kernels import rademacher as K
from vacuity.theory import rademacher as T


def _few(k: int):
    """The shared xp-fixture settings with fewer examples (each one enumerates 2^n signs or draws 4000)."""
    return settings(xp_settings, max_examples=k)


def _brute_linear(X, lam):
    n = X.shape[0]
    vals = [lam * np.linalg.norm(np.array(s) @ X) / n for s in itertools.product((-1, 1), repeat=n)]
    return float(np.mean(vals))


def _brute_finite(A):
    n = A.shape[1]
    return float(np.mean([np.max(A @ np.array(s)) / n for s in itertools.product((-1, 1), repeat=n)]))


@xp_settings
@given(ball_points(max_n=8), st.floats(0.1, 10))
def test_exact_linear_matches_brute_force_and_the_bound(xp, pr, lam):
    X, r = pr
    exact = K.exact_linear(xp.asarray(X), lam)
    assert exact == pytest.approx(_brute_linear(X, lam), rel=1e-12, abs=1e-300)
    n = X.shape[0]
    jensen = lam * math.sqrt(float(np.sum(X**2))) / n
    assert exact <= jensen * (1 + 1e-12) + 1e-300
    assert jensen <= T.linear_bound_value(n, r, lam) * (1 + 1e-12)


def test_orthogonal_points_attain_the_bound(xp):
    """Orthonormal x_i scaled by r: ||Σ σ_i x_i||^2 = n r^2 for every σ, so R̂ = r Λ / sqrt(n) exactly."""
    n, r, lam = 7, 2.5, 0.3
    X = r * np.eye(n, 9)
    assert K.exact_linear(xp.asarray(X), lam) == pytest.approx(T.linear_bound_value(n, r, lam), rel=1e-14)
    est = K.mc_linear(xp.asarray(X), lam, draws=50, seed=1)
    assert est.rademacher.mean == pytest.approx(r * lam / math.sqrt(n), rel=1e-14)
    assert est.rademacher.se < 1e-14


def test_single_point_closed_form(xp):
    X = np.array([[3.0, 4.0]])
    assert K.exact_linear(xp.asarray(X), 2.0) == pytest.approx(10.0)


def test_finite_closed_forms(xp):
    a = np.array([[1.0, -2.0, 0.5, 3.0]])
    assert K.exact_finite(xp.asarray(a)) == pytest.approx(0.0, abs=1e-15)  # E <σ, a> = 0
    both = np.vstack([a, -a])  # E |<σ, a>| / n
    assert K.exact_finite(xp.asarray(both)) == pytest.approx(_brute_finite(both), rel=1e-14)


@_few(15)
@given(st.integers(1, 10), st.integers(1, 64), seeds)
def test_exact_finite_matches_brute_force_and_massart(xp, n, size, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((size, n))
    exact = K.exact_finite(xp.asarray(A))
    assert exact == pytest.approx(_brute_finite(A), rel=1e-12, abs=1e-14)
    if size > 1:
        rmax = float(np.max(np.linalg.norm(A, axis=1)))
        assert exact <= T.massart_value(rmax, size, n) + 1e-12


@_few(10)
@given(ball_points(max_n=10, max_d=4), seeds)
def test_monte_carlo_within_six_se_of_exact(xp, pr, seed):
    X, _ = pr
    exact = K.exact_linear(xp.asarray(X), 1.0)
    est = K.mc_linear(xp.asarray(X), 1.0, draws=4000, seed=seed)
    assert abs(est.rademacher.mean - exact) <= SIGMAS * est.rademacher.se + 1e-12
    assert abs(est.second_moment.mean - float(np.sum(X**2))) <= SIGMAS * est.second_moment.se + 1e-9


def test_monte_carlo_finite_within_six_se_of_exact(xp):
    rng = np.random.default_rng(3)
    A = K.random_sign_set(40, 12, rng)
    exact = K.exact_finite(xp.asarray(A))
    est = K.mc_finite(xp.asarray(A), draws=5000, seed=4)
    assert abs(est.mean - exact) <= SIGMAS * est.se


def test_chunking_does_not_change_the_estimate(xp):
    """Chunks of a few draws give the same sign vectors (drawn in the same order) and the merged mean
    and variance agree with one big chunk to rounding."""
    rng = np.random.default_rng(0)
    X = xp.asarray(K.sphere_points(50, 5, 1.0, rng))
    big = K.mc_linear(X, draws=333, seed=7)
    small = K.mc_linear(X, draws=333, seed=7, chunk_bytes=8 * 55 * 10)  # 10 draws per chunk
    mean_tol = tolerance(X.dtype, override="chunked_mean")
    se_tol = tolerance(X.dtype, override="merged_se")
    assert small.rademacher.mean == pytest.approx(big.rademacher.mean, rel=mean_tol.rtol, abs=mean_tol.atol)
    assert small.rademacher.se == pytest.approx(big.rademacher.se, rel=se_tol.rtol, abs=se_tol.atol)
    A = xp.asarray(K.random_sign_set(30, 14, rng))
    assert K.exact_finite(A, chunk_bytes=8 * 44 * 100) == pytest.approx(
        K.exact_finite(A), rel=mean_tol.rtol, abs=mean_tol.atol)


def test_same_seed_same_numbers_and_backend_invariance(xp, tol):
    rng = np.random.default_rng(1)
    X = K.sphere_points(40, 3, 1.0, rng)
    a = K.mc_linear(xp.asarray(X), draws=100, seed=5)
    b = K.mc_linear(xp.asarray(X), draws=100, seed=5)
    c = K.mc_linear(X, draws=100, seed=5)  # NumPy reference: same signs on every backend
    assert a == b
    t = tol(xp.asarray(X).dtype)  # float64 on every backend: the backend-comparison tolerance
    assert a.rademacher.mean == pytest.approx(c.rademacher.mean, rel=t.rtol, abs=t.atol)


def test_torch_inputs_work(tol):
    torch = pytest.importorskip("torch")
    X = K.sphere_points(10, 3, 1.0, np.random.default_rng(0))
    t = tol(torch.float64)
    assert K.exact_linear(torch.as_tensor(X)) == pytest.approx(K.exact_linear(X), rel=t.rtol, abs=t.atol)
    assert K.mc_linear(torch.as_tensor(X), draws=20, seed=0).rademacher.mean == pytest.approx(
        K.mc_linear(X, draws=20, seed=0).rademacher.mean, rel=t.rtol, abs=t.atol)


@pytest.mark.parametrize("call, match", [
    (lambda: K.mc_linear(np.ones(5)), "2-D"),
    (lambda: K.mc_linear(np.full((3, 2), np.nan)), "NaN"),
    (lambda: K.mc_linear(np.ones((3, 2)), draws=1), "draws"),
    (lambda: K.mc_linear(np.ones((3, 2)), lam=0.0), "Lambda"),
    (lambda: K.exact_linear(np.ones((3, 2)), lam=float("nan")), "Lambda"),
    (lambda: K.mc_finite(np.ones((0, 3))), "non-empty"),
    (lambda: K.exact_linear(np.ones((K.MAX_EXACT_N + 1, 2))), "exact enumeration"),
    (lambda: K.exact_finite(np.ones((2, K.MAX_EXACT_N + 1))), "exact enumeration"),
    (lambda: K.sphere_points(0, 2, 1.0, np.random.default_rng(0)), "n >= 1"),
    (lambda: K.random_sign_set(0, 2, np.random.default_rng(0)), "size >= 1"),
])
def test_bad_input_is_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_running_merge_matches_numpy():
    rng = np.random.default_rng(2)
    v = rng.standard_normal(1001) * 1e3 + 1e6
    acc = K._Running()
    for part in np.array_split(v, 7):
        acc.add(part)
    est = acc.estimate()
    assert est.mean == pytest.approx(v.mean(), rel=1e-14)
    assert est.se == pytest.approx(v.std(ddof=1) / math.sqrt(v.size), rel=1e-9)
    assert to_numpy(np.zeros(1)).shape == (1,)


# ------------------------------------------------- what the checked proof measures (moved from it)


def test_second_moment_exact_is_the_sum_of_squared_norms():
    X = K.sphere_points(30, 4, 2.0, np.random.default_rng(0))
    assert K.second_moment_exact(X) == pytest.approx(30 * 4.0, rel=1e-13)
    est = K.mc_linear(X, draws=4000, seed=1)
    assert abs(est.second_moment.mean - K.second_moment_exact(X)) <= SIGMAS * est.second_moment.se


@pytest.mark.parametrize("lo, hi, sizes", [(64, 257, [64, 256, 257]), (64, 256, [64, 256]),
                                           (100, 6400, [100, 400, 1600, 6400]), (5, 5, [5])])
def test_sweep_sizes(lo, hi, sizes):
    assert K.sweep_sizes(lo, hi) == sizes


def test_random_label_sup_deviation_is_the_sup_over_the_class():
    """||(1/n) sum y_i x_i|| / (2r) is sup over ||w|| <= Lambda of (E g_w - E_S g_w) for the class
    g_w(x, y) = (1 + y <w, x> / (r Lambda)) / 2 with random labels (E g_w = 1/2): attained at
    w = Lambda v / ||v||, v = sum y_i x_i, and no random w does better."""
    n, d, r, lam = 40, 3, 2.0, 1.5
    phi = K.random_label_sup_deviations(n, d, r, 3, np.random.default_rng(0))
    rng = np.random.default_rng(0)  # replay the same draws
    other = np.random.default_rng(1)
    for k in range(3):
        X = K.sphere_points(n, d, r, rng)
        y = 2.0 * rng.integers(0, 2, n) - 1.0

        def deviation(w, X=X, y=y):
            return 0.5 - np.mean((1 + y * (X @ w) / (r * lam)) / 2)

        v = y @ X  # E g - E_S g = -<w, v> / (2 r Lambda n): largest at w = -Lambda v / ||v||
        best = deviation(-lam * v / np.linalg.norm(v))
        assert phi[k] == pytest.approx(best, rel=1e-12)
        ws = other.standard_normal((200, d))
        ws = lam * ws / np.linalg.norm(ws, axis=1, keepdims=True)
        assert all(deviation(w) <= phi[k] + 1e-15 for w in ws)


def test_random_label_class_complexity():
    for n in (1, 10, 1000):
        assert K.random_label_class_complexity(n, 2.0, 3.0) == pytest.approx(1 / (2 * math.sqrt(n)), rel=1e-14)


# ------------------------------------------------------- exact laws the checked proof compares with


def test_exact_moments_match_brute_force(xp):
    X = K.sphere_points(7, 3, 1.5, np.random.default_rng(4))
    vals = np.array([2.0 * np.linalg.norm(np.array(s) @ X) / 7 for s in itertools.product((-1, 1), repeat=7)])
    m = K.exact_linear_moments(xp.asarray(X), 2.0)
    assert m.mean == pytest.approx(vals.mean(), rel=1e-12)
    assert m.mean == pytest.approx(K.exact_linear(xp.asarray(X), 2.0), rel=1e-13)
    assert m.variance == pytest.approx(vals.var(), rel=1e-10)
    assert m.fourth == pytest.approx(np.mean((vals - vals.mean()) ** 4), rel=1e-9)


def test_sample_variance_se_is_the_spread_of_sample_variances():
    """Var s^2 = mu_4/k - sigma^4 (k-3)/(k(k-1)): checked against the spread of many sample variances of
    Monte Carlo draws (their empirical variance, within 6 SE computed from their own fourth moment)."""
    X = K.sphere_points(9, 4, 1.0, np.random.default_rng(5))
    m = K.exact_linear_moments(X)
    k, reps = 50, 400
    s2 = np.array([K.mc_linear(X, draws=k, seed=100 + i).rademacher.se ** 2 * k for i in range(reps)])
    assert abs(s2.mean() - m.variance) <= SIGMAS * m.sample_variance_se(k) / math.sqrt(reps)
    dev2 = (s2 - s2.mean()) ** 2
    assert abs(dev2.mean() - m.sample_variance_se(k) ** 2) <= SIGMAS * dev2.std(ddof=1) / math.sqrt(reps)


def test_jensen_terms_and_the_sandwich(xp):
    """m = sum ||x_i||^2, v = Var ||sum sigma_i x_i||^2 (checked by enumeration), and the exact ratio of
    Rhat to Lambda sqrt(m)/n lies in [1 - v/(2m^2), 1]."""
    X = K.sphere_points(8, 3, 1.0, np.random.default_rng(6))
    sq = np.array([np.sum((np.array(s) @ X) ** 2) for s in itertools.product((-1, 1), repeat=8)])
    m, v = K.linear_jensen_terms(X)
    assert m == pytest.approx(sq.mean(), rel=1e-12) and v == pytest.approx(sq.var(), rel=1e-10)
    ratio = K.exact_linear(xp.asarray(X)) / (math.sqrt(m) / 8)
    assert T.jensen_ratio_lower_value(m, v) <= ratio <= 1.0
    # orthogonal points: ||s||^2 = n r^2 for every sigma, v = 0 and the ratio is 1
    assert K.linear_jensen_terms(np.eye(4))[1] == 0.0


def test_cube_attains_one_and_massarts_ratio():
    for n in (1, 4, 9):
        cube = K.rademacher_cube(n)
        assert cube.shape == (2**n, n) and len({tuple(r) for r in cube}) == 2**n
        exact = K.exact_finite(cube)
        assert exact == pytest.approx(1.0, rel=1e-14)
        assert exact / T.massart_value(math.sqrt(n), 2**n, n) == pytest.approx(T.massart_cube_ratio_stated(),
                                                                                rel=1e-13)


def test_sign_draws_are_the_monte_carlo_signs():
    """The signs sign_draws returns are those mc_linear uses: the estimate on e_i points recovers them."""
    sigma = K.sign_draws(30, 12, seed=9)
    assert sigma.shape == (30, 12) and set(np.unique(sigma)) == {-1.0, 1.0}
    X = np.eye(12)[:, :1]  # x_i = e_1 for i = 1 only: ||sum sigma_i x_i|| = |sigma_1| = 1 - uninformative
    assert K.mc_linear(X, draws=30, seed=9).rademacher.mean == pytest.approx(1 / 12)
    X = np.zeros((12, 1))
    X[0, 0] = 1.0
    X[1, 0] = 1.0  # ||sigma_1 + sigma_2|| is 2 when they agree, 0 otherwise
    agree = np.mean(sigma[:, 0] == sigma[:, 1])
    assert K.mc_linear(X, draws=30, seed=9).rademacher.mean == pytest.approx(2 * agree / 12)


def test_sign_law_of_rademacher_draws_and_of_wrong_samplers():
    law = K.sign_law(K.sign_draws(400, 256, seed=1))
    assert law.off_support == 0
    assert abs(law.mean) <= SIGMAS * law.mean_se and abs(law.lag_product) <= SIGMAS * law.lag_se
    assert law.max_draw_mean <= law.draw_limit * law.draw_mean_se
    assert law.max_agreement_gap <= law.pair_limit * law.agreement_se
    assert 6.0 < law.draw_limit < law.pair_limit < 9.0
    rng = np.random.default_rng(0)
    assert K.sign_law(rng.integers(0, 2, (5, 64)).astype(float)).off_support > 0
    assert K.sign_law(rng.standard_normal((5, 64))).off_support > 0
    same = np.repeat(K.sign_draws(2, 64, seed=3)[:1], 4, axis=0)
    assert K.sign_law(same).max_agreement_gap == 0.5
    biased = np.where(rng.random((8, 400)) < 0.8, 1.0, -1.0)
    b = K.sign_law(biased)
    assert abs(b.mean) > SIGMAS * b.mean_se
    with pytest.raises(ValueError, match="k >= 2"):
        K.sign_law(np.ones((1, 5)))


def test_random_label_second_moment_matches_simulation():
    phi = K.random_label_sup_deviations(32, 5, 1.7, 3000, np.random.default_rng(2))
    sq = phi**2
    assert abs(sq.mean() - K.random_label_second_moment(32)) <= SIGMAS * sq.std(ddof=1) / math.sqrt(sq.size)
