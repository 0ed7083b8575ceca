"""Uniform deviation over a finite class at scale: sup_h |R_hat(h) - R(h)| by matrix products.

The data live on a finite domain: x in {0, ..., m-1} with P(x) and eta(x) = P(y = 1 | x), so the
joint law is a vector P over the 2m cells (x, y). A classifier h is a table {0..m-1} -> {0, 1}; its
0-1 losses on the cells form a row of the loss matrix L (|H| x 2m), L[h, (x, y)] = 1[h(x) != y].
Then, exactly,

    R(h) = (L P)_h,   R_hat(h) = (L N)_h / n,   N ~ Multinomial(n, P) the cell counts,

and sup_h |R_hat - R| = max_h |(L (N/n - P))_h|: one (R x 2m) @ (2m x |H|) product for R replicates,
with a cost independent of n. ``brute_force_sups`` draws the n points themselves and averages each
hypothesis's losses point by point; on the same points both paths give the same sup.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from array_api_compat import array_namespace

from vacuity.kernels.arrays import to_numpy
from vacuity.kernels.deviation_sims import DeviationSimulator, mean_and_se, register_simulator
from vacuity.kernels.extended import gamma
from vacuity.kernels.sampling import Draws
from vacuity.kernels.tolerances import SIGMAS
from vacuity.theory.bound_params import check_class_size, check_count, check_n

_CHUNK_ELEMENTS = 1 << 23  # entries of a (replicates x |H|) block kept at once


@dataclass(frozen=True)
class FiniteProblem:
    """A distribution on 2m cells and a finite class of classifiers, with exact risks (NumPy)."""

    cell_probs: np.ndarray  # (2m,): P[x, y] at cell 2x + y
    tables: np.ndarray  # (|H|, m) of 0/1: h(x)
    losses: np.ndarray  # (|H|, 2m) of 0/1: L[h, 2x + y] = 1[h(x) != y]
    risks: np.ndarray  # (|H|,): R(h) = L P

    @property
    def class_size(self) -> int:
        return self.tables.shape[0]

    @property
    def domain_size(self) -> int:
        return self.tables.shape[1]


def loss_matrix(tables: np.ndarray) -> np.ndarray:
    tables = np.asarray(tables)
    if tables.ndim != 2 or not np.isin(tables, (0, 1)).all():
        raise ValueError("classifier tables must be a 2-D 0/1 array of shape (|H|, m)")
    L = np.empty((tables.shape[0], 2 * tables.shape[1]), dtype=np.float64)
    L[:, 0::2] = tables != 0  # cell (x, y = 0): an error when h(x) = 1
    L[:, 1::2] = tables != 1  # cell (x, y = 1): an error when h(x) = 0
    return L


def make_problem(x_probs, eta, tables) -> FiniteProblem:
    x_probs = np.asarray(x_probs, dtype=np.float64)
    eta = np.asarray(eta, dtype=np.float64)
    if x_probs.ndim != 1 or eta.shape != x_probs.shape:
        raise ValueError("x_probs and eta must be 1-D arrays of the same length m")
    if np.any(x_probs < 0) or abs(x_probs.sum() - 1) > 1e-12 or np.any((eta < 0) | (eta > 1)):
        raise ValueError("x_probs must be a probability vector and eta must lie in [0, 1]")
    cells = np.empty(2 * x_probs.size)
    cells[0::2] = x_probs * (1 - eta)
    cells[1::2] = x_probs * eta
    L = loss_matrix(tables)
    if L.shape[1] != cells.size:
        raise ValueError(f"tables have {L.shape[1] // 2} columns but the domain has {x_probs.size} points")
    return FiniteProblem(cells, np.asarray(tables), L, L @ cells)


def random_problem(domain_size: int, class_size: int, seed: int) -> FiniteProblem:
    """P(x) ~ Dirichlet(1), eta(x) ~ U(0, 1), |H| classifiers with i.i.d. fair-coin tables."""
    check_count("domain size m", domain_size, 1)
    check_class_size(class_size)
    rng = np.random.default_rng(seed)
    x_probs = rng.dirichlet(np.ones(domain_size))
    eta = rng.random(domain_size)
    tables = rng.integers(0, 2, size=(class_size, domain_size))
    return make_problem(x_probs, eta, tables)


def distinct_classifiers(problem: FiniteProblem) -> int:
    """Number of distinct tables (rows) in the class: what the union bound effectively counts."""
    return int(np.unique(np.asarray(problem.tables), axis=0).shape[0])


def duplicate_limit(class_size: int, domain_size: int, sigmas: float = SIGMAS) -> float:
    """Upper limit on |H| - #distinct for |H| i.i.d. fair-coin tables on m points. Each table lost to a
    duplicate leaves at least one colliding pair, and the number K of colliding pairs has mean
    C(|H|, 2) / 2^m with pairwise-independent pair indicators, close to Poisson(C(|H|, 2) / 2^m) (the
    birthday problem); the limit is that Poisson law's upper quantile at Phi(-sigmas)."""
    from scipy.stats import norm, poisson

    check_class_size(class_size)
    check_count("domain size m", domain_size, 1)
    pairs = class_size * (class_size - 1) / 2
    mean = pairs * 2.0 ** (-domain_size)
    return float(poisson.isf(norm.sf(sigmas), mean)) if mean > 0 else 0.0


