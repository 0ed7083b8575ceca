"""Checked proof of Sauer-Shelah, the VC bound and VCdim(halfspaces in R^d) = d + 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.kernels import shattering as S
from vacuity.kernels import vc as K
from vacuity.kernels.deviation_stats import geometric_sizes, tail_summary
from vacuity.kernels.tolerances import SIGMAS
from vacuity.proofs_checked.core import bound_checks as B
from vacuity.proofs_checked.core.recorder import Recorder, to_numpy
from vacuity.theory import vc as T

INT_RANGE = 20  # random integer point sets: coordinates in [-20, 20]


def math():
    import sympy as sp
    from sympy.printing.mathml import mathml

    def pm(e):
        return mathml(e, printer="presentation")

    ni, di, i = sp.symbols("n d i", integer=True, nonnegative=True)
    Pi_n = sp.Function("Pi_H")(ni)
    return [
        ("Sauer-Shelah", pm(sp.Le(Pi_n, sp.Sum(sp.binomial(ni, i), (i, 0, di))))),
        ("and for n >= d (proved link by link: weights (n/d)^(d-i) >= 1, binomial theorem, log(1+x) <= x)",
         pm(sp.Le(sp.Sum(sp.binomial(ni, i), (i, 0, di)), (sp.E * ni / di) ** di))),
        ("Massart + growth function (Cor. 3.9)", pm(sp.Eq(sp.Symbol("epsilon_delta"), T.massart_bound()))),
        ("VC bound (Cor. 3.19): Pi_H(n) replaced by (en/d)^d",
         pm(sp.Eq(sp.Symbol("epsilon_delta"), T.deviation_bound()))),
    ]


def _symbolic(rec: Recorder, sauer_n_max: int, d_max: int, random_sets: int, seed: int):
    with rec.step("Sauer's exponential form sum_{i<=d} C(n,i) <= (en/d)^d for all n >= d >= 1", "symbolic") as s:
        proof = T.prove_exponential_sauer()
        s.ok = proof.holds
        s.detail = (f"Pascal {proof.pascal}, weights (n/d)^(d-i) >= 1 {proof.weights_at_least_one}, binomial theorem "
                    f"{proof.binomial_theorem}, log(1+x) <= x {proof.log_inequality}, regrouping {proof.regroup}")
    with rec.step(f"exact: Pascal recurrence, tightness 2^n for n <= d, (en/d)^d and Cover <= Sauer for every "
                  f"d, n <= {sauer_n_max}", "symbolic") as s:
        chk = T.exact_sauer_check(sauer_n_max)
        rec.quantity_at_most("sauer_over_exponential_max", chk.worst_ratio, 1.0,
                             note=f"max Phi_d(n) / (en/d)^d over 1 <= d <= n <= {sauer_n_max}")
        s.ok = chk.holds
        s.detail = (f"{chk.cases} (n, d) pairs in integers (e^d bounded below by a rational Taylor sum): "
                    f"exponential {chk.exponential_ok}, Pascal {chk.pascal_ok}, tight {chk.tight_ok}, "
                    f"Cover {chk.cover_ok}")
    with rec.step("the VC bound is Massart's growth-function bound with Pi_H(n) <= (en/d)^d", "symbolic") as s:
        s.ok = T.bound_from_sauer()
        s.detail = f"{T.massart_bound()} at Pi = (en/d)^d equals {T.deviation_bound()}"
    B.rate_step(rec, "vc", T.deviation_bound(), T.RATE_EXPONENT, {T.d: T.DEFAULT_D, T.delta: T.DEFAULT_DELTA})
    with rec.step(f"exact certificates, d = 1..{d_max}: the simplex {{0, e_i}} is shattered; every d + 2 points "
                  f"have a Radon labeling no halfspace realizes", "symbolic") as s:
        rng = np.random.default_rng(seed)
        ok, count = True, 0
        for d in range(1, d_max + 1):
            ok &= S.simplex_shattered_exactly(d)
            for _ in range(random_sets):
                X = rng.integers(-INT_RANGE, INT_RANGE + 1, size=(d + 2, d))
                lam, _labels = S.radon_certificate(X)
                ok &= S.radon_certificate_holds(X, lam)
                count += 1
        s.ok = ok
        s.detail = (f"4..{2 ** (d_max + 1)} labelings per simplex with integer (w, b) of margin 1; "
                    f"{count} random integer sets with exact affine dependences sum lam_i (x_i, 1) = 0")


def _lp_checks(rec: Recorder, d_max: int, random_sets: int, seed: int) -> None:
    with rec.step(f"LP (HiGHS): VCdim(halfspaces in R^d) = d + 1 — sets of that size in general position are "
                  f"shattered, one point more never is, d = 1..{d_max}", "numeric") as s:
        rng = np.random.default_rng(seed + 1)
        ok, lps = True, 0
        for d in range(1, d_max + 1):
            D = T.halfspace_vc_dimension(d)
            sets = [rng.standard_normal((D, d)) for _ in range(random_sets)]
            if D == d + 1:
                sets.append(S.simplex_points(d))
            for X in sets:
                ok &= S.shattered(X)
                lps += 2 ** (D - 1)
            for _ in range(random_sets):
                ok &= S.growth_count(rng.standard_normal((D + 1, d))) < 2 ** (D + 1)
                lps += 2**D
                if D + 1 == d + 2:  # Radon: the LP must refuse the exact certificate's labeling
                    Xi = rng.integers(-INT_RANGE, INT_RANGE + 1, size=(d + 2, d))
                    _lam, labels = S.radon_certificate(Xi)
                    ok &= not S.realizable(Xi, labels)
                    lps += 1
        s.ok = ok
        s.detail = (f"{lps} LPs; per d: simplex + {random_sets} Gaussian sets of d + 1 points shattered, "
                    f"{random_sets} of d + 2 not, Radon labelings infeasible")


def _growth(rec: Recorder, growth_d: int, growth_n_max: int, seed: int) -> dict:
    out = {"n": [], "measured": [], "cover": [], "sauer": []}
    with rec.step(f"growth function of halfspaces in R^{growth_d} (exhaustive LP): Cover's count, at most "
                  f"Sauer's sum with d = {growth_d + 1}", "numeric") as s:
        rng = np.random.default_rng(seed + 2)
        D = T.halfspace_vc_dimension(growth_d)
        ok = True
        for m in range(1, growth_n_max + 1):
            measured = S.growth_count(rng.standard_normal((m, growth_d)))
            cover, sauer = T.cover_count(m, growth_d), T.sauer_sum(m, D)
            for key, v in (("n", m), ("measured", measured), ("cover", cover), ("sauer", sauer)):
                out[key].append(v)
            q1 = rec.quantity_compare(f"growth_n{m}", measured, cover, 0, note="realizable labelings vs Cover's count")
            q2 = rec.quantity_at_most(f"growth_vs_sauer_n{m}", measured, sauer, note=f"Sauer, VCdim {D}")
            ok &= q1.passed and q2.passed and ((measured == 2**m) == (m <= D))
        s.ok = ok
        s.detail = (f"n = 1..{growth_n_max}: measured {out['measured']}; Sauer {out['sauer']}; "
                    f"all 2^n exactly while n <= {D}")
    return out


def _threshold_paths(rec: Recorder, ns: list[int], xp, seed: int) -> None:
    with rec.step("thresholds: the sorted formula for sup_t (R - R_hat) equals the sup of each threshold's "
                  "own empirical risk", "numeric") as s:
        m = min(ns[0], 512)
        Ub = np.random.default_rng(seed + 3).random((20, m))
        gap = K.sup_paths_gap(xp.asarray(Ub), xp)
        q = rec.quantity_at_most("threshold_sup_gap", gap, K.SUP_PATHS_ROUNDING, note="sorted vs brute force, 4u")
        s.ok = q.passed
        s.detail = f"20 samples of n = {m}: max gap {gap:.2g}"


def run(ctx):
    p, xp, rec = B.start(ctx)
    _symbolic(rec, p["sauer_n_max"], p["d_max"], p["random_sets"], ctx.seed)
    _lp_checks(rec, p["d_max"], p["random_sets"], ctx.seed)
    growth = _growth(rec, p["growth_d"], p["growth_n_max"], ctx.seed)

    delta, R = p["delta"], p["replicates"]
    ns = geometric_sizes(p["n_min"], p["n_max"], p["sizes"])
    _threshold_paths(rec, ns, xp, ctx.seed)
    bounds = T.bound(ns, 1, delta)
    summaries = []
    with rec.step("thresholds (VCdim 1): the (1-delta)-quantile of sup_t (R - R_hat) stays below the VC bound",
                  "numeric") as s:
        for i, m in enumerate(ns):
            plus, _ = K.threshold_sups(m, R, ctx.seed + 10 + i, xp)
            summaries.append(tail_summary(np.asarray(to_numpy(plus)), float(bounds[i]), delta))
        tails = [K.exact_tail_one_sided(m, float(b)) for m, b in zip(ns, bounds)]
        s.ok = B.record_tails(rec, "threshold", ns, summaries, bounds, delta, tails)
        s.detail = f"n = {ns}, {R} replicates, delta = {delta}; exact tails at the bound <= {max(tails):.2g}"
    with rec.step("log-log slope of E sup_t (R - R_hat) matches the exact Q(n)/(2n) curve (-> -1/2)", "numeric") as s:
        exact = K.exact_mean_one_sided(ns)
        ok = True
        for m, x, ex in zip(ns, summaries, exact):
            ok &= B.mean_compare(rec, f"threshold_mean_sup_n{m}", x.mean, x.se, ex,
                                 note="E D_n^+ = Q(n)/(2n) exactly, 6 SE").passed
        sc = B.record_slope(rec, "threshold_sup", ns, [x.mean for x in summaries], [x.se for x in summaries],
                            T.RATE_EXPONENT, exact)
        s.ok = ok and sc.passed and sc.matches_declared
        s.detail = (f"slope {sc.slope:.4f} +- {sc.se:.2g} (SE); exact curve {sc.reference:.4f}; declared "
                    f"{float(T.RATE_EXPONENT)}; exact elasticity departs by {sc.start_departure:.2g} at the "
                    f"smallest sizes, {sc.end_departure:.2g} at the largest (limit {SIGMAS:g} SE = {sc.band:.2g})")

    if ctx.figures_dir is not None:
        from vacuity.proofs_checked.vc.figures import draw as draw_vc

        path = draw_vc(Path(ctx.figures_dir), growth=growth, growth_d=p["growth_d"], ns=ns, summaries=summaries,
                       exact_means=K.exact_mean_one_sided(ns), delta=delta)
        rec.figures.append(f"figures/{path.name}")
    return rec.result(params=dict(p, ns=ns))

