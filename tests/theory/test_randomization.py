"""Closed forms of the randomization tests: Table 1 counts, the changed-label fraction."""

from __future__ import annotations

import numpy as np
import sympy as sp

from vacuity.theory import randomization as T


def test_table1_counts_at_cifar():
    assert {m: int(e.subs(T.CIFAR)) for m, e in T.counts().items()} == T.TABLE1
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
