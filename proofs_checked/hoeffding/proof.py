"""Checked proof of Hoeffding's inequality for one hypothesis: symbolic -> exact -> numeric."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.kernels import hoeffding as K
from vacuity.kernels.deviation_stats import geometric_sizes, tail_summary
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
    with rec.step("Hoeffding's lemma for a Bernoulli loss: log-MGF <= lambda^2/8", "symbolic") as s:
        proof = T.prove_lemma_bernoulli()
        s.ok = proof.holds
        s.detail = (f"phi(0)=0: {proof.phi_at_zero}, phi'(0)=0: {proof.slope_at_zero}, phi''=u(1-u): "
                    f"{proof.curvature_is_variance}, 1/4-u(1-u)=(u-1/2)^2: {proof.variance_at_most_quarter}")
    with rec.step("Chernoff bound optimised over lambda, two sides: the stated tail 2 exp(-2 n eps^2)",
                  "symbolic") as s:
        import sympy as sp

        derived, lstar = T.chernoff_tail()
        s.ok = sp.simplify(derived - T.tail_bound()) == 0
        s.detail = f"lambda* = {lstar}; derived tail {derived}; stated {T.tail_bound()}"
    with rec.step("the stated bound is the root of tail = delta", "symbolic") as s:
        s.ok = T.bound_inverts_tail()
        s.detail = f"tail({T.deviation_bound()}) = delta, and it is the only positive root"
    B.rate_step(rec, "hoeffding", T.deviation_bound(), T.RATE_EXPONENT, {T.delta: T.DEFAULT_DELTA})
    with rec.step(f"exact binomial tail <= 2 exp(-2 n eps^2) for every n <= {exact_n_max} and every eps",
                  "symbolic") as s:
        chk = T.exact_tail_check(exact_n_max)
        rec.quantity_at_most("exact_tail_worst_ratio", chk.worst_ratio, 1.0,
                             note=f"max over {chk.cases} (n, p, eps) cases of exact tail / bound")
        s.ok = chk.holds
        s.detail = (f"{chk.cases} cases: p in {{{', '.join(str(v) for v in chk.ps)}}}, eps at every attained "
                    f"|k/n - p| (the tail is constant between them); rationals vs rigorous intervals")


def _paths(rec: Recorder, p: dict, ns: list[int], xp, seed: int) -> None:
    rec.note("hoeffding: binomial counts vs brute-force Bernoulli losses")
    risk = p["p"]
    with rec.step("binomial counts and brute-force Bernoulli losses agree with the exact law and each other",
                  "numeric") as s:
        ok = True
        brute_ns = [m for m in ns if m <= p["brute_n_max"]] or [p["brute_n_max"]]
        Rb = p["brute_replicates"]
        for i, m in enumerate(brute_ns):
            a = np.asarray(to_numpy(K.binomial_deviations(m, risk, Rb, seed + 100 + i, xp)))
            b = np.asarray(to_numpy(K.bernoulli_deviations(m, risk, Rb, seed + 200 + i, xp)))
            exact = float(K.exact_mean_deviation([m], risk)[0])
            for tag, dev in (("binomial", a), ("bernoulli", b)):
                ok &= B.mean_compare(rec, f"mean_deviation_{tag}_n{m}", *mean_se(dev), exact,
                                     note=f"E|R_hat - R| exact from the binomial pmf, {SIGMAS:g} SE").passed
                ok &= B.mean_compare(rec, f"mean_square_{tag}_n{m}", *mean_se(dev**2),
                                     K.exact_mean_square_deviation(m, risk), note=f"p(1-p)/n, {SIGMAS:g} SE").passed
            ok &= rec.quantity_compare(f"binomial_minus_bernoulli_n{m}", a.mean() - b.mean(), 0.0,
                                       mc_tolerance(difference_se(a, b)),
                                       note="two independent samples, difference of means, 6 SE").passed
        s.ok = ok
        s.detail = f"n = {brute_ns}, {Rb} replicates per path, p = {risk}"


def _tails(rec: Recorder, p: dict, ns: list[int], bounds, xp, seed: int):
    """Per n: the deviations' tail summary against the bound; returns the summaries and one sample."""
    rec.note("hoeffding: deviation sweep")
    risk, delta, R = p["p"], p["delta"], p["replicates"]
    summaries, tails, sample = [], [], None
    with rec.step("the (1-delta)-quantile of |R_hat - R| stays below sqrt(log(2/delta)/(2n)) at every n",
                  "numeric") as s:
        for i, m in enumerate(ns):
            dev = np.asarray(to_numpy(K.binomial_deviations(m, risk, R, seed + i, xp)))
            summaries.append(tail_summary(dev, float(bounds[i]), delta))
            tails.append(K.exact_tail(m, risk, float(bounds[i])))
            if i == len(ns) // 2:
                sample = (m, dev)
        s.ok = B.record_tails(rec, "hoeffding", ns, summaries, bounds, delta, tails)
        s.detail = (f"n = {ns}, {R} replicates each, p = {risk}, delta = {delta}; largest exceedance fraction "
                    f"{max(x.exceed_fraction for x in summaries):.3g}")
    return summaries, sample


def _slope(rec: Recorder, ns: list[int], summaries, risk: float) -> None:
    with rec.step("log-log slope of E|R_hat - R| is -1/2 (within 6 Monte Carlo SE)", "numeric") as s:
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