def sups_from_counts(problem: FiniteProblem, counts, n: int, xp=None):
    """max_h |(L (N/n - P))_h| for each row of counts (replicates, 2m)."""
    xp = xp or array_namespace(counts)
    L = xp.asarray(problem.losses)
    P = xp.asarray(problem.cell_probs)
    dev = xp.astype(counts, xp.float64) / n - P  # (R, 2m)
    rows = max(1, _CHUNK_ELEMENTS // problem.class_size)
    out = []
    for start in range(0, dev.shape[0], rows):
        z = dev[start:start + rows, :] @ xp.permute_dims(L, (1, 0))  # (rows, |H|)
        out.append(xp.max(xp.abs(z), axis=1))
    return out[0] if len(out) == 1 else xp.concat(out)


def sup_deviations(problem: FiniteProblem, n: int, replicates: int, seed: int, xp=np):
    """sup_h |R_hat(h) - R(h)| over ``replicates`` samples of size n (multinomial cell counts)."""
    return sups_from_counts(problem, multinomial_counts(problem, n, replicates, seed, xp), n, xp)


def multinomial_counts(problem: FiniteProblem, n: int, replicates: int, seed: int, xp=np):
    """(replicates, 2m) cell counts of samples of size n: N ~ Multinomial(n, P)."""
    check_n(n)
    check_count("replicates", replicates, 1)
    return Draws(xp, seed).multinomial(n, problem.cell_probs, replicates)


def sups_and_variance_ratios(problem: FiniteProblem, n: int, replicates: int, seed: int, xp=np):
    """From one draw of multinomial cell counts: sup_h |R_hat(h) - R(h)| per replicate, and per replicate
    the mean over h of (R_hat(h) - R(h))^2 / (R(h) (1 - R(h)) / n), whose expectation is exactly 1
    (n R_hat(h) = (L N)_h ~ Binomial(n, R(h))); hypotheses with R(h) in {0, 1} are left out of the mean."""
    counts = multinomial_counts(problem, n, replicates, seed, xp)
    return sups_from_counts(problem, counts, n, xp), variance_ratios(problem, counts, n)


def variance_ratios(problem: FiniteProblem, counts, n: int) -> np.ndarray:
    """Per row of counts: mean over h of (R_hat(h) - R(h))^2 / Var R_hat(h), Var = R(h) (1 - R(h)) / n
    (NumPy; expectation exactly 1 under the multinomial law)."""
    cnt = np.asarray(to_numpy(counts), dtype=np.float64)
    risks = problem.risks
    keep = (risks > 0) & (risks < 1)
    var = risks[keep] * (1 - risks[keep]) / n
    out = []
    rows = max(1, _CHUNK_ELEMENTS // problem.class_size)
    for start in range(0, cnt.shape[0], rows):
        r_hat = (cnt[start:start + rows] / n) @ problem.losses[keep].T
        out.append(np.mean((r_hat - risks[keep]) ** 2 / var, axis=1))
    return np.concatenate(out)


def exact_single_tails(problem: FiniteProblem, n: int, eps: float) -> np.ndarray:
    """P[|R_hat(h) - R(h)| >= eps] for every hypothesis h, from its exact Binomial(n, R(h)) law: the sup's
    tail lies between their max and (union) their sum."""
    from vacuity.kernels.hoeffding import exact_tail

    return np.asarray([exact_tail(n, float(min(max(r, 0.0), 1.0)), eps) if 0 < r < 1 else 0.0
                       for r in problem.risks])


def exact_mean_lower_bound(problem: FiniteProblem, n: int, top: int = 8) -> float:
    """max over the ``top`` hypotheses of largest R(1 - R) of the exact E|R_hat(h) - R(h)|: a lower bound
    on E sup_h |R_hat(h) - R(h)| from exact binomial laws (any subset's max is below the sup)."""
    from vacuity.kernels.hoeffding import exact_mean_deviation

    risks = problem.risks[(problem.risks > 0) & (problem.risks < 1)]
    if risks.size == 0:
        return 0.0
    pick = risks[np.argsort(risks * (1 - risks))[-top:]]
    return float(max(exact_mean_deviation([n], float(r))[0] for r in pick))


def maximal_inequality_bound(class_size: int, n: int) -> float:
    """E max_h |R_hat(h) - R(h)| <= sqrt(log(2|H|) / (2n)): the 2|H| variables +-(R_hat - R) are each
    sub-Gaussian with variance proxy 1/(4n) (Hoeffding's lemma), and E max of N such is at most
    sqrt(2 sigma^2 log N)."""
    check_class_size(class_size)
    check_n(n)
    return float(np.sqrt(np.log(2 * class_size) / (2 * n)))


def brute_force_sups(problem: FiniteProblem, n: int, replicates: int, seed: int, xp=np):
    """The same statistic from the points themselves: n cells drawn by inverting the CDF of uniforms,
    each hypothesis's empirical risk the mean of its losses on them. Returns (sups, counts), the counts
    being the cell histogram of the same draws (so the matrix path can be run on identical data)."""
    check_n(n)
    check_count("replicates", replicates, 1)
    draws = Draws(xp, seed)
    cdf = np.cumsum(problem.cell_probs)
    cdf[-1] = 1.0
    cdf_x = xp.asarray(cdf)
    L = xp.asarray(problem.losses)
    R = xp.asarray(problem.risks)
    k = problem.cell_probs.size
    sups, counts = [], []
    for _ in range(replicates):
        cells = xp.searchsorted(cdf_x, draws.uniform((n,)), side="right")
        cells = xp.clip(cells, 0, k - 1)
        r_hat = xp.sum(xp.take(L, cells, axis=1), axis=1) / n  # per hypothesis, point by point
        sups.append(xp.max(xp.abs(r_hat - R)))
        counts.append(xp.sum(xp.astype(cells[None, :] == xp.arange(k)[:, None], xp.int64), axis=1))
    return xp.stack(sups), xp.stack(counts)


def matrix_sup_rounding_bound(cells: int) -> float:
    """Bound on |sup (point by point) - sup (L (N/n - P))| on the same draws: the matrix path is a
    (2m)-term dot product of |N/n - P| <= N/n + P (total <= 2), after the subtraction N/n - P and the
    division, so it errs by at most gamma_{2m+2} * 2, 2m = ``cells`` (the point-by-point mean of 0/1
    losses is exact up to the same order; docs/derivations/classical_bounds.md)."""
    return 2.0 * gamma(cells + 2)


def risk_bias_z(problem: FiniteProblem, counts, n: int) -> np.ndarray:
    """|mean over replicates of (R_hat(h) - R(h))| / SE for every hypothesis h, R_hat = L N / n from
    cell counts (replicates, 2m), R = L P exact. Unbiased empirical risks give Student-t(R - 1)
    statistics; a hypothesis whose R_hat never varies gets 0."""
    cnt = np.asarray(to_numpy(counts), dtype=np.float64)
    r_hat = (cnt / n) @ problem.losses.T  # (replicates, |H|)
    diff = r_hat - problem.risks[None, :]
    se = diff.std(axis=0, ddof=1) / np.sqrt(cnt.shape[0])
    return np.abs(diff.mean(axis=0)) / np.where(se > 0, se, np.inf)


def prefix_sup_quantiles(problem: FiniteProblem, n: int, replicates: int, delta: float, ks, seed: int) -> list[float]:
    """sqrt(n) times the (1 - delta)-quantile of max over the first k hypotheses of |R_hat - R|, for each k
    in ``ks``: how the uniform deviation grows with the class size at a fixed n (NumPy)."""
    counts = Draws(np, seed).multinomial(n, problem.cell_probs, replicates)
    z = np.abs((counts / n - problem.cell_probs) @ problem.losses.T)
    run_max = np.maximum.accumulate(z, axis=1)
    return [float(np.quantile(run_max[:, k - 1], 1 - delta)) * np.sqrt(n) for k in ks]


RATE_DOMAIN = 16
RATE_CLASS = 1000


def _simulate_mean(ns, seed: int, replicates: int = 4000):
    problem = random_problem(RATE_DOMAIN, RATE_CLASS, seed)
    return mean_and_se(ns, lambda i, n: sup_deviations(problem, n, replicates, seed + 1 + i))


SIMULATOR = register_simulator(DeviationSimulator(
    bound="finite-class",
    simulate=_simulate_mean,
    ns=(10_000, 100_000, 1_000_000, 10_000_000),
    what=f"E sup_h |R_hat(h) - R(h)| over {RATE_CLASS} random tables on {RATE_DOMAIN} points",
))
