"""VC theory (Mohri et al., Foundations of ML, 2nd ed., Thm 3.17, Cor. 3.18, Cor. 3.9, Cor. 3.19),
stated and derived in sympy.

- Sauer-Shelah: a class of VC dimension d has growth function Pi_H(n) <= Phi_d(n) = sum_{i<=d} C(n, i),
  and Phi_d(n) <= (e n / d)^d for n >= d >= 1.
- The VC bound: with probability >= 1 - delta, for all h in H,
      R(h) <= R_hat(h) + sqrt(2 d log(e n / d) / n) + sqrt(log(1/delta) / (2 n)),
  i.e. Massart's bound sqrt(2 log Pi_H(n) / n) + sqrt(log(1/delta)/(2n)) (Cor. 3.9) with Sauer's
  exponential form substituted. It is one-sided (log(1/delta), not log(2/delta)).
- Halfspaces with a bias in R^d have VC dimension d + 1; on n points in general position they realize
  exactly C(n, d) = 2 sum_{i<=d} C(n-1, i) labelings (Cover 1965), at most Phi_{d+1}(n).

``prove_exponential_sauer`` proves Phi_d(n) <= (en/d)^d for all n >= d by a chain of sympy facts;
``exact_sauer_check`` checks the same inequality (and the Pascal recurrence behind Sauer's induction)
with exact integer/rational arithmetic for every 1 <= d <= n up to a stated size.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb, factorial

import numpy as np
import sympy as sp

from vacuity.theory.bound_params import check_count, check_delta, check_dimension, check_n, check_sizes
from vacuity.theory.rates import RatedBound, n, register_bound

d = sp.Symbol("d", positive=True)  # VC dimension in the (real-valued) bound expressions
delta = sp.Symbol("delta", positive=True)
Pi = sp.Symbol("Pi", positive=True)  # the growth function's value Pi_H(n)

RATE_EXPONENT = sp.Rational(-1, 2)
DEFAULT_DELTA = 0.05
DEFAULT_D = 1  # thresholds on the line: the class the simulation uses


# ------------------------------------------------------------------------------ Sauer-Shelah


def sauer_sum(n_value: int, d_value: int) -> int:
    """Phi_d(n) = sum_{i=0}^{d} C(n, i), exactly."""
    check_dimension(d_value)
    check_count("n", n_value, 0)  # Pi_H(0) = 1: the empty labeling
    return sum(comb(n_value, i) for i in range(d_value + 1))


def sauer_exponential(n_value, d_value) -> float:
    """(e n / d)^d, for n >= d >= 1."""
    check_dimension(d_value, 1)
    check_n(n_value)
    if n_value < d_value:
        raise ValueError(f"(en/d)^d bounds Phi_d(n) only for n >= d; got n = {n_value} < d = {d_value}")
    return float(np.exp(d_value * (1.0 + np.log(n_value / d_value))))


def cover_count(n_value: int, d_value: int) -> int:
    """Labelings of n points in general position in R^d realized by halfspaces with a bias:
    2 sum_{i=0}^{d} C(n-1, i) (Cover 1965); 1 for n = 0."""
    check_dimension(d_value)
    check_count("n", n_value, 0)  # Pi_H(0) = 1: the empty labeling
    if n_value == 0:
        return 1
    return 2 * sum(comb(n_value - 1, i) for i in range(d_value + 1))


def halfspace_vc_dimension(d_value: int) -> int:
    """VCdim of {x -> sign(w.x + b)} on R^d: d + 1 (Radon's theorem gives the upper bound)."""
    return check_dimension(d_value) + 1


@dataclass(frozen=True)
class SauerProof:
    """Phi_d(n) <= sum_{i<=d} C(n,i) (n/d)^{d-i} <= (n/d)^d sum_{i<=n} C(n,i) (d/n)^i
    = (n/d)^d (1 + d/n)^n <= (n/d)^d c^d = (c n/d)^d, each link proved by sympy for all n >= d >= 1; the
    statement has c = e, the smallest c for which the last link, log(1 + x) <= x log c for all x >= 0, holds
    (its slope at 0 is 1 <= log c)."""

    constant: sp.Expr
    pascal: bool  # C(n, i) = C(n-1, i) + C(n-1, i-1): the recurrence of Sauer's induction
    weights_at_least_one: bool  # (n/d)^{d-i} >= 1 for i <= d <= n
    binomial_theorem: bool  # sum_{i<=n} C(n,i) x^i = (1 + x)^n for 0 < x = d/n <= 1
    log_inequality: bool  # log(1 + x) <= x log c for x >= 0, so (1 + d/n)^n <= c^d
    regroup: bool  # (n/d)^d c^d = (c n/d)^d

    @property
    def holds(self) -> bool:
        return all((self.pascal, self.weights_at_least_one, self.binomial_theorem, self.log_inequality,
                    self.regroup))


def prove_exponential_sauer(c=sp.E) -> SauerProof:
    """Try to prove Phi_d(n) <= (c n/d)^d for all n >= d >= 1 (the statement has c = e)."""
    c = sp.sympify(c)
    ni = sp.Symbol("n", integer=True, positive=True)
    i = sp.Symbol("i", integer=True, nonnegative=True)
    pascal = sp.combsimp(sp.binomial(ni, i) - sp.binomial(ni - 1, i) - sp.binomial(ni - 1, i - 1)) == 0
    # (n/d)^{d-i} = (1 + s)^k with s = n/d - 1 >= 0 and k = d - i >= 0: log of it is k log(1+s) >= 0
    s = sp.Symbol("s", nonnegative=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    weights = bool((k * sp.log(1 + s)).is_nonnegative) and sp.simplify(sp.exp(k * sp.log(1 + s)) - (1 + s) ** k) == 0
    x = sp.Symbol("x", positive=True)
    summed = sp.Sum(sp.binomial(ni, i) * x**i, (i, 0, ni)).doit()
    if isinstance(summed, sp.Piecewise):  # sympy splits on x <= 1; here x = d/n <= 1
        summed = next(e for e, cond in summed.args if cond.subs(x, sp.Rational(1, 2)) == sp.true)
    binomial_theorem = sp.simplify(summed - (1 + x) ** ni) == 0
    xn = sp.Symbol("x", nonnegative=True)
    g = xn * sp.log(c) - sp.log(1 + xn)  # >= 0 for x >= 0: g(0) = 0 and g' = log c - 1/(1 + x) >= 0
    log_ineq = sp.simplify(g.subs(xn, 0)) == 0 and bool(sp.simplify(sp.diff(g, xn)).is_nonnegative)
    regroup = sp.simplify(sp.expand_power_base((c * n / d) ** d, force=True) - (n / d) ** d * c**d) == 0
    return SauerProof(c, pascal, weights, binomial_theorem, log_ineq, regroup)


def _exp_lower(d_value: int) -> Fraction:
    """A rational lower bound on e^d: its Taylor polynomial (all terms positive)."""
    terms = 3 * d_value + 30
    return sum((Fraction(d_value**k, factorial(k)) for k in range(terms)), Fraction(0))


@dataclass(frozen=True)
class ExactSauerCheck:
    n_max: int
    cases: int
    exponential_ok: bool  # Phi_d(n) <= (en/d)^d for all 1 <= d <= n <= n_max
    pascal_ok: bool  # Phi_d(n) = Phi_d(n-1) + Phi_{d-1}(n-1) for 1 <= d, 1 <= n <= n_max
    tight_ok: bool  # Phi_d(n) = 2^n for n <= d: the bound allows shattering up to d points
    cover_ok: bool  # cover_count(n, d) <= Phi_{d+1}(n), with equality exactly when n <= d + 1
    worst_ratio: float  # max Phi_d(n) / (en/d)^d

    @property
    def holds(self) -> bool:
        return self.exponential_ok and self.pascal_ok and self.tight_ok and self.cover_ok


def exact_sauer_check(n_max: int) -> ExactSauerCheck:
    exp_ok = pascal_ok = tight_ok = cover_ok = True
    worst, cases = 0.0, 0
    elow = {dv: _exp_lower(dv) for dv in range(1, n_max + 1)}
    for nv in range(0, n_max + 1):
        for dv in range(0, n_max + 1):
            phi = sauer_sum(nv, dv)
            cases += 1
            if nv <= dv:
                tight_ok &= phi == 2**nv
            if nv >= 1 and dv >= 1:
                pascal_ok &= phi == sauer_sum(nv - 1, dv) + sauer_sum(nv - 1, dv - 1)
            if 1 <= dv <= nv:
                # Phi d^d <= n^d e^d, with a rational lower bound for e^d: sufficient and exact
                exp_ok &= phi * dv**dv <= nv**dv * elow[dv]
                worst = max(worst, phi / sauer_exponential(nv, dv))
            cov, phi1 = cover_count(nv, dv), sauer_sum(nv, dv + 1)
            cover_ok &= cov <= phi1 and ((cov == phi1) == (nv <= dv + 1))
    return ExactSauerCheck(n_max, cases, exp_ok, pascal_ok, tight_ok, cover_ok, worst)


# ------------------------------------------------------------------------------ the VC bound


def massart_bound() -> sp.Expr:
    """Cor. 3.9: sqrt(2 log Pi_H(n) / n) + sqrt(log(1/delta) / (2n)) (one-sided)."""
    return sp.sqrt(2 * sp.log(Pi) / n) + sp.sqrt(sp.log(1 / delta) / (2 * n))


def deviation_bound() -> sp.Expr:
    """Cor. 3.19: sqrt(2 d log(e n/d) / n) + sqrt(log(1/delta) / (2n)) (one-sided, n >= d)."""
    return sp.sqrt(2 * d * sp.log(sp.E * n / d) / n) + sp.sqrt(sp.log(1 / delta) / (2 * n))


def bound_from_sauer(bound: sp.Expr | None = None) -> bool:
    """The (stated, unless given) VC bound is Massart's bound with Pi_H(n) replaced by Sauer's (e n/d)^d."""
    bound = deviation_bound() if bound is None else bound
    sub = massart_bound().subs(Pi, (sp.E * n / d) ** d)
    diff = sp.expand_log(sub, force=True) - sp.expand_log(bound, force=True)
    return sp.simplify(diff) == 0


def bound(ns, d_value: int, delta_value: float = DEFAULT_DELTA) -> np.ndarray:
    check_delta(delta_value)
    check_dimension(d_value, 1)
    arr = check_sizes(ns)
    if np.any(arr < d_value):
        raise ValueError(f"the VC bound needs n >= d; got n = {arr.min():g} < d = {d_value}")
    f = sp.lambdify((n, d, delta), deviation_bound(), "numpy")
    return np.asarray(f(arr, float(d_value), float(delta_value)), dtype=np.float64)


def derived_bound(ns, d_value: int, delta_value: float = DEFAULT_DELTA) -> np.ndarray:
    """Massart's growth-function bound (``massart_bound``, lambdified) evaluated at Pi_H(n) =
    ``sauer_exponential(n, d)``, number by number: what ``bound`` must equal, computed without
    ``deviation_bound``."""
    check_delta(delta_value)
    check_dimension(d_value, 1)
    arr = check_sizes(ns)
    pis = np.asarray([sauer_exponential(float(m), d_value) for m in arr], dtype=np.float64)
    f = sp.lambdify((n, Pi, delta), massart_bound(), "numpy")
    return np.asarray(f(arr, pis, float(delta_value)), dtype=np.float64)


BOUND = register_bound(RatedBound("vc", deviation_bound(), RATE_EXPONENT, {d: DEFAULT_D, delta: DEFAULT_DELTA}))
