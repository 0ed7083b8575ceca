"""Realistic wrong versions of what rademacher-networks checks (declared in ``CLAIM.mutants``): each
factory takes the original object and returns the wrong one; the claim's check must fail under each."""

from __future__ import annotations

import dataclasses

import numpy as np
import sympy as sp


def signs_high_exclusive(original):
    """``rng.integers(0, 1)`` for the signs (NumPy's upper bound is exclusive): every sign is -1, a
    constant that any network fits, so Rhat = 1 says nothing."""

    def random_signs(draws, n, seed):
        return 2.0 * np.random.default_rng(seed).integers(0, 1, size=(draws, n)) - 1.0

    return random_signs


def one_sign_vector_for_all_draws(original):
    """One sign vector drawn and reused for every draw (the draw moved out of the loop): the K networks
    fit the same signs and the K 'draws' are one."""

    def random_signs(draws, n, seed):
        return np.repeat(original(1, n, seed), draws, axis=0)

    return random_signs


def trained_on_true_labels(original):
    """The networks trained on the true labels instead of the random signs (the targets of
    ``fit_true_labels`` pasted in), and then scored against the signs."""
    from vacuity.sims import rademacher_networks as S
    from vacuity.sims.train import derive_seed

    def fit_random_signs(split, n, *, draws, cfg, seed, device="cpu"):
        X = split.X_train[:n]
        sigma = S.random_signs(draws, n, derive_seed(seed, n, 1))
        targets = np.repeat(split.y_train[None, :n], draws, axis=0)
        group = S.train_networks(X, targets, cfg, seeds=[derive_seed(seed, n, 2, j) for j in range(draws)],
                                 device=device)
        f = S.outputs(group, X, cfg.threads)
        h = np.sign(f)
        tau = S.random_signs(draws, n, derive_seed(seed, n, 4))
        return S.SignFit(n, np.mean(sigma * h, axis=1), np.mean(sigma * np.clip(f, -1.0, 1.0), axis=1), sigma,
                         np.mean(tau * h, axis=1), np.sum(h * h, axis=1) / n**2,
                         S._parameter_count(group), int(group.step), batch_size=int(group.cfg.batch_size),
                         epochs=int(group.epoch))

    return fit_random_signs


def depth_off_by_one(original):
    """``depth`` read as the number of weight layers' hidden blocks plus one: every network silently gets
    one hidden layer more than asked (at the small default, two instead of one)."""

    def trainer_config(self, n):
        return original(dataclasses.replace(self, depth=self.depth + 1), n)

    return trainer_config


def epochs_ignored(original):
    """The step budget computed from the config's default epochs (60), not the claim's ``epochs``."""

    def trainer_config(self, n):
        return original(dataclasses.replace(self, epochs=60), n)

    return trainer_config


def confidence_log_one_over_delta(original):
    """Thm 3.3 (ii) with log(1/delta) in the confidence term (the first form's, where delta is not split)."""
    from vacuity.theory import rademacher as T

    return lambda: 2 * T.R_hat + 3 * sp.sqrt(sp.log(1 / T.delta) / (2 * T.n))


def vacuity_threshold_with_2(original):
    """The vacuity threshold with 2 sqrt(...) where the bound has 3 sqrt(...)."""
    from vacuity.theory import rademacher as T

    return lambda: 1 - 2 * sp.sqrt(sp.log(2 / T.delta) / (2 * T.n))


def binary_bound_factor_2(original):
    """Thm 3.5 with 2 Rhat_S(H): Thm 3.3 (ii) applied to H without Lemma 3.4's halving; valid (Rhat(G_01)
    = Rhat(H)/2 <= Rhat(H)) but not the stated bound."""
    from vacuity.theory import rademacher as T

    return lambda: 2 * T.R_hat_H + 3 * sp.sqrt(sp.log(2 / T.delta) / (2 * T.n))


def same_expression_always(original):
    """The symbolic comparison short-circuited: every pair of expressions 'proved' equal."""
    return lambda a, b: True
