"""The three samplers of the linear counterexample: the Gram reduction, exactness in distribution,
chi-square deviations at huge dof, and bad input. Every test runs on NumPy and on CuPy when present."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import chi2, kstest, ks_2samp

from tests.conftest import to_numpy
from vacuity.kernels import nk_linear as K
from vacuity.kernels.extended import gamma
from vacuity.theory import nk_linear as T

settings_ = st.tuples(st.integers(1, 60), st.integers(1, 400), st.integers(1, 6), st.floats(0.1, 5),
                      st.floats(0.1, 5), st.floats(0.1, 100), st.integers(0, 2**31))


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])  # xp is stateless
@given(settings_)
def test_brute_force_margins_are_the_gram_reduction(xp, params):
    n, D, Kd, c, cp, s2, seed = params
    r = K.brute_force(n, D, K=Kd, c=c, c_prime=cp, s2=s2, n_test=5, seed=seed, xp=xp, with_gram=True,
                      chunk_bytes=8 * (n + 5) * 7)  # several chunks
    G = to_numpy(r.gram)
    G1 = G.sum(axis=1)
    S = to_numpy(r.margin_magnitude)  # sum_j |z_ij| sum_k |z_kj|: the scale of the computed dot products
    tol = 2 * gamma(n + D + 2 * Kd + 10) * (S + c * cp)  # derived in docs/derivations/nk_linear.md, sec. 9
    assert np.all(np.abs(to_numpy(r.train_margins) - (c * cp + G1)) <= tol)
    assert np.all(np.abs(to_numpy(r.s_prime_margins) - (c * cp - G1)) <= tol)
    assert abs(r.w2_norm2 - G1.sum()) <= 3 * gamma(D + 2 * n + 2) * S.sum()
    assert np.allclose(G, G.T) and np.linalg.eigvalsh(G).min() >= -1e-9 * max(1.0, np.abs(G).max())
    assert r.test_error_exact == pytest.approx(K.conditional_test_error(D, c, cp, s2, r.w2_norm2))


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])  # xp is stateless
@given(settings_)
def test_bartlett_gram_is_wishart_shaped(xp, params):
    n, D, Kd, c, cp, s2, seed = params
    r = K.bartlett(n, D, K=Kd, c=c, c_prime=cp, s2=s2, n_test=3, seed=seed, xp=xp, with_gram=True)
    G = to_numpy(r.gram)
    assert np.linalg.matrix_rank(G) == min(n, D)
    G1 = G.sum(axis=1)
    scale = np.abs(G).sum(axis=1) + c * cp
    assert np.all(np.abs(to_numpy(r.train_margins) - (c * cp + G1)) <= 1e-12 * scale)
    assert np.allclose(to_numpy(r.train_margins) + to_numpy(r.s_prime_margins), 2 * c * cp, rtol=1e-12)
    assert r.w2_norm2 == pytest.approx(G.sum(), rel=1e-10)


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(2, 40), st.integers(1, 10**6), st.floats(0.1, 100), st.integers(0, 2**31))
def test_rank_one_moments_match_closed_forms(xp, n, D, s2, seed):
    """Monte Carlo means, variance and covariance vs the derived moments, 6 standard errors."""
    reps = 4000
    G1, norms = (to_numpy(a) for a in K.rank_one_batch(n, D, reps, s2=s2, seed=seed, xp=xp))
    st_ = T.Setting(n, D, s2=s2)
    mom = T.margin_moments(st_)
    m = G1[:, 0] + st_.signal
    for x, target in ((m, mom["train_mean"]), ((m - mom["train_mean"]) ** 2, mom["var"]),
                      ((m - mom["train_mean"]) * (G1[:, 1] + st_.signal - mom["train_mean"]), mom["cov"]),
                      (norms, n * s2)):
        assert abs(x.mean() - target) <= 6 * x.std(ddof=1) / math.sqrt(reps)
    assert np.allclose(G1.sum(axis=1), norms, rtol=1e-12)  # 1^T G 1 = ||w2||^2


@pytest.mark.parametrize("n,D", [(8, 5), (6, 20)])
def test_exact_samplers_match_brute_force_in_distribution(xp, n, D):
    """KS at level 1e-6 per test (6 tests, seeded): margin of point 0 and ||w2||^2."""
    reps = 400
    out = {}
    for j, (name, f) in enumerate(K.SAMPLERS.items()):
        a = np.array([[float(to_numpy(r.train_margins)[0]), r.w2_norm2]
                      for r in (f(n, D, n_test=0, seed=10_000 * (j + 1) + k, xp=xp) for k in range(reps))])
        out[name] = a
    for a, b in (("brute_force", "bartlett"), ("brute_force", "rank_one"), ("bartlett", "rank_one")):
        for j in range(2):
            assert ks_2samp(out[a][:, j], out[b][:, j]).pvalue > 1e-6


@pytest.mark.parametrize("k", [1.0, 3.0, 8.0, 50.0, 1e4, 1e9, 1e12])
def test_chi2_deviation_is_exact_in_distribution(k):
    rng = np.random.default_rng(int(k) % 1000)
    d = K.chi2_deviation(np.full(20000, k), rng)
    # KS against chi^2_k through the standardized deviation (no large - large)
    assert kstest(k * (1.0 + d), chi2(k).cdf).pvalue > 1e-6
    if k >= 1e9:  # resolution: deviations are continuous, not quantized by float spacing near k
        assert np.unique(d).size == d.size


def test_rank_one_at_huge_D_keeps_deviation_resolution():
    ratios = [K.rank_one(16, 10**12, n_test=0, seed=s).w2_norm2 / (16 * 32.0) - 1 for s in range(200)]
    z = np.array(ratios) * math.sqrt(1e12 / 2)
    assert abs(z.mean()) < 6 / math.sqrt(200) and abs(z.std() - 1) < 0.2


@pytest.mark.parametrize("f", list(K.SAMPLERS.values()))
@pytest.mark.parametrize("kw,match", [
    ({"n": 0, "D": 5}, "n must"), ({"n": 3, "D": 0}, "D must"), ({"n": 3, "D": 5, "s2": -2.0}, "s2"),
    ({"n": 3, "D": 5, "K": 0}, "K must"), ({"n": 3, "D": 5, "n_test": -1}, "n_test"),
    ({"n": 3, "D": 5, "c": float("inf")}, "c must"),
])
def test_bad_parameters_raise(f, kw, match):
    with pytest.raises(ValueError, match=match):
        f(**kw)


def test_errors_and_paper_numbers_at_D_1e9(xp):
    r = K.rank_one(4096, 10**9, n_test=1000, seed=0, xp=xp)
    assert r.train_error == 0.0 and r.s_prime_error == 1.0 and r.test_error == 0.0
    assert r.w2_norm2 / (4096 * 32) == pytest.approx(1.0, abs=6 * math.sqrt(2e-9))


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(settings_)
def test_brute_force_single_draw_within_derived_spread(xp, params):
    """One literal training set: the mean train margin and ||w2||^2 / (n s^2) within 6 derived sd."""
    n, D, Kd, c, cp, s2, seed = params
    r = K.brute_force(n, D, K=Kd, c=c, c_prime=cp, s2=s2, n_test=0, seed=seed, xp=xp)
    st_ = T.Setting(n, D, Kd, c, cp, s2)
    mom = T.margin_moments(st_)
    sd_mean = math.sqrt((mom["var"] + (n - 1) * mom["cov"]) / n)
    assert abs(float(to_numpy(r.train_margins).mean()) - mom["train_mean"]) <= 6 * sd_mean
    assert abs(r.w2_norm2 / (n * s2) - 1) <= 6 * math.sqrt(T.norm2_variance(st_)) / (n * s2)


@pytest.mark.parametrize("name", ["bartlett", "rank_one"])
def test_exact_samplers_test_margins_are_conditionally_gaussian(xp, name):
    from scipy.stats import norm

    r = K.SAMPLERS[name](64, 5000, n_test=20000, seed=4, xp=xp)
    z = (to_numpy(r.test_margins) - 4.0) / math.sqrt(32.0 * r.w2_norm2 / 5000)
    assert kstest(z, norm.cdf).pvalue > 1e-6
    assert r.test_error_exact == pytest.approx(norm.cdf(-4.0 / math.sqrt(32.0 * r.w2_norm2 / 5000)), rel=1e-12)


def _replay_noise(n, D, K_, s2, seed, cols):
    """The brute force's noise Z = y x2 for n_test = 0, drawn in column chunks by the same generator calls."""
    rng = np.random.default_rng(seed)
    y = rng.choice(np.array([-1.0, 1.0]), size=n)
    rng.choice(np.array([-1.0, 1.0]), size=0)
    rng.standard_normal(K_)
    X2 = np.hstack([rng.standard_normal((n, min(cols, D - a))) * K.noise_sd(s2, D) for a in range(0, D, cols)])
    return y[:, None] * X2


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(2, 40), st.integers(1, 300), st.integers(1, 4), st.integers(0, 2**31))
def test_brute_force_margin_magnitude_is_abs_Z_abs_Z_T_1(xp, n, D, Kd, seed):
    """The kernel's rounding scale equals |Z| |Z|^T 1 computed directly from the same noise, whatever
    the chunking (a sum of nonnegative terms: relative rounding gamma_(n + D + 2))."""
    for cols in (D, 3):
        Z = _replay_noise(n, D, Kd, 32.0, seed, cols)
        ref = np.abs(Z) @ np.abs(Z).sum(axis=0)
        r = K.brute_force(n, D, K=Kd, n_test=0, seed=seed, xp=xp, with_gram=True, chunk_bytes=8 * n * cols)
        assert np.all(np.abs(to_numpy(r.margin_magnitude) - ref) <= 2 * gamma(n + D + 2) * ref)
        assert np.allclose(to_numpy(r.gram), Z @ Z.T, rtol=0, atol=4 * gamma(D + 2) * ref.max())


def test_rounding_scale_exceeds_the_gram_row_sums():
    """Why the magnitude matters: sum_k |G_ik| (the bound's old scale) is many times smaller than the
    scale of the computed dot products, so a bound built on it is not a rounding bound."""
    r = K.brute_force(64, 4096, n_test=0, seed=3, with_gram=True)
    ratio = to_numpy(r.margin_magnitude) / np.abs(to_numpy(r.gram)).sum(axis=1)
    assert np.all(ratio >= 1) and np.median(ratio) > 4
