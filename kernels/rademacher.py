"""Empirical Rademacher complexity by Monte Carlo over sign vectors, and exactly by enumeration.

R̂_S(H) = E_σ sup_{h in H} (1/n) Σ_i σ_i h(x_i). Two classes have a closed-form sup:

* the linear class {x -> <w, x> : ||w|| <= Λ}: sup = Λ ||Σ σ_i x_i|| / n (Cauchy–Schwarz);
* a finite set A ⊂ R^n (rows of a matrix, e.g. the outputs of N classifiers on the sample):
  sup = max_a <σ, a> / n.

The estimators draw σ in chunks (a (k, n) block at a time, sized to a memory budget), evaluate the sup
for each draw with one matrix product, and merge the chunk means and variances (Chan et al.), so the
standard error comes with the estimate. Signs are drawn on the host by NumPy from the seed and moved to
the array's device: the same seed gives the same sign vectors on every backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from array_api_compat import array_namespace
from array_api_compat import device as array_device

from vacuity.kernels.arrays import on_cpu, to_numpy

_CPU_CHUNK_BYTES = 96 << 20  # sign blocks of ~100+ rows: thin (k, n) @ (n, d) products run far below peak
_DEVICE_CHUNK_BYTES = 512 << 20
MAX_EXACT_N = 22  # 2^22 sign vectors: the largest exact enumeration accepted


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo mean over ``draws`` sign vectors and its standard error."""

    mean: float
    se: float
    draws: int


class _Running:
    """Mean and sum of squared deviations merged chunk by chunk (stable where sum / sum-of-squares is not)."""

    def __init__(self):
        self.count, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, values: np.ndarray) -> None:
        k = values.size
        if k == 0:
            return
        mean = float(values.mean())
        m2 = float(((values - mean) ** 2).sum())
        total = self.count + k
        delta = mean - self.mean
        self.mean += delta * k / total
        self.m2 += m2 + delta * delta * self.count * k / total
        self.count = total

    def estimate(self) -> Estimate:
        var = self.m2 / (self.count - 1) if self.count > 1 else math.inf
        return Estimate(self.mean, math.sqrt(var / self.count), self.count)


def _check_matrix(M, name: str, xp):
    if getattr(M, "ndim", None) != 2 or M.shape[0] < 1 or M.shape[1] < 1:
        raise ValueError(f"{name} must be a non-empty 2-D array; got shape {getattr(M, 'shape', None)}")
    if not bool(xp.all(xp.isfinite(M))):
        raise ValueError(f"{name} has NaN or infinite entries")


def _check_lambda(lam: float) -> None:
    if not (lam > 0 and math.isfinite(lam)):
        raise ValueError(f"Lambda must be positive and finite; got {lam!r}")


def _check_draws(draws: int) -> None:
    if int(draws) != draws or draws < 2:
        raise ValueError(f"draws must be an integer >= 2 (a standard error needs two); got {draws!r}")


