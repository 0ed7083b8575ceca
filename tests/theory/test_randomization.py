"""Closed forms of the randomization tests: Table 1 counts, the changed-label fraction."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from vacuity.theory import randomization as T


def test_table1_counts_at_cifar():
    assert {m: int(T.counts()[m].subs(T.CIFAR)) for m in T.TABLE1} == T.TABLE1
    # the MLPs' counts by hand: 2352 inputs, 512 hidden, 10 outputs, biases everywhere
    assert T.TABLE1["mlp1x512"] == 2352 * 512 + 512 + 512 * 10 + 10
    assert T.TABLE1["mlp3x512"] == 2352 * 512 + 512 + 2 * (512 * 512 + 512) + 512 * 10 + 10
    assert T.TABLE1["alexnet"] == (5 * 5 * 3 * 64 + 64 + 5 * 5 * 64 * 64 + 64 + 7 * 7 * 64 * 384 + 384
                                   + 384 * 192 + 192 + 192 * 10 + 10)


def test_inception_count_does_not_depend_on_the_image_size():
    e = T.counts()["inception"]
    assert not ({T.h, T.w} & e.free_symbols)
    assert sp.Poly(e, T.c, T.K).degree() == 1


def test_changed_fraction_and_variance():
    q = T.changed_fraction()
    assert sp.simplify(q - T.p * (T.K - 1) / T.K) == 0
    assert sp.simplify(T.changed_fraction_variance() - q * (1 - q) / T.n) == 0
    assert T.chance_error().subs(T.K, 10) == sp.Rational(9, 10)
    # Monte Carlo of the two draws, 6 standard errors of the derived variance
    rng = np.random.default_rng(0)
    n, p, k = 200_000, 0.3, 10
    y = rng.integers(0, k, n)
    mask = rng.random(n) < p
    z = np.where(mask, rng.integers(0, k, n), y)
    want = float(q.subs({T.p: p, T.K: k}))
    assert abs(np.mean(z != y) - want) <= 6 * np.sqrt(want * (1 - want) / n)


def test_count_at_vector_inputs():
    assert T.count_at("mlp1x512", (40,)) == 40 * 512 + 512 + 5130
    assert T.count_at("inception_nobn", (40,)) == T.count_at("inception", (1, 1, 40))


def test_normal_shape_statistics_derived():
    assert T.normal_raw_moments(8)[:9] == (1, 0, 1, 0, 3, 0, 15, 0, 105)
    assert T.normal_shape_limits() == (0, 0)
    assert T.normal_shape_variances() == (6, 24)
    # Monte Carlo: the variances of the sample skewness g1 and excess kurtosis g2 of N = 400 normals
    # against their exact small-sample values (Fisher), which tend to 6/N and 24/N; 6 SE of each
    # variance estimate over R draws, the SE from the draws themselves
    rng = np.random.default_rng(1)
    N, R = 400, 4000
    z = rng.standard_normal((R, N))
    d = z - z.mean(1, keepdims=True)
    m2 = (d**2).mean(1)
    skew = (d**3).mean(1) / m2**1.5
    kurt = (d**4).mean(1) / m2**2 - 3
    exact = (6 * (N - 2) / ((N + 1) * (N + 3)), 24 * N * (N - 2) * (N - 3) / ((N + 1) ** 2 * (N + 3) * (N + 5)))
    for stat, var, limit in zip((skew, kurt), exact, T.normal_shape_variances()):
        se = np.std((stat - stat.mean()) ** 2) / np.sqrt(R)
        assert abs(stat.var() - var) <= 6 * se
        assert abs(N * var - limit) <= 20 * limit / N  # exact = limit (1 + O(1/N)), coefficients below 20


def test_dkw_band_holds_for_normal_samples():
    from scipy.special import ndtr

    eps = T.dkw_epsilon(1000, 0.01)
    assert eps == pytest.approx(np.sqrt(np.log(200) / 2000))
    rng = np.random.default_rng(2)
    exceed = 0
    for _ in range(200):
        v = np.sort(rng.standard_normal(1000))
        F = ndtr(v)
        i = np.arange(1, 1001)
        exceed += max(np.max(i / 1000 - F), np.max(F - (i - 1) / 1000)) > eps
    assert exceed <= 200 * 0.01 + 6 * np.sqrt(200 * 0.01 * 0.99)
    with pytest.raises(ValueError):
        T.dkw_epsilon(0, 0.1)


def test_decay_only_factor_is_torch_sgd_with_a_zero_loss():
    import torch

    w = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.SGD([w], lr=0.01, momentum=0.9, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.95)
    for _ in range(50):
        opt.zero_grad()
        (0 * w.sum()).backward()
        opt.step()
        sched.step()
    assert float(w.detach()[0]) == pytest.approx(T.decay_only_factor(50, 0.01, 0.9, 1e-2, 0.95, 7), rel=1e-6)
    assert T.decay_only_factor(0, 0.01, 0.9, 1e-2) == 1.0


def test_concordance_law_is_the_count_over_permutations():
    from itertools import permutations

    for k in range(1, 6):
        law = T.concordance_law(k)
        brute = [0] * len(law)
        for order in permutations(range(k)):
            brute[sum(order[i] < order[j] for i in range(k) for j in range(i + 1, k))] += 1
        assert list(law) == brute and sum(law) == math.factorial(k)
    assert T.concordance_pvalue(0, 5, 3) == 1.0
    assert T.concordance_pvalue(10 * 3, 5, 3) == pytest.approx(1 / 120**3)
