"""Hoeffding's inequality for one fixed hypothesis with 0-1 loss (Mohri, Rostamizadeh & Talwalkar,
Foundations of ML, 2nd ed., Thm D.2 and Cor. 2.11), stated and derived in sympy.

For n i.i.d. losses in [0, 1] with mean R and empirical mean R_hat,

    P[|R_hat - R| >= eps] <= 2 exp(-2 n eps^2),

so with probability at least 1 - delta, |R_hat - R| <= sqrt(log(2/delta) / (2 n)).

The tail is derived, not typed in: Hoeffding's lemma for a Bernoulli loss (log-MGF <= lam^2/8, via
phi'' = u (1 - u) <= 1/4), the Chernoff bound optimised over lam, and a union over the two sides. The
deviation bound is the positive solution eps of tail = delta. ``exact_tail_check`` compares the exact
binomial tail with the bound for every n up to a stated size, at every eps where the tail can change.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb

import numpy as np
import sympy as sp

from vacuity.theory.bound_params import check_delta, check_n, check_sizes
from vacuity.theory.rates import RatedBound, n, register_bound

eps = sp.Symbol("epsilon", positive=True)
delta = sp.Symbol("delta", positive=True)
lam = sp.Symbol("lambda", positive=True)
t = sp.Symbol("t", positive=True)
p = sp.Symbol("p", positive=True)

RATE_EXPONENT = sp.Rational(-1, 2)
DEFAULT_DELTA = 0.05


def tail_bound() -> sp.Expr:
    """P[|R_hat - R| >= eps] <= 2 exp(-2 n eps^2): the statement's tail."""
    return 2 * sp.exp(-2 * n * eps**2)


def deviation_bound() -> sp.Expr:
    """With probability >= 1 - delta: |R_hat - R| <= sqrt(log(2/delta) / (2n))."""
    return sp.sqrt(sp.log(2 / delta) / (2 * n))


# ----------------------------------------------------------------------------- derivations


@dataclass(frozen=True)
class LemmaProof:
    """Hoeffding's lemma for a Bernoulli(p) loss with constant c: phi(lam) = log E exp(lam (X - p)) <= c lam^2.

    phi(0) = 0, phi'(0) = 0 and phi''(lam) = u (1 - u) with u = p e^lam / (1 - p + p e^lam) in (0, 1);
    2c - u (1 - u) = (u - 1/2)^2 + (2c - 1/4), which is >= 0 for every u exactly when c >= 1/8, so then
    phi'' <= 2c and Taylor's theorem with the Lagrange remainder gives phi(lam) <= c lam^2. For c < 1/8 the
    chain breaks, and the statement itself is false (``lemma_sharp_constant``: phi/lam^2 -> 1/8 at p = 1/2)."""

    constant: sp.Expr
    phi_at_zero: bool
    slope_at_zero: bool
    curvature_is_variance: bool
    curvature_bounded: bool  # u (1 - u) <= 2c for every u in [0, 1]

    @property
    def holds(self) -> bool:
        return self.phi_at_zero and self.slope_at_zero and self.curvature_is_variance and self.curvature_bounded


LEMMA_CONSTANT = sp.Rational(1, 8)


def _bernoulli_log_mgf():
    x = sp.Symbol("x", real=True)  # lam may be of either sign in the lemma
    return x, -x * p + sp.log(1 - p + p * sp.exp(x))


def prove_lemma_bernoulli(c=LEMMA_CONSTANT) -> LemmaProof:
    """Try to prove phi(lam) <= c lam^2 for every Bernoulli(p) loss (the statement has c = 1/8)."""
    c = sp.nsimplify(c)
    x, phi = _bernoulli_log_mgf()
    u = p * sp.exp(x) / (1 - p + p * sp.exp(x))
    v = sp.Symbol("u", real=True)
    square_form = sp.expand(2 * c - v * (1 - v) - (v - sp.Rational(1, 2)) ** 2 - (2 * c - sp.Rational(1, 4))) == 0
    return LemmaProof(
        constant=c,
        phi_at_zero=sp.simplify(phi.subs(x, 0)) == 0,
        slope_at_zero=sp.simplify(sp.diff(phi, x).subs(x, 0)) == 0,
        curvature_is_variance=sp.simplify(sp.diff(phi, x, 2) - u * (1 - u)) == 0,
        curvature_bounded=bool(square_form and (2 * c - sp.Rational(1, 4)).is_nonnegative),
    )


