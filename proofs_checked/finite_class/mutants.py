"""Realistic wrong versions of what the finite-class check relies on (declared in ``CLAIM.mutants``); each
factory takes the original object and returns the wrong one. The contract test asserts the check fails
under every one of them."""

from __future__ import annotations

import numpy as np


def union_tail_without_class(original):
    """The union over H written as one Hoeffding tail: the factor |H| dropped."""
    from vacuity.theory import hoeffding as TH

    return lambda: TH.tail_bound()


def bound_log_4_over_delta(original):
    """The numeric bound typed by hand with log(4/delta): valid (larger), not the stated one."""
    from vacuity.theory import finite_class as T
    from vacuity.theory.bound_params import check_class_size, check_delta, check_sizes

    def bound(ns, class_size, delta_value=T.DEFAULT_DELTA):
        check_delta(delta_value)
        check_class_size(class_size)
        return np.sqrt((np.log(class_size) + np.log(4 / delta_value)) / (2 * check_sizes(ns)))

    return bound


def class_size_ignored(original):
    """The numeric bound evaluated at the module's default |H| whatever class size it is given."""
    from vacuity.theory import finite_class as T

    return lambda ns, class_size, delta_value=T.DEFAULT_DELTA: original(ns, T.DEFAULT_CLASS_SIZE, delta_value)


def sup_without_abs(original):
    """The uniform deviation taken as max_h (R_hat - R): the absolute value forgotten (one side only)."""
    from array_api_compat import array_namespace

    def sups_from_counts(problem, counts, n, xp=None):
        xp = xp or array_namespace(counts)
        dev = xp.astype(counts, xp.float64) / n - xp.asarray(problem.cell_probs)
        return xp.max(dev @ xp.permute_dims(xp.asarray(problem.losses), (1, 0)), axis=1)

    return sups_from_counts


def multinomial_unconditional(original):
    """Multinomial cell counts by the chain rule without renormalising: N_j ~ Binomial(n - N_<j, p_j)
    instead of Binomial(n - N_<j, p_j / (p_j + ... + p_k)); the last cell takes the remainder."""

    class Draws(original):
        def multinomial(self, trials, probs, replicates):
            probs = np.asarray(probs, dtype=np.float64)
            left = self.xp.full((replicates,), trials, dtype=self.xp.int64)
            cols = []
            for j in range(probs.size - 1):
                c = self.binomial(left, float(probs[j]))
                cols.append(c)
                left = left - c
            cols.append(left)
            return self.xp.stack(cols, axis=1)

    return Draws


def bound_inverts_short_circuit(original):
    """The root-of-the-tail proof replaced by a constant 'proved' (its sympy work skipped as slow)."""
    return lambda bound=None, tail=None: True
