"""Uniform deviation over a VC class at scale: thresholds on the line, where the sup is exact.

Class: h_t(x) = 1[x <= t], t in R (VC dimension 1). Data: x ~ U(0, 1) with label y = 1, so h_t errs
exactly when x > t: R(h_t) = 1 - t and R_hat(h_t) = 1 - F_n(t), F_n the empirical CDF. Hence

    sup_t (R(h_t) - R_hat(h_t)) = sup_t (F_n(t) - t) = D_n^+,

the one-sided Kolmogorov-Smirnov statistic, attained at a sample point: D_n^+ = max_k (k/n - U_(k))
(and >= 0, from t = 0). The two-sided sup |R - R_hat| is D_n = max(D_n^+, max_k (U_(k) - (k-1)/n)).
Both come from one sort per replicate. ``brute_force_sups`` averages each threshold's losses point by
point instead; ``exact_mean_one_sided`` gives E[D_n^+] exactly (Ramanujan's Q-function), the reference for
the rate. The VC bound (theory.vc) is one-sided, so it is checked against D_n^+.
"""

from __future__ import annotations

import numpy as np

from vacuity.kernels.arrays import to_numpy
from vacuity.kernels.deviation_sims import DeviationSimulator, mean_and_se, register_simulator
from vacuity.kernels.extended import U as _UNIT  # unit roundoff 2^-53 (the parameter U below is uniforms)
from vacuity.kernels.sampling import Draws
from vacuity.theory.bound_params import check_count, check_n

_CHUNK_ELEMENTS = 1 << 22


def sups_from_uniforms(U, xp):
    """(one-sided D+, two-sided D) per row of U (replicates, n) of sample points in [0, 1]."""
    n = U.shape[1]
    s = xp.sort(U, axis=1)
    k = xp.arange(1, n + 1, dtype=xp.float64)
    plus = xp.max(k / n - s, axis=1)
    plus = xp.where(plus > 0, plus, xp.zeros_like(plus))
    minus = xp.max(s - (k - 1) / n, axis=1)
    return plus, xp.where(plus >= minus, plus, minus)


