"""The three samplers of the linear counterexample: the Gram reduction, exactness in distribution,
chi-square deviations at huge dof, and bad input; then the check's tolerances and rounding bounds
(kernels.nk_linear_tolerances) against exact binomial tails, exact rational arithmetic and simulation.
Every test that takes arrays runs on NumPy and on CuPy when present."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import chi2, ks_2samp, kstest

from tests.conftest import to_numpy
from vacuity.kernels import nk_linear as K
from vacuity.kernels import nk_linear_tolerances as Tol
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
    assert Tol.gram_reduction_error_units(r, c * cp, Kd) <= 1.0
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
    tol = Tol.mean_margin_tolerance(mom["var"], mom["cov"], n, 6.0)
    assert abs(float(to_numpy(r.train_margins).mean()) - mom["train_mean"]) <= tol
    assert abs(r.w2_norm2 / (n * s2) - 1) <= Tol.norm_ratio_tolerance(T.norm2_variance(st_), n, s2, 6.0)


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


# ------------------------------------------------------------------- replicates and sizes (kernels.nk_linear)


@pytest.mark.parametrize("name", list(K.BATCHES))
@pytest.mark.parametrize("n,D", [(16, 32), (5, 3)])
def test_batch_statistics_match_their_derived_laws(name, n, D):
    """Each batch sampler's per-set statistics (V, P, ||w2||^2, its centred square) and standardized
    test margins against the derived means within 6 SE of the derived variances (4000 sets), and the
    sum identity sum_i (G 1)_i = ||w2||^2 in every set. (5, 3): D < n, the Bartlett factor trapezoidal."""
    reps = 4000
    kw = dict(K=3) if name == "brute_force" else {}
    r = K.batch(name)(n, D, reps, c=1.5, c_prime=0.5, s2=3.0, n_test=2, seed=7, **kw)
    assert r.noise.shape == (reps, n) and r.norms.shape == (reps,) and r.test_margins.shape == (reps, 2)
    mom = T.replicate_statistic_values(T.Setting(n, D, s2=3.0))
    per = K.replicate_statistics(r.noise, 3.0)
    for key, x in (("V", per["V"]), ("P", per["P"]), ("W", r.norms), ("W_sq", (r.norms - n * 3.0) ** 2)):
        mean, var = mom[key]
        assert abs(x.mean() - mean) <= 6 * math.sqrt(var / reps), key
    z = (r.test_margins - 0.75) / np.sqrt(3.0 * r.norms / D)[:, None]
    assert abs(np.mean(z * z) - 1) <= 6 * math.sqrt(2 / z.size) and abs(z.mean()) <= 6 / math.sqrt(z.size)
    assert np.allclose(r.noise.sum(axis=1), r.norms, rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", list(K.BATCHES))
def test_batches_have_the_single_samplers_law(name):
    """Batch and one-at-a-time draws of the same sampler agree in distribution (KS at 1e-6 on the margin
    noise of point 0 and on ||w2||^2)."""
    n, D, reps = 6, 20, 300
    r = K.batch(name)(n, D, 4000, n_test=0, seed=3)
    single = [K.SAMPLERS[name](n, D, n_test=0, seed=100 + k) for k in range(reps)]
    m0 = np.array([float(to_numpy(x.train_margins)[0]) - 4.0 for x in single])
    assert ks_2samp(r.noise[:, 0], m0).pvalue > 1e-6
    assert ks_2samp(r.norms, [x.w2_norm2 for x in single]).pvalue > 1e-6


def test_replicate_statistics_are_the_per_set_moments():
    noise = np.array([[1.0, 4.0, 7.0], [0.0, 2.0, 10.0]])
    s = K.replicate_statistics(noise, 2.0)
    x = noise - 2.0
    assert np.allclose(s["V"], (x * x).mean(axis=1))
    pairs = [np.mean([x[r, i] * x[r, j] for i in range(3) for j in range(3) if i != j]) for r in range(2)]
    assert np.allclose(s["P"], pairs)
    assert "P" not in K.replicate_statistics(noise[:, :1], 2.0)


def test_conditional_test_errors_and_error_rate(xp):
    norms = xp.asarray([0.0, 1.0, 50.0])
    assert np.array_equal(K.conditional_test_errors(100, 2.0, 2.0, 32.0, norms),
                          [K.conditional_test_error(100, 2.0, 2.0, 32.0, v) for v in (0.0, 1.0, 50.0)])
    assert K.error_rate(xp.asarray([1.0, 0.0, -1.0, 2.0])) == 0.5  # a zero margin is an error
    a, b = xp.asarray([1.0, -2.0]), xp.asarray([3.0, -0.5])
    assert K.same_signs((a, b), (b, a)) and not K.same_signs((a, b), (a, -b))


def test_condition_failures_follow_the_sufficient_D():
    """At the derived sufficient D the three events fail in at most a delta fraction (binomial upper
    quantile at 1e-9); at D = 4 the construction is void and most training sets fail. At D = 2000
    (rho = 1/8) S' is misclassified but the test error exceeds 0.01 (that needs D >~ n z^2 / rho^2 =
    5500): failures come from the test event alone, so they vanish at eps = 0.5."""
    n, eps, delta, reps = 16, 0.01, 0.01, 2000
    d = T.sufficient_D(n, eps, delta, 4.0 / 32.0)
    fails = K.condition_failures(n, d, reps, eps=eps, seed=0)
    assert fails.shape == (reps,) and fails.dtype == bool
    assert fails.sum() <= Tol.binomial_upper_count(reps, delta, 1e-9)
    assert K.condition_failures(n, 4, reps, eps=eps, seed=1).mean() > 0.5
    assert K.condition_failures(n, 2000, reps, eps=eps, seed=2).mean() > 0.5
    assert K.condition_failures(n, 2000, reps, eps=0.5, seed=2).sum() <= Tol.binomial_upper_count(reps, delta, 1e-9)


_SIZES = dict(mc_reps=2, rep_n=2, torch_n=1, torch_D=1, K=1, brute_n=1, brute_n_test=0, brute_D=1, reps=1,
              rep_D=1)


@pytest.mark.parametrize("key,at_cap,what", [
    ("mc_reps", K.MAX_ARRAY_NUMBERS // 8, "mc_reps x 4 rep_n"),
    ("reps", K.MAX_BRUTE_DRAWS // 3, "reps x (rep_n + 1) x rep_D"),
    ("torch_D", K.MAX_ARRAY_NUMBERS - 1, "torch_n x (K + torch_D)"),
    ("brute_D", K.MAX_BRUTE_DRAWS, "(brute_n + brute_n_test) x brute_D"),
])
def test_check_sizes_allows_the_cap_and_rejects_one_more(key, at_cap, what):
    K.check_sizes(**dict(_SIZES, **{key: at_cap}))
    with pytest.raises(ValueError, match=re.escape(what)) as info:
        K.check_sizes(**dict(_SIZES, **{key: at_cap + 1}))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("n,D", [(16, 32), (64, 200), (256, 20000)])
def test_expected_test_error_matches_adaptive_quadrature(n, D):
    """The Gauss-Legendre rule in the quantile against scipy's adaptive quad over the chi^2_D density
    (+- 40 sd around its mean, where all but a negligible part of the mass lies). The rule converges only
    like nodes^-2 (the quantile is singular at both ends): 4e-8 relative at D = 32 with 400 nodes, far
    below the Monte Carlo standard error it is compared with in the check (>= 1e-3 relative)."""
    from scipy.integrate import quad
    from scipy.special import ndtr

    cc, s2 = 4.0, 32.0
    lo, hi = max(0.0, D - 40 * math.sqrt(2 * D)), D + 40 * math.sqrt(2 * D)
    ref, _ = quad(lambda q: ndtr(-cc * D / (s2 * math.sqrt(n * q))) * chi2.pdf(q, D), lo, hi, points=[D],
                  limit=500, epsabs=1e-14, epsrel=1e-12)
    assert K.expected_test_error(n, D, 2.0, 2.0, s2) == pytest.approx(ref, rel=1e-6)


# ------------------------------------------------------------- statistical tolerances (kernels.nk_linear_tolerances)


def _binomial_pmf(N, p):
    """Binomial(N, p) masses in 40-digit arithmetic (p is the float's exact value), by the ratio
    recursion from (1 - p)^N."""
    import mpmath as mp

    with mp.workdps(40):
        q = mp.mpf(p)
        r = q / (1 - q)
        pmf = [(1 - q) ** N]
        for k in range(N):
            pmf.append(pmf[-1] * (N - k) / (k + 1) * r)
    return pmf


def _mass(pmf, ks):
    import mpmath as mp

    with mp.workdps(40):
        return mp.fsum(pmf[k] for k in ks)


@pytest.mark.parametrize("level", [1e-9, 1e-3])
@pytest.mark.parametrize("N,p", [(50, 0.5), (400, 0.3), (4000, 0.01), (20000, 0.2), (1000, 1e-4)])
def test_binomial_tolerance_is_the_exact_two_sided_quantile(N, p, level):
    """Outcomes beyond the tolerance (judged in float as the check does) have exact probability <= level
    together, and a tolerance one count narrower is exceeded with probability >= level/2: it is the
    quantile, not a loose or a Gaussian width."""
    t = Tol.binomial_tolerance(N, p, level)
    pmf = _binomial_pmf(N, p)
    assert _mass(pmf, [k for k in range(N + 1) if abs(k / N - p) > t]) <= level
    assert _mass(pmf, [k for k in range(N + 1) if abs(k / N - p) > t - 1 / N]) >= level / 2


def test_binomial_tolerance_edge_cases():
    assert Tol.binomial_tolerance(0, 0.3, 1e-9) == math.inf
    assert Tol.binomial_tolerance(1000, 1e-15, 1e-9) == 1e-15  # both quantiles 0: the lower side, p


@pytest.mark.parametrize("trials,p", [(4000, 0.01), (20000, 0.01), (200, 0.3)])
def test_binomial_upper_count_is_the_exact_quantile(trials, p):
    level = 1e-9
    c = Tol.binomial_upper_count(trials, p, level)
    pmf = _binomial_pmf(trials, p)
    assert _mass(pmf, range(c + 1, trials + 1)) <= level < _mass(pmf, range(c, trials + 1))


def test_standard_error_and_its_tolerance():
    assert Tol.standard_error(9.0, 4) == 1.5 and Tol.replicate_mean_tolerance(9.0, 4, 6.0) == 9.0
    # derived moments that contradict each other give a failing (NaN) tolerance, not a silent 0
    assert math.isnan(Tol.standard_error(-1e-30, 10)) and math.isnan(Tol.replicate_mean_tolerance(-1.0, 10, 6.0))


def test_sample_mean_tolerance_misses_at_the_student_t_rate(xp):
    """Two standard errors estimated from 50 normals miss the true mean 0 with probability
    P(|t_49| > 2) = 0.051; over 4000 batches the miss fraction lies within the exact binomial
    tolerance at 1e-6."""
    from scipy.stats import t as student

    x = xp.asarray(np.random.default_rng(5).standard_normal((4000, 50)))
    misses = sum(abs(float(xp.mean(row))) > float(Tol.sample_mean_tolerance(row, 2.0)) for row in x)
    p = 2 * student.sf(2.0, 49)
    assert abs(misses / 4000 - p) <= Tol.binomial_tolerance(4000, p, 1e-6)
    assert float(Tol.sample_mean_tolerance(xp.zeros(10), 6.0, floor=1e-12)) == 1e-12


@pytest.mark.parametrize("n,D", [(16, 32), (4, 1000)])
def test_mean_margin_and_norm_ratio_tolerances_are_the_simulated_spread(xp, n, D):
    """At sigmas = 1 the two tolerances are standard deviations: against the sd over 20000 rank-one
    training sets (its own relative sd is about 1/sqrt(2 * 20000) = 0.5%, a little more for chi^2's tails);
    dropping the (n - 1) cov term would be off by 30% at (16, 32)."""
    reps = 20000
    st_ = T.Setting(n, D)
    mom = T.margin_moments(st_)
    G1, norms = (to_numpy(a) for a in K.rank_one_batch(n, D, reps, s2=st_.s2, seed=1, xp=xp))
    sd_mean = (st_.signal + G1).mean(axis=1).std(ddof=1)
    sd_ratio = (norms / (n * st_.s2)).std(ddof=1)
    assert sd_mean == pytest.approx(Tol.mean_margin_tolerance(mom["var"], mom["cov"], n, 1.0), rel=0.04)
    assert sd_ratio == pytest.approx(Tol.norm_ratio_tolerance(T.norm2_variance(st_), n, st_.s2, 1.0), rel=0.04)


@pytest.mark.parametrize("eps", [0.5, 0.01, 1e-6, 1e-12])
def test_normal_upper_quantile_inverts_phi(eps):
    """Phi(-z_eps) = eps through erfc; 1 - eps is rounded before the inversion, so eps is recovered to
    about 1e-16 absolutely."""
    z = Tol.normal_upper_quantile(eps)
    assert abs(K.phi(-z) - eps) <= 1e-15 + 1e-12 * eps


def test_sampler_agreement_pvalues_nine_tests_and_power():
    """Same law: every p-value above the check's level 1e-7; one sampler's ||w2||^2 scaled by 1.2 (noise
    variance 20% off): its chi-square test falls far below it and the pairwise norm tests with it drop."""
    reps, n, D = 300, 6, 20
    stats = {}
    for j, name in enumerate(("brute_force", "bartlett", "rank_one")):
        r = K.batch(name)(n, D, reps, n_test=0, seed=1000 * (j + 1))
        stats[name] = (r.noise[:, 0], r.norms)
    p = Tol.sampler_agreement_pvalues(stats, n, D, 32.0)
    assert list(p) == ["brute_force~bartlett margin", "brute_force~bartlett norm", "brute_force~rank_one margin",
                       "brute_force~rank_one norm", "bartlett~rank_one margin", "bartlett~rank_one norm",
                       "brute_force norm~chi2", "bartlett norm~chi2", "rank_one norm~chi2"]
    assert min(p.values()) > 1e-7
    q = Tol.sampler_agreement_pvalues(dict(stats, rank_one=(stats["rank_one"][0], 1.2 * stats["rank_one"][1])),
                                      n, D, 32.0)
    assert q["rank_one norm~chi2"] < 1e-7
    assert max(q["brute_force~rank_one norm"], q["bartlett~rank_one norm"]) < 1e-3


def test_smallest_pvalue_never_skips_a_nan():
    assert Tol.smallest_pvalue({"a": 0.5, "b": 0.1, "c": 0.3}) == ("b", [])
    assert Tol.smallest_pvalue({"a": 0.5, "b": 0.1, "c": float("nan")}) == ("c", ["c"])
    assert Tol.smallest_pvalue({"a": float("inf"), "b": 0.1}) == ("a", ["a"])


# ------------------------------------------------------------------ rounding bounds (kernels.nk_linear_tolerances)


def _exact_gram_row_sums(Z):
    """(G 1)_i = sum_j z_ij sum_k z_kj with G = Z Z^T, in exact rationals from Z's float entries."""
    F = [[Fraction(float(v)) for v in row] for row in Z]
    col = [sum(row[j] for row in F) for j in range(len(F[0]))]
    return [sum(a * b for a, b in zip(row, col)) for row in F]


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])  # xp is stateless
@given(st.integers(2, 8), st.integers(1, 60), st.integers(1, 4), st.floats(0.1, 5), st.floats(0.1, 5),
       st.integers(0, 2**31))
