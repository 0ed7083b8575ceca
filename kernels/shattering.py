"""Which labelings halfspaces realize: LP feasibility, exhaustive counts, Radon partitions.

A labeling y in {-1, +1}^n of points x_i in R^d is realized by a halfspace with a bias iff some (w, b)
has y_i (w . x_i + b) >= 1 for all i (strict separation, rescaled). ``realizable`` asks scipy's HiGHS
LP solver; ``radon_certificate`` and ``simplex_separator`` give exact rational certificates that do
not depend on it:

- any d + 2 points have an affine dependence sum lam_i x_i = 0, sum lam_i = 0, lam != 0 (d + 2 vectors
  (x_i, 1) in R^{d+1}); labeling y_i = sign(lam_i) is then impossible, since
  sum lam_i (w . x_i + b) = 0 while every term is |lam_i| y_i (w . x_i + b) >= |lam_i| > 0 on the
  support of lam. That is Radon's theorem, and why VCdim <= d + 1.
- the d + 1 points {0, e_1, ..., e_d} are shattered: f(x) = y_0 + sum_i (y_i - y_0) x_i takes the value
  y_j at each point, so sign f = y with margin 1.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from vacuity.theory.bound_params import check_dimension


def _as_points(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"points must be a 2-D array of shape (n, d) with n, d >= 1; got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("points contain NaN or infinite values")
    return X


def realizable(X, y) -> bool:
    """Is there (w, b) with y_i (w . x_i + b) >= 1 for all i? (HiGHS LP feasibility)."""
    from scipy.optimize import linprog

    X = _as_points(X)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (X.shape[0],) or not np.isin(y, (-1.0, 1.0)).all():
        raise ValueError("labels must be a vector of +-1 with one entry per point")
    A = -y[:, None] * np.hstack([X, np.ones((X.shape[0], 1))])
    res = linprog(np.zeros(X.shape[1] + 1), A_ub=A, b_ub=-np.ones(X.shape[0]),
                  bounds=[(None, None)] * (X.shape[1] + 1), method="highs")
    if res.status == 0:
        return True
    if res.status == 2:
        return False
    raise RuntimeError(f"LP solver gave no verdict (status {res.status}: {res.message})")


def realizable_labelings(X) -> list[tuple[int, ...]]:
    """Every labeling of the rows of X that a halfspace realizes, by exhaustive LP. A labeling and its
    negation are realized together ((w, b) -> (-w, -b)), so only those with y_0 = +1 are solved."""
    X = _as_points(X)
    out = []
    for rest in itertools.product((1, -1), repeat=X.shape[0] - 1):
        y = (1,) + rest
        if realizable(X, y):
            out.append(y)
            out.append(tuple(-v for v in y))
    return out


def growth_count(X) -> int:
    """Number of labelings of X realized by halfspaces (the growth function's value on this set)."""
    return len(realizable_labelings(X))


def shattered(X) -> bool:
    return growth_count(X) == 2 ** _as_points(X).shape[0]


def radon_certificate(X_int) -> tuple[list[Fraction], tuple[int, ...]]:
    """An exact affine dependence lam of d + 2 integer points in R^d and the labeling sign(lam) it rules
    out (zero coefficients labelled +1: any label works for them)."""
    import sympy as sp

    X = np.asarray(X_int)
    if X.ndim != 2 or X.shape[0] != X.shape[1] + 2 or not np.issubdtype(X.dtype, np.integer):
        raise ValueError("need d + 2 integer points in R^d, as an integer array of shape (d + 2, d)")
    M = sp.Matrix([[int(v) for v in X[:, j]] for j in range(X.shape[1])] + [[1] * X.shape[0]])
    null = M.nullspace()
    lam = [Fraction(int(sp.fraction(v)[0]), int(sp.fraction(v)[1])) for v in null[0]]
    return lam, tuple(1 if v >= 0 else -1 for v in lam)


def radon_certificate_holds(X_int, lam) -> bool:
    """Exactly: sum lam_i x_i = 0, sum lam_i = 0, lam != 0 — the Farkas certificate that labeling
    sign(lam) is infeasible."""
    X = np.asarray(X_int)
    if not any(v != 0 for v in lam):
        return False
    if sum(lam, Fraction(0)) != 0:
        return False
    return all(sum((lv * int(X[i, j]) for i, lv in enumerate(lam)), Fraction(0)) == 0 for j in range(X.shape[1]))


def non_certificates(X_int, lam) -> list[list[Fraction]]:
    """Near-certificates that ``radon_certificate_holds`` must refuse, one per condition: lam + w with
    sum w_i x_i = 0 but sum w_i != 0 (only the affine condition broken), and lam + e_j for a point x_j != 0
    (only the linear condition broken). Either is omitted where the point set leaves no such choice."""
    import sympy as sp

    X = np.asarray(X_int)
    lam = [Fraction(v) for v in lam]
    out = []
    M = sp.Matrix([[int(v) for v in X[:, j]] for j in range(X.shape[1])])  # sum_i w_i x_i = 0
    for w in M.nullspace():
        w = [Fraction(int(sp.fraction(v)[0]), int(sp.fraction(v)[1])) for v in w]
        if sum(w, Fraction(0)) != 0:
            out.append([a + b for a, b in zip(lam, w)])
            break
    nonzero = [i for i in range(X.shape[0]) if np.any(X[i] != 0)]
    if nonzero:
        out.append([v + (1 if i == nonzero[0] else 0) for i, v in enumerate(lam)])
    return out


def radon_point(X_int, lam) -> list[Fraction]:
    """The common point of conv{x_i : lam_i > 0} and conv{x_i : lam_i < 0}."""
    X = np.asarray(X_int)
    pos = sum((v for v in lam if v > 0), Fraction(0))
    return [sum((v * int(X[i, j]) for i, v in enumerate(lam) if v > 0), Fraction(0)) / pos
            for j in range(X.shape[1])]


def simplex_points(d: int) -> np.ndarray:
    """{0, e_1, ..., e_d} as an integer array (d + 1, d)."""
    check_dimension(d, 1)
    return np.vstack([np.zeros((1, d), dtype=np.int64), np.eye(d, dtype=np.int64)])


def simplex_separator(y) -> tuple[list[int], int]:
    """(w, b) with y_j (w . x_j + b) = 1 exactly on the simplex points, for labels y of length d + 1."""
    y = [int(v) for v in y]
    if len(y) < 2 or any(v not in (-1, 1) for v in y):
        raise ValueError("labels must be d + 1 >= 2 values of +-1")
    return [v - y[0] for v in y[1:]], y[0]


def simplex_shattered_exactly(d: int) -> bool:
    """Every one of the 2^(d+1) labelings of the simplex is realized, checked in integers."""
    X = simplex_points(d)
    for y in itertools.product((1, -1), repeat=d + 1):
        w, b = simplex_separator(y)
        if not all(yi * (int(np.dot(w, X[i])) + b) >= 1 for i, yi in enumerate(y)):
            return False
    return True
