"""Checked proof of Sauer-Shelah, the VC bound and VCdim(halfspaces in R^d) = d + 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.kernels import shattering as S
from vacuity.kernels import vc as K
from vacuity.kernels.deviation_stats import (
    BOUND_AGREEMENT_RTOL,
    KS_GRID,
    delta_grid,
    dkw_detectable,
    geometric_sizes,
    ks_distance_continuous,
    tail_summary,
)
from vacuity.kernels.tolerances import SIGMAS
from vacuity.proofs_checked.core import bound_checks as B
from vacuity.proofs_checked.core.recorder import Recorder, to_numpy
from vacuity.theory import vc as T

INT_RANGE = 20  # random integer point sets: coordinates in [-20, 20]
SMALL_N = 2  # the threshold sampler's law is also checked at this n


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
    with rec.step("Sauer's exponential form sum_{i<=d} C(n,i) <= (en/d)^d for all n >= d >= 1 (the prover refuses "
                  "(2n/d)^d, false for large d)", "symbolic") as s:
        proof = T.prove_exponential_sauer()
        below = T.prove_exponential_sauer(2)
        s.ok = proof.holds and not below.holds
        s.detail = (f"Pascal {proof.pascal}, weights (n/d)^(d-i) >= 1 {proof.weights_at_least_one}, binomial theorem "
                    f"{proof.binomial_theorem}, log(1+x) <= x {proof.log_inequality}, regrouping {proof.regroup}; "
                    f"c = 2 (d^d/d! ~ e^d/sqrt(2 pi d) > 2^d): {'refused' if not below.holds else 'ACCEPTED'}")
    with rec.step(f"exact: Pascal recurrence, tightness 2^n for n <= d, (en/d)^d (attained within e/2 at n = d = 1) "
                  f"and Cover <= Sauer for every d, n <= {sauer_n_max}", "symbolic") as s:
        chk = T.exact_sauer_check(sauer_n_max)
        q1 = rec.quantity_at_most("sauer_over_exponential_max", chk.worst_ratio, 1.0,
                                  note=f"max Phi_d(n) / (en/d)^d over 1 <= d <= n <= {sauer_n_max}")
        q2 = rec.quantity_compare("sauer_over_exponential_max_vs_n1", chk.worst_ratio, 2 / np.e,
                                  2 / np.e * BOUND_AGREEMENT_RTOL,
                                  note="the exponential form is nearly attained: at n = d = 1, Phi = 2 and (en/d)^d = "
                                       "e, the largest ratio (a form c times looser would show 2/(c e))")
        s.ok = chk.holds and q1.passed and q2.passed
        s.detail = (f"{chk.cases} (n, d) pairs in integers (e^d bounded below by a rational Taylor sum): "
                    f"exponential {chk.exponential_ok}, Pascal {chk.pascal_ok}, tight {chk.tight_ok}, "
                    f"Cover {chk.cover_ok}")
    with rec.step("the VC bound is Massart's growth-function bound with Pi_H(n) <= (en/d)^d (and the two-sided "
                  "log(2/delta) form is not)", "symbolic") as s:
        import sympy as sp

        two_sided = sp.sqrt(2 * T.d * sp.log(sp.E * T.n / T.d) / T.n) + sp.sqrt(sp.log(2 / T.delta) / (2 * T.n))
        same, refused = T.bound_from_sauer(), not T.bound_from_sauer(bound=two_sided)
        s.ok = same and refused
        s.detail = (f"{T.massart_bound()} at Pi = (en/d)^d equals {T.deviation_bound()}: {same}; the log(2/delta) form "
                    f"refused: {refused}")
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
                ok &= not any(S.radon_certificate_holds(X, bad) for bad in S.non_certificates(X, lam))
                count += 1
        s.ok = ok
        s.detail = (f"4..{2 ** (d_max + 1)} labelings per simplex with integer (w, b) of margin 1; "
                    f"{count} random integer sets with exact affine dependences sum lam_i (x_i, 1) = 0 (and the "
                    f"checker refuses each near-certificate breaking one of the two conditions)")


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
                ok &= not S.shattered(rng.standard_normal((D + 1, d)))
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


def _bound_vs_derivation(rec: Recorder, ns: list[int], growth_d: int, delta: float) -> None:
    dims = sorted(v for v in {1, 2, T.halfspace_vc_dimension(growth_d), 10} if v <= min(ns))
    with rec.step(f"the stated VC bound equals Massart's bound at Pi_H(n) = (en/d)^d, numerically at every size, "
                  f"d in {dims} and delta in {{delta/10, delta, sqrt(delta)}}", "numeric") as s:
        grid = [(f"d{dv}_delta{delta:.4g}", (dv, delta)) for dv in dims]
        grid += [(f"d1_delta{v:.4g}", (1, v)) for v in delta_grid(delta) if v != delta]
        s.ok = B.record_bound_agreement(rec, "vc", ns, grid, T.bound, T.derived_bound)
        s.detail = (f"n = {ns}; derived: the lambdified Massart bound at the float (en/d)^d, independent of the "
                    f"closed form; tolerance {BOUND_AGREEMENT_RTOL:.2g} relative (rounding)")


def run(ctx):
    p, xp, rec = B.start(ctx)
    _symbolic(rec, p["sauer_n_max"], p["d_max"], p["random_sets"], ctx.seed)
    _lp_checks(rec, p["d_max"], p["random_sets"], ctx.seed)
    growth = _growth(rec, p["growth_d"], p["growth_n_max"], ctx.seed)

    delta, R = p["delta"], p["replicates"]
    ns = geometric_sizes(p["n_min"], p["n_max"], p["sizes"])
    _threshold_paths(rec, ns, xp, ctx.seed)
    _bound_vs_derivation(rec, ns, p["growth_d"], delta)
    bounds = T.bound(ns, 1, delta)
    summaries = []
    with rec.step("thresholds (VCdim 1): sup_t (R - R_hat) follows the exact one-sided Kolmogorov-Smirnov law at "
                  "every n, and its tail at the VC bound matches the exact one, which is <= delta", "numeric") as s:
        ok = True
        # the sampler at a small n, where one point more or less changes the law of D_n^+ grossly
        small = np.asarray(to_numpy(K.threshold_sups(SMALL_N, R, ctx.seed + 9, xp)[0]))
        ok &= B.record_law(rec, f"threshold_law_distance_small_n{SMALL_N}",
                           ks_distance_continuous(small, K.exact_cdf_one_sided(SMALL_N), KS_GRID), R,
                           f"the exact law of D_n^+ at n = {SMALL_N}: each replicate holds n points, not n - 1 "
                           f"(D_{SMALL_N - 1}^+ lies far off in Kolmogorov distance)")
        for i, m in enumerate(ns):
            plus = np.asarray(to_numpy(K.threshold_sups(m, R, ctx.seed + 10 + i, xp)[0]))
            summaries.append(tail_summary(plus, float(bounds[i]), delta))
            distance = ks_distance_continuous(plus, K.exact_cdf_one_sided(m), KS_GRID)
            ok &= B.record_law(rec, f"threshold_law_distance_n{m}", distance, R,
                               f"the exact law of D_n^+ (scipy.stats.ksone, at {KS_GRID} sample quantiles, "
                               f"bracketed between them) at n = {m}")
        tails = [K.exact_tail_one_sided(m, float(b)) for m, b in zip(ns, bounds)]
        for m, b, q in zip(ns, bounds, tails):
            if m > K.SMIRNOV_EXACT_MAX:  # the tail is the Birnbaum-Tingey sum itself there: nothing to compare
                continue
            bt = K.exact_tail_birnbaum_tingey(m, float(b))
            ok &= rec.quantity_compare(f"threshold_exact_tail_ksone_vs_birnbaum_tingey_n{m}", q, bt,
                                       K.birnbaum_tingey_rtol(m) * bt,
                                       note="the exact tail at the bound two ways: scipy's ksone vs the Birnbaum-"
                                            "Tingey sum in logs; tolerance 8 (n log n + n) u relative").passed
        ok &= B.record_replicates(rec, "threshold", summaries, R)
        ok &= B.record_exact_tails(rec, "threshold", ns, summaries, delta, tails)
        s.ok = ok
        s.detail = (f"n = {ns}, {R} replicates, delta = {delta}; exact tails at the bound <= {max(tails):.2g}; a law "
                    f"{dkw_detectable(R):.3g} off in Kolmogorov distance fails w.p. >= 0.99")
    with rec.step("E sup_t (R - R_hat) is the exact Q(n)/(2n) (checked against the integral of the exact tail) at "
                  "every n, and its log-log slope follows the exact curve's (-> -1/2)", "numeric") as s:
        exact = K.exact_mean_one_sided(ns)
        integral, err = K.mean_by_integration(ns[0], with_error=True)
        ok = rec.quantity_compare(f"threshold_exact_mean_vs_integral_n{ns[0]}", exact[0], integral, err,
                                  note="E D_n^+ two ways: Ramanujan's Q(n)/(2n) vs the integral of the exact ksone "
                                       "tail; tolerance: quad's error estimate + 2 n u E").passed
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