def test_gram_rounding_bounds_cover_the_exact_error(xp, n, D, Kd, c, cp, seed):
    """The brute force's margins and ||w2||^2 against c c' +- (G 1)_i and 1^T G 1 computed exactly from the
    very noise it drew (several chunks): the actual error is within the section 9 bounds, and those are
    at most 1e-12 relative here (not vacuous)."""
    cols = 7
    r = K.brute_force(n, D, K=Kd, c=c, c_prime=cp, n_test=0, seed=seed, xp=xp, with_gram=True,
                      chunk_bytes=8 * n * cols)
    G1 = _exact_gram_row_sums(_replay_noise(n, D, Kd, 32.0, seed, cols))
    cc = Fraction(c) * Fraction(cp)
    S = to_numpy(r.margin_magnitude)
    bound = Tol.gram_margin_bound(n, D, Kd, S, c * cp)
    assert np.all(bound <= 1e-12 * (S + c * cp))
    for i, (tr, sp_) in enumerate(zip(to_numpy(r.train_margins), to_numpy(r.s_prime_margins))):
        assert abs(Fraction(float(tr)) - (cc + G1[i])) <= Fraction(float(bound[i]))
        assert abs(Fraction(float(sp_)) - (cc - G1[i])) <= Fraction(float(bound[i]))
    assert abs(Fraction(r.w2_norm2) - sum(G1)) <= Fraction(Tol.gram_norm_bound(n, D, float(S.sum())))


