"""Realistic wrong versions of what the vc check relies on (declared in ``CLAIM.mutants``); each factory
takes the original object and returns the wrong one. The contract test asserts the check fails under
every one of them."""

from __future__ import annotations

from math import comb

import numpy as np
import sympy as sp


def sauer_sum_to_d_minus_1(original):
    """Sauer's sum written with range(d): sum_{i < d} C(n, i), one term short."""
    from vacuity.theory.bound_params import check_count, check_dimension

    def sauer_sum(n_value, d_value):
        check_dimension(d_value)
        check_count("n", n_value, 0)
        return sum(comb(n_value, i) for i in range(d_value))

    return sauer_sum


def vc_bound_d_plus_1(original):
    """The VC bound written with the halfspaces' d + 1 in place of the class's VC dimension d."""
    from vacuity.theory import vc as T

    return lambda: (sp.sqrt(2 * (T.d + 1) * sp.log(sp.E * T.n / (T.d + 1)) / T.n)
                    + sp.sqrt(sp.log(1 / T.delta) / (2 * T.n)))


def bound_direct_alternative(original):
    """The numeric bound typed from the textbook's other (valid, looser) VC bound,
    sqrt((8 d log(2en/d) + 8 log(4/delta)) / n), in place of the stated one."""
    from vacuity.theory import vc as T
    from vacuity.theory.bound_params import check_delta, check_dimension, check_sizes

    def bound(ns, d_value, delta_value=T.DEFAULT_DELTA):
        check_delta(delta_value)
        check_dimension(d_value, 1)
        arr = check_sizes(ns)
        return np.sqrt((8 * d_value * np.log(2 * np.e * arr / d_value) + 8 * np.log(4 / delta_value)) / arr)

    return bound


def dimension_ignored(original):
    """The numeric bound evaluated at the module's default d = 1 whatever dimension it is given."""
    from vacuity.theory import vc as T

    return lambda ns, d_value, delta_value=T.DEFAULT_DELTA: original(ns, T.DEFAULT_D, delta_value)


def shattered_short_circuit(original):
    """The LP shattering test replaced by a constant 'shattered' (its 2^(n-1) LPs skipped as slow)."""
    return lambda X: True


def ks_index_off_by_one(original):
    """The sorted formula for D_n^+ with (k - 1)/n where k/n belongs (an off-by-one in the ranks)."""

    def sups_from_uniforms(U, xp):
        n = U.shape[1]
        s = xp.sort(U, axis=1)
        k = xp.arange(0, n, dtype=xp.float64)
        plus = xp.max(k / n - s, axis=1)
        plus = xp.where(plus > 0, plus, xp.zeros_like(plus))
        minus = xp.max(s - k / n, axis=1)
        return plus, xp.where(plus >= minus, plus, minus)

    return sups_from_uniforms


def data_moment_matched_normal(original):
    """The data drawn from N(1/2, 1/12), the uniform's mean and variance, instead of U(0, 1)."""
    from vacuity.kernels import vc as K
    from vacuity.theory.bound_params import check_count, check_n

    def threshold_sups(n, replicates, seed, xp=np):
        check_n(n)
        check_count("replicates", replicates, 1)
        x = np.random.default_rng(seed).normal(0.5, np.sqrt(1 / 12), size=(replicates, n))
        return K.sups_from_uniforms(xp.asarray(x), xp)

    return threshold_sups
