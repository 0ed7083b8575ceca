"""Realistic wrong versions of the code the expressivity claim checks (declared in ``__init__.py``).

Each factory takes the original object and returns the wrong one; ``core/mutants.applied`` puts it in
place where the checked code looks it up. None touches the check itself.
"""

from __future__ import annotations

import functools

import numpy as np

# ------------------------------------------------------------------------------ construction


def kinks_one_gap_late(interleave):
    """Every kink shifted to the next gap: b_i lands in (z_i, z_{i+1}), past its own point (an
    off-by-one in the slice that pairs kinks with gaps)."""

    @functools.wraps(interleave)
    def wrong(z, theta, xp):
        b = interleave(z, theta, xp)
        if b is None:
            return None
        return xp.concat([b[1:], z[-1:] + (z[-1:] - b[-1:])])

    return wrong


def recurrence_two_rows_back(recurrence_coefficients):
    """beta_i built from y_i - y_{i-2} instead of y_i - y_{i-1} (a slice off by one)."""

    @functools.wraps(recurrence_coefficients)
    def wrong(z, b, y, xp):
        alpha, _ = recurrence_coefficients(z, b, y, xp)
        g = z - b
        dy = xp.concat([y[:2], y[2:] - y[:-2]])
        return alpha, dy / g

    return wrong


def sequential_gap_index_shift(solve_sequential):
    """The textbook recurrence divides by z_i - b_{i-1} (the previous kink) instead of z_i - b_i."""

    @functools.wraps(solve_sequential)
    def wrong(z, b, y):
        z, b, y = (np.asarray(v, dtype=np.float64) for v in (z, b, y))
        n = z.shape[0]
        w = np.empty(n)
        S = 0.0
        y_prev, z_prev = 0.0, 0.0
        for i in range(n):
            dz = z[i] - z_prev if i else 0.0
            w[i] = ((y[i] - y_prev) - dz * S) / (z[i] - b[i - 1 if i else 0])
            S = S + w[i]
            y_prev, z_prev = y[i], z[i]
        return w

    return wrong


def torch_extra_bias(memorizer_net):
    """The torch module with an output bias, the habitual nn.Linear default: 2n + d + 1 parameters."""
    import torch
    from torch import nn

    class WithBias(memorizer_net):
        def __init__(self, a, b, w):
            super().__init__(a, b, w)
            self.bias = nn.Parameter(torch.zeros((), dtype=w.dtype, device=w.device))

        def forward(self, x):
            return super().forward(x) + self.bias

    WithBias.__name__ = memorizer_net.__name__
    return WithBias


# --------------------------------------------------------------------------------- constants


def weight_count_plus_one(weight_count):
    """2n + d + 1: a bias counted that the network does not have."""
    from vacuity.theory import expressivity as T

    @functools.wraps(weight_count)
    def wrong():
        return 2 * T.n + T.d + 1

    return wrong


def spacing_constant_pi(gaussian_min_spacing_mean):
    """int f^2 = 1 / (2 sigma sqrt(pi)) mistaken for 1 / (sigma pi): the law's 2 sqrt(pi) becomes pi,
    11 % too small."""
    import sympy as sp

    @functools.wraps(gaussian_min_spacing_mean)
    def wrong(sigma=None, size=None):
        return gaussian_min_spacing_mean(sigma, size) * sp.pi / (2 * sp.sqrt(sp.pi))

    return wrong


def gamma_quarter(gamma):
    """gamma_k replaced by gamma_{k/4}: every rounding bound of the memorizer 4x too optimistic."""

    @functools.wraps(gamma)
    def wrong(k, u=2.0**-53):
        return gamma(k / 4, u)

    return wrong


# ------------------------------------------------------------------------------- loose bound


def admissible_ten_times(admissible_residual):
    """The admissible residual 10x looser than derived (valid, but not the stated bound)."""

    @functools.wraps(admissible_residual)
    def wrong(z, b, y, abs_rows, xp):
        return 10.0 * admissible_residual(z, b, y, abs_rows, xp)

    return wrong


# ---------------------------------------------------------------------------------- sampler


def directions_not_normalized(random_directions):
    """Gaussian candidate directions left unnormalized: projections of standard normal data then have
    standard deviation |a| ~ sqrt(d), not 1."""

    @functools.wraps(random_directions)
    def wrong(rng, d, k):
        return rng.standard_normal((d, k))

    return wrong


# -------------------------------------------------------------------------- ignored settings


def theta_ignored(construct):
    """construct accepts theta but places the kinks at the default fraction of each gap."""
    from vacuity.kernels import expressivity as K

    @functools.wraps(construct)
    def wrong(X, y, *, theta=K.DEFAULT_THETA, **kw):
        return construct(X, y, theta=K.DEFAULT_THETA, **kw)

    return wrong


def n_directions_ignored(construct):
    """construct accepts n_directions but always tries the default number of random directions."""
    from vacuity.kernels import expressivity as K

    @functools.wraps(construct)
    def wrong(X, y, *, n_directions=K.DEFAULT_DIRECTIONS, **kw):
        return construct(X, y, n_directions=K.DEFAULT_DIRECTIONS, **kw)

    return wrong


# ---------------------------------------------------------------------------- short-circuit


def lemma1_always_holds(prove_lemma1):
    """The symbolic Lemma 1 proof replaced by its expected answer."""
    from vacuity.theory import expressivity as T

    @functools.wraps(prove_lemma1)
    def wrong(size, *, late=False):
        return T.Lemma1Proof(size, True, True, True)

    return wrong