def _chunk(M, xp, width: int, chunk_bytes: int | None) -> int:
    budget = chunk_bytes or (_CPU_CHUNK_BYTES if on_cpu(M, xp) else _DEVICE_CHUNK_BYTES)
    return max(1, budget // (8 * width))


def _signs(rng: np.random.Generator, k: int, n: int, xp, like):
    # 64 signs per raw generator word (one integer per sign costs more than the matmul at large n). Raw
    # words are consumed exactly, so any chunking of the draws yields the same sign vectors. The bits
    # travel to the device as uint8 and become ±1.0 there.
    words = rng.bit_generator.random_raw((k, (n + 63) // 64)).astype("<u8", copy=False)
    packed = words.view(np.uint8).reshape(k, -1)
    bits = xp.asarray(np.unpackbits(packed, axis=1, count=n), device=array_device(like))
    return 2.0 * xp.astype(bits, xp.float64) - 1.0


def _monte_carlo(n_points: int, draws: int, seed: int, xp, like, chunk_rows: int, stats) -> list[Estimate]:
    """Means and standard errors of the per-draw statistics ``stats(sigma) -> tuple of (k,) arrays`` over
    ``draws`` sign vectors of length ``n_points``, drawn ``chunk_rows`` at a time."""
    rng = np.random.default_rng(seed)
    running: list[_Running] | None = None
    done = 0
    while done < draws:
        k = min(chunk_rows, draws - done)
        values = stats(_signs(rng, k, n_points, xp, like))
        if running is None:
            running = [_Running() for _ in values]
        for acc, v in zip(running, values):
            acc.add(to_numpy(v).astype(np.float64, copy=False))
        done += k
    return [acc.estimate() for acc in running]


@dataclass(frozen=True)
class LinearEstimate:
    rademacher: Estimate  # E_σ Λ ||Σ σ_i x_i|| / n
    second_moment: Estimate  # E_σ ||Σ σ_i x_i||^2, whose exact value is Σ ||x_i||^2


def mc_linear(X, lam: float = 1.0, *, draws: int = 1000, seed: int = 0,
              chunk_bytes: int | None = None) -> LinearEstimate:
    """Monte Carlo R̂_S of {x -> <w, x> : ||w|| <= lam} on the rows of X (n, d), with standard errors."""
    xp = array_namespace(X)
    _check_matrix(X, "X", xp)
    _check_draws(draws)
    _check_lambda(lam)
    X64 = xp.astype(X, xp.float64)
    n, d = X64.shape

    def stats(sigma):
        S = sigma @ X64  # (k, d): one Σ σ_i x_i per draw
        sq = xp.sum(S * S, axis=1)
        return lam * xp.sqrt(sq) / n, sq

    rows = _chunk(X64, xp, n + d, chunk_bytes)
    rad, sq = _monte_carlo(n, int(draws), seed, xp, X64, rows, stats)
    return LinearEstimate(rad, sq)


def mc_finite(A, *, draws: int = 1000, seed: int = 0, chunk_bytes: int | None = None) -> Estimate:
    """Monte Carlo R̂ of a finite set A ⊂ R^n given as the rows of A (N, n): E_σ max_a <σ, a> / n."""
    xp = array_namespace(A)
    _check_matrix(A, "A", xp)
    _check_draws(draws)
    A64 = xp.astype(A, xp.float64)
    N, n = A64.shape
    At = A64.T

    def stats(sigma):
        return (xp.max(sigma @ At, axis=1) / n,)

    rows = _chunk(A64, xp, n + N, chunk_bytes)
    (est,) = _monte_carlo(n, int(draws), seed, xp, A64, rows, stats)
    return est


def _all_signs(n: int, start: int, stop: int) -> np.ndarray:
    """Sign vectors number start..stop-1 of {-1, +1}^n, by their bits."""
    idx = np.arange(start, stop, dtype=np.int64)[:, None]
    bits = (idx >> np.arange(n, dtype=np.int64)[None, :]) & 1
    return (2 * bits - 1).astype(np.float64)


def _exact(n: int, count: int, value, xp, like, chunk_rows: int) -> float:
    total = 0.0
    for start in range(0, count, chunk_rows):
        sigma = xp.asarray(_all_signs(n, start, min(count, start + chunk_rows)), device=array_device(like))
        total += float(xp.sum(value(sigma)))
    return total / count


def _check_exact_size(n: int) -> None:
    if n > MAX_EXACT_N:
        raise ValueError(f"exact enumeration needs n <= {MAX_EXACT_N} (2^n sign vectors); got n = {n}")


def _exact_input(X, lam: float):
    """(xp, X as float64, n, d) for an exact enumeration over the 2^n sign vectors, checked."""
    xp = array_namespace(X)
    _check_matrix(X, "X", xp)
    _check_lambda(lam)
    X64 = xp.astype(X, xp.float64)
    n, d = X64.shape
    _check_exact_size(n)
    return xp, X64, n, d


def exact_linear(X, lam: float = 1.0, *, chunk_bytes: int | None = None) -> float:
    """R̂_S of the linear class exactly: the average of Λ ||Σ σ_i x_i|| / n over all 2^n sign vectors
    (σ and -σ give the same norm, so half of them suffice: those with σ_n = -1)."""
    xp, X64, n, d = _exact_input(X, lam)

    def value(sigma):
        S = sigma @ X64
        return lam * xp.sqrt(xp.sum(S * S, axis=1)) / n

    return _exact(n, 2 ** (n - 1), value, xp, X64, _chunk(X64, xp, n + d, chunk_bytes))


@dataclass(frozen=True)
class ExactMoments:
    """The law of the per-sign-vector value V(σ) over all 2^n sign vectors: its mean, variance and fourth
    central moment (what a Monte Carlo mean and sample variance of V are compared with)."""

    mean: float
    variance: float
    fourth: float

    def sample_variance_se(self, draws: int) -> float:
        """Standard error of the sample variance (ddof 1) of ``draws`` iid copies of V:
        Var s^2 = mu_4 / k - sigma^4 (k - 3) / (k (k - 1))."""
        k = int(draws)
        if k < 2:
            raise ValueError(f"a sample variance needs at least two draws; got {draws!r}")
        var = self.fourth / k - self.variance**2 * (k - 3) / (k * (k - 1))
        return math.sqrt(max(var, 0.0))


def exact_linear_moments(X, lam: float = 1.0, *, chunk_bytes: int | None = None) -> ExactMoments:
    """Mean, variance and fourth central moment of Λ ||Σ σ_i x_i|| / n over all 2^n sign vectors (two
    passes: the mean, then the central sums; σ and -σ give the same value, so half the cube suffices)."""
    xp, X64, n, d = _exact_input(X, lam)
    rows = _chunk(X64, xp, n + d, chunk_bytes)
    count = 2 ** (n - 1)

    def value(sigma):
        S = sigma @ X64
        return lam * xp.sqrt(xp.sum(S * S, axis=1)) / n

    mean = _exact(n, count, value, xp, X64, rows)
    var = _exact(n, count, lambda sigma: (value(sigma) - mean) ** 2, xp, X64, rows)
    fourth = _exact(n, count, lambda sigma: (value(sigma) - mean) ** 4, xp, X64, rows)
    return ExactMoments(mean, var, fourth)


def linear_jensen_terms(X) -> tuple[float, float]:
    """(m, v) of Y = ||Σ σ_i x_i||^2 for the rows of X (NumPy): m = E Y = Σ ||x_i||^2 and v = Var Y =
    2 Σ_{i != j} <x_i, x_j>^2 = 2 (||X^T X||_F^2 - Σ ||x_i||^4) (theory.rademacher.prove_second_moment_variance),
    the inputs of Jensen's sandwich 1 - v/(2 m^2) <= Rhat / (Λ sqrt(m) / n) <= 1."""
    X = np.asarray(X, dtype=np.float64)
    sq = np.sum(X * X, axis=1)
    gram_d = X.T @ X
    return float(sq.sum()), float(max(2.0 * (np.sum(gram_d * gram_d) - np.sum(sq * sq)), 0.0))


def exact_sign_sum_moments(X, *, chunk_bytes: int | None = None) -> tuple[float, float]:
    """(E Y, Var Y) of Y = ||Σ σ_i x_i||^2 by enumerating all 2^n sign vectors (half the cube: Y(σ) =
    Y(-σ)): what ``linear_jensen_terms``'s closed forms must reproduce."""
    xp = array_namespace(X)
    _check_matrix(X, "X", xp)
    X64 = xp.astype(X, xp.float64)
    n, d = X64.shape
    _check_exact_size(n)
    rows = _chunk(X64, xp, n + d, chunk_bytes)

    def value(sigma):
        S = sigma @ X64
        return xp.sum(S * S, axis=1)

    mean = _exact(n, 2 ** (n - 1), value, xp, X64, rows)
    return mean, _exact(n, 2 ** (n - 1), lambda sigma: (value(sigma) - mean) ** 2, xp, X64, rows)


def rademacher_cube(n: int) -> np.ndarray:
    """The finite set A = {-1, +1}^n (2^n rows): Massart's lemma on it has R̂ = 1 exactly and the bound
    sqrt(2 log 2), ratio 1 / sqrt(2 log 2)."""
    _check_exact_size(n)
    return _all_signs(n, 0, 2**n)


def exact_finite(A, *, chunk_bytes: int | None = None) -> float:
    """R̂ of a finite set exactly: the average of max_a <σ, a> / n over all 2^n sign vectors."""
    xp = array_namespace(A)
    _check_matrix(A, "A", xp)
    A64 = xp.astype(A, xp.float64)
    N, n = A64.shape
    _check_exact_size(n)
    At = A64.T
    return _exact(n, 2**n, lambda sigma: xp.max(sigma @ At, axis=1) / n, xp, A64,
                  _chunk(A64, xp, n + N, chunk_bytes))


# ------------------------------------------------------------------- the law of the sign sampler


def sign_draws(k: int, n: int, seed: int) -> np.ndarray:
    """The first k sign vectors (k, n) that ``mc_linear`` / ``mc_finite`` draw from this seed (NumPy)."""
    if k < 2 or n < 2:
        raise ValueError(f"need k >= 2 sign vectors of length n >= 2; got k = {k}, n = {n}")
    rng = np.random.default_rng(seed)
    return to_numpy(_signs(rng, int(k), int(n), np, np.empty(0)))


def _bonferroni_z(tests: int, sigmas: float) -> float:
    """The |z| level for the largest of ``tests`` normal statistics with the two-sided false-failure rate
    of one ``sigmas``-SE check: P[max |z| > level] <= 2 Phi(-sigmas) by the union bound."""
    from statistics import NormalDist

    nd = NormalDist()
    return max(float(sigmas), -nd.inv_cdf(nd.cdf(-float(sigmas)) / max(int(tests), 1)))


@dataclass(frozen=True)
class SignLaw:
    """Statistics of k sign vectors (k, n) whose laws are exact under iid uniform ±1 signs:

    * ``off_support``: entries not in {-1, +1} (0);
    * ``mean``: the grand mean, 0 with SE 1/sqrt(k n);
    * ``max_draw_mean``: the largest |mean| of one vector, each 0 with SE 1/sqrt(n) (``draw_limit`` SEs
      allowed: Bonferroni over the k vectors);
    * ``lag_product``: the mean of σ_i σ_(i+1) within the vectors, 0 with SE 1/sqrt(k (n - 1)) (the products
      along a chain of independent signs are independent signs);
    * ``max_agreement_gap``: the largest |agreement - 1/2| of two vectors (fraction of equal coordinates),
      each with SE 1/(2 sqrt(n)) (``pair_limit`` SEs: Bonferroni over the k (k - 1) / 2 pairs): a vector
      reused for two draws agrees on every coordinate."""

    draws: int
    n: int
    off_support: int
    mean: float
    max_draw_mean: float
    lag_product: float
    max_agreement_gap: float
    draw_limit: float
    pair_limit: float

    @property
    def mean_se(self) -> float:
        return 1.0 / math.sqrt(self.draws * self.n)

    @property
    def draw_mean_se(self) -> float:
        return 1.0 / math.sqrt(self.n)

    @property
    def lag_se(self) -> float:
        return 1.0 / math.sqrt(self.draws * (self.n - 1))

    @property
    def agreement_se(self) -> float:
        return 0.5 / math.sqrt(self.n)


def sign_law(sigma, sigmas: float = 6.0) -> SignLaw:
    """The ``SignLaw`` statistics of the rows of ``sigma`` (k, n), k >= 2, n >= 2 (any array namespace)."""
    S = np.asarray(to_numpy(sigma), dtype=np.float64)
    if S.ndim != 2 or S.shape[0] < 2 or S.shape[1] < 2:
        raise ValueError(f"sigma must be (k, n) with k >= 2 and n >= 2; got shape {S.shape}")
    k, n = S.shape
    agreement = 0.5 * (1.0 + (S @ S.T) / n)  # fraction of equal coordinates, for ±1 entries
    gaps = np.abs(agreement[np.triu_indices(k, 1)] - 0.5)
    return SignLaw(
        draws=k, n=n,
        off_support=int(np.sum((S != 1.0) & (S != -1.0))),
        mean=float(S.mean()),
        max_draw_mean=float(np.max(np.abs(S.mean(axis=1)))),
        lag_product=float(np.mean(S[:, 1:] * S[:, :-1])),
        max_agreement_gap=float(gaps.max()),
        draw_limit=_bonferroni_z(k, sigmas),
        pair_limit=_bonferroni_z(k * (k - 1) // 2, sigmas),
    )


def sphere_points(n: int, d: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """n points uniform on the sphere of the given radius in R^d: every ||x_i|| = r, so the linear
    bound's Σ ||x_i||^2 <= n r^2 step is an equality and R̂ sits just below r Λ / sqrt(n) (Jensen's gap)."""
    if n < 1 or d < 1:
        raise ValueError(f"need n >= 1 points in d >= 1 dimensions; got n = {n}, d = {d}")
    G = rng.standard_normal((n, d))
    return radius * G / np.linalg.norm(G, axis=1, keepdims=True)


def random_sign_set(size: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """A finite class of ``size`` random ±1 classifiers, as their outputs on n points (rows)."""
    if size < 1 or n < 1:
        raise ValueError(f"need a set of size >= 1 on n >= 1 points; got size = {size}, n = {n}")
    return (2 * rng.integers(0, 2, size=(size, n)) - 1).astype(np.float64)


def sphere_norm_gap(X, radius: float) -> tuple[float, float, float]:
    """What ``sphere_points`` promises, measured: (max_i ||x_i|| / r, max_i | ||x_i|| - r | / r, the
    rounding bound on that relative gap). ``r g / ||g||`` and the recomputed norm are two norms of d
    squares (gamma_(d+1) each) and two roundings per coordinate (the division and the product by r), so
    the relative gap is at most gamma_(2d + 4) (NumPy X)."""
    from vacuity.kernels.extended import gamma

    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1) / float(radius)
    return float(norms.max()), float(np.max(np.abs(norms - 1.0))), float(gamma(2 * X.shape[1] + 4))


def distinct_rows(A) -> int:
    """How many different rows (classifiers) the finite set A has (NumPy A)."""
    return int(np.unique(np.asarray(A), axis=0).shape[0])


def second_moment_exact(X) -> float:
    """E_sigma ||sum_i sigma_i x_i||^2 = sum_i ||x_i||^2 (E sigma_i sigma_j = delta_ij), the exact value
    the Monte Carlo ``second_moment`` estimates (NumPy X)."""
    return float(np.sum(np.asarray(X) ** 2))


def sweep_sizes(lo: int, hi: int) -> list[int]:
    """Sample sizes of the rate sweep: lo, 4 lo, 16 lo, ... up to hi, and hi itself if not reached."""
    out, m = [], lo
    while m <= hi:
        out.append(m)
        m *= 4
    if out[-1] != hi:
        out.append(hi)
    return out


def random_label_sup_deviations(n: int, d: int, r: float, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Thm 3.3 (Mohri et al.) in simulation: labels independent of x (every g has risk exactly 1/2) and the
    [0, 1]-valued class g_w(x, y) = (1 + y <w, x> / (r Lambda)) / 2, ||w|| <= Lambda, on n points uniform on
    the sphere of radius r in R^d. Then sup_g (E g - E_S g) = ||(1/n) sum y_i x_i|| / (2 r) exactly (the
    sup of a linear functional over the ball, Cauchy-Schwarz); one value per sample S."""
    phi = np.empty(samples)
    for k in range(samples):
        X = sphere_points(n, d, r, rng)
        y = 2.0 * rng.integers(0, 2, n) - 1.0
        phi[k] = np.linalg.norm(y @ X) / (2 * r * n)
    return phi


def random_label_second_moment(n: int) -> float:
    """E phi^2 for ``random_label_sup_deviations``: E ||Σ y_i x_i||^2 = Σ ||x_i||^2 = n r^2 (independent
    signs y, the second-moment identity), so E phi^2 = n r^2 / (4 r^2 n^2) = 1 / (4 n) exactly."""
    if n < 1:
        raise ValueError(f"n must be at least 1; got {n}")
    return 1.0 / (4.0 * n)


def random_label_class_complexity(n: int, r: float, lam: float) -> float:
    """An upper bound on both Rademacher complexities of the class G of ``random_label_sup_deviations``:
    Rhat_S(G) = Rhat_S(H) / (2 r Lambda) (the constant term of g has mean zero over the signs, and the
    y_i sigma_i are again Rademacher signs) and
    Rhat_S(H) <= r Lambda / sqrt(n) (``theory.rademacher.linear_bound``), i.e. 1 / (2 sqrt(n))."""
    from vacuity.theory import rademacher as T

    return T.linear_bound_value(n, r, lam) / (2 * r * lam)


# ------------------------------------------------------------ the generic rate test's simulator

RATE_DIM = 16  # sphere points in R^16: Jensen's gap is about 1/(4 d), nearly the same at every n
RATE_DRAWS = 2000


def _simulate_linear_rate(ns, seed: int):
    """Mean R̂_S of the unit linear class on n unit-sphere points (fresh points per n) and its SE."""
    est = [mc_linear(sphere_points(int(m), RATE_DIM, 1.0, np.random.default_rng([seed, int(m)])),
                     1.0, draws=RATE_DRAWS, seed=seed + 1 + i).rademacher for i, m in enumerate(ns)]
    return np.array([e.mean for e in est]), np.array([e.se for e in est])


def _register_simulator():
    from vacuity.kernels.deviation_sims import DeviationSimulator, register_simulator

    return register_simulator(DeviationSimulator(
        bound="rademacher_linear",
        simulate=_simulate_linear_rate,
        ns=(64, 256, 1024, 4096, 16384),
        what=f"R_S of the unit linear class on n unit-sphere points in R^{RATE_DIM}, {RATE_DRAWS} sign draws",
    ))


SIMULATOR = _register_simulator()
