"""Checked proof of Hoeffding's inequality for one hypothesis: symbolic -> exact -> numeric."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.kernels import hoeffding as K
from vacuity.kernels.deviation_stats import (
    BOUND_AGREEMENT_RTOL,
    delta_grid,
    dkw_detectable,
    geometric_sizes,
    ks_distance_discrete,
    tail_summary,
)
from vacuity.kernels.tolerances import SIGMAS, difference_se, mc_tolerance, mean_se
from vacuity.proofs_checked.core import bound_checks as B
from vacuity.proofs_checked.core.recorder import Recorder, to_numpy
from vacuity.theory import hoeffding as T


def math():
    import sympy as sp
    from sympy.printing.mathml import mathml

    def pm(e):
        return mathml(e, printer="presentation")

    Pr = sp.Function("P")(sp.Symbol("|R_hat - R| >= epsilon"))
    derived, lstar = T.chernoff_tail()
    phi = sp.Function("phi")(T.lam)
    return [
        ("Hoeffding's lemma (Bernoulli loss): phi(lambda) = log E exp(lambda (X - p)) has phi(0) = phi'(0) = 0 "
         "and phi'' = u(1 - u) <= 1/4, so", pm(sp.Le(phi, T.lam**2 / 8))),
        ("Chernoff bound, optimised at lambda* = 4t/n, two sides", pm(sp.Le(Pr, derived))),
        ("Tail in the statement", pm(sp.Le(Pr, T.tail_bound()))),
        ("Deviation bound: the root of tail = delta", pm(sp.Eq(sp.Symbol("epsilon_delta"), T.deviation_bound()))),
    ]


def _symbolic(rec: Recorder, exact_n_max: int) -> None:
    import sympy as sp

    with rec.step("Hoeffding's lemma for a Bernoulli loss: log-MGF <= lambda^2/8, and 1/8 is sharp (the prover "
                  "refuses 7/64)", "symbolic") as s:
        proof = T.prove_lemma_bernoulli()
        sharp = T.lemma_sharp_constant()
        below = T.prove_lemma_bernoulli(sharp - sp.Rational(1, 64))
        s.ok = proof.holds and sp.simplify(sharp - proof.constant) == 0 and not below.holds
        s.detail = (f"c = {proof.constant}: phi(0)=0: {proof.phi_at_zero}, phi'(0)=0: {proof.slope_at_zero}, "
                    f"phi''=u(1-u): {proof.curvature_is_variance}, 2c-u(1-u)=(u-1/2)^2+(2c-1/4)>=0: "
                    f"{proof.curvature_bounded}; lim phi/lambda^2 at p=1/2 = {sharp}, so c < {sharp} is false: the "
                    f"prover {'refuses' if not below.holds else 'ACCEPTS'} c = {below.constant}")
    with rec.step("Chernoff bound optimised over lambda, two sides: the stated tail 2 exp(-2 n eps^2)",
                  "symbolic") as s:
        derived, lstar = T.chernoff_tail()
        s.ok = sp.simplify(derived - T.tail_bound()) == 0
        s.detail = f"lambda* = {lstar}; derived tail {derived}; stated {T.tail_bound()}"
    with rec.step("the stated bound is the root of tail = delta (and the one-sided sqrt(log(1/delta)/(2n)) is not)",
                  "symbolic") as s:
        one_sided = sp.sqrt(sp.log(1 / T.delta) / (2 * T.n))
        stated, refused = T.bound_inverts_tail(), not T.bound_inverts_tail(bound=one_sided)
        s.ok = stated and refused
        s.detail = (f"tail({T.deviation_bound()}) = delta, and it is the only positive root: {stated}; {one_sided} "
                    f"refused: {refused}")
    B.rate_step(rec, "hoeffding", T.deviation_bound(), T.RATE_EXPONENT, {T.delta: T.DEFAULT_DELTA})
    with rec.step(f"exact binomial tail <= 2 exp(-2 n eps^2) for every n <= {exact_n_max} and every eps, "
                  f"attained within e^(1/2)/2 at n = 1", "symbolic") as s:
        chk = T.exact_tail_check(exact_n_max)
        q1 = rec.quantity_at_most("exact_tail_worst_ratio", chk.worst_ratio, 1.0,
                                  note=f"max over {chk.cases} (n, p, eps) cases of exact tail / bound")
        sharp = float(np.exp(0.5) / 2)
        q2 = rec.quantity_compare("exact_tail_worst_ratio_vs_n1", chk.worst_ratio, sharp,
                                  sharp * BOUND_AGREEMENT_RTOL,
                                  note="the bound is nearly attained: at n = 1, p = 1/2, eps = 1/2 the exact tail is 1 "
                                       "and the bound 2 e^(-1/2), the largest ratio of the grid (a bound c times "
                                       "looser would show e^(1/2)/(2c))")
        q3 = rec.quantity_compare("exact_tail_n_max_checked", chk.n_max, exact_n_max, 0,
                                  note="the largest n the exact check reports it ran to: the exact_n_max it was given")
        q4 = rec.quantity_compare("exact_tail_cases", chk.cases, T.exact_tail_case_count(exact_n_max, chk.ps), 0,
                                  note=f"cases visited vs the distinct positive |k/n - p| over n <= {exact_n_max} and "
                                       "the check's p grid, counted independently: every n up to exact_n_max was run")
        s.ok = chk.holds and q1.passed and q2.passed and q3.passed and q4.passed
        s.detail = (f"{chk.cases} cases: p in {{{', '.join(str(v) for v in chk.ps)}}}, eps at every attained "
                    f"|k/n - p| (the tail is constant between them); rationals vs rigorous intervals")


def _bound_vs_derivation(rec: Recorder, ns: list[int], delta: float) -> None:
    with rec.step("the stated bound sqrt(log(2/delta)/(2n)) equals the root of the derived Chernoff tail, "
                  "numerically at every size and delta/10, delta, sqrt(delta)", "numeric") as s:
        grid = [(f"delta{v:.4g}", (v,)) for v in delta_grid(delta)]
        s.ok = B.record_bound_agreement(rec, "hoeffding", ns, grid, T.bound, T.derived_bound)
        s.detail = (f"n = {ns}; derived: bisection on the lambdified Chernoff tail, independent of the closed "
                    f"form; tolerance {BOUND_AGREEMENT_RTOL:.2g} relative (rounding)")


def _paths(rec: Recorder, p: dict, ns: list[int], xp, seed: int) -> None:
    rec.note("hoeffding: binomial counts vs brute-force Bernoulli losses vs the exact law")
    risk = p["p"]
    with rec.step("binomial counts and brute-force Bernoulli losses follow the exact law of |R_hat - R| "
                  "(Kolmogorov distance, mean, mean square) and agree with each other", "numeric") as s:
        ok = True
        brute_ns = sorted({p["law_n"]} | {m for m in ns if m <= p["brute_n_max"]})
        Rb = p["brute_replicates"]
        for i, m in enumerate(brute_ns):
            a = np.asarray(to_numpy(K.binomial_deviations(m, risk, Rb, seed + 100 + i, xp)))
            b = np.asarray(to_numpy(K.bernoulli_deviations(m, risk, Rb, seed + 200 + i, xp)))
            exact = float(K.exact_mean_deviation([m], risk)[0])
            atoms, probs = K.exact_deviation_law(m, risk)
            for tag, dev in (("binomial", a), ("bernoulli", b)):
                ok &= B.record_law(rec, f"law_distance_{tag}_n{m}", ks_distance_discrete(dev, atoms, probs),
                                   dev.size, f"the exact law of |X/{m} - {risk}|, X ~ Binomial({m}, {risk})")
                ok &= B.mean_compare(rec, f"mean_deviation_{tag}_n{m}", *mean_se(dev), exact,
                                     note=f"E|R_hat - R| exact from the binomial pmf, {SIGMAS:g} SE").passed
                ok &= B.mean_compare(rec, f"mean_square_{tag}_n{m}", *mean_se(dev**2),
                                     K.exact_mean_square_deviation(m, risk), note=f"p(1-p)/n, {SIGMAS:g} SE").passed
            ok &= rec.quantity_compare(f"binomial_minus_bernoulli_n{m}", a.mean() - b.mean(), 0.0,
                                       mc_tolerance(difference_se(a, b)),
                                       note="two independent samples, difference of means, 6 SE").passed
        s.ok = ok
        s.detail = (f"n = {brute_ns}, {Rb} replicates per path, p = {risk}; a law {dkw_detectable(Rb):.3g} off in "
                    f"Kolmogorov distance fails w.p. >= 0.99")


def _tails(rec: Recorder, p: dict, ns: list[int], bounds, xp, seed: int):
    """Per n: the deviations' law and their tail at the bound against the exact ones; returns the
    summaries and one sample."""
    rec.note("hoeffding: deviation sweep")
    risk, delta, R = p["p"], p["delta"], p["replicates"]
    summaries, tails, sample = [], [], None
    with rec.step("|R_hat - R| follows its exact binomial law at every n, and P[|R_hat - R| >= "
                  "sqrt(log(2/delta)/(2n))] matches the exact tail (computed two ways), which is <= delta",
                  "numeric") as s:
        ok = True
        for i, m in enumerate(ns):
            dev = np.asarray(to_numpy(K.binomial_deviations(m, risk, R, seed + i, xp)))
            summaries.append(tail_summary(dev, float(bounds[i]), delta))
            tails.append(K.exact_tail(m, risk, float(bounds[i])))
            atoms, probs = K.exact_deviation_law(m, risk)
            ok &= B.record_law(rec, f"hoeffding_law_distance_n{m}", ks_distance_discrete(dev, atoms, probs), R,
                               f"the exact law of |X/n - p| at n = {m}")
            from_law = K.tail_from_law(atoms, probs, float(bounds[i]))
            ok &= rec.quantity_compare(f"hoeffding_exact_tail_cdf_vs_pmf_n{m}", tails[-1], from_law,
                                       K.EXACT_AGREEMENT_RTOL * from_law,
                                       note="the exact tail at the bound two ways: scipy's binomial cdf/sf vs the "
                                            "pmf summed over the law's atoms (rounding only)").passed
            if i == len(ns) // 2:
                sample = (m, dev)
        ok &= B.record_replicates(rec, "hoeffding", summaries, R)
        ok &= B.record_exact_tails(rec, "hoeffding", ns, summaries, delta, tails)
        looseness = float(bounds[-1]) / K.exact_quantile(ns[-1], risk, 1 - delta)
        rec.quantity_report("hoeffding_bound_over_exact_quantile", looseness,
                            note=f"bound / exact (1-delta)-quantile at n = {ns[-1]}: how loose Hoeffding is here")
        s.ok = ok
        s.detail = (f"n = {ns}, {R} replicates each, p = {risk}, delta = {delta}; exact tails at the bound "
                    f"{max(tails):.3g} at most; the bound is {looseness:.3g} x the exact quantile at n = {ns[-1]}")
    return summaries, sample


def _slope(rec: Recorder, ns: list[int], summaries, risk: float) -> None:
    with rec.step("log-log slope of the simulated E|R_hat - R| follows the exact curve's, whose elasticity "
                  "tends to -1/2 (6 Monte Carlo SE)", "numeric") as s:
        means, ses = [x.mean for x in summaries], [x.se for x in summaries]
        exact = K.exact_mean_deviation(ns, risk)
        ok = True
        for m, mu, se, ex in zip(ns, means, ses, exact):
            ok &= B.mean_compare(rec, f"sweep_mean_deviation_n{m}", mu, se, ex).passed
        sc = B.record_slope(rec, "deviation", ns, means, ses, T.RATE_EXPONENT, exact)
        s.ok = ok and sc.passed and sc.matches_declared
        s.detail = (f"slope {sc.slope:.4f} +- {sc.se:.2g} (SE); exact curve {sc.reference:.4f}; declared "
                    f"{float(T.RATE_EXPONENT)}; exact elasticity departs by {sc.start_departure:.2g} at the "
                    f"smallest sizes, {sc.end_departure:.2g} at the largest (limit {SIGMAS:g} SE = {sc.band:.2g})")


def run(ctx):
    p, xp, rec = B.start(ctx)
    _symbolic(rec, p["exact_n_max"])
    ns = geometric_sizes(p["n_min"], p["n_max"], p["sizes"])
    _bound_vs_derivation(rec, sorted({1, p["law_n"]} | set(ns)), p["delta"])
    _paths(rec, p, ns, xp, ctx.seed)
    bounds = T.bound(ns, p["delta"])
    summaries, sample = _tails(rec, p, ns, bounds, xp, ctx.seed)
    _slope(rec, ns, summaries, p["p"])
    if ctx.figures_dir is not None:
        from vacuity.proofs_checked.hoeffding.figures import draw as draw_hoeffding

        path = draw_hoeffding(Path(ctx.figures_dir), ns=ns, summaries=summaries, bounds=bounds,
                              exact_means=K.exact_mean_deviation(ns, p["p"]), sample=sample, p=p["p"],
                              delta=p["delta"])
        rec.figures.append(f"figures/{path.name}")
    return rec.result(params=dict(p, ns=ns))
