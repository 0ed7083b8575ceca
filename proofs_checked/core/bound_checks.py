"""Steps the classical-bound claims share: the declared-rate step, the quantile check against a bound
and the slope check against a declared exponent. The statistics, their derivation and the sweep sizes
live in kernels/deviation_stats.py, the tolerances in kernels/tolerances.py; this module only records."""

from __future__ import annotations

import numpy as np
import sympy as sp

from vacuity.errors import BadInput
from vacuity.kernels.deviation_stats import TailSummary, slope_check
from vacuity.kernels.tolerances import SIGMAS, mc_tolerance
from vacuity.proofs_checked.core.recorder import Recorder
from vacuity.theory.rates import RatedBound, derived_exponent


def rate_step(rec: Recorder, name: str, expr: sp.Expr, declared: sp.Expr, defaults: dict) -> None:
    with rec.step(f"declared rate n^({declared}) is the limit of the bound's elasticity", "symbolic") as s:
        derived = derived_exponent(expr)
        RatedBound(name, expr, declared, defaults)  # refuses a declaration its formula contradicts
        s.ok = sp.simplify(derived - declared) == 0
        s.detail = f"lim n f'(n)/f(n) = {derived}; declared {declared}"


def record_tails(rec: Recorder, label: str, ns, summaries: list[TailSummary], bounds, delta: float,
                 exact_tails=None) -> bool:
    """Per n: exceedance fraction <= delta + 6 SE (the bound as a (1 - delta)-quantile claim), the
    quantile at the matching lower level <= bound, and (where known) the exact tail at the bound."""
    ok = True
    for i, (m, s, b) in enumerate(zip(ns, summaries, bounds)):
        q = rec.quantity_at_most(f"{label}_exceed_fraction_n{m}", s.exceed_fraction, s.exceed_tolerance,
                                 note=f"fraction of {s.replicates} replicates with deviation >= bound; "
                                      f"<= delta + {SIGMAS:g} sqrt(delta(1-delta)/R)")
        ok &= q.passed
        q = rec.quantity_at_most(f"{label}_quantile_n{m}", s.quantile_lower_level, b,
                                 note=f"empirical quantile at 1 - delta - {SIGMAS:g} SE (the (1-delta)-quantile "
                                      f"is {s.quantile:.4g}) vs the bound")
        ok &= q.passed
        if exact_tails is not None:
            q = rec.quantity_at_most(f"{label}_exact_tail_at_bound_n{m}", exact_tails[i], delta,
                                     note="P[deviation >= bound] from the exact law vs delta")
            ok &= q.passed
    return ok


def record_slope(rec: Recorder, label: str, ns, means, ses, declared, exact_means=None):
    """Fitted log-log slope of the mean deviation. Where the exact means are known: the slope vs the
    exact curve's slope (6 SE), and the exact curve's own rate: its elasticity between the two largest
    sizes vs the declared exponent (6 SE), departing less there than between the two smallest sizes.
    Otherwise: the slope vs the declared exponent (6 SE)."""
    sc = slope_check(ns, means, ses, float(declared), exact_means)
    if exact_means is None:
        rec.quantity_compare(f"{label}_slope", sc.slope, sc.declared, sc.band,
                             note=f"weighted log-log fit of the mean deviation vs the declared exponent; band "
                                  f"{SIGMAS:g} SE (SE {sc.se:.2g})")
        return sc
    rec.quantity_compare(f"{label}_slope_vs_exact", sc.slope, sc.reference, sc.band,
                         note=f"weighted log-log fit of the mean deviation vs the same fit of the exact "
                              f"means; band {SIGMAS:g} SE (SE {sc.se:.2g})")
    rec.quantity_report(f"{label}_slope", sc.slope,
                        note=f"vs the declared exponent {sc.declared:g}: the exact curve's fitted slope departs "
                             f"from it by {sc.departure:.2g} over these sizes")
    rec.quantity_at_most(f"{label}_exact_elasticity_departure_end", sc.end_departure, sc.band,
                         note=f"|elasticity of the exact curve between the two largest sizes - declared| vs "
                              f"{SIGMAS:g} SE of the slope; between the two smallest it is {sc.start_departure:.2g} "
                              f"(must shrink: {sc.departure_shrinks})")
    return sc


def mean_compare(rec: Recorder, name: str, mean: float, se: float, exact: float, note: str = ""):
    return rec.quantity_compare(name, mean, exact, mc_tolerance(se),
                                note=note or f"Monte Carlo mean vs exact, {SIGMAS:g} SE")


def start(ctx):
    """What every classical-bound ``run`` begins with: its parameters, the backend's array namespace
    and a recorder; a sweep with n_max <= n_min is bad input, raised before any step."""
    p = ctx.params
    xp = namespace(ctx.backend)
    if p["n_max"] <= p["n_min"]:
        raise BadInput(f"n_max = {p['n_max']} must exceed n_min = {p['n_min']}")
    return p, xp, Recorder(ctx)


def namespace(backend: str):
    """The array namespace of a backend (an unavailable one is bad input, raised before any step)."""
    from array_api_compat import array_namespace

    from vacuity.proofs_checked.core.recorder import backend_arrays

    (probe,) = backend_arrays(backend, np.zeros(1))
    return array_namespace(probe)
