"""Realistic wrong versions of what the nk-linear check examines (declared in ``CLAIM.mutants``). Each
factory takes the original object and returns the wrong one; the claim's check must fail under each."""

from __future__ import annotations

import math

import numpy as np


def norm_mean_over_D(orig):
    def wrong():
        from vacuity.theory import nk_linear as T

        mean, var = orig()
        return mean / T.D, var

    return wrong


def norm_var_drops_2(orig):
    def wrong():
        mean, var = orig()
        return mean, var / 2

    return wrong


def test_error_no_sqrt(orig):
    from vacuity.kernels.nk_linear import phi

    def wrong(D, c, c_prime, s2, w2_norm2):
        if w2_norm2 <= 0:
            return 0.0
        return phi(-c * c_prime * D / (s2 * w2_norm2))

    return wrong


def bartlett_dof_plus_one(orig):
    return lambda n, D: orig(n, D) + 1.0


def chi2_by_its_mean(orig):
    return lambda dof, rng: np.zeros(np.shape(dof))


def rank_one_uncentred(orig):
    def wrong(dev, g, n, D, s2, xp=None):
        one = 1.0 + dev
        if getattr(g, "ndim", 1) == 2:
            return s2 * (one[:, None] + np.sqrt(n * one / D)[:, None] * g)
        return s2 * (one + math.sqrt(n * one / D) * g)

    return wrong


def s_prime_no_flip(orig):
    return lambda cc, G1: (cc + G1, cc + G1)


def torch_shared_step(orig):
    def wrong(X, y, *, K, c=2.0, c_prime=2.0, steps=1, device="cpu"):
        # one step size n for both blocks: w1 = n (1/n) sum_i y_i c y_i u = n c u, i.e. c' = n c
        return orig(X, y, K=K, c=c, c_prime=X.shape[0] * c, steps=steps, device=device)

    return wrong


def gram_proof_short_circuit(orig):
    def wrong(n_value, D_value=2, K_value=2, s_prime_sign=-1):
        from vacuity.theory.nk_linear import GramProof

        return GramProof(n_value, D_value, K_value, True, 2**n_value)

    return wrong


def lemma_short_circuit(orig):
    return lambda bound=None: True


def sufficient_D_2x(orig):
    return lambda *a, **kw: 2 * orig(*a, **kw)


def ramp_ignores_gamma(orig):
    return lambda margins, gamma: orig(margins, 0.0)