def lemma_sharp_constant() -> sp.Expr:
    """lim_{lam -> 0} phi(lam) / lam^2 at p = 1/2 (phi = log cosh(lam/2)): 1/8, so no c < 1/8 works."""
    x, phi = _bernoulli_log_mgf()
    return sp.limit(phi.subs(p, sp.Rational(1, 2)) / x**2, x, 0)


def chernoff_tail() -> tuple[sp.Expr, sp.Expr]:
    """Two-sided tail from the lemma: each side P[S_n - n R >= t] <= min_lam exp(-lam t + n lam^2 / 8),
    minimised at lam* = 4 t / n (the exponent is convex: second derivative n/4 > 0); t = n eps; the
    two sides add. Returns (the derived tail, lam*)."""
    expo = -lam * t + n * LEMMA_CONSTANT * lam**2
    (lstar,) = sp.solve(sp.diff(expo, lam), lam)
    if not sp.diff(expo, lam, 2).is_positive:
        raise ArithmeticError("the Chernoff exponent is not convex in lambda")
    one_side = sp.exp(expo.subs(lam, lstar)).subs(t, n * eps)
    return sp.simplify(2 * one_side), lstar


def solve_for_deviation(tail: sp.Expr) -> sp.Expr:
    """The eps > 0 at which ``tail`` equals delta: the deviation bound implied by a tail."""
    sols = [s for s in sp.solve(sp.Eq(tail, delta), eps) if s.is_positive is not False]
    if len(sols) != 1:
        raise ArithmeticError(f"expected one positive root of tail = delta, got {sols}")
    return sols[0]


def bound_inverts_tail(bound: sp.Expr | None = None, tail: sp.Expr | None = None) -> bool:
    """Plugging the stated bound into the stated tail gives exactly delta (and the solved root agrees)."""
    bound = deviation_bound() if bound is None else bound
    tail = tail_bound() if tail is None else tail
    at_bound = sp.simplify(tail.subs(eps, bound) - delta) == 0
    solved = sp.simplify(solve_for_deviation(tail) - bound) == 0
    return bool(at_bound and solved)


# ----------------------------------------------------------------------------------- numbers


def root_of_decreasing(f, target: float, start) -> np.ndarray:
    """x > 0 with f(x) = target for f continuous and strictly decreasing in x, elementwise over the shape
    of ``start`` (f maps an array of x to an array of values): bracket by doubling/halving from ``start``,
    then bisect until the bracket holds two adjacent floats; returns the end whose value is nearer."""
    lo = np.asarray(start, dtype=np.float64).copy()
    hi = lo.copy()
    for _ in range(2100):  # f(lo) >= target >= f(hi)
        up, down = f(lo) < target, f(hi) > target
        if not (up.any() or down.any()):
            break
        lo = np.where(up, lo / 2, lo)
        hi = np.where(down, hi * 2, hi)
    else:
        raise ArithmeticError("could not bracket the root")
    for _ in range(2100):
        mid = lo + (hi - lo) / 2
        moving = (mid > lo) & (mid < hi)
        if not moving.any():
            break
        above = f(mid) >= target
        lo = np.where(moving & above, mid, lo)
        hi = np.where(moving & ~above, mid, hi)
    return np.where(np.abs(f(lo) - target) <= np.abs(f(hi) - target), lo, hi)


def derived_tail_function():
    """The tail derived by ``chernoff_tail`` (not the stated ``tail_bound``), lambdified in (n, eps)."""
    derived, _ = chernoff_tail()
    return sp.lambdify((n, eps), derived, "numpy")


