"""rademacher-networks on the group trainer: the claim's settings become a logistic-loss group of ReLU
MLPs with one output, which equals K separate networks, is deterministic, fits random signs at small n,
and checks its data and inputs."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from vacuity.sims import data
from vacuity.sims import rademacher_networks as S

CFG = S.TrainConfig(width=64, epochs=30, batch=16, lr=0.05)


def _split(X: np.ndarray) -> S.Split:
    """Points with no labels that matter (the random-sign fit never reads them)."""
    y = np.ones(X.shape[0])
    return S.Split("points", X, y, X[:1], y[:1])


def test_the_claims_settings_translate_to_the_group_trainer():
    cfg = S.TrainConfig(width=32, depth=2, epochs=7, batch=16, lr=0.2, momentum=0.5)
    tc = cfg.trainer_config(40)
    assert (tc.model, tc.loss, tc.stop, tc.lr, tc.momentum, tc.lr_decay, tc.batch_size) == \
        ("mlp2x32", "logistic", "budget", 0.2, 0.5, 1.0, 16)
    assert tc.max_steps == 7 * 3  # ceil(40 / 16) steps per epoch, every epoch trained
    assert cfg.trainer_config(8).max_steps == 7  # a batch larger than n: one full-batch step per epoch


def test_networks_are_relu_mlps_with_one_output():
    """d -> width (x depth, ReLU) -> 1: the outputs are this forward pass of each network's weights."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 5))
    T = 2.0 * rng.integers(0, 2, (3, 12)) - 1.0
    cfg = S.TrainConfig(width=7, depth=2, epochs=2, batch=4, lr=0.1)
    group = S.train_networks(X, T, cfg, seeds=[0, 1, 2])
    f = S.outputs(group, X)
    assert f.shape == (3, 12) and f.dtype == np.float64
    shapes = [tuple(p.shape) for p in group.params.values()]
    assert shapes == [(3, 7, 5), (3, 7), (3, 7, 7), (3, 7), (3, 1, 7), (3, 1)]
    for k in range(3):
        h = torch.as_tensor(X, dtype=torch.float64)
        ps = [p[k].detach().double() for p in group.params.values()]
        for layer in range(3):
            h = h @ ps[2 * layer].T + ps[2 * layer + 1]
            if layer < 2:
                h = torch.relu(h)
        np.testing.assert_allclose(f[k], h[:, 0].numpy(), rtol=1e-5, atol=1e-5)


def test_a_group_of_networks_equals_networks_trained_one_by_one():
    """Each network keeps its seed's initialization and data order and its own gradient: K at once
    give the outputs of K trained alone (to float32 rounding carried through SGD)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 4))
    T = 2.0 * rng.integers(0, 2, (3, 24)) - 1.0
    cfg = S.TrainConfig(width=8, epochs=3, batch=8, lr=0.1)
    joint = S.outputs(S.train_networks(X, T, cfg, seeds=[5, 6, 7]), X)
    for k, seed in enumerate((5, 6, 7)):
        alone = S.outputs(S.train_networks(X, T[k:k + 1], cfg, seeds=[seed]), X)[0]
        np.testing.assert_allclose(alone, joint[k], rtol=1e-4, atol=1e-5)
    other = S.outputs(S.train_networks(X, T[:1], cfg, seeds=[6]), X)[0]
    assert not np.allclose(other, joint[0], atol=1e-3)  # the seed matters


def test_fits_random_signs_at_small_n_and_is_deterministic():
    X = np.random.default_rng(1).standard_normal((40, 10))
    a = S.fit_random_signs(_split(X), 40, draws=4, cfg=CFG, seed=3)
    b = S.fit_random_signs(_split(X), 40, draws=4, cfg=CFG, seed=3)
    assert np.array_equal(a.per_draw, b.per_draw) and np.array_equal(a.per_draw_clipped, b.per_draw_clipped)
    assert np.array_equal(a.sigma, b.sigma) and np.array_equal(a.held_out, b.held_out)
    assert a.mean == 1.0 and a.se == 0.0 and a.misfit_fraction == 0.0
    assert a.mean_clipped <= a.mean + 1e-12
    # the scores are those of the returned signs; the fit reads only the first n points
    assert a.sigma.shape == (4, 40) and set(np.unique(a.sigma)) == {-1.0, 1.0}
    c = S.fit_random_signs(_split(np.vstack([X, X])), 40, draws=4, cfg=CFG, seed=3)
    assert np.array_equal(a.per_draw, c.per_draw)


def test_held_out_scores_have_their_exact_law():
    """On an independent sign vector tau the score (1/n) sum tau_i sign f(x_i) has mean 0 and variance
    sum sign(f)^2 / n^2 (<= 1/n): over many networks the standardized mean is O(1), while the same
    networks score 1 on their own signs."""
    X = np.random.default_rng(2).standard_normal((30, 6))
    fit = S.fit_random_signs(_split(X), 30, draws=24, cfg=S.TrainConfig(width=32, epochs=40, batch=10), seed=1)
    assert fit.mean > 0.9
    assert np.all(fit.held_out_variance <= 1 / 30 + 1e-15)
    assert abs(fit.held_out_mean) <= 6 * fit.held_out_se
    assert fit.held_out_se == pytest.approx(np.sqrt(fit.held_out_variance.sum()) / 24)


def test_network_size_and_step_count_are_the_declared_ones():
    X = np.random.default_rng(1).standard_normal((25, 7))
    fit = S.fit_random_signs(_split(X), 25, draws=2, cfg=S.TrainConfig(width=5, depth=3, epochs=3, batch=10), seed=0)
    assert fit.n_params == 7 * 5 + 5 + 2 * (5 * 5 + 5) + 5 + 1
    assert fit.steps == 3 * 3  # ceil(25 / 10) steps per epoch


def test_random_signs_are_balanced_independent_draws():
    sigma = S.random_signs(50, 400, seed=7)
    assert sigma.shape == (50, 400) and set(np.unique(sigma)) == {-1.0, 1.0}
    assert abs(sigma.mean()) <= 6 / np.sqrt(sigma.size)
    assert not np.array_equal(sigma, S.random_signs(50, 400, seed=8))
    assert np.array_equal(sigma, S.random_signs(50, 400, seed=7))


def test_one_epoch_does_not_fit():
    """The estimate measures the fit: an untrained-ish network correlates weakly with the signs."""
    X = np.random.default_rng(1).standard_normal((200, 10))
    fit = S.fit_random_signs(_split(X), 200, draws=4, cfg=S.TrainConfig(width=8, epochs=1, batch=200, lr=1e-3), seed=0)
    assert fit.mean < 0.5


def test_threads_restored():
    before = torch.get_num_threads()
    X = np.random.default_rng(1).standard_normal((10, 3))
    S.fit_random_signs(_split(X), 10, draws=2, cfg=S.TrainConfig(width=4, epochs=1, threads=1), seed=0)
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
    (lambda: S.train_networks(np.ones((3, 2)), np.ones((1, 4)), CFG, seeds=[0]), r"targets must be \(K, n\)"),
    (lambda: S.train_networks(np.ones((3, 2)), np.zeros((1, 3)), CFG, seeds=[0]), r"\+-1"),
    (lambda: S.train_networks(np.ones((3, 2)), np.ones((2, 3)), CFG, seeds=[0]), "one seed per row"),
    (lambda: S.fit_random_signs(_split(np.ones((3, 2))), 3, draws=1, cfg=CFG, seed=0), "draws"),
    (lambda: S.fit_random_signs(_split(np.ones((3, 2))), 4, draws=2, cfg=CFG, seed=0), "n must lie"),
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