def test_gram_reduction_units_see_a_shift_of_two_bounds(xp):
    n, D, Kd, cc = 16, 300, 2, 4.0
    r = K.brute_force(n, D, K=Kd, n_test=0, seed=3, xp=xp, with_gram=True)
    assert Tol.gram_reduction_error_units(r, cc, Kd) <= 1.0
    train = r.train_margins
    r.train_margins = train + 2 * Tol.gram_margin_bound(n, D, Kd, r.margin_magnitude, cc)
    assert Tol.gram_reduction_error_units(r, cc, Kd) > 1.0
    r.train_margins = train
    r.w2_norm2 += 2 * Tol.gram_norm_bound(n, D, float(to_numpy(r.margin_magnitude).sum()))
    assert Tol.gram_reduction_error_units(r, cc, Kd) > 1.0


def _linear_data(n, D, Kd, c, seed):
    rng = np.random.default_rng(seed)
    y = rng.choice(np.array([-1.0, 1.0]), size=n)
    u = rng.standard_normal(Kd)
    u /= np.linalg.norm(u)
    return c * y[:, None] * u[None, :], rng.standard_normal((n, D)) * math.sqrt(32.0 / D), y, u


@settings(max_examples=25)
@given(st.integers(1, 64), st.integers(1, 500), st.integers(1, 5), st.floats(0.1, 5), st.floats(0.1, 5),
       st.integers(0, 2**31))