def derived_bound(ns, delta_value: float = DEFAULT_DELTA) -> np.ndarray:
    """The eps at which the *derived* Chernoff tail equals delta, found numerically (bisection to adjacent
    floats) at each n: what ``bound`` must equal, computed without the closed form ``deviation_bound``."""
    check_delta(delta_value)
    arr = check_sizes(ns)
    f = derived_tail_function()
    return root_of_decreasing(lambda e: f(arr, e), float(delta_value), 1.0 / np.sqrt(arr))


def bound(ns, delta_value: float = DEFAULT_DELTA) -> np.ndarray:
    """sqrt(log(2/delta)/(2n)) at the sample sizes ``ns`` (lambdified from ``deviation_bound`` at call
    time, so a wrong derivation shows here too)."""
    check_delta(delta_value)
    arr = check_sizes(ns)
    f = sp.lambdify((n, delta), deviation_bound(), "numpy")
    return np.asarray(f(arr, float(delta_value)), dtype=np.float64)


def tail(n_value: int, eps_value: float) -> float:
    check_n(n_value)
    f = sp.lambdify((n, eps), tail_bound(), "math")
    return float(f(n_value, eps_value))


@dataclass(frozen=True)
class ExactTailCheck:
    n_max: int
    ps: tuple
    cases: int
    worst_ratio: float  # max exact tail / bound over all cases
    holds: bool


def exact_tail_check(n_max: int, ps=(Fraction(1, 10), Fraction(1, 4), Fraction(1, 3), Fraction(1, 2),
                                    Fraction(2, 3), Fraction(9, 10))) -> ExactTailCheck:
    """For every n <= n_max and p in ``ps``: P[|X/n - p| >= eps] <= tail(n, eps) for every eps > 0,
    X ~ Binomial(n, p), with the tail as exact rationals and the bound as a rigorous mpmath interval.

    The exact tail is a step function of eps, constant between consecutive attained deviations
    |k/n - p|, and the bound decreases in eps, so checking eps at each attained deviation covers all
    eps > 0."""
    import mpmath

    f = sp.lambdify((n, eps), tail_bound(), modules=[{"exp": mpmath.iv.exp}, "mpmath"])
    cases, worst, ok = 0, 0.0, True
    saved = mpmath.iv.prec
    mpmath.iv.prec = 120
    try:
        for m in range(1, n_max + 1):
            for pv in ps:
                pv = Fraction(pv)
                pmf = [comb(m, k) * pv**k * (1 - pv) ** (m - k) for k in range(m + 1)]
                devs = [abs(Fraction(k, m) - pv) for k in range(m + 1)]
                for e in sorted({dv for dv in devs if dv > 0}):
                    exact = sum((pk for pk, dv in zip(pmf, devs) if dv >= e), Fraction(0))
                    b = f(m, mpmath.iv.mpf(e.numerator) / e.denominator)
                    lo = mpmath.mpf(b.a)
                    hi_tail = mpmath.iv.mpf(exact.numerator) / exact.denominator
                    cases += 1
                    worst = max(worst, float(exact) / float(b.b))
                    if not (mpmath.mpf(hi_tail.b) <= lo):
                        ok = False
    finally:
        mpmath.iv.prec = saved
    return ExactTailCheck(n_max, tuple(ps), cases, worst, ok)


def exact_tail_case_count(n_max: int, ps) -> int:
    """How many (n, p, eps) cases ``exact_tail_check(n_max, ps)`` must visit: for every n <= n_max and p,
    the distinct positive deviations |k/n - p|, k = 0..n (counted here independently of the check)."""
    return sum(len({abs(Fraction(k, m) - Fraction(pv)) for k in range(m + 1)} - {Fraction(0)})
               for m in range(1, n_max + 1) for pv in ps)


BOUND = register_bound(RatedBound("hoeffding", deviation_bound(), RATE_EXPONENT, {delta: DEFAULT_DELTA}))
