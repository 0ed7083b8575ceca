"""The torch learner: one SGD step from zero on the linear loss, with per-block step sizes c'/c and n, is the
construction's w; one shared step size is not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vacuity.sims import nk_linear as S


@settings(max_examples=15)
@given(st.integers(1, 40), st.integers(1, 300), st.integers(1, 6), st.floats(0.1, 5), st.floats(0.1, 5),
       st.floats(0.1, 100), st.integers(0, 2**31))
def test_one_step_is_the_construction(n, D, K, c, cp, s2, seed):
    X, y, u = S.make_data(n, D, K=K, c=c, c_prime=cp, s2=s2, seed=seed)
    w1, w2 = S.train(X, y, K=K, c=c, c_prime=cp)
    X2 = X[:, K:]
    bound = 4 * (n + 4) * 2.0**-53 * np.abs(X2).sum(axis=0) + 1e-300
    assert np.all(np.abs(w2 - y @ X2) <= bound)
    assert np.allclose(w1, cp * u, rtol=1e-13, atol=0)


def test_continued_training_rescales():
    X, y, _ = S.make_data(16, 500, K=2, seed=1)
    w1, w2 = S.train(X, y, K=2)
    w1T, w2T = S.train(X, y, K=2, steps=7)
    assert np.allclose(w1T, 7 * w1, rtol=1e-13) and np.allclose(w2T, 7 * w2, rtol=1e-12)
    tr, sp_ = S.margins(X, y, w1, w2, 2)
    trT, spT = S.margins(X, y, w1T, w2T, 2)
    assert np.array_equal(np.sign(tr), np.sign(trT)) and np.array_equal(np.sign(sp_), np.sign(spT))


def test_s_prime_is_misclassified_at_large_D():
    X, y, _ = S.make_data(32, 20000, K=3, seed=2)
    w1, w2 = S.train(X, y, K=3)
    tr, sp_ = S.margins(X, y, w1, w2, 3)
    assert np.all(tr > 0) and np.all(sp_ <= 0)


def test_bad_inputs():
    with pytest.raises(ValueError, match="D must"):
        S.make_data(3, 0)
    with pytest.raises(ValueError, match="s2"):
        S.make_data(3, 5, s2=-1.0)
    X, y, _ = S.make_data(3, 5)
    with pytest.raises(ValueError, match="steps"):
        S.train(X, y, K=1, steps=0)


def test_a_shared_step_size_is_not_the_construction():
    """The per-block step sizes matter: one step size n for both blocks (c_prime = n c in ``train``'s
    parametrization) gives w1 = n c u, whose signal margin n c^2 beats ||x2_i||^2 ~ s^2, so S' is
    classified correctly where the construction misclassifies all of it."""
    n, K = 32, 3
    X, y, u = S.make_data(n, 20000, K=K, seed=2)
    w1s, w2s = S.train(X, y, K=K, c=2.0, c_prime=n * 2.0)
    assert np.allclose(w1s, n * 2.0 * u, rtol=1e-12)
    _, sp_shared = S.margins(X, y, w1s, w2s, K)
    w1, w2 = S.train(X, y, K=K)
    _, sp_ = S.margins(X, y, w1, w2, K)
    assert np.all(sp_ <= 0) and np.all(sp_shared > 0)