def test_torch_rounding_bounds_cover_the_step_computed_another_way(n, D, Kd, c, cp, seed):
    """The torch step's arithmetic replayed in NumPy (gradient of -(1/n) sum y_i f(x_i) as one mat-vec,
    step sizes c'/c and n) and w2 as correctly rounded column sums (math.fsum) stay within one unit of
    the bounds; the same w shifted by two bounds does not."""
    X1, X2, y, u = _linear_data(n, D, Kd, c, seed)
    g = np.hstack([X1, X2]).T @ (-y / n)
    w1, w2 = -(cp / c) * g[:Kd], -float(n) * g[Kd:]
    assert Tol.torch_weight_error_units(X2, y, u, w1, w2, cp) <= 1.0
    fsum_w2 = np.array([math.fsum(y * X2[:, j]) for j in range(D)])
    assert Tol.torch_weight_error_units(X2, y, u, w1, fsum_w2, cp) <= 1.0
    gn = gamma(n + 4)
    assert Tol.torch_weight_error_units(X2, y, u, w1, w2 + 4 * gn * np.abs(X2).sum(axis=0), cp) > 1.0
    assert Tol.torch_weight_error_units(X2, y, u, w1 + 8 * gn * cp, w2, cp) > 1.0
    train = y * (X1 @ w1 + X2 @ w2)
    assert Tol.torch_margin_error_units(X2, y, train, c * cp) <= 1.0
    Z = y[:, None] * X2
    tol = gamma(D + n + 8) * 8 * (np.abs(Z) @ np.abs(Z).sum(axis=0) + c * cp)
    assert Tol.torch_margin_error_units(X2, y, train + 2 * tol, c * cp) > 1.0


