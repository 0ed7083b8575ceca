"""Realistic wrong versions of what rademacher-linear checks (declared in ``CLAIM.mutants``): each factory
takes the original object and returns the wrong one; the claim's check must fail under each."""

from __future__ import annotations

import sympy as sp
from array_api_compat import device as array_device


def signs_zero_one(original):
    """The sign sampler's bits used as signs: {0, 1} instead of {-1, +1} (the ``2 b - 1`` dropped)."""

    def _signs(rng, k, n, xp, like):
        return (original(rng, k, n, xp, like) + 1.0) / 2.0

    return _signs


def signs_gaussian(original):
    """Gaussian 'signs' (a standard normal in place of a Rademacher draw): same mean and variance, another
    law."""

    def _signs(rng, k, n, xp, like):
        return xp.asarray(rng.standard_normal((k, n)), device=array_device(like))

    return _signs


def jensen_over_n(original):
    """The linear bound r Lambda / n (the square root of n lost in Jensen's step)."""
    from vacuity.theory import rademacher as T

    return lambda: T.r * T.Lam / T.n


def linear_bound_loose_sqrt2(original):
    """A valid but looser linear bound r Lambda sqrt(2/n) (a sqrt(2) from a symmetrization step that is not
    needed here)."""
    from vacuity.theory import rademacher as T

    return lambda: T.r * T.Lam * sp.sqrt(2 / T.n)


def massart_without_2(original):
    """Massart's lemma with sqrt(log |A|) in place of sqrt(2 log |A|)."""
    from vacuity.theory import rademacher as T

    return lambda: T.R_A * sp.sqrt(sp.log(T.N)) / T.n


def massart_log_2n(original):
    """Massart with sqrt(2 log(2|A|)) (the form for A closed under negation, applied to A): valid, looser."""
    from vacuity.theory import rademacher as T

    return lambda: T.R_A * sp.sqrt(2 * sp.log(2 * T.N)) / T.n


def confidence_log_one_over_delta(original):
    """Thm 3.3 (ii) with log(1/delta) in the confidence term (the first form's, delta not split)."""
    from vacuity.theory import rademacher as T

    return lambda: 2 * T.R_hat + 3 * sp.sqrt(sp.log(1 / T.delta) / (2 * T.n))


def confidence_3_becomes_2(original):
    """Thm 3.3 (ii) with 2 sqrt(...) where McDiarmid twice gives 3 sqrt(...)."""
    from vacuity.theory import rademacher as T

    return lambda: 2 * T.R_hat + 2 * sp.sqrt(sp.log(2 / T.delta) / (2 * T.n))


def mc_ignores_lambda(original):
    """The Monte Carlo estimator called with the unit ball whatever Lambda is."""

    def mc_linear(X, lam=1.0, **kw):
        return original(X, 1.0, **kw)

    return mc_linear


def exact_linear_half_count(original):
    """Exact enumeration over the half cube (sigma_n = -1) divided by 2^n instead of 2^(n-1)."""

    def exact_linear_moments(X, lam=1.0, **kw):
        m = original(X, lam, **kw)
        return type(m)(m.mean / 2, m.variance / 4, m.fourth / 16)

    return exact_linear_moments


def coverage_sup_without_half(original):
    """The Thm 3.3 simulation's sup deviation without the 1/2 of g = (1 + y <w, x>/(r Lambda)) / 2."""

    def random_label_sup_deviations(n, d, r, samples, rng):
        return 2.0 * original(n, d, r, samples, rng)

    return random_label_sup_deviations


def same_expression_always(original):
    """The symbolic comparison short-circuited: every pair of expressions 'proved' equal."""
    return lambda a, b: True


