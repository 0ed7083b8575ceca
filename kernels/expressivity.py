"""Zhang et al. (2017), Theorem 1 at scale: a two-layer ReLU network with 2n + d weights that fits
any labels on n distinct points in R^d, built, evaluated and verified on NumPy, CuPy or torch arrays.

    c(x) = sum_j w_j max(<a, x> - b_j, 0)

Construction: project onto a direction a so the points are distinct along it, sort, put one kink b_i
inside each gap (b_1 < z_1 < b_2 < z_2 < ... ), and solve the lower-triangular system A w = y,
A_ij = max(z_i - b_j, 0), by the row-difference recurrence of ``vacuity.theory.expressivity``,

    S_i = alpha_i S_{i-1} + beta_i,  alpha_i = -(b_i - z_{i-1}) / (z_i - b_i),
    beta_i = (y_i - y_{i-1}) / (z_i - b_i),  w_i = S_i - S_{i-1},

evaluated as a log-depth scan of affine maps (vectorized, no Python loop over n); optional steps of
iterative refinement use the residual computed in extended precision.

Numerics are part of the claim: A's smallest eigenvalue min_i (z_i - b_i) is about the smallest gap
between projections, the weights grow like dy/gap, and a float64 evaluation cannot beat
u * (|A||w|)_i. Every tolerance below is a derived rounding-error bound (see
docs/derivations/expressivity.md), never a free constant.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from array_api_compat import array_namespace, is_numpy_namespace
from array_api_compat import device as array_device

from vacuity.kernels.arrays import on_cpu, project, row_norms, to_numpy
from vacuity.kernels.extended import (
    TINY,
    U,
    accurate_sum,
    exact_prefix,
    gamma,
    two_prod,
    two_sum,
    underflow_slack,
    unit_roundoff,
)
from vacuity.kernels.tolerances import SIGMAS, mean_se

DEFAULT_THETA = 0.25
"""Where each kink sits inside its gap: b_i = z_{i-1} + theta (z_i - z_{i-1}). theta < 1/2 makes the
recurrence contractive (|alpha| = theta / (1 - theta) < 1), so slopes do not random-walk."""

MAX_THETA = 0.5
"""Largest theta with |alpha| <= 1, i.e. vacuity.theory.expressivity.max_contractive_theta() (derived
there; typed here so building a memorizer does not import sympy; a test checks they agree)."""

DEFAULT_DIRECTIONS = 4


# ----------------------------------------------------------------------------------------- inputs


def _namespace(X, y):
    """The one array namespace of X and y, or a ValueError that says what was given."""
    kinds = [type(v).__module__.split(".")[0] + "." + type(v).__name__ for v in (X, y)]
    if any(not hasattr(v, "shape") or not hasattr(v, "dtype") for v in (X, y)):
        raise ValueError(f"X and y must be arrays (NumPy, CuPy or torch), not {kinds[0]} and {kinds[1]}; "
                         "convert lists with numpy.asarray")
    try:
        return array_namespace(X, y)
    except TypeError:
        raise ValueError(f"X and y must be arrays of one library, not {kinds[0]} and {kinds[1]}; "
                         "convert one of them") from None


def as_arrays(X, y):
    """Validate (X, y) and return them in their common namespace: X (n, d) float, y (n,) float64."""
    xp = _namespace(X, y)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n, d); got {X.ndim} dimension(s)")
    n, d = X.shape
    if n < 1 or d < 1:
        raise ValueError(f"X must have at least one point and one feature; got shape ({n}, {d})")
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"y must be a 1-D array of length n = {n}; got shape {tuple(y.shape)}")
    for name, v in (("X", X), ("y", y)):
        if xp.isdtype(v.dtype, "complex floating"):
            raise ValueError(f"{name} is complex ({v.dtype}); the memorizer fits real points and labels")
        if not xp.isdtype(v.dtype, ("real floating", "integral", "bool")):
            raise ValueError(f"{name} must hold real numbers; got dtype {v.dtype}")
    if not xp.isdtype(X.dtype, "real floating"):
        X = xp.astype(X, xp.float64)
    y = xp.astype(y, xp.float64)
    if not bool(xp.all(xp.isfinite(y))):
        raise ValueError("y contains NaN or infinite values")
    # X's finiteness is checked on the way through project (max |X| or the projections themselves):
    # a separate isfinite pass over a large X costs as much as a projection.
    return xp, X, y


_NONFINITE_X = "X contains NaN or infinite values (or values so large that its projections overflow)"


# ------------------------------------------------------------------------------------- the solve


def interleave(z, theta: float, xp):
    """Kinks b with b_1 < z_1 < b_2 < ... < b_n < z_n for sorted distinct z, or None if float64
    cannot place them strictly inside every gap."""
    n = z.shape[0]
    if n == 1:
        step = max(1.0, abs(float(z[0])))
    else:
        step = (float(z[-1]) - float(z[0])) / (n - 1)
    first = z[:1] - (1.0 - theta) * step
    b = xp.concat([first, z[:-1] + theta * (z[1:] - z[:-1])])
    ok = bool(xp.all(b < z)) and (n == 1 or bool(xp.all(b[1:] > z[:-1])))
    return b if ok else None


def affine_scan(alpha, beta, xp):
    """S_i = alpha_i S_{i-1} + beta_i with S_0 = 0, for all i, in ceil(log2 n) vectorized passes.

    Hillis-Steele scan over affine maps s -> A s + B; alpha_1 multiplies S_0 = 0 and is set to 0, so
    the composite A of every window that reaches the start is exactly 0. Once every A is 0 (or has
    underflowed to 0), further passes change nothing and the loop stops early.
    """
    n = alpha.shape[0]
    A = xp.concat([xp.zeros_like(alpha[:1]), alpha[1:]])
    B = beta
    shift = 1
    while shift < n:
        head_A, head_B = A[:shift], B[:shift]
        tail_A = A[shift:]
        B = xp.concat([head_B, tail_A * B[:-shift] + B[shift:]])
        A = xp.concat([head_A, tail_A * A[:-shift]])
        shift *= 2
        if not bool(xp.any(A != 0)):
            break
    return B


def recurrence_coefficients(z, b, y, xp):
    """alpha, beta of the slope recurrence (module docstring); each from single roundings."""
    g = z - b
    alpha = xp.concat([xp.zeros_like(z[:1]), -(b[1:] - z[:-1]) / g[1:]])
    dy = xp.concat([y[:1], y[1:] - y[:-1]])
    return alpha, dy / g


def solve_scan(z, b, y, xp):
    """Weights w with A(z, b) w ~= y by the vectorized recurrence."""
    alpha, beta = recurrence_coefficients(z, b, y, xp)
    S = affine_scan(alpha, beta, xp)
    return S - xp.concat([xp.zeros_like(S[:1]), S[:-1]])


def solve_sequential(z, b, y) -> np.ndarray:
    """The textbook recurrence, one row at a time (the algorithm the backward-error bound is proved
    for); the reference the vectorized solve is tested against."""
    z, b, y = (np.asarray(to_numpy(v), dtype=np.float64) for v in (z, b, y))
    n = z.shape[0]
    w = np.empty(n)
    S = 0.0
    y_prev, z_prev = 0.0, 0.0
    for i in range(n):
        dz = z[i] - z_prev if i else 0.0
        w[i] = ((y[i] - y_prev) - dz * S) / (z[i] - b[i])
        S = S + w[i]
        y_prev, z_prev = y[i], z[i]
    return w


# -------------------------------------------------------------------------------- the evaluator


@dataclass
class Evaluator:
    """The network anchored at its training points, in extended precision.

    On segment k (the k kinks b_1..b_k lie below z) the network is linear with slope S_k, and segment
    k >= 1 contains the training point z_k, where the network's exact value is y_k - r_k (r = y - A w,
    the residual). So c(z) = (y_k - r_k) + (z - z_k) S_k: a short sum of small terms, unlike
    z S_k - T_k, which cancels catastrophically. r itself is computed from the row differences
    rho_k = dy_k - g_k w_k - dz_k S_{k-1} (local, no cancellation across rows), every term formed
    without error and all of them summed exactly, so r is exact up to its one final rounding to
    float64 (its error bound is then ~ u |r|, sharp: the checked proof measures it against mpmath).
    Every value comes with a rigorous bound on its own error."""

    b: Any
    z: Any
    S_parts: list  # exact prefix sums of w as components, length n + 1 (index k: first k weights)
    S_err: Any
    r: Any  # residual y - A w, float64
    r_err: Any  # |r - exact| <= r_err
    anchor_hi: Any  # y - r as an unevaluated pair (exact)
    anchor_lo: Any
    slope: Any  # float64 S_k, k = 0..n

    @classmethod
    def build(cls, z, b, y, w, xp):
        S_parts, S_err = exact_prefix([w], xp)
        # The residual is homogeneous in (y, w): compute it for 2^s (y, w), exactly scaled, so that tiny
        # labels do not push the products into the subnormal range; scale back at the end.
        y_max = float(xp.max(xp.abs(y)))
        shift = 0 if y_max == 0.0 or y_max >= 2.0**-500 else min(1000, -math.frexp(y_max)[1])
        scale = math.ldexp(1.0, shift)
        r, r_err = cls._residual(z, b, y * scale, w * scale, [P * scale for P in S_parts], S_err * scale, xp)
        if shift:
            r, r_err = r / scale, r_err / scale + TINY  # one rounding that may underflow
        anchor_hi, anchor_lo = two_sum(y, -r)
        slope, _ = accurate_sum(S_parts, xp)
        return cls(b, z, S_parts, S_err, r, r_err, anchor_hi, anchor_lo, slope)

    @staticmethod
    def _residual(z, b, y, w, S_parts, S_err, xp):
        zero = xp.zeros_like(z[:1])
        z_prev = xp.concat([z[:1], z[:-1]])  # dz_1 = 0: S_0 = 0 carries no z_0
        y_prev = xp.concat([zero, y[:-1]])
        dy_hi, dy_lo = two_sum(y, -y_prev)
        dz_hi, dz_lo = two_sum(z, -z_prev)
        g_hi, g_lo = two_sum(z, -b)
        # rho_k = dy_k - g_k w_k - dz_k S_{k-1} as a list of terms whose sum is exact: the differences
        # by TwoSum, every product by TwoProduct (up to underflow, allowed for by underflow_slack)
        terms = [dy_hi, dy_lo]
        extra = xp.zeros_like(z)
        for g_part in (g_hi, g_lo):
            p, e = two_prod(g_part, w)
            terms += [-p, -e]
            extra = extra + underflow_slack(g_part, w, p, xp)
        for P in S_parts:
            Pk = P[:-1]
            for dz_part in (dz_hi, dz_lo):
                p, e = two_prod(dz_part, Pk)
                terms += [-p, -e]
                extra = extra + underflow_slack(dz_part, Pk, p, xp)
        extra = extra + xp.abs(dz_hi) * (1.0 + U) * S_err[:-1]
        # r_i = sum_{k<=i} rho_k: exact prefix sums of all the terms at once, then one final rounding
        R_parts, R_err = exact_prefix(terms, xp)
        r, r_sum_err = accurate_sum([P[1:] for P in R_parts], xp)
        n = z.shape[0]
        r_err = r_sum_err + R_err[1:] + (1.0 + gamma(n + 1)) * xp.cumulative_sum(extra)
        return r, r_err

    def segment(self, zq, xp):
        return xp.searchsorted(self.b, zq, side="left")

    def evaluate(self, zq, xp, k=None):
        """(c(zq), err) with |c - exact network value at zq| <= err."""
        if k is None:
            k = self.segment(zq, xp)
        n = self.z.shape[0]
        i = xp.clip(k - 1, 0, n - 1)
        dz_hi, dz_lo = two_sum(zq, -xp.take(self.z, i))
        terms = [xp.take(self.anchor_hi, i), xp.take(self.anchor_lo, i)]
        extra = xp.take(self.r_err, i)
        for P in self.S_parts:
            Pk = xp.take(P, k)
            hi, lo = two_prod(dz_hi, Pk)
            rest = dz_lo * Pk
            terms += [hi, lo, rest]
            extra = extra + U * xp.abs(rest) + underflow_slack(dz_hi, Pk, hi, xp) + underflow_slack(dz_lo, Pk, rest, xp)
        value, err = accurate_sum(terms, xp)
        err = err + extra + xp.abs(dz_hi) * (1.0 + U) * xp.take(self.S_err, k)
        left = k == 0  # below every kink the network is exactly 0
        return xp.where(left, 0.0, value), xp.where(left, 0.0, err)


# ---------------------------------------------------------------------------- the construction


@dataclass
class Construction:
    """Everything the memorizer is: parameters (a, b, w) and what verification needs, in sorted
    order of the distinct training projections."""

    a: Any
    b: Any
    w: Any
    z: Any  # sorted distinct projections of the training points
    y: Any  # their labels
    keep: Any  # row index (into the training X) of each kept point
    evaluator: Evaluator
    abs_rows: Any  # (|A||w|)_i, the scale every rounding error is measured against
    admissible: Any  # the backward-error bound of the sequential recurrence, row by row
    theta: float
    direction: str  # "equispaced" (d >= n, a = X^+ t) or "random"
    candidates: int  # directions tried

    @property
    def n(self) -> int:
        return int(self.z.shape[0])

    @property
    def d(self) -> int:
        return int(self.a.shape[0])

    @property
    def n_params(self) -> int:
        return int(self.a.shape[0] + self.b.shape[0] + self.w.shape[0])


class DirectionError(ValueError):
    pass


def _check_finite(w) -> None:
    xp = array_namespace(w)
    if not bool(xp.all(xp.isfinite(w))):
        raise ValueError(
            "the weights overflow float64: the labels are too large for the gaps between the "
            "projections (scale the labels down)"
        )


def _rows_identical(X, i, j, xp):
    return xp.all(xp.take(X, i, axis=0) == xp.take(X, j, axis=0), axis=1)


def _distinct_sorted(X, y, z, tau: float, xp):
    """Sorted row indices of the distinct points along z, or None if this direction cannot be used.

    Identical rows need not get identical projections (a BLAS may round the same dot product
    differently at different row positions), but they can differ by at most tau, the projection's
    rounding bound. So every pair within tau along z is compared row by row: identical rows with equal
    labels are merged (the earliest kept), with different labels they raise ValueError (no function
    fits them). The direction is unusable (None) if distinct points get equal projections, or if a
    distinct point falls between two identical ones.
    """
    order = xp.argsort(z, stable=True)
    zs = to_numpy(xp.take(z, order))
    order_np = to_numpy(order)
    n = zs.shape[0]
    fast = _merge_identical_clusters(X, y, zs, order_np, tau, xp)
    if fast is not None:
        return xp.asarray(fast, device=array_device(z))
    drop = np.zeros(n, dtype=bool)
    adjacent_identical = np.zeros(n, dtype=bool)
    m = 1
    while m < n:
        pos = np.nonzero(zs[m:] - zs[:-m] <= tau)[0]
        if pos.size == 0:
            break  # pairs at larger offsets are farther apart still
        i, j = order_np[pos], order_np[pos + m]
        dev_i = xp.asarray(i, device=array_device(X))
        dev_j = xp.asarray(j, device=array_device(X))
        ident = to_numpy(_rows_identical(X, dev_i, dev_j, xp))
        if np.any(~ident & (zs[pos + m] == zs[pos])):
            return None
        if m == 1:
            adjacent_identical[pos[ident]] = True
        elif np.any(ident & ~adjacent_identical[pos]):
            return None
        if np.any(ident):
            yi = to_numpy(xp.take(y, dev_i))
            yj = to_numpy(xp.take(y, dev_j))
            bad = np.nonzero(ident & (yi != yj))[0]
            if bad.size:
                raise _identical_label_error(X, y, i[bad[0]], j[bad[0]], xp)
            drop[pos[ident] + m] = True
        m += 1
    keep = order_np[~drop]
    return xp.asarray(keep, device=array_device(z))


def _identical_label_error(X, y, i, j, xp):
    p, q = sorted((int(i), int(j)))
    yp, yq = (float(to_numpy(xp.take(y, xp.asarray(np.array([k]), device=array_device(y))))[0])
              for k in (p, q))
    return ValueError(f"points {p} and {q} are identical but have different labels ({yp!r} vs {yq!r}); "
                      "no function can fit both")


def _merge_identical_clusters(X, y, zs, order_np, tau, xp):
    """The common case in one vectorized pass: every run of projections closer than tau consists of
    copies of one point. Returns the kept row indices, or None when some run holds distinct points
    (then the pairwise analysis decides). Linear in the number of near points, however many copies."""
    n = zs.shape[0]
    close = zs[1:] - zs[:-1] <= tau
    if not close.any():
        return order_np
    member = np.concatenate([[False], close])  # p is in the run that started before it
    start = np.maximum.accumulate(np.where(member, 0, np.arange(n)))
    pos = np.nonzero(member)[0]
    i, j = order_np[start[pos]], order_np[pos]
    dev_i, dev_j = (xp.asarray(v, device=array_device(X)) for v in (i, j))
    if not bool(xp.all(_rows_identical(X, dev_i, dev_j, xp))):
        return None
    bad = np.nonzero(to_numpy(xp.take(y, dev_i) != xp.take(y, dev_j)))[0]
    if bad.size:
        raise _identical_label_error(X, y, i[bad[0]], j[bad[0]], xp)
    return order_np[~member]


def _map_cpu(fn, items, X, xp, *, parallel: bool):
    """map, on a thread per core when the work is large and on the CPU (NumPy's sort releases the
    GIL, so the candidates' sorts overlap); results in input order, hence deterministic."""
    items = list(items)
    workers = min(len(items), os.cpu_count() or 1)
    if not parallel or workers < 2 or not on_cpu(X, xp):
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


def _projection_tau(max_abs: float, a, d: int, xp) -> float:
    """Largest difference between two float64 evaluations of <a, x> for the same x:
    2 gamma(d) sum_k |x_k||a_k| <= 2 gamma(d) max|X| ||a||_1."""
    return 2.0 * gamma(d) * max_abs * float(xp.sum(xp.abs(a)))


def _equispaced_direction(X, y, xp):
    """When d >= n: a = X^+ t with t equispaced, so the projections are (up to rounding) the grid t.
    Points are placed on the grid in label order, which minimizes the total variation of the labels
    along a and hence the weights."""
    X64 = xp.astype(X, xp.float64)
    rank = xp.argsort(xp.argsort(y, stable=True), stable=True)
    t = xp.astype(rank, xp.float64)
    return xp.linalg.pinv(X64) @ t


def random_directions(rng: np.random.Generator, d: int, k: int) -> np.ndarray:
    """k candidate directions (the columns of a (d, k) NumPy array), uniform on the unit sphere of
    R^d: standard normal vectors scaled to unit length. Unit length makes the projections of standard
    normal data standard normal, the law the conditioning sweep compares with."""
    cand = rng.standard_normal((d, k))
    cand /= np.linalg.norm(cand, axis=0, keepdims=True)
    return cand


def _direction_score(z, tau: float, xp) -> float:
    """min gap / range of the projections z, leaving out gaps within the rounding bound tau (pairs
    that may be copies of one point): how a random direction is ranked."""
    n = z.shape[0]
    zs = xp.sort(z)
    gaps = zs[1:] - zs[:-1]
    gaps = gaps[gaps > tau]
    span = float(zs[-1] - zs[0])
    return float(xp.min(gaps)) / span if gaps.shape[0] and span > 0 else (1.0 if n == 1 else 0.0)


def choose_direction(X, y, xp, *, n_directions: int, theta: float, seed: int, max_rounds: int = 4):
    """The direction a and the sorted distinct projections: equispaced if possible, else the best of
    ``n_directions`` Gaussian directions by min gap / range (rounds of fresh draws if all collide)."""
    n, d = X.shape
    dev = array_device(X)
    if d >= n and n > 1:
        if not bool(xp.all(xp.isfinite(X))):  # cheap here (n <= d) and pinv must not see NaN
            raise ValueError(_NONFINITE_X)
        a = _equispaced_direction(X, y, xp)
        z, max_abs = project(X, a, xp, with_max_abs=True)
        keep = _distinct_sorted(X, y, z, _projection_tau(max_abs, a, d, xp), xp)
        if keep is not None and keep.shape[0] == n:
            zs = xp.take(z, keep)
            # accept only if the grid survived rounding: every gap at least half the target spacing
            if n == 1 or float(xp.min(zs[1:] - zs[:-1])) >= 0.5:
                b = interleave(zs, theta, xp)
                if b is not None:
                    return a, keep, zs, b, "equispaced", 1
    rng = np.random.default_rng(seed)
    tried = 0  # directions drawn and scored
    for _ in range(max_rounds):
        C = xp.asarray(random_directions(rng, d, n_directions), dtype=xp.float64, device=dev)
        Z, max_abs = project(X, C, xp, with_max_abs=True)
        if not (math.isfinite(max_abs) and bool(xp.all(xp.isfinite(Z)))):
            raise ValueError(_NONFINITE_X)
        # rank the candidates by min gap / range from a plain sort (cheaper than the stable argsort
        # the full duplicate analysis needs); pairs within the rounding bound tau may be duplicates
        # and are left out of the score
        def score(j, Z=Z, C=C, max_abs=max_abs):  # bound now: the loop rebinds them for the next round
            tau = _projection_tau(max_abs, C[:, j], d, xp)
            return _direction_score(Z[:, j], tau, xp), j, tau

        ranked = sorted(_map_cpu(score, range(n_directions), X, xp, parallel=n >= 65536), key=lambda t: -t[0])
        tried += n_directions
        for _score, j, tau in ranked:
            z = Z[:, j]
            keep = _distinct_sorted(X, y, z, tau, xp)
            if keep is None:
                continue
            zs = xp.take(z, keep)
            b = interleave(zs, theta, xp)
            if b is None:
                continue
            return C[:, j], keep, zs, b, "random", tried
    raise DirectionError(
        f"no direction out of {tried} random ones separates the distinct points in float64 "
        "(projections collide or gaps are below rounding); the points are too close together"
    )


def absolute_rows(z, b, w, xp):
    """(|A||w|)_i = sum_{j<=i} |w_j| (z_i - b_j), by the nonnegative recurrence
    K_i = K_{i-1} + (z_i - z_{i-1}) sum_{j<i}|w_j| + |w_i| (z_i - b_i): no cancellation, so it is
    accurate to relative gamma(2n + 6)."""
    aw = xp.abs(w)
    A_prev = xp.cumulative_sum(aw, include_initial=True)[:-1]
    dz = xp.concat([xp.zeros_like(z[:1]), z[1:] - z[:-1]])
    return xp.cumulative_sum(dz * A_prev + aw * (z - b))


def admissible_residual(z, b, y, abs_rows, xp):
    """Row-wise bound on |y - A w| that the sequential recurrence provably meets in float64:
    gamma(4) sum_{k<=i} |y_k - y_{k-1}| + gamma(i + 3) (|A||w|)_i, plus TINY sum_{k<=i} (1 + g_k) for
    the two roundings per row that can underflow (derivation: docs/derivations/expressivity.md).
    Computed quantities are scaled down by their own rounding so the bound stays a lower estimate."""
    n = y.shape[0]
    dy = xp.abs(xp.concat([y[:1], y[1:] - y[:-1]]))
    tv = xp.cumulative_sum(dy)
    i = xp.astype(xp.arange(1, n + 1), xp.float64)
    if not is_numpy_namespace(xp):
        i = xp.asarray(i, device=array_device(y))
    gam = gamma(i + 3.0)  # elementwise gamma_{i+3}
    shrink = 1.0 - 2.0 * gamma(2 * n + 6)
    underflow = TINY * xp.cumulative_sum(1.0 + (z - b))
    return shrink * (gamma(4) * tv + gam * abs_rows) + underflow


def construct(
    X,
    y,
    *,
    theta: float = DEFAULT_THETA,
    n_directions: int = DEFAULT_DIRECTIONS,
    seed: int = 0,
    refine: int = 0,
    solver: str = "scan",
) -> Construction:
    """Build the 2n + d memorizer of (X, y).

    ``refine`` steps of iterative refinement (residual in extended precision, correction by the same
    scan) are available but off by default: the scan alone meets the admissible bound by orders of
    magnitude on every input tried (see the tests and the benchmark).
    """
    if not 0.0 < theta <= MAX_THETA:
        raise ValueError(
            f"theta must lie in (0, 1/2]; got {theta} (theta > 1/2 makes |alpha| = theta/(1-theta) > 1 "
            "and the weights grow geometrically)"
        )
    if n_directions < 1:
        raise ValueError(f"n_directions must be at least 1; got {n_directions}")
    xp, X, y = as_arrays(X, y)
    a, keep, z, b, how, tried = choose_direction(
        X, y, xp, n_directions=n_directions, theta=theta, seed=seed
    )
    ys = xp.take(y, keep)
    if solver == "scan":
        w = solve_scan(z, b, ys, xp)
    elif solver == "sequential":
        w = xp.asarray(solve_sequential(z, b, ys), device=array_device(z))
    else:
        raise ValueError(f"unknown solver {solver!r}; use 'scan' or 'sequential'")
    _check_finite(w)
    evaluator = Evaluator.build(z, b, ys, w, xp)
    for _ in range(refine):
        w = w + solve_scan(z, b, evaluator.r, xp)
        _check_finite(w)
        evaluator = Evaluator.build(z, b, ys, w, xp)
    K = absolute_rows(z, b, w, xp)
    return Construction(
        a=a,
        b=b,
        w=w,
        z=z,
        y=ys,
        keep=keep,
        evaluator=evaluator,
        abs_rows=K,
        admissible=admissible_residual(z, b, ys, K, xp),
        theta=theta,
        direction=how,
        candidates=tried,
    )


# -------------------------------------------------------------------------------- evaluation


def evaluate(c: Construction, X, *, return_error: bool = False):
    """The network on new points, float64, faithful to the exact value of the float64 network at
    the computed projections (error bound returned on request)."""
    xp = array_namespace(X, c.a)
    if X.ndim == 1:
        X = xp.reshape(X, (1, X.shape[0]))
    if X.ndim != 2 or X.shape[1] != c.d:
        raise ValueError(f"X must have shape (m, {c.d}); got {tuple(X.shape)}")
    z = project(X, c.a, xp)
    value, err = c.evaluator.evaluate(z, xp)
    return (value, err) if return_error else value


def _classes_ok(pred, y, xp):
    """Every output decodes to its own label when rounded to the nearest label value."""
    labels = xp.unique_values(y)  # sorted
    m = labels.shape[0]
    hi = xp.clip(xp.searchsorted(labels, pred), 0, m - 1)
    lo = xp.clip(hi - 1, 0, m - 1)
    nearer_lo = xp.abs(pred - xp.take(labels, lo)) < xp.abs(pred - xp.take(labels, hi))
    nearest = xp.where(nearer_lo, xp.take(labels, lo), xp.take(labels, hi))
    return bool(xp.all(nearest == y))


def _training_segments(c: Construction, z, xp):
    """Segment index of every projection, and whether X is the training set with exactly the
    projections the weights were solved for (then every row sits on a training point)."""
    keep = c.keep
    n_rows = z.shape[0]
    if n_rows >= c.n and int(xp.max(keep)) < n_rows and bool(xp.all(xp.take(z, keep) == c.z)):
        k = c.evaluator.segment(z, xp) if n_rows > c.n else None
        if k is None:  # no duplicates: the sorted order is known, no search needed
            k = xp.zeros(n_rows, dtype=keep.dtype)
            ranks = xp.arange(1, c.n + 1, dtype=keep.dtype)
            if not is_numpy_namespace(xp):
                k = xp.asarray(k, device=array_device(z))
                ranks = xp.asarray(ranks, device=array_device(z))
            k[keep] = ranks
        on_point = xp.take(c.z, xp.clip(k - 1, 0, c.n - 1)) == z
        return k, bool(xp.all(on_point & (k > 0)))
    return c.evaluator.segment(z, xp), False


def verify(c: Construction, X, y, *, classes: bool | None = None) -> dict:
    """Check the memorizer on (X, y) with bounds derived from its own rounding errors.

    backward: |y_i - (A w)_i| <= admissible_i for every sorted training row, the residual computed
    in extended precision with its own error added. forward: every float64 output c(x_i) lies within
    admissible + evaluation error of y_i (plus, if the projections of X differ from the ones solved
    for, the slope times the bound on that difference). classes: labels that are integers must be
    recovered exactly by rounding to the nearest label.
    """
    xp, X, y = as_arrays(X, y)
    if X.shape[1] != c.d:
        raise ValueError(f"X has {X.shape[1]} features but the memorizer was built for d = {c.d}")
    ev = c.evaluator
    n = c.n
    r, r_err = ev.r, ev.r_err
    backward_ok = bool(xp.all(xp.abs(r) + r_err <= c.admissible))
    K = c.abs_rows
    y_scale = float(xp.max(xp.abs(c.y)))
    y_scale = y_scale if y_scale > 0 else 1.0

    z = project(X, c.a, xp)
    if not bool(xp.all(xp.isfinite(z))):
        raise ValueError(_NONFINITE_X)
    k, same = _training_segments(c, z, xp)
    if same:
        # the projections are the ones solved for: at z_k the network's exact value is the anchor
        # y_k - r_k, known to within r_err, so no evaluation is needed
        i = k - 1
        out, out_err = accurate_sum([xp.take(ev.anchor_hi, i), xp.take(ev.anchor_lo, i)], xp)
        out_err = out_err + xp.take(ev.r_err, i)
    else:
        out, out_err = ev.evaluate(z, xp, k=k)
    row = xp.clip(k - 1, 0, n - 1)
    tol = xp.take(c.admissible, row) + out_err
    if not same:
        # |z' - z| <= 2 gamma(d) ||x|| ||a|| for two float64 evaluations of the same dot product
        norms = row_norms(X, xp) * float(xp.sqrt(xp.sum(c.a**2)))
        # a perturbed point may sit on a neighbouring segment: take the largest nearby slope
        local = xp.abs(xp.take(ev.slope, k))
        for step in (-1, 1):
            local = xp.maximum(local, xp.abs(xp.take(ev.slope, xp.clip(k + step, 0, n))))
        tol = tol + local * 2.0 * gamma(c.d) * norms
    resid = xp.abs(out - y) * (1.0 + 2.0 * U)  # the subtraction's own rounding, bounded above
    forward_ok = bool(xp.all(resid <= tol))
    if classes is None:
        classes = bool(xp.all(y == xp.round(y)))
    class_ok = _classes_ok(out, y, xp) if classes else None
    max_resid = float(xp.max(resid))
    kappa = float(xp.max(K)) / y_scale
    g = c.z - c.b
    rel_back = xp.abs(r) / xp.where(K > 0, K, 1.0)
    result = {
        "n": int(X.shape[0]),
        "n_distinct": n,
        "d": c.d,
        "n_params": c.n_params,
        "direction": c.direction,
        "kappa": kappa,
        "min_gap": float(xp.min(g)),
        "min_gap_relative": float(xp.min(g)) / max(float(c.z[-1] - c.z[0]), float(xp.min(g))),
        "max_abs_weight": float(xp.max(xp.abs(c.w))),
        "backward_error": float(xp.max(rel_back)),
        "backward_error_bound": float(xp.max(c.admissible / xp.where(K > 0, K, 1.0))),
        "backward_ok": backward_ok,
        "max_abs_residual": max_resid,
        "tolerance": float(xp.max(tol)),
        "forward_error_units": max_resid / (2.0 * U * kappa * y_scale) if kappa > 0 else (
            0.0 if kappa == 0 else math.nan),
        "forward_ok": forward_ok,
        "same_projections": same,
        "classes_ok": class_ok,
    }
    result["passed"] = bool(backward_ok and forward_ok and (class_ok is not False))
    return result


# --------------------------------------------------------------- what the checked proof measures


def random_data(n: int, d: int, labels: str, n_classes: int, rng: np.random.Generator):
    """The claim's data: X (n, d) standard normal; y integer classes 0..n_classes-1 (as float64) for
    ``labels == "classes"``, else standard normal reals."""
    X = rng.standard_normal((n, d))
    if labels == "classes":
        y = rng.integers(0, n_classes, n).astype(np.float64)
    else:
        y = rng.standard_normal(n)
    return X, y


def data_law(X, y, labels: str, n_classes: int) -> dict:
    """What the claim's data law predicts and what the data show: X's entries are standard normal (mean
    0, variance 1; standard errors 1/sqrt(N) and sqrt(2/(N-1)) over its N entries), class labels take
    every value 0..n_classes-1 and no other, real labels are standard normal like X's entries."""
    X = np.asarray(to_numpy(X), dtype=np.float64).ravel()
    y = np.asarray(to_numpy(y), dtype=np.float64)
    out = {"x_mean": float(X.mean()), "x_mean_se": 1.0 / math.sqrt(X.size),
           "x_var": float(X.var(ddof=1)), "x_var_se": math.sqrt(2.0 / (X.size - 1))}
    if labels == "classes":
        values = set(np.unique(y).tolist())
        out["classes_seen"] = len(values & set(range(n_classes)))
        out["labels_outside"] = int(np.sum((y < 0) | (y > n_classes - 1) | (y != np.round(y))))
        # chance that some class is missing from n uniform draws (union bound): judge only when negligible
        out["class_missing_chance"] = n_classes * (1.0 - 1.0 / n_classes) ** y.size
    else:
        out.update(y_mean=float(y.mean()), y_mean_se=1.0 / math.sqrt(y.size), y_var=float(y.var(ddof=1)),
                   y_var_se=math.sqrt(2.0 / (y.size - 1)))
    return out


def first_kink_error(c: Construction, theta: float) -> float:
    """|b_1 - (z_1 - (1 - theta) s)| / bound with s the mean gap (z_n - z_1)/(n - 1) (max(1, |z_1|) for
    n = 1): the first kink has no gap to its left and sits a fraction 1 - theta of the mean gap below
    z_1. The bound, gamma_6 (|z_1| + (|z_n| + |z_1|) / (n - 1) + |b_1|) + TINY, covers the five roundings
    of its float64 computation (a valid, not sharp, bound: a misplaced kink is off by a fraction of a
    gap, many orders of magnitude more)."""
    z, b = (np.asarray(to_numpy(v), dtype=np.float64) for v in (c.z, c.b))
    n = z.shape[0]
    step = max(1.0, abs(z[0])) if n == 1 else (z[-1] - z[0]) / (n - 1)
    spread = abs(z[0]) + (max(1.0, abs(z[0])) if n == 1 else (abs(z[-1]) + abs(z[0])) / (n - 1))
    bound = gamma(6) * (spread + abs(b[0])) + TINY
    return float(abs(b[0] - (z[0] - (1.0 - float(theta)) * step)) / bound)


MPMATH_PREC = 320
"""Bits of the mpmath reference residual: sums of doubles spanning ~1e+-40 are exact at this precision."""


@dataclass(frozen=True)
class ResidualAccuracy:
    """The kernel's extended-precision residual against an exact (mpmath) one."""

    worst_ratio: float  # max_i |r_hat_i - r_i| / err_i
    rounded_rows: int  # rows whose exact residual is not a float64 (so r_hat_i carries a rounding)


def mpmath_residual_check(c: Construction, prec: int = MPMATH_PREC) -> ResidualAccuracy:
    """max_i |r_hat_i - r_i| / err_i over all rows, with r_i = y_i - (A w)_i computed in mpmath at
    ``prec`` bits (exactly, for the float64 data here) and r_hat, err the kernel's extended-precision
    residual and its claimed error bound (``Evaluator``). <= 1 means the kernel's residual is as
    accurate as it claims; a row with a zero bound counts as inf when its gap is not zero. Also counts
    the rows whose exact residual is not representable in float64 (``residual_tightness_floor``)."""
    import mpmath

    z, b, w, y = (to_numpy(v) for v in (c.z, c.b, c.w, c.y))
    r_hat, r_err = to_numpy(c.evaluator.r), to_numpy(c.evaluator.r_err)
    worst = 0.0
    rounded = 0
    with mpmath.workprec(prec):
        S = mpmath.mpf(0)
        Tsum = mpmath.mpf(0)
        for i in range(z.shape[0]):
            wi = mpmath.mpf(float(w[i]))
            S += wi
            Tsum += wi * mpmath.mpf(float(b[i]))
            exact = mpmath.mpf(float(y[i])) - (mpmath.mpf(float(z[i])) * S - Tsum)
            rounded += int(mpmath.mpf(float(exact)) != exact)
            gap = abs(float(exact - mpmath.mpf(float(r_hat[i]))))
            bound = float(r_err[i])
            worst = max(worst, gap / bound if bound > 0 else (math.inf if gap > 0 else 0.0))
    return ResidualAccuracy(worst, rounded)


def mpmath_residual_ratio(c: Construction, prec: int = MPMATH_PREC) -> float:
    """``mpmath_residual_check(c).worst_ratio``."""
    return mpmath_residual_check(c, prec).worst_ratio


def residual_tightness_floor(rounded_rows: int, false_rate: float = 1e-9) -> float:
    """Lower limit L for max_i |r_hat_i - r_i| / err_i when the kernel's residual is exact up to its
    final rounding to float64 and err_i = u |r_hat_i| (1 + 2u) + (terms of order u^2 |r_i|).

    Standard model of a rounding: the error e of rounding x to nearest is uniform on [0, ulp(x)/2] in
    magnitude, and the significand m = |x| / 2^floor(log2|x|) in [1, 2) is log-uniform (density
    1 / (m ln 2)). With ulp(x) / 2 = u 2^floor(log2|x|), the ratio |e| / (u |x|) = V / m with V uniform on
    [0, 1], so P(ratio <= L) = int_1^2 L m / (m ln 2) dm = L / ln 2 for L <= 1/2. Over k independently
    rounded rows P(max <= L) = (L / ln 2)^k; L = min(1/2, ln 2 * false_rate^(1/k)) makes a false
    failure at most ``false_rate`` (the 6-SE rate, ~1e-9). A bound 10x too loose gives at most 0.1."""
    if rounded_rows < 1:
        return 0.0
    return min(0.5, math.log(2.0) * false_rate ** (1.0 / rounded_rows))


def kink_position_error(c: Construction, theta: float) -> float:
    """max over i >= 2 of |b_i - z_{i-1} - theta (z_i - z_{i-1})| / bound_i: how far each kink sits from
    fraction ``theta`` (the setting asked for, not the construction's own record) of its gap, in units
    of the rounding bound of its own computation b_i = fl(z_{i-1} + fl(theta fl(z_i - z_{i-1}))),
    bound_i = gamma_2 theta (z_i - z_{i-1}) + gamma_1 |b_i| (docs/derivations/expressivity.md
    section 3b). The deviation is formed without error (TwoSum, TwoProduct) and its own summation error
    is subtracted, so <= 1 whenever the kinks are where theta puts them. 0 for n = 1 (the first kink
    has no gap to its left)."""
    z, b = (np.asarray(to_numpy(v), dtype=np.float64) for v in (c.z, c.b))
    if z.shape[0] < 2:
        return 0.0
    theta = float(theta)
    num_hi, num_lo = two_sum(b[1:], -z[:-1])  # b_i - z_{i-1}, exactly
    den_hi, den_lo = two_sum(z[1:], -z[:-1])  # z_i - z_{i-1}, exactly
    p_hi, p_lo = two_prod(theta, den_hi)
    dev, dev_err = accurate_sum([num_hi, num_lo, -p_hi, -p_lo, -theta * den_lo], np)
    dev_err = dev_err + U * abs(theta) * np.abs(den_lo)  # the one inexact product theta * den_lo
    # + TINY: a rounding in the subnormal range errs by up to TINY / 2 absolutely
    bound = gamma(2) * theta * (np.abs(den_hi) + np.abs(den_lo)) + gamma(1) * np.abs(b[1:]) + TINY
    return float(np.max(np.maximum(np.abs(dev) - dev_err, 0.0) / bound))


def direction_rank(X, y, c: Construction, *, n_directions: int, theta: float, seed: int) -> int:
    """How the chosen random direction ranks among the candidates ``construct`` was asked to try: the
    number of candidates of its round (``random_directions`` from ``default_rng(seed)``, n_directions per
    round) that are usable and score strictly higher by min gap / range, so 0 when it is the best of
    them; n_directions + 1 when it is not one of them (the setting was not honoured)."""
    xp, X, y = as_arrays(X, y)
    d = X.shape[1]
    rng = np.random.default_rng(seed)
    rounds = max(1, c.candidates // n_directions)
    for _ in range(rounds):
        cand = random_directions(rng, d, n_directions)
    a = np.asarray(to_numpy(c.a))
    match = [j for j in range(n_directions) if np.array_equal(cand[:, j], a)]
    if not match:
        return n_directions + 1
    C = xp.asarray(cand, dtype=xp.float64, device=array_device(X))
    Z, max_abs = project(X, C, xp, with_max_abs=True)
    taus = [_projection_tau(max_abs, C[:, j], d, xp) for j in range(n_directions)]
    # the documented criterion, min gap (above tau) / range, computed here on its own rather than by the
    # construction's scorer, so that a wrong scorer cannot vouch for itself
    Zn = np.sort(np.asarray(to_numpy(Z), dtype=np.float64), axis=0)
    scores = []
    for j in range(n_directions):
        gaps = np.diff(Zn[:, j])
        gaps = gaps[gaps > taus[j]]
        span = Zn[-1, j] - Zn[0, j]
        scores.append(float(gaps.min() / span) if gaps.size and span > 0 else 0.0)
    rank = 0
    for j in range(n_directions):
        if scores[j] > scores[match[0]]:
            keep = _distinct_sorted(X, y, Z[:, j], taus[j], xp)
            if keep is not None and interleave(xp.take(Z[:, j], keep), theta, xp) is not None:
                rank += 1
    return rank


# ------------------------------------------------------- sharpness of the admissible residual bound


ADVERSARIAL_SHORTFALL = 2.0**-20
"""Each rounding of the adversarial running sum errs by at least (1 - this) of its maximum ulp/2."""


def adversarial_recurrence(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interleaved (z, b) and float64 labels y on which the sequential recurrence (``solve_sequential``)
    attains its worst rounding: z_i = i, b_1 = 0, y_1 = 1 (so w_1 = S_1 = 1), and for i >= 2 labels and
    kinks chosen so that the label difference, the product dz S (dz = 1), the numerator and the
    kink's gap are all exact, and the running sum S_i = fl(S_{i-1} + w_i) rounds *up* by between
    (1 - ADVERSARIAL_SHORTFALL) ulp(S)/2 and ulp(S)/2 = u every row (w_i sits just above a midpoint of
    the float grid near S = 1). Then the exact residual of row i is
    u (i-1)(i-2)/2 to first order (``theory.expressivity.adversarial_residual``), about half of the
    admissible bound: the bound is sharp up to its factor 2 (docs/derivations/expressivity.md 4b)."""
    from fractions import Fraction

    if n < 1:
        raise ValueError(f"need n >= 1; got {n}")
    z = np.arange(1, n + 1, dtype=np.float64)
    b = np.empty(n)
    y = np.empty(n)
    b[0], y[0] = 0.0, 1.0
    S = 1.0
    for k in range(1, n):
        yk = y[k - 1] + S
        while True:  # the smallest label whose exact difference exceeds S
            dy = yk - y[k - 1]
            if dy > S and Fraction(dy) == Fraction(yk) - Fraction(y[k - 1]):
                break
            yk = math.nextafter(yk, math.inf)
        num = dy - S  # exact (Sterbenz): both lie in [1, 2)
        ulp = math.ulp(S)
        j = math.ceil(num / ulp)
        bk = z[k] - num / (ulp * (j + 0.5))  # then w = num / g sits at the midpoint S + ulp (j + 1/2)
        half = Fraction(ulp) / 2
        for _ in range(1 << 16):  # move the kink up (the gap down, w up) until the sum rounds up fully
            g = z[k] - bk
            w = num / g
            err = Fraction(S + w) - Fraction(S) - Fraction(w)
            if 0.0 < g < 1.0 and half * (1 - Fraction(ADVERSARIAL_SHORTFALL)) <= err < half:
                break
            bk = math.nextafter(bk, math.inf)
        else:
            raise RuntimeError(f"no adversarial kink found for row {k + 1}")
        b[k], y[k], S = bk, yk, S + w
    return z, b, y


def exact_recurrence_terms(z, b, y, w) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(r, TV, K) row by row in exact rational arithmetic (fractions.Fraction, each rounded once to
    float64 at the end): the residual r_i = y_i - (A w)_i, the label variation
    TV_i = |y_1| + sum_{2<=k<=i} |y_k - y_{k-1}| and K_i = (|A||w|)_i = sum_{j<=i} |w_j| (z_i - b_j)."""
    from fractions import Fraction

    z, b, y, w = (np.asarray(to_numpy(v), dtype=np.float64) for v in (z, b, y, w))
    S = T = Sa = Ta = tv = Fraction(0)
    prev = Fraction(0)
    r, tvs, ks = [], [], []
    for i in range(z.shape[0]):
        wi, bi, zi, yi = Fraction(w[i]), Fraction(b[i]), Fraction(z[i]), Fraction(y[i])
        S, T = S + wi, T + wi * bi
        Sa, Ta = Sa + abs(wi), Ta + abs(wi) * bi
        tv += abs(yi - prev)
        prev = yi
        r.append(float(yi - (zi * S - T)))
        tvs.append(float(tv))
        ks.append(float(zi * Sa - Ta))
    return np.array(r), np.array(tvs), np.array(ks)


@dataclass(frozen=True)
class Sharpness:
    """The admissible residual bound on the adversarial recurrence, row by row."""

    rows: np.ndarray  # i = 1..n
    residual: np.ndarray  # exact r_i of the float64 sequential solve
    admissible: np.ndarray  # the kernel's bound (``admissible_residual``)
    tv: np.ndarray  # exact label variation TV_i
    abs_rows: np.ndarray  # exact (|A||w|)_i

    @property
    def ratio(self) -> np.ndarray:
        return self.residual / self.admissible


def admissible_sharpness(n: int) -> Sharpness:
    """Solve the adversarial recurrence of size n with ``solve_sequential``, and measure its exact
    residual against ``admissible_residual`` (with the kernel's own |A||w|)."""
    z, b, y = adversarial_recurrence(n)
    w = solve_sequential(z, b, y)
    adm = to_numpy(admissible_residual(z, b, y, absolute_rows(z, b, w, np), np))
    r, tv, k = exact_recurrence_terms(z, b, y, w)
    return Sharpness(np.arange(1, n + 1), r, np.asarray(adm, dtype=np.float64), tv, k)


def kink_segments(c: Construction, X) -> np.ndarray:
    """Segment index k of every row of X (NumPy): the number of kinks b_j below its float64 projection
    X @ a, as the direct evaluation relu(z - b) @ w of a torch module sees it."""
    X = np.asarray(to_numpy(X), dtype=np.float64)
    return np.searchsorted(to_numpy(c.b), X @ to_numpy(c.a), side="left")


def torch_tolerance(c: Construction, X, k=None, dtype: str = "float64") -> np.ndarray:
    """Bound on |net(x) - y| for the direct evaluation relu(<a, x> - b) @ w of the network in ``dtype``
    (the torch module of ``vacuity.sims.memorizer_net``; nothing here imports torch):

    = admissible backward residual of the float64 solve (the exact network at the solved projections)
    + gamma_u(n + 2) (1 + gamma_u(n + 2)) (|A||w|)_k (subtractions, products and an n-term sum in any
      order, unit u of dtype; Higham's bound for a dot product, docs/derivations/expressivity.md)
    + largest nearby slope * 2 gamma_u(d) ||x|| ||a|| (torch recomputes <a, x> with its own rounding and
      may land on a neighbouring segment).

    ``k`` is the segment of each row (``kink_segments``; computed when not given). Parameters stored in
    a narrower dtype than float64 are not covered (their own rounding changes the network), so only
    float64 is accepted.
    """
    if dtype != "float64":
        raise ValueError("the torch tolerance covers float64 parameters only")
    X = np.asarray(to_numpy(X), dtype=np.float64)
    if k is None:
        k = kink_segments(c, X)
    u = unit_roundoff(dtype)
    n = c.n
    admissible = to_numpy(c.admissible)
    rows = to_numpy(c.abs_rows)
    slope = np.abs(to_numpy(c.evaluator.slope))
    a_norm = float(np.linalg.norm(to_numpy(c.a)))
    local = slope[k]
    for step in (-1, 1):
        local = np.maximum(local, slope[np.clip(k + step, 0, n)])
    row = np.clip(k - 1, 0, n - 1)
    x_norm = np.linalg.norm(X, axis=1)
    direct = gamma(n + 2, u) * (1 + gamma(n + 2, u)) * rows[row]
    return admissible[row] + direct + local * 2 * gamma(X.shape[1], u) * x_norm * a_norm


def nearest_labels(out, labels) -> np.ndarray:
    """Each output decoded to the nearest of ``labels`` (NumPy; ties to the first label listed)."""
    out = np.asarray(to_numpy(out))
    labels = np.asarray(to_numpy(labels))
    return labels[np.argmin(np.abs(out[:, None] - labels[None, :]), axis=1)]


LAW_MIN_N = 128
"""Smallest size of the conditioning sweep: from here on the asymptotic spacing law's finite-n bias is
below LAW_BIAS (docs/derivations/expressivity.md section 7)."""

LAW_BIAS = 0.005
"""Bound on the relative finite-n bias of (1 - theta) 2 sqrt(pi) / (n (n - 1)) for n >= LAW_MIN_N
(measured: -0.5 +- 0.2 % at n = 128, +0.3 +- 0.2 % at 256, 200 000 replicates each)."""

LAW_REL_ERROR = 0.10
LAW_POWER = 0.99
KAPPA_REPLICATES = 100  # memorizers per size whose kappa is measured (reported only)


def sweep_sizes(sweep_max: int, d: int) -> list[int]:
    """Sample sizes of the conditioning sweep: 4x apart up to sweep_max, from 256 or, for a small
    sweep_max, from max(LAW_MIN_N, 2d, sweep_max / 4), so that the spacing law is in its asymptotic
    regime, n > d (random directions are used) and, for sweep_max >= 4 LAW_MIN_N, a rate can be fitted
    on at least two sizes."""
    m = 256 if sweep_max >= 1024 else max(LAW_MIN_N, 2 * d, sweep_max // 4)
    sizes = []
    while m <= sweep_max:
        sizes.append(m)
        m *= 4
    return sizes


def law_replicates(rel_error: float = LAW_REL_ERROR, power: float = LAW_POWER, *, sigmas: float = SIGMAS,
                   cv: float = 1.0, bias: float = LAW_BIAS) -> int:
    """Replicates R (pooled over the sweep's sizes) for which the 6-SE check of the mean of
    gap / law detects the law's constant off by a factor 1 +- rel_error with probability >= power.

    The smallest gap is asymptotically exponential, so gap / law has mean 1 + beta (|beta| <= bias,
    the finite-n bias) and coefficient of variation cv = 1. Against a constant off by 1 + e the mean
    ratio is m = (1 + beta) / (1 + e), its standard error ~ m cv / sqrt(R), and the check fails when
    |mean - 1| > sigmas SE. Detection with probability >= power needs
    |m - 1| >= (sigmas + z_power) m cv / sqrt(R), i.e. R >= ((sigmas + z_power) m cv / |m - 1|)^2,
    taken at the worst beta for each sign of e."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(power)
    need = 0.0
    for m in ((1.0 + bias) / (1.0 + rel_error), (1.0 - bias) / (1.0 - rel_error)):
        need = max(need, ((sigmas + z) * m * cv / abs(m - 1.0)) ** 2)
    return math.ceil(need)


def min_gap_sweep(sizes, theta: float, replicates: int, d: int, seed: int, progress=None,
                  kappa_replicates: int = KAPPA_REPLICATES) -> list[dict]:
    """Lemma 1's eigenvalue min_i (z_i - b_i) and kappa vs n, one random direction, Gaussian data
    (``random_data``: d features, integer labels 0..9), ``replicates`` samples per size from one
    generator seeded by ``seed``. The first ``kappa_replicates`` are full memorizers (``construct``,
    for kappa); the rest run only the construction's direction-and-kinks stage (``choose_direction``),
    which fixes z and b and so the eigenvalue. Per size: the gaps, their mean and standard error, the
    derived mean (1 - theta) 2 sqrt(pi) / (n (n - 1)) (``theory.expressivity.min_gap_mean``) and the
    median kappa = max_i (|A||w|)_i / max(1, max|y|)."""
    from vacuity.theory import expressivity as T

    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    for size in sizes:
        gaps, kappas = [], []
        for rep in range(replicates):
            X, y = random_data(size, d, "classes", 10, rng)
            direction_seed = int(rng.integers(2**31))
            if rep < kappa_replicates:
                c = construct(X, y, theta=theta, n_directions=1, seed=direction_seed)
                z, b = c.z, c.b
                kappas.append(float(np.max(c.abs_rows)) / max(1.0, float(np.max(np.abs(y)))))
            else:
                _, _, z, b, _, _ = choose_direction(X, y, np, n_directions=1, theta=theta, seed=direction_seed)
            gaps.append(float(np.min(z - b)))
        gaps = np.asarray(gaps)
        rows.append({
            "n": size,
            "gaps": gaps,
            "gap_mean": float(gaps.mean()),
            "gap_se": float(gaps.std(ddof=1) / np.sqrt(len(gaps))),
            "gap_predicted": T.min_gap_mean(size, theta),
            "kappa_median": float(np.median(kappas)) if kappas else math.nan,
        })
        if progress:
            progress(f"expressivity: conditioning sweep n = {size}")
    return rows


def law_constant(rows: list[dict]) -> tuple[float, float]:
    """(mean, standard error) of gap * n (n - 1) pooled over every replicate of a ``min_gap_sweep``:
    the law's constant (1 - theta) 2 sqrt(pi), which is the same at every n."""
    return mean_se(np.concatenate([r["gaps"] * (r["n"] * (r["n"] - 1.0)) for r in rows]))


@dataclass(frozen=True)
class SweepRates:
    gap_slope: float  # weighted log-log slope of the mean smallest gap
    gap_slope_se: float
    gap_slope_predicted: float  # the same fit of the derived means: the law's own slope over these sizes
    kappa_slope: float  # unweighted log-log slope of the median kappa (reported only)


def sweep_rates(rows: list[dict]) -> SweepRates:
    """Log-log slopes of a ``min_gap_sweep``: the mean gap's, weighted by (mean / SE)^2 (the inverse
    delta-method variance of its log), with its standard error; the derived law's slope by the same
    weighted fit (it tends to the declared -2 as n grows); the median kappa's, unweighted."""
    from vacuity.theory.rates import fit_loglog_slope

    ns = [r["n"] for r in rows]
    se_log = np.array([r["gap_se"] / r["gap_mean"] for r in rows])
    w = 1.0 / se_log**2
    slope, slope_se = fit_loglog_slope(ns, [r["gap_mean"] for r in rows], weights=w)
    predicted, _ = fit_loglog_slope(ns, [r["gap_predicted"] for r in rows], weights=w)
    # unit weights through the weighted path: the slope is the ordinary least-squares one, and two
    # sizes are enough (its residual standard error, which needs three, is not used)
    kslope, _ = fit_loglog_slope(ns, [r["kappa_median"] for r in rows], weights=np.ones(len(rows)))
    return SweepRates(slope, slope_se, predicted, kslope)