# -------------------------------------------------------------------- ramp loss (kernels.nk_linear)


def test_ramp_loss_is_the_piecewise_definition(xp):
    m = xp.asarray([-1.0, 0.0, 0.25, 0.5, 0.99, 1.0, 3.0])
    assert np.array_equal(to_numpy(K.ramp_loss(m, 1.0)), [1.0, 1.0, 0.75, 0.5, 0.010000000000000009, 0.0, 0.0])
    assert np.array_equal(to_numpy(K.ramp_loss(m, 0.0)), [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0])  # the 0-1 loss


@pytest.mark.parametrize("mu,tau,g", [(4.0, 1.1, 1.0), (4.0, 1.1, 0.5), (0.3, 2.0, 1.0), (4.0, 0.05, 1.0),
                                      (1.0, 1.0, 3.0)])
def test_expected_ramp_is_the_integral_of_the_ramp_against_the_normal(mu, tau, g):
    """E L^(gamma)(M), M ~ N(mu, tau^2), by adaptive quadrature of the piecewise loss against the density."""
    from scipy.integrate import quad
    from scipy.stats import norm

    below = norm.cdf(-mu / tau)
    mid, _ = quad(lambda m: (1 - m / g) * norm.pdf(m, mu, tau), 0.0, g, epsabs=1e-15, epsrel=1e-12)
    D, s2 = 1000, 32.0
    w2 = tau**2 * D / s2  # tau^2 = (s^2/D) ||w2||^2
    got = K.expected_ramp_given_w(D, mu, 1.0, s2, w2, g)
    assert got == pytest.approx(below + mid, rel=1e-9, abs=1e-300)
    assert K.expected_ramps_given_w(D, mu, 1.0, s2, np.array([w2, 0.0]), g)[0] == pytest.approx(got, rel=1e-12)
    assert K.conditional_test_error(D, mu, 1.0, s2, w2) <= got <= norm.cdf((g - mu) / tau)
    assert K.expected_ramp_given_w(D, mu, 1.0, s2, w2, 0.0) == K.conditional_test_error(D, mu, 1.0, s2, w2)


