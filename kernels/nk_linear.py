"""Nagarajan & Kolter's linear counterexample at scale: three samplers of the same learner, NumPy/CuPy.

    x = (c y u, x2),  x2 ~ N(0, (s^2/D) I_D),  w = (c' u, sum_i y_i x2_i)

1. ``brute_force``: the literal construction. The n x D noise (and the test points' noise) is streamed
   in column chunks: w2's chunk is the chunk's column sums weighted by y, and (G 1)_i = <x2_i, w2> y_i
   accumulates chunk by chunk, so time is O((n + n_test) D) and memory O((n + n_test) chunk).
2. ``bartlett``: exact in distribution with no noise at all. Every margin depends on the data through
   G = Z Z^T, Z rows z_i = y_i x2_i, which is Wishart_n(D, (s^2/D) I). Bartlett: G = (s^2/D) L L^T with
   L lower triangular (trapezoidal for D < n), L_ii ~ chi_{D-i+1}, L_ij ~ N(0, 1) below the diagonal:
   O(n^2) random numbers, two triangular mat-vecs for G 1, independent of D.
3. ``rank_one``: exact in distribution in O(n): (G 1, 1^T G 1) =_d (R 1 + sigma sqrt(n R)(g - gbar 1),
   n R) with R = sigma^2 chi^2_D, g ~ N(0, I_n) (rotate so that the first row of the data is the mean;
   derived in vacuity.theory.nk_linear and docs/derivations/nk_linear.md).

Numerics at D up to 1e9: chi-square variables are drawn as standardized deviations delta = chi^2_k/k - 1
(Marsaglia-Tsang written in terms of v - 1), so 1 + delta ~ 1 + O(D^-1/2) never comes from subtracting
two numbers of size D. Given ||w2||^2 a fresh point's margin is exactly c c' + N(0, (s^2/D)||w2||^2):
the exact samplers draw test margins from it; all three report the exact conditional test error.

``*_batch`` draw many independent training sets of one sampler at once (vectorized over replicates, for
the checked proof's replicate statistics at small n and D): the same three laws, the brute force with
the literal noise, signal block and fresh test points.

Random numbers come from NumPy's PCG64 on the host (same seed, same numbers on every backend) and are
moved to the arrays' namespace for the linear algebra.

The checked proof's replicates (independent training sets per sampler, the failure events of the D
condition) and the limits on what one check may hold are here too; the tolerances it judges them with
are in ``vacuity.kernels.nk_linear_tolerances``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

_CHUNK_BYTES = 32 << 20  # noise block per chunk: large enough for BLAS, small next to memory
_MT_MIN_DOF = 8  # below this, NumPy's own chi-square (no cancellation at small dof)


# ------------------------------------------------------------------------------- parameters


def check_params(n, D, K=1, c=2.0, c_prime=2.0, s2=32.0, n_test=0) -> None:
    """One-line ValueErrors for invalid settings (the theory's Setting states the same conditions)."""
    for name, v, lo in (("n", n, 1), ("D", D, 1), ("K", K, 1), ("n_test", n_test, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo} (got {v!r})")
    for name, v in (("c", c), ("c_prime", c_prime)):
        if not (isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a finite number > 0 (got {v!r})")
    if not (isinstance(s2, (int, float, np.integer, np.floating)) and math.isfinite(s2) and s2 > 0):
        raise ValueError(f"s2 (the noise variance s^2) must be a finite number > 0 (got {s2!r})")


def noise_sd(s2, D) -> float:
    """Per-coordinate standard deviation of x2: sqrt(s^2 / D)."""
    return math.sqrt(s2 / D)


def margins_from_gram(cc, G1):
    """(train, S') margins from c c' and G 1: c c' + (G 1)_i and c c' - (G 1)_i."""
    return cc + G1, cc - G1


def phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def conditional_test_error(D, c, c_prime, s2, w2_norm2) -> float:
    """Phi(-c c' sqrt(D) / (s ||w2||)): the exact test error of w given ||w2||^2."""
    if w2_norm2 <= 0:
        return 0.0
    return phi(-c * c_prime * math.sqrt(D / (s2 * w2_norm2)))


def log10_conditional_test_error(D, c, c_prime, s2, w2_norm2) -> float:
    """log10 of ``conditional_test_error`` (the error itself underflows float64 at the paper's sizes)."""
    from scipy.special import log_ndtr

    return float(log_ndtr(-c * c_prime * math.sqrt(D / (s2 * w2_norm2))) / math.log(10.0))


def expected_test_error(n, D, c, c_prime, s2, nodes: int = 400) -> float:
    """E_w Phi(-c c' D / (s^2 sqrt(n Q))), Q ~ chi^2_D (||w2||^2 = n s^2 Q / D, derived in the theory
    module): Gauss-Legendre in the quantile p in (0, 1)."""
    from scipy.special import ndtr
    from scipy.stats import chi2

    x, wts = np.polynomial.legendre.leggauss(nodes)
    p = 0.5 * (x + 1.0)
    q = chi2.ppf(p, D)
    vals = ndtr(-c * c_prime * D / (s2 * np.sqrt(n * q)))
    return float(0.5 * np.sum(wts * vals))


def ramp_loss(margins, gamma: float):
    """The ramp loss L^(gamma) of each margin: 1 if m <= 0, 1 - m/gamma if 0 < m < gamma, 0 if m >= gamma;
    gamma = 0 is the 0-1 loss (a zero margin is an error). Any array namespace."""
    m = margins
    err = (m <= 0.0) * 1.0
    if gamma <= 0:
        return err
    mid = (m > 0.0) & (m < gamma)
    return err + mid * (1.0 - m / gamma)


def expected_ramp_given_w(D, c, c_prime, s2, w2_norm2, gamma: float) -> float:
    """E L^(gamma)(M), M ~ N(c c', (s^2/D) ||w2||^2): the test ramp loss of w in closed form
    (vacuity.theory.nk_linear.ramp_expectation), ``conditional_test_error`` at gamma = 0."""
    if gamma <= 0:
        return conditional_test_error(D, c, c_prime, s2, w2_norm2)
    mu = c * c_prime
    tau = math.sqrt(s2 * w2_norm2 / D)
    if tau == 0:
        return 0.0 if mu >= gamma else (1.0 if mu <= 0 else 1.0 - mu / gamma)
    a, b = -mu / tau, (gamma - mu) / tau
    pdf = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)  # noqa: E731
    return ((gamma - mu) * phi(b) + tau * pdf(b) + mu * phi(a) - tau * pdf(a)) / gamma


def expected_ramps_given_w(D, c, c_prime, s2, norms, gamma: float) -> np.ndarray:
    """``expected_ramp_given_w`` at each ||w2||^2 in ``norms`` (vectorized with scipy.special.ndtr)."""
    from scipy.special import ndtr

    w = np.asarray(_np(norms), dtype=np.float64)
    mu = c * c_prime
    tau = np.sqrt(s2 * w / D)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = -mu / tau
        if gamma <= 0:
            return np.where(tau > 0, ndtr(a), 0.0)
        b = (gamma - mu) / tau
        pdf = lambda x: np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)  # noqa: E731
        out = ((gamma - mu) * ndtr(b) + tau * pdf(b) + mu * ndtr(a) - tau * pdf(a)) / gamma
    return np.where(tau > 0, out, 0.0 if mu >= gamma else 1.0 - mu / gamma)


# ------------------------------------------------------------------------- chi-square deviations


def chi2_deviation(dof, rng: np.random.Generator) -> np.ndarray:
    """delta = chi^2_k / k - 1 for each k in ``dof`` (float64 array), exact in distribution.

    Marsaglia-Tsang for Gamma(a = k/2): with d = a - 1/3, h = x / sqrt(9 d), v = (1 + h)^3, accept when
    log U < x^2/2 + d (1 - v + log v); then chi^2 = 2 d v and
    delta = (2d/k)(v - 1) - 2/(3k),  v - 1 = 3h + 3h^2 + h^3,
    so the O(k^-1/2) deviation is computed directly, never as (large - large)."""
    k = np.asarray(dof, dtype=np.float64)
    out = np.empty(k.shape)
    small = k < _MT_MIN_DOF
    if np.any(small):
        out[small] = rng.chisquare(k[small]) / k[small] - 1.0
    idx = np.flatnonzero(~small)
    kk = k[idx]
    d = kk / 2.0 - 1.0 / 3.0
    cc = 1.0 / np.sqrt(9.0 * d)
    res = np.empty(idx.shape)
    todo = np.arange(idx.size)
    while todo.size:
        x = rng.standard_normal(todo.size)
        u = rng.random(todo.size)
        h = cc[todo] * x
        t = h * (3.0 + h * (3.0 + h))  # v - 1
        ok = h > -1.0
        with np.errstate(invalid="ignore", divide="ignore"):
            log_accept = 0.5 * x * x + d[todo] * (np.log1p(t) - t)
        ok &= np.log(u) < log_accept
        sel = todo[ok]
        res[sel] = (2.0 * d[sel] / kk[sel]) * t[ok] - 2.0 / (3.0 * kk[sel])
        todo = todo[~ok]
    out[idx] = res
    return out


# ---------------------------------------------------------------------------------- results


@dataclass
class NKSample:
    """One training set, its learned w, and the three margin sets (arrays in the kernel's namespace)."""

    method: str
    n: int
    D: int
    train_margins: Any  # y_i <w, x_i> = c c' + (G 1)_i
    s_prime_margins: Any  # y_i <w, (x1_i, -x2_i)> = c c' - (G 1)_i
    test_margins: Any  # fresh points
    w2_norm2: float
    test_error_exact: float  # Phi(-c c' sqrt(D)/(s ||w2||)), exact given w
    gram: Any = None  # G = Z Z^T when asked for (brute force and Bartlett)
    margin_magnitude: Any = None  # brute force with the Gram: S_i = sum_j |z_ij| sum_k |z_kj| (rounding scale)
    sum_scale: float = 0.0  # rounding scale of the identity sum_i (train_i - c c') = ||w2||^2 (see tolerances)

    @staticmethod
    def _err(m) -> float:
        if m.shape[0] == 0:
            return float("nan")
        return float(np.mean(_np(m) <= 0.0))  # a zero margin is an error

    @property
    def train_error(self) -> float:
        return self._err(self.train_margins)

    @property
    def s_prime_error(self) -> float:
        return self._err(self.s_prime_margins)

    @property
    def test_error(self) -> float:
        return self._err(self.test_margins)


def _np(a) -> np.ndarray:
    from vacuity.kernels.arrays import to_numpy

    return to_numpy(a)


def _xp(xp):
    # NumPy or CuPy module (both provide tril, asarray and fancy assignment used below)
    return np if xp is None else xp


# ------------------------------------------------------------------------------- brute force


def brute_force(n, D, *, K=1, c=2.0, c_prime=2.0, s2=32.0, n_test=1000, seed=0, xp=None,
                chunk_bytes=_CHUNK_BYTES, with_gram=False, max_chunks=None) -> NKSample:
    """The literal construction with the noise streamed in column chunks (see module docstring).

    ``max_chunks`` stops after that many chunks (for timing a fraction of a huge run; the result is
    then not a sample of the construction and is flagged by ``method``).

    ``with_gram`` also accumulates G = Z Z^T and returns the rounding scale of what is computed here,
    S_i = sum_j |z_ij| a_j with a_j = sum_k |z_kj| (= (|Z| |Z|^T 1)_i; 1^T S is always returned as
    ``sum_scale``): the chunk's w2 entries are
    n-term sums bounded by a_j, and (G 1)_i is accumulated as chunk dot products of x2_i with them, so
    |computed - exact| <= gamma_(n + w + chunks) S_i (docs/derivations/nk_linear.md, section 9). Two
    extra O(n w) passes per chunk, next to the O(n^2 w) Gram product they come with."""
    check_params(n, D, K, c, c_prime, s2, n_test)
    xp = _xp(xp)
    rng = np.random.default_rng(seed)
    y = rng.choice(np.array([-1.0, 1.0]), size=n)
    yt = rng.choice(np.array([-1.0, 1.0]), size=n_test)
    u = rng.standard_normal(K)
    u /= np.linalg.norm(u)
    sig = noise_sd(s2, D)
    # signal block, literally: w1 = c' u, x1 = c y u
    w1 = xp.asarray(c_prime * u)
    X1 = xp.asarray(c * y[:, None] * u[None, :])
    T1 = xp.asarray(c * yt[:, None] * u[None, :])
    yx, ytx = xp.asarray(y), xp.asarray(yt)
    acc = xp.zeros(n, dtype=xp.float64)  # <x2_i, w2>
    acc_t = xp.zeros(n_test, dtype=xp.float64)
    norm2 = 0.0
    gram = xp.zeros((n, n), dtype=xp.float64) if with_gram else None
    mag = xp.zeros(n, dtype=xp.float64)
    cols = max(1, int(chunk_bytes // (8 * (n + n_test))))
    done = 0
    for start in range(0, D, cols):
        if max_chunks is not None and done >= max_chunks:
            break
        w = min(cols, D - start)
        X2 = xp.asarray(rng.standard_normal((n, w))) * sig
        w2c = yx @ X2  # sum_i y_i x2_i on this chunk's coordinates
        acc = acc + X2 @ w2c
        norm2 += float(w2c @ w2c)
        if n_test:
            T2 = xp.asarray(rng.standard_normal((n_test, w))) * sig
            acc_t = acc_t + T2 @ w2c
        if with_gram:
            Zc = yx[:, None] * X2
            gram = gram + Zc @ Zc.T
        A = xp.abs(X2)  # |z_ij| = |x2_ij|
        mag = mag + A @ xp.sum(A, axis=0)
        done += 1
    train = yx * (X1 @ w1 + acc)
    sprime = yx * (X1 @ w1 - acc)
    test = ytx * (T1 @ w1 + acc_t)
    method = "brute_force" if max_chunks is None or done * cols >= D else f"brute_force_partial_{done}"
    return NKSample(method, n, D, train, sprime, test, norm2,
                    conditional_test_error(D, c, c_prime, s2, norm2), gram, mag if with_gram else None,
                    float(xp.sum(mag)))


# ------------------------------------------------------------------------------- exact samplers


def _test_margins(xp, rng, n_test, D, c, c_prime, s2, norm2):
    h = xp.asarray(rng.standard_normal(n_test))
    return c * c_prime + noise_sd(s2, D) * math.sqrt(norm2) * h


def bartlett_dofs(n, D) -> np.ndarray:
    """Degrees of freedom of the squared diagonal of the Bartlett factor: D, D - 1, ..., D - min(n, D) + 1."""
    return D - np.arange(min(n, D), dtype=np.float64)


_BARTLETT_ROWS = 256  # row block: only the lower triangle's numbers are drawn, block by block


def bartlett_blocks(n, D, rng, xp, rows=_BARTLETT_ROWS, reps=None):
    """Row blocks of M = L / sqrt(D), L the Bartlett factor of Wishart_n(D, I), so G = s^2 M M^T.

    M is n x min(n, D) lower trapezoidal: M_ii = sqrt((k_i / D)(1 + delta_i)), k_i = D - i (0-based),
    M_ij = g_ij / sqrt(D) for j < i. Block [r0, r1) holds columns < min(r1, m): about n^2/2 normals in
    all (the drawn upper part of each diagonal block is discarded). Returns (blocks, column sums M^T 1).
    With ``reps`` it draws that many independent factors at once (blocks (reps, rows, w), sums
    (reps, m)): the replicate statistics use the very code of the main sample."""
    m = min(n, D)
    k = bartlett_dofs(n, D)
    R = 1 if reps is None else reps
    dev = chi2_deviation(np.tile(k, R), rng).reshape(R, m)
    diag = xp.asarray(np.sqrt((k / D) * (1.0 + dev)))
    inv = 1.0 / math.sqrt(D)
    col = xp.zeros((R, m), dtype=xp.float64)
    blocks = []
    for r0 in range(0, n, rows):
        r1 = min(n, r0 + rows)
        w = min(r1, m)
        B = xp.asarray(rng.standard_normal((R, r1 - r0, w))) * inv
        B = xp.where(xp.arange(w)[None, :] < xp.arange(r0, r1)[:, None], B, 0.0)
        ii = xp.arange(r0, min(r1, m))
        if ii.shape[0]:
            B[:, ii - r0, ii] = diag[:, ii]
        col[:, :w] += xp.sum(B, axis=1)
        blocks.append(B)
    if reps is None:
        return [B[0] for B in blocks], col[0]
    return blocks, col


def bartlett(n, D, *, K=1, c=2.0, c_prime=2.0, s2=32.0, n_test=1000, seed=0, xp=None,
             with_gram=False) -> NKSample:
    """Exact in distribution via the Bartlett decomposition of G; O(n^2) numbers, independent of D."""
    check_params(n, D, K, c, c_prime, s2, n_test)
    xp = _xp(xp)
    rng = np.random.default_rng(seed)
    blocks, col = bartlett_blocks(n, D, rng, xp)
    cat = xp.concat if hasattr(xp, "concat") else xp.concatenate
    G1 = s2 * cat([B @ col[: B.shape[1]] for B in blocks])
    norm2 = float(s2 * (col @ col))  # 1^T G 1 = s^2 ||M^T 1||^2
    abs_col = xp.abs(col)
    scale = float(s2 * sum(xp.sum(xp.abs(B) @ abs_col[: B.shape[1]]) for B in blocks))  # s^2 1^T |M| |M^T 1|
    cc = c * c_prime
    test = _test_margins(xp, rng, n_test, D, c, c_prime, s2, norm2)
    gram = None
    if with_gram:
        M = xp.zeros((n, min(n, D)), dtype=xp.float64)
        r0 = 0
        for B in blocks:
            M[r0 : r0 + B.shape[0], : B.shape[1]] = B
            r0 += B.shape[0]
        gram = s2 * (M @ M.T)
    return NKSample("bartlett", n, D, *margins_from_gram(cc, G1), test, norm2,
                    conditional_test_error(D, c, c_prime, s2, norm2), gram, sum_scale=scale)


def rank_one_gram(dev, g, n, D, s2, xp=None):
    """G 1 from the rank-one representation: s^2 [(1 + delta) + sqrt(n (1 + delta) / D) (g - gbar)] with
    delta = chi^2_D / D - 1, row by row for a batch (``dev`` shape (reps,), ``g`` (reps, n)) or for one
    training set (a float ``dev``, ``g`` (n,)). Centring g makes sum_i (G 1)_i = n s^2 (1 + delta) =
    ||w2||^2, as the Gram matrix requires (1^T G 1 = ||Z^T 1||^2)."""
    xp = _xp(xp)
    h = g - xp.mean(g, axis=-1, keepdims=True)
    one = 1.0 + dev
    if getattr(g, "ndim", 1) == 2:
        return s2 * (one[:, None] + xp.sqrt(n * one / D)[:, None] * h)
    return s2 * (one + math.sqrt(n * one / D) * h)


def rank_one(n, D, *, K=1, c=2.0, c_prime=2.0, s2=32.0, n_test=1000, seed=0, xp=None) -> NKSample:
    """Exact in distribution in O(n): G 1 = ``rank_one_gram``, ||w2||^2 = n s^2 (1 + delta),
    delta = chi^2_D / D - 1."""
    check_params(n, D, K, c, c_prime, s2, n_test)
    xp = _xp(xp)
    rng = np.random.default_rng(seed)
    dev = float(chi2_deviation(np.array([float(D)]), rng)[0])
    g = xp.asarray(rng.standard_normal(n))
    G1 = rank_one_gram(dev, g, n, D, s2, xp)
    norm2 = n * s2 * (1.0 + dev)
    cc = c * c_prime
    test = _test_margins(xp, rng, n_test, D, c, c_prime, s2, norm2)
    r = math.sqrt(n * (1.0 + dev) / D)
    scale = s2 * r * float(xp.sum(xp.abs(g)) + xp.sum(xp.abs(g - xp.mean(g))))
    return NKSample("rank_one", n, D, *margins_from_gram(cc, G1), test, norm2,
                    conditional_test_error(D, c, c_prime, s2, norm2), sum_scale=scale)


def rank_one_batch(n, D, reps, *, s2=32.0, seed=0, xp=None):
    """``reps`` independent draws of (G 1 (reps x n), ||w2||^2 (reps,)) by the rank-one representation."""
    check_params(n, D, 1, 1.0, 1.0, s2, 0)
    _check_reps(reps)
    xp = _xp(xp)
    rng = np.random.default_rng(seed)
    dev = xp.asarray(chi2_deviation(np.full(reps, float(D)), rng))
    g = xp.asarray(rng.standard_normal((reps, n)))
    return rank_one_gram(dev, g, n, D, s2, xp), n * s2 * (1.0 + dev)


def _check_reps(reps) -> None:
    if isinstance(reps, bool) or not isinstance(reps, (int, np.integer)) or reps < 1:
        raise ValueError(f"reps must be an integer >= 1 (got {reps!r})")


def norm2_draws(n, D, reps, *, s2=32.0, seed=0) -> np.ndarray:
    """``reps`` independent ||w2||^2 = n s^2 chi^2_D / D (its exact law), as a NumPy array."""
    check_params(n, D, 1, 1.0, 1.0, s2, 0)
    _check_reps(reps)
    rng = np.random.default_rng(seed)
    return n * s2 * (1.0 + chi2_deviation(np.full(reps, float(D)), rng))


# ---------------------------------------------------------------- batches of independent training sets


@dataclass
class Replicates:
    """``reps`` independent training sets of one sampler (NumPy arrays): the margin noise
    x_i = train margin_i - c c' (reps, n), ||w2||^2 (reps,), and the margins of ``n_test`` fresh points
    each (reps, n_test)."""

    method: str
    n: int
    D: int
    noise: np.ndarray
    norms: np.ndarray
    test_margins: np.ndarray


_BATCH_NUMBERS = 1 << 22  # numbers drawn per batch chunk (32 MiB of float64)


def _chunks(reps, per_rep):
    step = max(1, _BATCH_NUMBERS // max(1, per_rep))
    for r0 in range(0, reps, step):
        yield r0, min(reps, r0 + step)


def brute_force_batch(n, D, reps, *, K=1, c=2.0, c_prime=2.0, s2=32.0, n_test=1, seed=0) -> Replicates:
    """The literal construction, ``reps`` times: labels, x1 = c y u, noise x2 ~ N(0, (s^2/D) I), w =
    (c' u, sum_i y_i x2_i), train margins y_i <w, x_i> and fresh test points' margins."""
    check_params(n, D, K, c, c_prime, s2, n_test)
    _check_reps(reps)
    rng = np.random.default_rng(seed)
    sig = noise_sd(s2, D)
    u = rng.standard_normal(K)
    u /= np.linalg.norm(u)
    w1 = c_prime * u
    noise, norms = np.empty((reps, n)), np.empty(reps)
    test = np.empty((reps, n_test))
    for r0, r1 in _chunks(reps, (n + n_test) * D):
        m = r1 - r0
        y = rng.choice(np.array([-1.0, 1.0]), size=(m, n))
        X2 = rng.standard_normal((m, n, D)) * sig
        w2 = np.einsum("ri,rij->rj", y, X2)
        signal = (c * y[:, :, None] * u) @ w1  # <x1_i, w1>
        noise[r0:r1] = y * (signal + np.einsum("rij,rj->ri", X2, w2)) - c * c_prime
        norms[r0:r1] = np.einsum("rj,rj->r", w2, w2)
        if n_test:
            yt = rng.choice(np.array([-1.0, 1.0]), size=(m, n_test))
            T2 = rng.standard_normal((m, n_test, D)) * sig
            test[r0:r1] = yt * ((c * yt[:, :, None] * u) @ w1 + np.einsum("rij,rj->ri", T2, w2))
    return Replicates("brute_force", n, D, noise, norms, test)


def bartlett_batch(n, D, reps, *, c=2.0, c_prime=2.0, s2=32.0, n_test=1, seed=0) -> Replicates:
    """``reps`` independent Bartlett factors M (``bartlett_blocks`` with a batch axis, one block of all n
    rows): G 1 = s^2 M (M^T 1), ||w2||^2 = s^2 ||M^T 1||^2, and test margins from the exact conditional law."""
    check_params(n, D, 1, c, c_prime, s2, n_test)
    _check_reps(reps)
    rng = np.random.default_rng(seed)
    noise, norms = np.empty((reps, n)), np.empty(reps)
    for r0, r1 in _chunks(reps, n * min(n, D)):
        (M,), col = bartlett_blocks(n, D, rng, np, rows=n, reps=r1 - r0)
        noise[r0:r1] = s2 * np.einsum("rij,rj->ri", M, col)
        norms[r0:r1] = s2 * np.einsum("rj,rj->r", col, col)
    test = _batch_test_margins(rng, norms, n_test, D, c, c_prime, s2)
    return Replicates("bartlett", n, D, noise, norms, test)


def rank_one_replicates(n, D, reps, *, c=2.0, c_prime=2.0, s2=32.0, n_test=1, seed=0) -> Replicates:
    """``rank_one_batch`` with test margins from the exact conditional law, as ``Replicates``."""
    check_params(n, D, 1, c, c_prime, s2, n_test)
    G1, norms = rank_one_batch(n, D, reps, s2=s2, seed=seed)
    rng = np.random.default_rng([seed, 1])
    G1, norms = _np(G1), _np(norms)
    return Replicates("rank_one", n, D, G1, norms, _batch_test_margins(rng, norms, n_test, D, c, c_prime, s2))


def _batch_test_margins(rng, norms, n_test, D, c, c_prime, s2):
    h = rng.standard_normal((norms.shape[0], n_test))
    return c * c_prime + np.sqrt(s2 * norms / D)[:, None] * h


BATCHES = {"brute_force": "brute_force_batch", "bartlett": "bartlett_batch", "rank_one": "rank_one_replicates"}
"""Sampler name -> the name of its batch function in this module (looked up as a module attribute, so
that a patched function is the one that runs): ``batch(name)``."""


def batch(name: str):
    """The batch function of sampler ``name`` (``brute_force``, ``bartlett`` or ``rank_one``)."""
    return globals()[BATCHES[name]]


def replicate_statistics(noise: np.ndarray, s2: float) -> dict[str, np.ndarray]:
    """Per training set, from the margin noise (G 1)_i = ``noise`` (reps, n) with x_i = (G 1)_i - s^2:
    V = mean_i x_i^2 and P = sum_(i != j) x_i x_j / (n (n - 1)) (n >= 2), whose means over training sets
    are the per-point variance and the covariance of two points (vacuity.theory.nk_linear.
    replicate_statistic_moments)."""
    x = noise - s2
    n = x.shape[1]
    sq = np.sum(x * x, axis=1)
    tot = np.sum(x, axis=1)
    out = {"V": sq / n}
    if n >= 2:
        out["P"] = (tot * tot - sq) / (n * (n - 1))
    return out


SAMPLERS = {"brute_force": brute_force, "bartlett": bartlett, "rank_one": rank_one}


# ------------------------------------------------------------------------ replicates and sizes


def conditional_test_errors(D, c, c_prime, s2, norms) -> np.ndarray:
    """``conditional_test_error`` at each ||w2||^2 in ``norms``."""
    return np.array([conditional_test_error(D, c, c_prime, s2, v) for v in _np(norms)])


def condition_failures(n, D, reps, *, eps, c=2.0, c_prime=2.0, s2=32.0, gamma=0.0, seed=0) -> np.ndarray:
    """For ``reps`` rank-one training sets: whether any of train error 0, S' error 1 and test ramp loss
    L^(gamma) <= eps fails (the three events the sufficient condition on D guarantees together; gamma = 0
    is the test error)."""
    G1, norms = (_np(a) for a in rank_one_batch(n, D, reps, s2=s2, seed=seed))
    cc = c * c_prime
    train_ok = np.all(cc + G1 > 0, axis=1)
    sprime_ok = np.all(cc - G1 <= 0, axis=1)
    test_ok = expected_ramps_given_w(D, c, c_prime, s2, norms, gamma) <= eps
    return ~(train_ok & sprime_ok & test_ok)


def error_rate(margins) -> float:
    """Fraction of margins <= 0 (a zero margin is an error)."""
    return float(np.mean(_np(margins) <= 0.0))


def same_signs(*pairs) -> bool:
    """Whether each pair of margin arrays agrees in sign everywhere."""
    return all(bool(np.all(np.sign(_np(a)) == np.sign(_np(b)))) for a, b in pairs)


MAX_ARRAY_NUMBERS = 2**27  # one float64 array of 1 GiB; a check holds a few such at once
MAX_BRUTE_DRAWS = 10**10  # normals drawn by the brute force: about 100 s at 1e8 per second


def check_sizes(*, mc_reps, rep_n, torch_n, torch_D, K, brute_n, brute_n_test, brute_D, reps=1, rep_D=1) -> None:
    """ValueError when a product of sizes exceeds what one check may hold or draw (single sizes are
    capped by the claim's parameters): the D-condition Monte Carlo holds mc_reps x n margins at
    n = 4 rep_n, torch the torch_n x (K + torch_D) data several times, the brute force draws
    (brute_n + brute_n_test) x brute_D normals, and the replicate brute force reps x (rep_n + 1) x rep_D."""
    for what, count, cap, why in (
            ("mc_reps x 4 rep_n", mc_reps * 4 * rep_n, MAX_ARRAY_NUMBERS,
             "float64 numbers in one Monte Carlo array (1 GiB at the limit)"),
            ("torch_n x (K + torch_D)", torch_n * (K + torch_D), MAX_ARRAY_NUMBERS,
             "float64 numbers in the torch data (1 GiB at the limit, held several times)"),
            ("(brute_n + brute_n_test) x brute_D", (brute_n + brute_n_test) * brute_D,
             MAX_BRUTE_DRAWS, "normal draws of the brute force (about 100 s at the limit)"),
            ("reps x (rep_n + 1) x rep_D", reps * (rep_n + 1) * rep_D,
             MAX_BRUTE_DRAWS, "normal draws of the replicate brute force (about 100 s at the limit)")):
        if count > cap:
            raise ValueError(f"{what} = {count:.3g} exceeds {cap:.3g} {why}; lower one of them")


def error_sweep(st, eps: float, *, seed: int, ns, ratios, reps: int) -> dict:
    """Test error, S' error and ||w2|| vs n at fixed D/n (rank-one sampler, ``reps`` sets per point), for
    the figure; ``st`` is a ``vacuity.theory.nk_linear.Setting``."""
    from vacuity.kernels.arrays import to_numpy

    rows = []
    for r in ratios:
        for m in ns:
            D = int(r * m)
            G1, norms = (to_numpy(a) for a in rank_one_batch(m, D, reps, s2=st.s2, seed=seed + m + r))
            test = np.array([conditional_test_error(D, st.c, st.c_prime, st.s2, v) for v in norms])
            rows.append({
                "ratio": r, "n": m, "D": D,
                "test_error": float(test.mean()),
                "test_error_expected": expected_test_error(m, D, st.c, st.c_prime, st.s2),
                "s_prime_error": float(np.mean(st.signal - G1 <= 0)),
                "train_error": float(np.mean(st.signal + G1 <= 0)),
                "w2_norm": float(np.sqrt(norms).mean()),
            })
    return {"rows": rows, "eps": eps}
