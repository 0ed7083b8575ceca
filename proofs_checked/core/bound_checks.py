"""Steps the classical-bound claims share: the declared-rate step, the stated bound against its numeric
derivation, the deviation's law and tail against the exact ones, the quantile check against a bound and
the slope check against the exact curve or the declared exponent. The statistics, their derivation and
the sweep sizes live in kernels/deviation_stats.py, the tolerances there and in kernels/tolerances.py;
this module only records."""

from __future__ import annotations

import numpy as np
import sympy as sp

from vacuity.errors import BadInput
from vacuity.kernels import deviation_stats as DS
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


def record_bound_agreement(rec: Recorder, label: str, ns, grid, stated, derived) -> bool:
    """For each point of ``grid`` (a tuple of the bound's other parameters, named in its label): the
    stated bound's closed form ``stated(ns, *point)`` against its derivation ``derived(ns, *point)`` at
    every sweep size, two-sided: |stated / derived - 1| <= BOUND_AGREEMENT_RTOL (rounding only)."""
    ok = True
    for key, point in grid:
        gap = DS.relative_gap(stated(ns, *point), derived(ns, *point))
        q = rec.quantity_compare(f"{label}_stated_over_derived_minus_1_{key}", gap, 0.0, DS.BOUND_AGREEMENT_RTOL,
                                 note=f"max over n = {list(ns)} of |closed form / derived - 1|, {key}; "
                                      "tolerance: rounding of both sides (32u)")
        ok &= q.passed
    return ok


def record_law(rec: Recorder, name: str, distance: float, replicates: int, what: str) -> bool:
    """The simulated law against the exact one: Kolmogorov distance <= the DKW level at Phi(-6)."""
    q = rec.quantity_at_most(name, distance, DS.dkw_limit(replicates),
                             note=f"sup_x |F_R(x) - F(x)| of {replicates} replicates vs {what}; DKW level "
                                  f"sqrt(log(2/alpha)/(2R)), alpha = 2 Phi(-{SIGMAS:g}); detects a law "
                                  f"{DS.dkw_detectable(replicates):.3g} off with probability >= 0.99")
    return q.passed


def record_exact_tails(rec: Recorder, label: str, ns, summaries: list[TailSummary], delta: float,
                       exact_tails) -> bool:
    """Per n, where the deviation's law is exact: the fraction of replicates at or above the bound vs the
    exact tail there (two-sided, exact binomial band at Phi(-6) each side), and the exact tail itself
    <= delta (the theorem, on the exact law)."""
    ok = True
    for m, s, q_exact in zip(ns, summaries, exact_tails):
        q = rec.quantity_compare(f"{label}_exceed_fraction_n{m}", s.exceed_fraction, q_exact,
                                 DS.binomial_band(q_exact, s.replicates),
                                 note=f"fraction of {s.replicates} replicates with deviation >= bound vs the exact "
                                      f"P[deviation >= bound]; band: Binomial(R, q) quantiles at Phi(-{SIGMAS:g})")
        ok &= q.passed
        q = rec.quantity_at_most(f"{label}_exact_tail_at_bound_n{m}", q_exact, delta,
                                 note="P[deviation >= bound] from the exact law vs delta")
        ok &= q.passed
    return ok


def record_tails(rec: Recorder, label: str, ns, summaries: list[TailSummary], bounds, delta: float) -> bool:
    """Per n, where the law is not exact: exceedance fraction <= delta + 6 SE (the bound as a
    (1 - delta)-quantile claim), and the quantile at the matching lower level <= bound."""
    ok = True
    for m, s, b in zip(ns, summaries, bounds):
        q = rec.quantity_at_most(f"{label}_exceed_fraction_n{m}", s.exceed_fraction, s.exceed_tolerance,
                                 note=f"fraction of {s.replicates} replicates with deviation >= bound; "
                                      f"<= delta + {SIGMAS:g} sqrt(delta(1-delta)/R)")
        ok &= q.passed
        q = rec.quantity_at_most(f"{label}_quantile_n{m}", s.quantile_lower_level, b,
                                 note=f"empirical quantile at 1 - delta - {SIGMAS:g} SE (the (1-delta)-quantile "
                                      f"is {s.quantile:.4g}) vs the bound")
        ok &= q.passed
    return ok


def record_replicates(rec: Recorder, label: str, summaries: list[TailSummary], replicates: int) -> bool:
    """The sweep drew the replicates it was asked for at every n (the power the checks are sized for
    assumes them; a kernel that silently returns fewer, e.g. one chunk, would keep every check valid but
    blunt)."""
    off = max(abs(s.replicates - replicates) for s in summaries)
    q = rec.quantity_compare(f"{label}_replicates_off_by", off, 0.0, 0.0,
                             note=f"max over n of |replicates drawn - {replicates} requested|")
    return q.passed


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
                         note=f"weighted log-log fit of the simulated mean deviation vs the same fit of the exact "
                              f"means (the exact elasticity over these sizes); band {SIGMAS:g} SE (SE {sc.se:.2g})")
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