def test_condition_failures_at_gamma_need_a_larger_D():
    """The ramp loss at gamma = 1 needs rho_t = (c c' - 1)/s^2: at the gamma = 0 sufficient D it fails
    on most training sets, at its own sufficient D in at most a delta fraction."""
    n, eps, delta, reps = 16, 0.01, 0.01, 2000
    d0 = T.sufficient_D(n, eps, delta, 0.125)
    d1 = T.sufficient_D(n, eps, delta, 0.125, 3.0 / 32.0)
    assert d1 > d0
    assert K.condition_failures(n, d0, reps, eps=eps, gamma=1.0, seed=3).mean() > 0.5
    assert K.condition_failures(n, d1, reps, eps=eps, gamma=1.0, seed=4).sum() <= Tol.binomial_upper_count(
        reps, delta, 1e-9)


# -------------------------------------------------------------- power, bounded means, sum identity bound


def test_reps_for_power_inverts_the_detectable_error():
    for cv, rel in ((0.25, 0.031), (3.03, 0.1), (1.414, 0.1)):
        R = Tol.reps_for_power(cv, rel, 6.0)
        assert Tol.detectable_relative_error(cv, R, 6.0) <= rel < Tol.detectable_relative_error(cv, R - 1, 6.0)


def test_detectable_error_is_detected_with_the_stated_power():
    """Means of R normals with cv = 1 whose true mean is off by the detectable relative error leave the
    6-SE band in at least 99% of 2000 experiments (up to the exact binomial tolerance at 1e-6)."""
    R = 1000
    r = Tol.detectable_relative_error(1.0, R, 6.0)
    x = np.random.default_rng(9).standard_normal((2000, R)) + (1.0 + r)
    caught = np.abs(x.mean(axis=1) - 1.0) > 6.0 / math.sqrt(R)
    assert caught.mean() >= Tol.POWER - Tol.binomial_tolerance(2000, Tol.POWER, 1e-6)


def test_bounded_mean_tolerance_bounds_the_ramp_spread():
    """A [0, 1]-valued loss has Var <= p(1 - p): the ramp losses of normal margins have less spread than
    that bound, the 0-1 loss exactly that spread."""
    m = np.random.default_rng(2).normal(1.0, 1.0, 200_000)
    for g in (0.0, 0.5, 2.0):
        loss = K.ramp_loss(m, g)
        p = loss.mean()
        assert loss.std() <= Tol.bounded_mean_tolerance(p, 1, 1.0) * (1 + 1e-12)
    assert Tol.bounded_mean_tolerance(0.25, 400, 6.0) == pytest.approx(6 * math.sqrt(0.1875 / 400))


@pytest.mark.parametrize("trials,p", [(4000, 0.01), (200, 0.3)])
def test_binomial_lower_count_is_the_exact_quantile(trials, p):
    level = 1e-9
    c = Tol.binomial_lower_count(trials, p, level)
    pmf = _binomial_pmf(trials, p)
    assert _mass(pmf, range(0, c)) <= level < _mass(pmf, range(0, c + 1))


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["rank_one", "bartlett", "brute_force"]), st.integers(1, 300), st.integers(1, 3000),
       st.integers(0, 2**31))
def test_sum_identity_bound_holds_and_sees_two_bounds(xp, name, n, D, seed):
    """sum_i (train_i - c c') = ||w2||^2 within the derived rounding bound for every sampler; a margin
    set shifted by two bounds (spread over the points) is out of it."""
    r = K.SAMPLERS[name](n, D, K=2, n_test=0, seed=seed, xp=xp)
    assert Tol.sum_identity_error_units(r, 4.0, 2) <= 1.0
    r.train_margins = r.train_margins + 2 * Tol.sum_identity_bound(r, 4.0, 2) / n
    assert Tol.sum_identity_error_units(r, 4.0, 2) > 1.0


def test_sum_identity_catches_an_uncentred_rank_one():
    r = K.rank_one(64, 1000, n_test=0, seed=1)
    g = np.random.default_rng(1).standard_normal(64)
    G1 = K.rank_one_gram(0.01, g, 64, 1000, 32.0)
    assert abs(G1.sum() - 64 * 32.0 * 1.01) <= 1e-9
    r.train_margins = r.train_margins + 32.0 * math.sqrt(64 * (1.0 + 0.01) / 1000) * g.mean()
    assert Tol.sum_identity_error_units(r, 4.0, 1) > 1e6
