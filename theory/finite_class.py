"""Uniform convergence over a finite class by the union bound (Mohri et al., Foundations of ML,
2nd ed., Thm 2.13, inconsistent case), stated and derived in sympy.

For a finite class H and 0-1 loss, P[exists h in H: |R_hat(h) - R(h)| >= eps] <= 2 |H| exp(-2 n eps^2)
(Hoeffding's tail for each h, added over H), so with probability at least 1 - delta, for every h in H,

    |R_hat(h) - R(h)| <= sqrt((log|H| + log(2/delta)) / (2 n)).

The tail is |H| times ``vacuity.theory.hoeffding.tail_bound``; the bound is the positive root of
tail = delta; |H| = 1 is Hoeffding's bound exactly.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from vacuity.theory import hoeffding
from vacuity.theory.bound_params import check_class_size, check_delta, check_sizes
from vacuity.theory.rates import RatedBound, n, register_bound

H = sp.Symbol("H", positive=True)  # |H|, the number of hypotheses
delta = hoeffding.delta
eps = hoeffding.eps

RATE_EXPONENT = sp.Rational(-1, 2)
DEFAULT_DELTA = 0.05
DEFAULT_CLASS_SIZE = 1000


def union_tail() -> sp.Expr:
    """P[sup_h |R_hat(h) - R(h)| >= eps] <= sum over h of Hoeffding's tail = |H| 2 exp(-2 n eps^2)."""
    return H * hoeffding.tail_bound()


def deviation_bound() -> sp.Expr:
    """With probability >= 1 - delta, for all h in H: |R_hat(h) - R(h)| <= this."""
    return sp.sqrt((sp.log(H) + sp.log(2 / delta)) / (2 * n))


def bound_inverts_tail(bound: sp.Expr | None = None, tail: sp.Expr | None = None) -> bool:
    """The (stated, unless given) bound is the positive root of the (stated, unless given) union tail = delta."""
    b = deviation_bound() if bound is None else bound
    tail = union_tail() if tail is None else tail
    at_bound = sp.simplify(sp.expand_log(tail.subs(eps, b), force=True) - delta) == 0
    solved = hoeffding.solve_for_deviation(tail)
    same = sp.simplify(sp.expand_log(solved**2 - b**2, force=True)) == 0
    return bool(at_bound and same)


def reduces_to_hoeffding(bound: sp.Expr | None = None) -> bool:
    """|H| = 1: the (stated, unless given) union bound is Hoeffding's bound (the special case as an identity)."""
    b = deviation_bound() if bound is None else bound
    return sp.simplify(b.subs(H, 1) - hoeffding.deviation_bound()) == 0


def bound(ns, class_size: int, delta_value: float = DEFAULT_DELTA) -> np.ndarray:
    check_delta(delta_value)
    check_class_size(class_size)
    arr = check_sizes(ns)
    f = sp.lambdify((n, H, delta), deviation_bound(), "numpy")
    return np.asarray(f(arr, float(class_size), float(delta_value)), dtype=np.float64)


def derived_bound(ns, class_size: int, delta_value: float = DEFAULT_DELTA) -> np.ndarray:
    """The eps at which |H| times the *derived* Chernoff tail equals delta, found numerically (bisection
    to adjacent floats) at each n: what ``bound`` must equal, computed without ``deviation_bound``."""
    check_delta(delta_value)
    check_class_size(class_size)
    arr = check_sizes(ns)
    f = hoeffding.derived_tail_function()
    size = float(class_size)
    return hoeffding.root_of_decreasing(lambda e: size * f(arr, e), float(delta_value), 1.0 / np.sqrt(arr))


BOUND = register_bound(RatedBound("finite-class", deviation_bound(), RATE_EXPONENT,
                                  {H: DEFAULT_CLASS_SIZE, delta: DEFAULT_DELTA}))
