"""The randomization claim's measures of the variants' laws and its training runs (sims.randomization)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from vacuity.kernels.tolerances import SIGMAS
from vacuity.sims import data as D
from vacuity.sims import randomization as S
from vacuity.sims import train as TR
from vacuity.theory import randomization as T


def test_chi2_limit_is_the_six_sigma_quantile():
    assert S.chi2_limit(81, SIGMAS) == pytest.approx(stats.chi2.isf(stats.norm.sf(6), 81))
    assert S.chi2_limit(9, 6) > 9 + 6 * np.sqrt(18)  # the chi-square's right tail is heavier than normal


def test_chi2_statistics_against_scipy_and_their_power():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 10, 50_000), rng.integers(0, 10, 50_000)
    u, df = S.chi2_uniform(b, 10)
    assert (u, df) == (pytest.approx(stats.chisquare(np.bincount(b, minlength=10)).statistic), 9)
    ind, df = S.chi2_independence(a, b, 10)
    table = np.zeros((10, 10))
    np.add.at(table, (a, b), 1)
    assert (ind, df) == (pytest.approx(stats.chi2_contingency(table, correction=False)[0]), 81)
    assert u <= S.chi2_limit(9, SIGMAS) and ind <= S.chi2_limit(81, SIGMAS)
    # 5% of the "random" labels kept equal to the true ones: noncentrality N eps^2 (K - 1) ~ 1100
    c = np.where(rng.random(50_000) < 0.05, a, b)
    assert S.chi2_independence(a, c, 10)[0] > S.chi2_limit(81, SIGMAS)
    # 3% of the labels set to class 0: its frequency 27% too high
    skewed = np.where(rng.random(50_000) < 0.03, 0, b)
    assert S.chi2_uniform(skewed, 10)[0] > S.chi2_limit(9, SIGMAS)


def test_position_map_of_uniform_and_of_cyclic_permutations():
    rng = np.random.default_rng(1)
    perms = np.stack([rng.permutation(16) for _ in range(2000)])
    chi, df = S.chi2_position_map(perms)
    assert df == 225 and chi <= S.chi2_limit(df, SIGMAS)
    # "random" permutations that are only swaps of the first two positions
    swaps = np.tile(np.arange(16), (2000, 1))
    swaps[rng.random(2000) < 0.5, :2] = [1, 0]
    assert S.chi2_position_map(swaps)[0] > S.chi2_limit(df, SIGMAS)


def test_shape_statistics_and_ks_distance():
    rng = np.random.default_rng(2)
    x = rng.normal(2.0, 3.0, 200_000)
    st = S.shape_statistics(x)
    assert st["n"] == 200_000
    assert st["skewness"] == pytest.approx(stats.skew(x)) and st["excess_kurtosis"] == pytest.approx(stats.kurtosis(x))
    assert abs(st["mean"] - 2) < 6 * 3 / np.sqrt(2e5) and abs(st["variance"] - 9) < 6 * 9 * np.sqrt(2 / 2e5)
    d = S.ks_normal(x, 2.0, 3.0)
    assert d == pytest.approx(stats.kstest(x, "norm", args=(2.0, 3.0)).statistic)
    assert d <= T.dkw_epsilon(x.size, 2e-9)
    # a uniform law with the same mean and variance: KS distance ~0.058, kurtosis -1.2
    y = rng.uniform(2 - 3 * np.sqrt(3), 2 + 3 * np.sqrt(3), 200_000)
    assert S.ks_normal(y, 2.0, 3.0) > T.dkw_epsilon(y.size, 2e-9)
    assert abs(S.shape_statistics(y)["excess_kurtosis"] + 1.2) < 0.05


def test_correlations():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((500, 64))
    assert abs(S.correlation(x, rng.standard_normal((500, 64)))) < 6 / np.sqrt(x.size)
    assert S.correlation(x, x + 0.1 * rng.standard_normal(x.shape)) > 0.99
    r, pairs = S.neighbour_correlation(x)
    assert pairs == 500 * 63 and abs(r) < 6 / np.sqrt(pairs)
    smooth = np.cumsum(x, axis=1)
    assert S.neighbour_correlation(smooth)[0] > 0.5


def test_concordant_pairs():
    assert S.concordant_pairs([0, 1, 2], [1, 2, 3]) == 3
    assert S.concordant_pairs([0, 1, 2], [3, 2, 1]) == 0
    assert S.concordant_pairs([0, 1, 2], [1, 1, 1]) == 1.5


@pytest.fixture(scope="module")
def digits():
    return D.load("digits", seed=0, n_train=40, n_test=20)


def test_claim_runs(digits):
    seeds = S.claim_seeds(3, 2)
    assert seeds == [3, 1003]
    named = S.claim_runs(digits, (0.5,), seeds, 1e-3)
    names = [n for n, _ in named]
    assert names == ["p=0 seed=3", "p=0.5 seed=3", "p=1 seed=3", "p=0 seed=1003", "p=0.5 seed=1003",
                     "p=1 seed=1003", "shuffled_pixels", "random_pixels", "gaussian", "random_labels+wd"]
    runs = dict(named)
    assert [r.weight_decay for r in runs.values()] == [0.0] * 9 + [1e-3]
    np.testing.assert_array_equal(runs["p=0 seed=3"].data.y_train, digits.y_train)
    np.testing.assert_array_equal(runs["p=1 seed=3"].data.y_train, runs["random_labels+wd"].data.y_train)
    assert not np.array_equal(runs["p=1 seed=3"].data.y_train, runs["p=1 seed=1003"].data.y_train)
    assert [r.seed for r in runs.values()] == [3, 3, 3, 1003, 1003, 1003, 3, 3, 3, 3]


def test_norm_log_follows_each_model_to_its_stop(digits):
    cfg = TR.TrainConfig(model="mlp1x512", lr=0.01, batch_size=16, max_steps=30)
    named = [("a", TR.RunSpec(digits, seed=0)), ("b", TR.RunSpec(digits, seed=0, weight_decay=0.5))]
    out, log, trainer = S.fit_claim_group(cfg, named)
    assert set(out) == {"a", "b"} and log.steps[-1] == trainer.step == 30
    final = [float(sum(p[k].detach().double().pow(2).sum() for p in trainer.params.values()).sqrt()) for k in range(2)]
    assert log.norms[-1] == pytest.approx(final)
    # the same seed and data: the decayed model is the smaller one, by about what decay alone removes
    ratio = log.at_step(30, 1) / log.at_step(30, 0)
    alone = T.decay_only_factor(30, 0.01, 0.9, 0.5, 0.95, trainer.decay_steps)
    assert ratio < 1 - 0.5 * (1 - alone)
