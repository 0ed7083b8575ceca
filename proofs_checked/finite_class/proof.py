"""Checked proof of the union bound over a finite class: symbolic -> numeric (exact risks, matrix sups)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.kernels import finite_class as K
from vacuity.kernels import hoeffding as KH
from vacuity.kernels.deviation_stats import (
    BOUND_AGREEMENT_RTOL,
    binomial_band,
    delta_grid,
    geometric_sizes,
    tail_summary,
)
from vacuity.kernels.tolerances import SIGMAS, bonferroni_t_limit, difference_se, mc_tolerance, mean_se
from vacuity.proofs_checked.core import bound_checks as B
from vacuity.proofs_checked.core.recorder import Recorder, to_numpy
from vacuity.theory import finite_class as T
from vacuity.theory import hoeffding as TH

PREFIX_SIZES = (1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000)


def math():
    import sympy as sp
    from sympy.printing.mathml import mathml

    def pm(e):
        return mathml(e, printer="presentation")

    Pr = sp.Function("P")(sp.Symbol("exists h: |R_hat(h) - R(h)| >= epsilon"))
    return [
        ("Union bound over H of Hoeffding's tail", pm(sp.Le(Pr, T.union_tail()))),
        ("Deviation bound: the root of tail = delta", pm(sp.Eq(sp.Symbol("epsilon_delta"), T.deviation_bound()))),
        ("|H| = 1 is Hoeffding's bound",
         pm(sp.Eq(T.deviation_bound().subs(T.H, 1), TH.deviation_bound(), evaluate=False))),
    ]


def _symbolic(rec: Recorder) -> None:
    import sympy as sp

    with rec.step("union over H of Hoeffding's tail: P[sup_h |R_hat - R| >= eps] <= 2|H| exp(-2n eps^2)",
                  "symbolic") as s:
        derived = sp.Mul(T.H, TH.tail_bound())  # a sum of |H| equal tails
        s.ok = sp.simplify(derived - T.union_tail()) == 0
        s.detail = f"|H| x {TH.tail_bound()} = {T.union_tail()}"
    with rec.step("the stated bound is the root of 2|H| exp(-2 n eps^2) = delta (and Hoeffding's one-hypothesis "
                  "bound is not)", "symbolic") as s:
        stated, single = T.bound_inverts_tail(), T.bound_inverts_tail(bound=TH.deviation_bound())
        s.ok = stated and not single
        s.detail = (f"eps_delta = {T.deviation_bound()}: root {stated}; {TH.deviation_bound()} refused as the root: "
                    f"{not single}")
    with rec.step("|H| = 1 gives Hoeffding's bound exactly (and a union bound with log(1/delta) does not)",
                  "symbolic") as s:
        other = sp.sqrt((sp.log(T.H) + sp.log(1 / T.delta)) / (2 * TH.n))
        same, refused = T.reduces_to_hoeffding(), not T.reduces_to_hoeffding(bound=other)
        s.ok = same and refused
        s.detail = f"{T.deviation_bound().subs(T.H, 1)} == {TH.deviation_bound()}: {same}; {other} refused: {refused}"
    B.rate_step(rec, "finite-class", T.deviation_bound(), T.RATE_EXPONENT,
                {T.H: T.DEFAULT_CLASS_SIZE, T.delta: T.DEFAULT_DELTA})


def _paths(rec: Recorder, p: dict, problem, xp, seed: int) -> None:
    rec.note("finite-class: point-by-point losses vs matrix products")
    H = p["class_size"]
    with rec.step("point-by-point and multinomial empirical risks: unbiased for the exact risks (the multinomial "
                  "ones also of exact variance), and the matrix path gives the same sup on the same points",
                  "numeric") as s:
        m, Rb = p["brute_n"], p["brute_replicates"]
        sups_b, counts = K.brute_force_sups(problem, m, Rb, seed + 1, xp)
        sups_m = K.sups_from_counts(problem, counts, m, xp)
        gap = float(np.max(np.abs(to_numpy(sups_b) - to_numpy(sups_m))))
        tol = K.matrix_sup_rounding_bound(problem.cell_probs.size)
        q1 = rec.quantity_at_most("same_points_max_sup_gap", gap, tol,
                                  note="|sup (point by point) - sup (L (N/n - P))| on identical draws vs "
                                       "2 gamma_(2m+2)")
        # unbiasedness, every hypothesis: each standardized mean is Student-t with Rb - 1 degrees of
        # freedom; their max over |H| is held to the Bonferroni level of a two-sided 6-sigma event
        z = K.risk_bias_z(problem, counts, m)
        limit = bonferroni_t_limit(H, Rb - 1)
        q2 = rec.quantity_at_most("max_abs_z_risk_bias", float(z.max()), limit,
                                  note=f"max over {H} hypotheses of |mean(R_hat - R)| / SE (exact risks L P) vs "
                                       f"the t({Rb - 1}) quantile at 2 Phi(-6) / (2|H|)")
        sm = K.sup_deviations(problem, m, Rb, seed + 2, xp)
        a, b = np.asarray(to_numpy(sups_b)), np.asarray(to_numpy(sm))
        q3 = rec.quantity_compare("pointwise_minus_multinomial_mean_sup", a.mean() - b.mean(), 0.0,
                                  mc_tolerance(difference_se(a, b)),
                                  note="independent samples: points drawn one by one vs multinomial counts, 6 SE")
        q0 = rec.quantity_compare("hypotheses_simulated", problem.class_size, H, 0,
                                  note="the simulated class is the class the bound is stated for")
        distinct = K.distinct_classifiers(problem)
        q0b = rec.quantity_at_most("duplicate_hypotheses", H - distinct, K.duplicate_limit(H, p["domain"]),
                                   note=f"|H| - #distinct tables ({distinct} distinct of {H}): i.i.d. fair-coin tables "
                                        f"on {p['domain']} points collide only as often as the birthday problem "
                                        f"allows (Poisson(C(|H|,2)/2^m) quantile at Phi(-{SIGMAS:g})); a sampler "
                                        "that repeats tables shrinks the class the bound counts")
        # the multinomial path at a small n, where an error of order 1/n in its law is visible: every
        # R_hat(h) = (L N)_h / n unbiased (Bonferroni t over |H|) and of variance R(1-R)/n exactly
        m0, Rl = p["law_n"], p["replicates"]
        counts = K.multinomial_counts(problem, m0, Rl, seed + 3, xp)
        z0 = K.risk_bias_z(problem, counts, m0)
        limit0 = bonferroni_t_limit(H, Rl - 1)
        q4 = rec.quantity_at_most(f"max_abs_z_risk_bias_multinomial_n{m0}", float(z0.max()), limit0,
                                  note=f"multinomial counts at n = {m0}: max over {H} hypotheses of |mean(R_hat - R)| "
                                       f"/ SE vs the t({Rl - 1}) quantile at 2 Phi(-6) / (2|H|)")
        q5 = B.mean_compare(rec, f"variance_ratio_n{m0}", *mean_se(K.variance_ratios(problem, counts, m0)), 1.0,
                            note="mean over h of (R_hat - R)^2 / (R(1-R)/n): exactly 1 in expectation, "
                                 f"{SIGMAS:g} SE")
        s.ok = q0.passed and q0b.passed and q1.passed and q2.passed and q3.passed and q4.passed and q5.passed
        s.detail = (f"n = {m}, {Rb} replicates, |H| = {H}, {p['domain']} domain points: max gap {gap:.2g} "
                    f"(bound {tol:.2g}), max |z| {z.max():.2f} (limit {limit:.2f}); multinomial at n = {m0}, "
                    f"{Rl} replicates: max |z| {z0.max():.2f}")


def _bound_vs_derivation(rec: Recorder, ns: list[int], class_size: int, delta: float) -> None:
    with rec.step("the stated bound equals the root of |H| times the derived Chernoff tail, numerically at every "
                  "size, for |H| in {1, |H|, |H|^2} and delta in {delta/10, delta, sqrt(delta)}", "numeric") as s:
        grid = [(f"H{h}_delta{delta:.4g}", (h, delta)) for h in sorted({1, class_size, class_size**2})]
        grid += [(f"H{class_size}_delta{v:.4g}", (class_size, v)) for v in delta_grid(delta) if v != delta]
        s.ok = B.record_bound_agreement(rec, "union", ns, grid, T.bound, T.derived_bound)
        s.detail = (f"n = {ns}; derived: bisection on |H| x the lambdified Chernoff tail, independent of the closed "
                    f"form; tolerance {BOUND_AGREEMENT_RTOL:.2g} relative (rounding)")


def _tails(rec: Recorder, p: dict, problem, ns: list[int], bounds, xp, seed: int):
    rec.note("finite-class: sup sweep")
    delta, R, H = p["delta"], p["replicates"], p["class_size"]
    summaries = []
    with rec.step("at every n: each R_hat(h) has its exact binomial variance, the (1-delta)-quantile of sup_h "
                  "|R_hat - R| stays below the union bound, and its tail and mean lie within exact brackets",
                  "numeric") as s:
        ok = True
        for i, m in enumerate(ns):
            sup, ratios = K.sups_and_variance_ratios(problem, m, R, seed + 10 + i, xp)
            sup = np.asarray(to_numpy(sup))
            summaries.append(tail_summary(sup, float(bounds[i]), delta))
            ok &= B.mean_compare(rec, f"variance_ratio_n{m}", *mean_se(ratios), 1.0,
                                 note="mean over h of (R_hat - R)^2 / (R(1-R)/n): exactly 1 in expectation, "
                                      f"{SIGMAS:g} SE").passed
        ok &= B.record_replicates(rec, "sup", summaries, R)
        ok &= B.record_tails(rec, "sup", ns, summaries, bounds, delta)
        for m, x, b in zip(ns, summaries, bounds):
            single = K.exact_single_tails(problem, m, float(b))
            hi = float(min(1.0, single.sum()))
            h = int(np.argmax(single))  # the exact per-hypothesis tails, cross-checked where largest
            from_law = KH.tail_from_law(*KH.exact_deviation_law(m, float(problem.risks[h])), float(b))
            ok &= rec.quantity_compare(f"single_tail_cdf_vs_pmf_n{m}", float(single[h]), from_law,
                                       KH.EXACT_AGREEMENT_RTOL * from_law,
                                       note="the largest exact per-hypothesis tail at the bound two ways: binomial "
                                            "cdf/sf vs the pmf summed over the law's atoms (rounding only)").passed
            ok &= rec.quantity_at_most(f"sup_exceed_vs_union_n{m}", x.exceed_fraction,
                                       hi + binomial_band(hi, x.replicates),
                                       note="P[sup >= bound] <= sum_h P[|R_hat(h) - R(h)| >= bound] (exact binomial "
                                            "tails; <= delta by Hoeffding), plus the binomial band at Phi(-6)").passed
            ok &= rec.quantity_at_least(f"sup_mean_ucl_vs_exact_single_n{m}", x.mean + SIGMAS * x.se,
                                        K.exact_mean_lower_bound(problem, m),
                                        note="mean + 6 SE vs max over the most variable h of the exact E|R_hat(h) - "
                                             "R(h)|, a lower bound on E sup").passed
            ok &= rec.quantity_at_most(f"sup_mean_lcl_vs_maximal_inequality_n{m}", x.mean - SIGMAS * x.se,
                                       K.maximal_inequality_bound(H, m),
                                       note="mean - 6 SE vs sqrt(log(2|H|)/(2n)), the sub-Gaussian maximal "
                                            "inequality").passed
        worst = max(x.quantile / b for x, b in zip(summaries, bounds))
        rec.quantity_report("quantile_over_bound_max", worst, note="how much of the bound the deviation uses")
        s.ok = ok
        s.detail = f"n = {ns}, {R} replicates each, |H| = {H}, delta = {delta}; quantile / bound <= {worst:.3g}"
    return summaries


def _slope(rec: Recorder, ns: list[int], summaries) -> None:
    with rec.step("log-log slope of E sup_h |R_hat - R| is -1/2 (within 6 Monte Carlo SE)", "numeric") as s:
        sc = B.record_slope(rec, "sup", ns, [x.mean for x in summaries], [x.se for x in summaries],
                            T.RATE_EXPONENT)
        s.ok = sc.matches_declared
        s.detail = (f"slope {sc.slope:.4f} +- {sc.se:.2g} (SE); declared {float(T.RATE_EXPONENT)}; "
                    f"band {sc.band:.3g} (6 SE)")


def run(ctx):
    p, xp, rec = B.start(ctx)
    _symbolic(rec)
    problem = K.random_problem(p["domain"], p["class_size"], ctx.seed)
    ns = geometric_sizes(p["n_min"], p["n_max"], p["sizes"])
    _paths(rec, p, problem, xp, ctx.seed)
    _bound_vs_derivation(rec, ns, p["class_size"], p["delta"])
    bounds = T.bound(ns, p["class_size"], p["delta"])
    summaries = _tails(rec, p, problem, ns, bounds, xp, ctx.seed)
    _slope(rec, ns, summaries)
    if ctx.figures_dir is not None:
        from vacuity.proofs_checked.finite_class.figures import draw as draw_finite_class

        H, m = p["class_size"], ns[len(ns) // 2]
        ks = [k for k in PREFIX_SIZES if k <= H]
        scaled = K.prefix_sup_quantiles(problem, m, min(p["replicates"], 4000), p["delta"], ks, ctx.seed + 99)
        path = draw_finite_class(Path(ctx.figures_dir), ns=ns, summaries=summaries, class_size=H,
                                 delta=p["delta"], prefix=(ks, scaled, m))
        rec.figures.append(f"figures/{path.name}")
    return rec.result(params=dict(p, ns=ns))
