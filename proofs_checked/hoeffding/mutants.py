"""Realistic wrong versions of what the hoeffding check relies on (declared in ``CLAIM.mutants``); each
factory takes the original object and returns the wrong one. The contract test asserts the check fails
under every one of them."""

from __future__ import annotations

import numpy as np
import sympy as sp


def one_sided_tail(original):
    """The tail of one side only: exp(-2 n eps^2), the factor 2 of the two sides dropped."""
    from vacuity.theory import hoeffding as T

    return lambda: sp.exp(-2 * T.n * T.eps**2)


def tail_exponent_halved(original):
    """2 exp(-n eps^2): the Chernoff optimum taken as lambda = 2t/n, exponent -1 instead of -2."""
    from vacuity.theory import hoeffding as T

    return lambda: 2 * sp.exp(-T.n * T.eps**2)


def bound_log_4_over_delta(original):
    """The numeric bound typed by hand as sqrt(log(4/delta)/(2n)): valid (larger) but not the stated one."""
    from vacuity.theory import hoeffding as T
    from vacuity.theory.bound_params import check_delta, check_sizes

    def bound(ns, delta_value=T.DEFAULT_DELTA):
        check_delta(delta_value)
        return np.sqrt(np.log(4 / delta_value) / (2 * check_sizes(ns)))

    return bound


def delta_ignored(original):
    """The numeric bound evaluated at the module's default delta whatever delta it is given."""
    from vacuity.theory import hoeffding as T

    return lambda ns, delta_value=T.DEFAULT_DELTA: original(ns, T.DEFAULT_DELTA)


def binomial_n_minus_one_trials(original):
    """Error counts drawn as Binomial(n - 1, p) (an off-by-one in the trial count), divided by n."""
    from vacuity.kernels import hoeffding as K
    from vacuity.kernels.sampling import Draws

    def binomial_deviations(n, p, replicates, seed, xp=np):
        K._check(n, p, replicates)
        counts = Draws(xp, seed).binomial(n - 1, p, size=(replicates,))
        return K.deviations_from_counts(counts, n, p, xp)

    return binomial_deviations


def bernoulli_reseeded_per_chunk(original):
    """The brute-force path re-creating its generator inside the chunk loop: every chunk of losses
    repeats the first one's uniforms (correlated losses, variance inflated by the number of chunks)."""
    from vacuity.kernels import hoeffding as K
    from vacuity.kernels.sampling import Draws

    def bernoulli_deviations(n, p, replicates, seed, xp=np):
        K._check(n, p, replicates)
        counts = xp.zeros((replicates,), dtype=xp.int64)
        step = max(1, K._CHUNK_ELEMENTS // replicates)
        for start in range(0, n, step):
            m = min(step, n - start)
            losses = Draws(xp, seed).uniform((replicates, m)) < p
            counts = counts + xp.sum(xp.astype(losses, xp.int64), axis=1)
        return K.deviations_from_counts(counts, n, p, xp)

    return bernoulli_deviations


def lemma_proof_short_circuit(original):
    """The lemma's prover replaced by a constant 'proved' (its sympy work skipped as slow)."""
    from vacuity.theory import hoeffding as T

    def prove(c=T.LEMMA_CONSTANT):
        return T.LemmaProof(sp.nsimplify(c), True, True, True, True)

    return prove