def threshold_sups(n: int, replicates: int, seed: int, xp=np):
    """(D_n^+, D_n) for ``replicates`` samples of size n: sup over thresholds of R - R_hat and |R - R_hat|."""
    check_n(n)
    check_count("replicates", replicates, 1)
    draws = Draws(xp, seed)
    rows = max(1, _CHUNK_ELEMENTS // n)
    plus, both = [], []
    for start in range(0, replicates, rows):
        p, b = sups_from_uniforms(draws.uniform((min(rows, replicates - start), n)), xp)
        plus.append(p)
        both.append(b)
    cat = (lambda a: a[0] if len(a) == 1 else xp.concat(a))
    return cat(plus), cat(both)


def brute_force_sups(U, xp=np):
    """The one-sided sup from the definition, for each row of U: evaluate R(h_t) - R_hat(h_t) with
    R_hat(h_t) = mean_i 1[x_i > t] (each threshold's own losses) at t = 0 and at every sample point
    (between sample points R - R_hat = F_n(t) - t decreases, so these candidates contain the sup).
    O(n^2) per row: for checking the sorted formula."""
    out = []
    for r in range(U.shape[0]):
        x = U[r, :]
        t = xp.concat([xp.zeros((1,), dtype=xp.float64), x])
        losses = xp.astype(x[None, :] > t[:, None], xp.float64)  # (candidates, points)
        r_hat = xp.sum(losses, axis=1) / x.shape[0]
        out.append(xp.max((1.0 - t) - r_hat))
    return xp.stack(out)


SUP_PATHS_ROUNDING = 4 * _UNIT
"""Bound on |sorted formula - brute force| for one row: each side is a difference of two quantities in
[0, 1] (k/n - U_(k), resp. (1 - t) - R_hat(h_t)), each at most one rounding (u) away from exact, so the
two computed sups differ by at most 4u."""


def sup_paths_gap(U, xp=np) -> float:
    """max over rows of U of |D_n^+ (sorted formula) - D_n^+ (brute force over thresholds)|."""
    fast, _ = sups_from_uniforms(U, xp)
    slow = brute_force_sups(U, xp)
    return float(np.max(np.abs(to_numpy(fast) - to_numpy(slow))))


def exact_mean_one_sided(ns) -> np.ndarray:
    """E[D_n^+] = Q(n) / (2n), Q(n) = sum_{k=1}^{n} prod_{j<k} (1 - j/n) (Ramanujan's Q-function).

    Asymptotically sqrt(pi/8)/sqrt(n) - 1/(6n): the log-log slope bends away from -1/2 at small n,
    which is why the rate is judged against this exact curve. Checked against the integral of the exact
    tail (``mean_by_integration``) in the tests."""
    out = []
    for n in np.atleast_1d(ns):
        n = int(check_n(int(n)))
        out.append(np.sum(np.cumprod(1.0 - np.arange(n) / n)) / (2 * n))
    return np.asarray(out)


def mean_by_integration(n: int, with_error: bool = False):
    """E[D_n^+] = integral_0^1 P[D_n^+ > x] dx from the exact one-sided KS law (scipy.stats.ksone): an
    independent computation of ``exact_mean_one_sided``. With ``with_error``, also the bound on its
    difference from the Q-function sum: quad's own error estimate plus the sum's rounding, 2 n u E (each
    of the n products carries at most n roundings of relative size u, then n additions)."""
    from scipy.integrate import quad
    from scipy.stats import ksone

    value, abserr = quad(lambda x: ksone.sf(x, int(n)), 0.0, 1.0, limit=200, epsabs=1e-13)
    if not with_error:
        return float(value)
    return float(value), float(abserr + 2 * int(n) * _UNIT * value)


def exact_cdf_one_sided(n: int):
    """x -> P[D_n^+ <= x], the exact law of the one-sided KS statistic (scipy.stats.ksone), vectorized."""
    from scipy.stats import ksone

    n = int(check_n(int(n)))
    return lambda x: ksone.cdf(np.asarray(x, dtype=np.float64), n)


SMIRNOV_EXACT_MAX = 10**6
"""scipy.special.smirnov (behind scipy.stats.ksone) sums the exact Smirnov/Birnbaum-Tingey series for
n <= 10^6 and switches to an asymptotic expansion above (measured: relative differences from the sum
jump from 6e-10 at n = 10^6 to 5e-8 at n = 10^6 + 1, 8e-4 far in the tail at n = 2^20)."""


def exact_tail_one_sided(n: int, eps: float) -> float:
    """P[D_n^+ >= eps] (continuous law: > and >= agree): scipy's ksone where it is exact (n <= 10^6), the
    Birnbaum-Tingey sum above."""
    from scipy.stats import ksone

    if int(n) > SMIRNOV_EXACT_MAX:
        return exact_tail_birnbaum_tingey(n, eps)
    return float(ksone.sf(eps, int(n)))


def birnbaum_tingey_rtol(n: int) -> float:
    """|ksone / Birnbaum-Tingey - 1| allowed between scipy's one-sided KS tail and the Birnbaum-Tingey sum
    at the same point: the sum has at most n + 1 positive terms, each the exp of about six logs/lgammas of
    total magnitude at most 2 (n log n + n), each rounded to u relative, so each term (and their log-sum-exp)
    is within 8 (n log n + n) u relative; scipy's smirnov evaluates the same sum, to the same order."""
    n = int(check_n(int(n)))
    return 8 * (n * np.log(n) + n) * _UNIT


def exact_tail_birnbaum_tingey(n: int, eps: float) -> float:
    """P[D_n^+ >= eps] by the Birnbaum-Tingey (1951) formula, an independent second computation of
    ``exact_tail_one_sided``: eps sum_{j=0}^{floor(n(1-eps))} C(n, j) (1 - eps - j/n)^(n-j) (eps + j/n)^(j-1),
    every term positive, summed from logs (NumPy)."""
    from scipy.special import gammaln, logsumexp

    n = int(check_n(int(n)))
    if eps <= 0:
        return 1.0
    if eps >= 1:
        return 0.0
    j = np.arange(0, int(np.floor(n * (1 - eps))) + 1, dtype=np.float64)
    a = 1.0 - eps - j / n
    inner = a > 0
    j, a = j[inner], a[inner]
    log_terms = (gammaln(n + 1) - gammaln(j + 1) - gammaln(n - j + 1) + (n - j) * np.log(a)
                 + (j - 1) * np.log(eps + j / n))
    return float(np.exp(np.log(eps) + logsumexp(log_terms)))


def _simulate_mean(ns, seed: int, replicates: int = 2000):
    return mean_and_se(ns, lambda i, n: threshold_sups(n, replicates, seed + i)[0])


SIMULATOR = register_simulator(DeviationSimulator(
    bound="vc",
    simulate=_simulate_mean,
    ns=(64, 256, 1024, 4096),
    exact_mean=exact_mean_one_sided,
    what="E sup_t (R(h_t) - R_hat(h_t)) over thresholds on [0, 1] (one-sided KS statistic D_n^+)",
))
