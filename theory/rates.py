"""Rates as data: a bound declares how it scales with the sample size n, and tests measure it.

A ``RatedBound`` holds a sympy expression f(n, ...) and a declared ``rate_exponent`` r, meaning
f(n) = n^r * L(n) with L slowly varying (log factors allowed). The exponent is also *derived* from the
expression as the limit of the elasticity n f'(n) / f(n) as n -> oo, so a declaration that disagrees
with its own formula is caught symbolically. At finite n a log factor bends the log-log curve; the
exact elasticity at the sample sizes used is what a fitted slope is compared with, and the declared
exponent is what the elasticity tends to (the way diffrax's order tests compare a measured order to
the solver's declared one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

n = sp.Symbol("n", positive=True)


def elasticity(expr: sp.Expr, var: sp.Symbol = n) -> sp.Expr:
    """d log f / d log n = n f'(n) / f(n): the local log-log slope of f."""
    return sp.simplify(var * sp.diff(expr, var) / expr)


def derived_exponent(expr: sp.Expr, var: sp.Symbol = n) -> sp.Expr:
    """The rate exponent of f: lim_{n -> oo} n f'(n) / f(n)."""
    return sp.limit(elasticity(expr, var), var, sp.oo)


@dataclass(frozen=True)
class RatedBound:
    """A bound f(n, ...) with its declared rate exponent and default values of its other symbols."""

    name: str
    expr: sp.Expr
    rate_exponent: sp.Expr
    defaults: dict = field(default_factory=dict)  # symbol -> value, for every free symbol except n

    def __post_init__(self):
        free = self.expr.free_symbols - {n}
        missing = {s for s in free if s not in self.defaults}
        if missing:
            raise ValueError(f"bound {self.name}: no default for {sorted(map(str, missing))}")
        if sp.simplify(derived_exponent(self.expr) - self.rate_exponent) != 0:
            raise ValueError(
                f"bound {self.name}: declared rate n^{self.rate_exponent} but the expression scales "
                f"as n^{derived_exponent(self.expr)}")

    def _numeric(self, expr: sp.Expr, **values):
        subs = {**self.defaults, **{sp.Symbol(k, positive=True): v for k, v in values.items()}}
        f = sp.lambdify(n, expr.subs({s: v for s, v in subs.items() if s != n}), "numpy")
        return lambda ns: np.broadcast_to(f(np.asarray(ns, dtype=np.float64)), np.shape(ns)).astype(float)

    def __call__(self, ns, **values) -> np.ndarray:
        """The bound at the sample sizes ``ns`` (other symbols from defaults unless given by name)."""
        return self._numeric(self.expr, **values)(ns)

    def local_slope(self, ns, **values) -> np.ndarray:
        """The exact log-log slope of the bound at ``ns``."""
        return self._numeric(elasticity(self.expr), **values)(ns)


def fit_loglog_slope(ns, values, weights=None) -> tuple[float, float]:
    """Weighted least-squares slope of log(values) on log(ns) and its standard error: the one log-log
    slope fit of the project (rate checks of every claim, kernels/deviation_stats, the tests).

    ``weights`` are inverse variances of log(values) (e.g. (mean/SE)^2 for Monte Carlo means, whose
    log has delta-method variance (SE/mean)^2); the slope's standard error is then sqrt(1 / S_xx),
    S_xx = sum w (log n - mean)^2, and two sizes suffice. With none given the weights are 1 and the
    residual variance of the fit sets the standard error, which needs at least three sizes.
    """
    ns = np.asarray(ns, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    least = 3 if weights is None else 2
    if ns.shape != values.shape or ns.ndim != 1 or ns.size < least:
        raise ValueError(f"need at least {'three' if least == 3 else 'two'} (n, value) pairs of matching "
                         "shape to fit a slope")
    if not (np.all(np.isfinite(values)) and np.all(values > 0) and np.all(ns > 0)):
        raise ValueError("sizes and values must be positive and finite to fit a log-log slope")
    x, y = np.log(ns), np.log(values)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != x.shape or not (np.all(np.isfinite(w)) and np.all(w > 0)):
        raise ValueError("weights must be positive and finite, one per (n, value) pair")
    if np.unique(x).size < 2:
        raise ValueError("need at least two distinct sizes to fit a slope")
    xm = np.sum(w * x) / np.sum(w)
    ym = np.sum(w * y) / np.sum(w)
    sxx = np.sum(w * (x - xm) ** 2)
    slope = np.sum(w * (x - xm) * (y - ym)) / sxx
    if weights is None:
        resid = y - (ym + slope * (x - xm))
        se = np.sqrt(np.sum(resid**2) / (x.size - 2) / sxx)
    else:
        se = np.sqrt(1.0 / sxx)
    return float(slope), float(se)


BOUNDS: dict[str, RatedBound] = {}


def register_bound(bound: RatedBound) -> RatedBound:
    """Record a bound so the generic rate tests (tests/theory/test_rates.py) check it: they import the
    theory modules of every claim that declares ``rated_bounds``."""
    if bound.name in BOUNDS and BOUNDS[bound.name] != bound:
        raise ValueError(f"duplicate bound name {bound.name}")
    BOUNDS[bound.name] = bound
    return bound
