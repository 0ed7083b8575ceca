"""Checked proof of the union bound over a finite class: symbolic -> numeric (exact risks, matrix sups)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.kernels import finite_class as K
from vacuity.kernels.deviation_stats import SIGMAS, tail_summary
from vacuity.kernels.extended import gamma
from vacuity.proofs_checked import bound_checks as B
from vacuity.proofs_checked.common import Recorder, to_numpy
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
        ("|H| = 1 is Hoeffding's bound", pm(sp.Eq(T.deviation_bound().subs(T.H, 1), TH.deviation_bound(), evaluate=False))),
    ]


def _symbolic(rec: Recorder) -> None:
    import sympy as sp

    with rec.step("union over H of Hoeffding's tail: P[sup_h |R_hat - R| >= eps] <= 2|H| exp(-2n eps^2)",
                  "symbolic") as s:
        derived = sp.Mul(T.H, TH.tail_bound())  # a sum of |H| equal tails
        s.ok = sp.simplify(derived - T.union_tail()) == 0
        s.detail = f"|H| x {TH.tail_bound()} = {T.union_tail()}"
    with rec.step("the stated bound is the root of 2|H| exp(-2 n eps^2) = delta", "symbolic") as s:
        s.ok = T.bound_inverts_tail()
        s.detail = f"eps_delta = {T.deviation_bound()}"
    with rec.step("|H| = 1 gives Hoeffding's bound exactly", "symbolic") as s:
        s.ok = T.reduces_to_hoeffding()
        s.detail = f"{T.deviation_bound().subs(T.H, 1)} == {TH.deviation_bound()}"
    B.rate_step(rec, "finite-class", T.deviation_bound(), T.RATE_EXPONENT,
                {T.H: T.DEFAULT_CLASS_SIZE, T.delta: T.DEFAULT_DELTA})


def run(ctx):
    p, xp, rec = B.start(ctx)
    _symbolic(rec)
    delta, R, H = p["delta"], p["replicates"], p["class_size"]
    problem = K.random_problem(p["domain"], H, ctx.seed)
    ns = B.geometric_sizes(p["n_min"], p["n_max"], p["sizes"])
    cells = problem.cell_probs.size

    rec.note("finite-class: point-by-point losses vs matrix products")
    with rec.step("point-by-point empirical risks: unbiased for the exact risks, and the matrix path gives "
                  "the same sup on the same points", "numeric") as s:
        m, Rb = p["brute_n"], p["brute_replicates"]
        sups_b, counts = K.brute_force_sups(problem, m, Rb, ctx.seed + 1, xp)
        sups_m = K.sups_from_counts(problem, counts, m, xp)
        gap = float(np.max(np.abs(to_numpy(sups_b) - to_numpy(sups_m))))
        # matrix path: a (2m)-term dot product of |N/n - P| <= N/n + P (total <= 2), plus the
        # subtraction N/n - P and the division: gamma_{2m+2} * 2 (docs/derivations/classical_bounds.md)
        tol = 2.0 * gamma(cells + 2)
        q1 = rec.quantity_at_most("same_points_max_sup_gap", gap, tol,
                                  note="|sup (point by point) - sup (L (N/n - P))| on identical draws vs "
                                       "2 gamma_(2m+2)")
        # unbiasedness, every hypothesis: mean over replicates of (L N/n - L P)_h, standardized
        cnt = np.asarray(to_numpy(counts), dtype=np.float64)
        r_hat = (cnt / m) @ problem.losses.T  # (Rb, |H|)
        diff = r_hat - problem.risks[None, :]
        se = diff.std(axis=0, ddof=1) / np.sqrt(Rb)
        z = np.abs(diff.mean(axis=0)) / np.where(se > 0, se, np.inf)
        # each z is Student-t with Rb - 1 degrees of freedom; the max over |H| of them gets the
        # Bonferroni level of a two-sided 6-sigma event: P[max |t| > limit] <= 2 Phi(-6)
        from scipy.stats import norm
        from scipy.stats import t as student

        limit = float(student.isf(norm.sf(SIGMAS) / H, Rb - 1))
        q2 = rec.quantity_at_most("max_abs_z_risk_bias", float(z.max()), limit,
                                  note=f"max over {H} hypotheses of |mean(R_hat - R)| / SE (exact risks L P) vs "
                                       f"the t({Rb - 1}) quantile at 2 Phi(-6) / (2|H|)")
        sm = K.sup_deviations(problem, m, Rb, ctx.seed + 2, xp)
        a, b = np.asarray(to_numpy(sups_b)), np.asarray(to_numpy(sm))
        se2 = np.hypot(a.std(ddof=1), b.std(ddof=1)) / np.sqrt(Rb)
        q3 = rec.quantity_compare("pointwise_minus_multinomial_mean_sup", a.mean() - b.mean(), 0.0, SIGMAS * se2,
                                  note="independent samples: points drawn one by one vs multinomial counts, 6 SE")
        s.ok = q1.passed and q2.passed and q3.passed
        s.detail = (f"n = {m}, {Rb} replicates, |H| = {H}, {p['domain']} domain points: max gap {gap:.2g} "
                    f"(bound {tol:.2g}), max |z| {z.max():.2f} (limit {limit:.2f})")

    rec.note("finite-class: sup sweep")
    bounds = T.bound(ns, H, delta)
    summaries = []
    with rec.step("the (1-delta)-quantile of sup_h |R_hat - R| stays below the union bound at every n",
                  "numeric") as s:
        for i, m in enumerate(ns):
            sup = np.asarray(to_numpy(K.sup_deviations(problem, m, R, ctx.seed + 10 + i, xp)))
            summaries.append(tail_summary(sup, float(bounds[i]), delta))
        s.ok = B.record_tails(rec, "sup", ns, summaries, bounds, delta)
        worst = max(x.quantile / b for x, b in zip(summaries, bounds))
        rec.quantity_report("quantile_over_bound_max", worst, note="how much of the bound the deviation uses")
        s.detail = f"n = {ns}, {R} replicates each, |H| = {H}, delta = {delta}; quantile / bound <= {worst:.3g}"
    with rec.step("log-log slope of E sup_h |R_hat - R| is -1/2 (within 6 Monte Carlo SE)", "numeric") as s:
        sc = B.record_slope(rec, "sup", ns, [x.mean for x in summaries], [x.se for x in summaries],
                            T.RATE_EXPONENT)
        s.ok = sc.matches_declared
        s.detail = f"slope {sc.slope:.4f} +- {sc.se:.2g} (SE); declared {float(T.RATE_EXPONENT)}; band {sc.band:.3g} (6 SE)"

    if ctx.figures_dir is not None:
        from vacuity.proofs_checked.figures_classical import draw_finite_class

        m = ns[len(ns) // 2]
        counts = K.Draws(np, ctx.seed + 99).multinomial(m, problem.cell_probs, min(R, 4000))
        z = np.abs((counts / m - problem.cell_probs) @ problem.losses.T)
        run_max = np.maximum.accumulate(z, axis=1)
        ks = [k for k in PREFIX_SIZES if k <= H]
        scaled = [float(np.quantile(run_max[:, k - 1], 1 - delta)) * np.sqrt(m) for k in ks]
        path = draw_finite_class(Path(ctx.figures_dir), ns=ns, summaries=summaries, class_size=H, delta=delta,
                                 prefix=(ks, scaled, m))
        rec.figures.append(f"figures/{path.name}")
    return rec.result(params=dict(p, ns=ns))
