"""The batched MLP trainer behind rademacher-networks: it equals K separate networks, is deterministic,
fits random signs at small n, and its data and inputs are checked."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from vacuity.sims import data
from vacuity.sims import rademacher_networks as S

CFG = S.TrainConfig(width=64, epochs=30, batch=16, lr=0.05)


def test_batched_forward_equals_separate_networks():
    g = torch.Generator().manual_seed(0)
    model = S.BatchedMLP(3, 5, 7, generator=g, depth=2, dtype=torch.float64)
    X = torch.randn(11, 5, generator=g, dtype=torch.float64)
    out = model(X)
    assert out.shape == (3, 11)
    for k in range(3):
        h = X
        for layer in range(3):
            h = h @ model.params[2 * layer][k] + model.params[2 * layer + 1][k]
            if layer < 2:
                h = torch.relu(h)
        assert torch.allclose(out[k], h[:, 0], rtol=1e-12, atol=1e-12)
    assert model.n_params == 5 * 7 + 7 + 7 * 7 + 7 + 7 + 1


def test_each_network_gets_its_own_gradient():
    """Training K networks at once equals training each alone (same init, same minibatches)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 4))
    T = 2.0 * rng.integers(0, 2, (2, 24)) - 1.0
    cfg = S.TrainConfig(width=8, epochs=3, batch=8, lr=0.1)
    both, Xt = S.train(X, T, cfg, seed=5)
    # rebuild network 1's initial weights alone: same generator stream, K = 2, then keep row 1
    with torch.no_grad():
        joint = both(Xt)
    for k in range(2):
        g = torch.Generator().manual_seed(5)
        init = S.BatchedMLP(2, 4, 8, generator=g, depth=1)
        single = S.BatchedMLP(1, 4, 8, generator=torch.Generator().manual_seed(0), depth=1)
        with torch.no_grad():
            for p_single, p_init in zip(single.params, init.params):
                p_single.copy_(p_init[k:k + 1])
        opt = torch.optim.SGD(single.params, lr=cfg.lr, momentum=cfg.momentum)
        Tt = torch.as_tensor(T[k:k + 1], dtype=torch.float32)
        for _ in range(cfg.epochs):
            perm = torch.randperm(24, generator=g)
            for start in range(0, 24, 8):
                idx = perm[start:start + 8]
                loss = torch.nn.functional.softplus(-Tt[:, idx] * single(Xt[idx])).mean(dim=1).sum()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
        with torch.no_grad():
            assert torch.allclose(single(Xt)[0], joint[k], rtol=1e-4, atol=1e-5)


def test_fits_random_signs_at_small_n_and_is_deterministic():
    X = np.random.default_rng(1).standard_normal((40, 10))
    a = S.fit_random_signs(X, draws=4, cfg=CFG, seed=3)
    b = S.fit_random_signs(X, draws=4, cfg=CFG, seed=3)
    assert np.array_equal(a.per_draw, b.per_draw) and np.array_equal(a.per_draw_clipped, b.per_draw_clipped)
    assert a.mean == 1.0 and a.se == 0.0 and a.misfit_fraction == 0.0
    assert a.mean_clipped <= a.mean + 1e-12


def test_one_epoch_does_not_fit():
    """The estimate measures the fit: an untrained-ish network correlates weakly with the signs."""
    X = np.random.default_rng(1).standard_normal((200, 10))
    fit = S.fit_random_signs(X, draws=4, cfg=S.TrainConfig(width=8, epochs=1, batch=200, lr=1e-3), seed=0)
    assert fit.mean < 0.5


def test_threads_restored():
    before = torch.get_num_threads()
    X = np.random.default_rng(1).standard_normal((10, 3))
    S.fit_random_signs(X, draws=2, cfg=S.TrainConfig(width=4, epochs=1, threads=1), seed=0)
    assert torch.get_num_threads() == before


def test_digits_split():
    split = S._dataset("digits", 0)
    assert split.X_train.shape == (1797 - data.DIGITS_TEST, 64) and split.X_test.shape == (data.DIGITS_TEST, 64)
    assert set(np.unique(split.y_train)) == {-1.0, 1.0} and set(np.unique(split.y_test)) == {-1.0, 1.0}
    assert np.allclose(split.X_train.mean(axis=0), 0, atol=1e-12)
    other = S._dataset("digits", 1)
    assert not np.array_equal(split.X_train, other.X_train)


def test_mnist1d_split_leaves_global_generators_alone():
    random.seed(123)
    np.random.seed(123)
    expect_py, expect_np = random.random(), np.random.random()
    random.seed(123)
    np.random.seed(123)
    split = S._dataset("mnist1d", 0)
    assert (random.random(), np.random.random()) == (expect_py, expect_np)
    assert split.X_train.shape == (4000, 40) and split.X_test.shape == (1000, 40)
    assert set(np.unique(split.y_train)) == {-1.0, 1.0}


def test_true_labels_generalize_on_digits():
    split = S._dataset("digits", 0)
    tf = S.fit_true_labels(split, 200, cfg=CFG, seed=0)
    assert tf.train_error == 0.0
    assert tf.test_error + 6 * tf.test_se < 0.5  # far better than guessing
    assert tf.n_test == split.X_test.shape[0]


@pytest.mark.parametrize("call, match", [
    (lambda: S._dataset("cifar", 0), "unknown dataset"),
    (lambda: S.TrainConfig(width=0), "width"),
    (lambda: S.TrainConfig(lr=0.0), "lr"),
    (lambda: S.TrainConfig(momentum=1.0), "momentum"),
    (lambda: S.TrainConfig(threads=-1), "threads"),
    (lambda: S.train(np.ones((3, 2)), np.ones((1, 4)), CFG, seed=0), r"targets must be \(K, n\)"),
    (lambda: S.train(np.ones((3, 2)), np.zeros((1, 3)), CFG, seed=0), r"\+-1"),
    (lambda: S.fit_random_signs(np.ones((3, 2)), draws=1, cfg=CFG, seed=0), "draws"),
    (lambda: S.fit_true_labels(S._dataset("digits", 0), 5000, cfg=CFG, seed=0), "n must lie"),
])
def test_bad_input_is_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_mnist_split_if_available():
    from tests.sims.test_expressivity_mnist import mnist_root

    split = S._dataset("mnist", 0, root=mnist_root())
    assert split.X_train.shape == (60000, 784) and split.X_test.shape == (10000, 784)
    assert set(np.unique(split.y_train)) == {-1.0, 1.0}
    # digits >= 5 make up 49% of the MNIST training set (class counts 5421 + 5918 + 6265 + 5851 + 5949)
    assert np.sum(split.y_train > 0) == 29404
