"""Checked proof of Nagarajan & Kolter (2019)'s linear counterexample: symbolic -> numeric -> torch.

Numeric tolerances, all derived:
* empirical test error on N fresh points vs the exact conditional error p given w: the two-sided
  binomial(N, p) tail at level BINOM_LEVEL (exact quantiles, so a tiny p gives a tolerance of p);
* ||w2||^2 / (n s^2): SIGMAS standard deviations of its derived law, sqrt(2/D);
* mean margin: SIGMAS sd of the mean, sqrt((var + (n-1) cov)/n) from the derived variance and covariance;
* per-point margin variance and covariance across training sets (rank-one, Bartlett, brute force):
  SIGMAS standard errors from the derived fourth moments (T.margin_fourth_moments);
* Monte Carlo E_w test error: SIGMAS standard errors estimated from the replicates;
* brute-force Gram identity: 2 gamma_(n+D+2K+10) (S_i + cc'), S = |Z||Z|^T 1 accumulated by the kernel
  (docs/derivations/nk_linear.md, section 9);
* two-sample KS tests between samplers at level KS_LEVEL each (KS_TESTS tests: family-wise false failure
  probability <= KS_TESTS * KS_LEVEL = 9e-7); runs are seeded, so a result is reproducible. A
  non-finite p-value fails the step;
* train error 0 and S' error 1 are exact predictions that hold with probability >= 1 - delta when D meets
  the derived sufficient condition (checked as its own quantity).

The formulas of these tolerances and rounding bounds are in vacuity.kernels.nk_linear_tolerances, the
replicate statistics in vacuity.kernels.nk_linear; here only their order, levels and verdicts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.errors import BadInput
from vacuity.kernels import nk_linear as K
from vacuity.kernels import nk_linear_tolerances as Tol
from vacuity.kernels.tolerances import SIGMAS
from vacuity.proofs_checked.core.recorder import Recorder, backend_arrays, to_numpy
from vacuity.theory import nk_linear as T

BINOM_LEVEL = 1e-9
KS_LEVEL = 1e-7
KS_TESTS = 9  # 3 sampler pairs x 2 statistics + 3 one-sample tests of ||w2||^2 against its chi-square law
GRAM_MAX_N = 3  # Gram reduction proved for every label pattern with n <= 3
FIGURE_NS = (64, 128, 256, 512, 1024, 2048, 4096)
FIGURE_RATIOS = (100, 400)  # D / n
FIGURE_REPS = 200


def math():
    import sympy as sp
    from sympy.printing.mathml import mathml

    def pm(e):
        return mathml(e, printer="presentation")

    En, Vn = T.noise_norm_moments()
    mt, vt = T.train_margin_moments()
    ms, _ = T.s_prime_margin_moments()
    _, _, cov = T.noise_margin_moments()
    G1 = sp.Symbol("(G1)_i")
    i = sp.Symbol("i")
    return [
        ("Learned weights (one gradient step from zero on the linear loss)",
         pm(sp.Eq(sp.Symbol("w"), sp.Tuple(T.cp * sp.Symbol("u"),
                                            sp.Sum(sp.Symbol("y_i") * sp.Symbol("x_{2,i}"), (i, 1, T.n)))))),
        ("Train margin = c c' + (G1)_i, G = Z Z^T with z_i = y_i x_{2,i} ~ N(0, (s^2/D) I); mean",
         pm(sp.Eq(sp.Symbol("E[margin_i]"), mt))),
        ("Train and S' margins: variance, and covariance of two points", pm(sp.Tuple(vt, cov))),
        ("S' margin = c c' - (G1)_i; mean", pm(sp.Eq(sp.Symbol("E[margin'_i]"), ms))),
        ("Noise-block norm: E and Var of ||w2||^2", pm(sp.Tuple(En, Vn))),
        ("Test error given w (test margin exactly c c' + N(0, (s^2/D)||w2||^2))",
         pm(sp.Eq(sp.Symbol("err(w)"), T.test_error_given_w().subs(T.W2, sp.Symbol("||w_2||^2"))))),
        ("Test error <= epsilon iff ||w2||^2 <=", pm(T.test_error_norm_threshold())),
        ("Rank-one reduction: (G1)_i =d R + sigma sqrt(nR)(g_i - gbar), R = sigma^2 chi^2_D",
         pm(sp.Eq(G1, sp.Symbol("R") + sp.sqrt(T.sigma2 * T.n * sp.Symbol("R"))
                  * (sp.Symbol("g_i") - sp.Symbol("gbar"))))),
        ("Sufficient D (leading order), rho = c c'/s^2", pm(T.asymptotic_D())),
        ("Lemma: if S' ~ D^n and h_S errs on all of S', then", pm(sp.Symbol("epsilon_unif") >= 1 - T.eps)),
    ]


# -------------------------------------------------------------------------- the steps in order


def run(ctx):
    p = ctx.params
    st = _setting(p)
    xp = _array_namespace(ctx.backend)
    rec = Recorder(ctx)
    for step in (_moments_match, _gram_reduction, _test_error_given_w, _eps_unif_lemma, _s_prime_limit):
        step(rec, st)
    _premise(rec, st, p)
    sample = _bartlett_sample(rec, ctx, st, xp)
    _lemma_at_sample(rec, sample, p["eps"])
    _rank_one_sample(rec, ctx, st, xp)
    _brute_force_sample(rec, ctx, st, xp)
    _samplers_agree(rec, ctx)
    _per_point_var_cov(rec, ctx)
    _monte_carlo(rec, ctx)
    _d_condition(rec, ctx, st)
    _torch_step(rec, ctx, st)
    if ctx.figures_dir is not None:
        _figure(rec, ctx, st, sample)
    return rec.result(params=dict(p))


# ------------------------------------------------------------------------------- settings


def _setting(p) -> T.Setting:
    """The construction at the main (n, D), after every parameter condition that is bad input."""
    try:
        st = T.Setting(p["n"], p["D"], p["K"], p["c"], p["c_prime"], p["s2"])
        T.check_eps_delta(p["eps"], p["delta"])
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if not st.rho < 1:
        raise BadInput(f"c c' / s^2 = {st.rho:.4g} must be < 1: otherwise S' is classified correctly "
                       "and there is no counterexample")
    try:
        K.check_sizes(**{k: p[k] for k in ("mc_reps", "ks_n", "torch_n", "torch_D", "K", "brute_n",
                                           "brute_n_test", "brute_D")})
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    return st


def _array_namespace(backend: str):
    backend_arrays(backend, np.zeros(1))  # an unavailable backend is bad input before any work
    if backend == "cupy":
        import cupy

        return cupy
    return None


def _sampler_kw(p) -> dict:
    return dict(K=p["K"], c=p["c"], c_prime=p["c_prime"], s2=p["s2"])


def _replicate_setting(p) -> T.Setting:
    """The small (ks_n, ks_D) setting of the replicate-based steps."""
    return T.Setting(p["ks_n"], p["ks_D"], p["K"], p["c"], p["c_prime"], p["s2"])


# ------------------------------------------------------------------------------- symbolic


def _moments_match(rec: Recorder, st: T.Setting) -> None:
    import sympy as sp

    with rec.step("moments derived from Gaussian coordinates match the statement and the rank-one form",
                  "symbolic") as s:
        En, Vn = T.noise_norm_moments()
        m, v, cv = T.noise_margin_moments()
        rm, rv, rc = T.rank_one_moments()
        ok = sp.simplify(En - T.n * T.s2) == 0
        ok &= all(sp.simplify(a - b) == 0 for a, b in ((m, rm), (v, rv), (cv, rc)))
        mt, _ = T.train_margin_moments()
        ms, _ = T.s_prime_margin_moments()
        ok &= sp.simplify(mt + ms - 2 * T.c * T.cp) == 0  # S' flips exactly the noise part
        s.ok = bool(ok)
        s.detail = (f"E||w2||^2 = {En}, Var = {Vn}; margin noise mean {m}, var {v}, cov {cv}; rank-one "
                    "representation gives the same three")


def _gram_reduction(rec: Recorder, st: T.Setting) -> None:
    with rec.step(f"Gram reduction for every label pattern, n <= {GRAM_MAX_N}", "symbolic") as s:
        proofs = [T.prove_gram_reduction(k) for k in range(1, GRAM_MAX_N + 1)]
        s.ok = all(p.holds for p in proofs)
        s.detail = (f"{sum(p.patterns for p in proofs)} label patterns, symbolic x2 and u: train = cc' + (G1)_i, "
                    "S' = cc' - (G1)_i, ||w2||^2 = 1^T G 1")


def _test_error_given_w(rec: Recorder, st: T.Setting) -> None:
    import sympy as sp

    with rec.step("test error given w: Phi(-cc' sqrt(D)/(s||w2||)), increasing in ||w2||, = eps at the "
                  "threshold", "symbolic") as s:
        err = T.test_error_given_w()
        deriv = sp.simplify(sp.diff(err, T.W2))
        z = sp.Symbol("z_epsilon", positive=True)
        at = sp.simplify(err.subs(T.W2, T.test_error_norm_threshold()) - T.normal_cdf(-z))
        s.ok = bool(deriv.is_positive) and at == 0
        s.detail = f"d err / d||w2||^2 = {deriv}; err at threshold - Phi(-z_eps) = {at}"


def _eps_unif_lemma(rec: Recorder, st: T.Setting) -> None:
    with rec.step("lemma: test error <= eps and S' error 1 give |L_D - L_S'| >= 1 - eps", "symbolic") as s:
        s.ok = T.prove_eps_unif_lemma() and T.prove_good_pair_positive()
        s.detail = ("|L - 1| - (1 - eps) factors into a nonnegative expression for every eps in (0, 1), "
                    "L in [0, eps]; union bound 1 - 3 delta proved > 0 for every "
                    "delta in (0, 1/3) (delta = 1/(3(1+p)), p > 0), so a witnessing S with S' in the good set exists")


def _s_prime_limit(rec: Recorder, st: T.Setting) -> None:
    import sympy as sp

    rho = st.rho
    with rec.step("S' is misclassified in the large-D limit iff c c' < s^2", "symbolic") as s:
        mean_sp, var_sp = T.s_prime_margin_moments()
        lim_var = sp.limit(var_sp, T.D, sp.oo)
        s.ok = lim_var == 0 and sp.simplify(mean_sp - (T.c * T.cp - T.s2)) == 0 and 0 < rho < 1
        s.detail = f"S' margin -> {mean_sp} (variance -> {lim_var}); here c c'/s^2 = {rho:.4g}"


# -------------------------------------------------------------------------------- numeric


def _premise(rec: Recorder, st: T.Setting, p) -> None:
    eps, delta = p["eps"], p["delta"]
    with rec.step("premise: D meets the derived sufficient condition for (n, eps, delta)", "numeric") as s:
        d_suff = T.sufficient_D(st.n, eps, delta, st.rho)
        lead = float(T.asymptotic_D().subs({T.n: st.n, T.delta: delta, sp_symbol("rho"): st.rho,
                                             sp_symbol("z_epsilon"): Tol.normal_upper_quantile(eps)}))
        rec.quantity_at_most("D_sufficient", d_suff, st.D,
                             note="smallest D meeting the chi-square/Gaussian-tail condition (must be <= D)")
        rec.quantity_report("D_sufficient_leading_order", lead,
                            note="n max(2 ln(6n/delta)/(1-rho)^2, z_eps^2/rho^2)")
        s.ok = d_suff <= st.D
        s.detail = f"sufficient D = {d_suff} (leading order {lead:.4g}), D = {st.D}"


def _check_sample(rec: Recorder, r: K.NKSample, st: T.Setting, eps: float, prefix: str) -> bool:
    """The quantities every sampler's one training set is judged on, named ``prefix`` + quantity."""
    mom = T.margin_moments(st)
    n = r.n
    n_test = to_numpy(r.test_margins).shape[0]
    ok = rec.quantity_compare(f"{prefix}train_error", r.train_error, 0.0, 0.0,
                              note="exact: holds w.p. >= 1 - delta under the D condition").passed
    ok &= rec.quantity_compare(f"{prefix}s_prime_error", r.s_prime_error, 1.0, 0.0,
                               note="exact: holds w.p. >= 1 - delta under the D condition").passed
    ok &= rec.quantity_compare(f"{prefix}test_error", r.test_error, r.test_error_exact,
                               Tol.binomial_tolerance(n_test, r.test_error_exact, BINOM_LEVEL),
                               note=f"{n_test} fresh points vs Phi(-cc' sqrt(D)/(s||w2||)) given w; "
                                    f"binomial tail {BINOM_LEVEL:g}").passed
    ok &= rec.quantity_at_most(f"{prefix}test_error_predicted", r.test_error_exact, eps,
                               note="exact conditional test error given w <= eps").passed
    ok &= rec.quantity_compare(f"{prefix}noise_block_norm_ratio", r.w2_norm2 / (n * st.s2), 1.0,
                               Tol.norm_ratio_tolerance(T.norm2_variance(st), n, st.s2, SIGMAS),
                               note="||w2||^2/(n s^2); 6 sd of its derived law sqrt(2/D)").passed
    tol_mean = Tol.mean_margin_tolerance(mom["var"], mom["cov"], n, SIGMAS)
    ok &= rec.quantity_compare(f"{prefix}train_margin_mean", float(to_numpy(r.train_margins).mean()),
                               mom["train_mean"], tol_mean,
                               note="mean over the n points; 6 sd from derived var, cov").passed
    ok &= rec.quantity_compare(f"{prefix}s_prime_margin_mean", float(to_numpy(r.s_prime_margins).mean()),
                               mom["s_prime_mean"], tol_mean, note="c c' - s^2 expected").passed
    return bool(ok)


def _bartlett_sample(rec: Recorder, ctx, st: T.Setting, xp) -> K.NKSample | None:
    """The main sample (Bartlett, at the full n and D); it also feeds the lemma step and the figure."""
    p = ctx.params
    sample = None
    with rec.step("Bartlett (exact, D-independent) sampler vs the closed forms", "numeric") as s:
        rec.note(f"nk-linear: Bartlett sampler n = {st.n}, D = {st.D}")
        sample = K.bartlett(st.n, st.D, n_test=p["n_test"], seed=ctx.seed, xp=xp, **_sampler_kw(p))
        s.ok = _check_sample(rec, sample, st, p["eps"], "")
        rec.quantity_report("log10_test_error_predicted",
                            K.log10_conditional_test_error(st.D, st.c, st.c_prime, st.s2, sample.w2_norm2),
                            note="log10 Phi(-cc' sqrt(D)/(s||w2||)) (the error itself may underflow)")
        rec.quantity_report("test_error_expected", K.expected_test_error(st.n, st.D, st.c, st.c_prime, st.s2),
                            note="E_w of the conditional test error (quadrature over chi^2_D)")
        rec.quantity_report("test_error_approx", T.approx_test_error(st),
                            note="Phi(-(cc'/s^2) sqrt(D/n)), the error at ||w2||^2 = n s^2")
        s.detail = (f"train err {sample.train_error}, S' err {sample.s_prime_error}, test err "
                    f"{sample.test_error} on {p['n_test']} points vs predicted {sample.test_error_exact:.3g}, "
                    f"||w2||^2/(n s^2) = {sample.w2_norm2 / (st.n * st.s2):.6f}")
    return sample


def _lemma_at_sample(rec: Recorder, sample: K.NKSample | None, eps: float) -> None:
    with rec.step("lemma at this sample: eps_unif >= |L_D(h_S) - L_S'(h_S)| >= 1 - eps", "numeric") as s:
        if sample is None:
            raise RuntimeError("no sample")
        gap = abs(sample.test_error_exact - sample.s_prime_error)
        q = rec.quantity_compare("eps_unif_lower_bound", gap, 1.0, eps,
                                 note="|exact test error - S' error|, must be >= 1 - eps")
        s.ok = q.passed
        s.detail = f"|{sample.test_error_exact:.3g} - {sample.s_prime_error}| = {gap:.6f} >= 1 - {eps}"


def _rank_one_sample(rec: Recorder, ctx, st: T.Setting, xp) -> None:
    p = ctx.params
    with rec.step("rank-one (exact, O(n)) sampler vs the closed forms", "numeric") as s:
        r1 = K.rank_one(st.n, st.D, n_test=p["n_test"], seed=ctx.seed + 1, xp=xp, **_sampler_kw(p))
        s.ok = _check_sample(rec, r1, st, p["eps"], "rank_one_")
        s.detail = f"train err {r1.train_error}, S' err {r1.s_prime_error}, test err {r1.test_error}"


def _brute_force_sample(rec: Recorder, ctx, st: T.Setting, xp) -> None:
    p = ctx.params
    with rec.step("brute force (literal n x D noise, streamed) vs the closed forms and its own Gram matrix",
                  "numeric") as s:
        bst = T.Setting(p["brute_n"], p["brute_D"], p["K"], p["c"], p["c_prime"], p["s2"])
        rec.note(f"nk-linear: brute force n = {bst.n}, D = {bst.D}")
        b = K.brute_force(bst.n, bst.D, n_test=p["brute_n_test"], seed=ctx.seed + 2, xp=xp,
                          with_gram=True, **_sampler_kw(p))
        ok = _check_sample(rec, b, bst, p["eps"], "brute_")
        ok &= rec.quantity_at_most("gram_reduction_error_units", Tol.gram_reduction_error_units(b, st.signal, p["K"]),
                                   1.0,
                                   note="|margin - (cc' +- (G1)_i)| / 2 gamma_(n+D+2K+10) (S_i + cc'), S = |Z||Z|^T 1; "
                                        "||w2||^2 vs 1^T G 1 / 3 gamma_(D+2n+2) 1^T S").passed
        ok &= rec.quantity_at_most("brute_D_sufficient", T.sufficient_D(bst.n, p["eps"], p["delta"], st.rho),
                                   bst.D).passed
        s.ok = bool(ok)
        s.detail = f"n = {bst.n}, D = {bst.D}: train err {b.train_error}, S' err {b.s_prime_error}"


def _samplers_agree(rec: Recorder, ctx) -> None:
    p = ctx.params
    with rec.step("the three samplers agree in distribution (two-sample KS) and ||w2||^2 ~ (n s^2/D) chi^2_D",
                  "numeric") as s:
        reps = p["ks_reps"]
        rec.note(f"nk-linear: KS, {reps} draws per sampler at n = {p['ks_n']}, D = {p['ks_D']}")
        stats = {}
        for j, name in enumerate(("brute_force", "bartlett", "rank_one")):
            margins, norms = K.replicates(name, reps, ctx.seed + 1000 * (j + 1) * reps, n=p["ks_n"], D=p["ks_D"],
                                          **_sampler_kw(p))
            stats[name] = (margins[:, 0], norms)
        pvals = Tol.sampler_agreement_pvalues(stats, p["ks_n"], p["ks_D"], p["s2"])
        worst, bad = Tol.smallest_pvalue(pvals)
        rec.quantity_at_most("ks_level_vs_min_pvalue", KS_LEVEL if not bad else float("nan"), pvals[worst],
                             note=f"each of {len(pvals)} KS tests at level {KS_LEVEL:g} (family <= "
                                  f"{len(pvals) * KS_LEVEL:.1g}); smallest p-value: {worst}"
                                  + (f"; non-finite p-values: {', '.join(bad)}" if bad else ""))
        s.ok = not bad and pvals[worst] >= KS_LEVEL
        s.detail = ", ".join(f"{k}: p = {v:.3g}" for k, v in pvals.items())


def _check_var_cov(rec: Recorder, prefix: str, st: T.Setting, m0, m1) -> bool:
    """Replicate variance and covariance of two points' margins vs the derived ones, each within 6
    standard errors from the derived fourth moments."""
    mom = T.margin_moments(st)
    rv = T.replicate_variances(st)
    reps = m0.shape[0]
    var, cov = K.centred_moments(m0, m1, mom["train_mean"])
    ok = rec.quantity_compare(f"{prefix}margin_var", var, mom["var"],
                              Tol.replicate_mean_tolerance(rv["var_of_sq"], reps, SIGMAS),
                              note="(n+1)s^4/D; 6 SE from the derived E x^4 - Var^2").passed
    ok &= rec.quantity_compare(f"{prefix}margin_cov", cov, mom["cov"],
                               Tol.replicate_mean_tolerance(rv["var_of_prod"], reps, SIGMAS),
                               note="s^4/D; 6 SE from the derived E x_0^2 x_1^2 - Cov^2").passed
    return bool(ok)


def _per_point_var_cov(rec: Recorder, ctx) -> None:
    p = ctx.params
    with rec.step("per-point margin variance (n+1)s^4/D and covariance s^4/D across training sets: Bartlett "
                  "and brute force", "numeric") as s:
        vs = _replicate_setting(p)
        reps = p["var_reps"]
        rec.note(f"nk-linear: per-point variance, {reps} training sets per sampler at n = {vs.n}, D = {vs.D}")
        mom = T.margin_moments(vs)
        s.ok = True
        details = []
        for j, name in enumerate(("bartlett", "brute_force")):
            m, _ = K.replicates(name, reps, ctx.seed + 50_000_000 * (j + 1), n=vs.n, D=vs.D, **_sampler_kw(p))
            s.ok &= _check_var_cov(rec, f"{name}_", vs, m[:, 0], m[:, 1])
            details.append(f"{name}: var {K.centred_moments(m[:, 0], None, mom['train_mean'])[0]:.4g}")
        s.detail = (f"{reps} training sets each at n = {vs.n}, D = {vs.D}; derived var {mom['var']:.4g}, "
                    f"cov {mom['cov']:.4g}; " + ", ".join(details))


def _monte_carlo(rec: Recorder, ctx) -> None:
    p = ctx.params
    with rec.step("Monte Carlo over training sets: margin moments and E_w test error vs closed forms",
                  "numeric") as s:
        ms = _replicate_setting(p)
        reps = p["mc_reps"]
        G1, norms = (to_numpy(a) for a in K.rank_one_batch(ms.n, ms.D, reps, s2=ms.s2, seed=ctx.seed + 7))
        mom = T.margin_moments(ms)
        rv = T.replicate_variances(ms)
        m0 = ms.signal + G1[:, 0]
        var, cov = K.centred_moments(m0, ms.signal + G1[:, 1] if ms.n > 1 else None, mom["train_mean"])
        ok = rec.quantity_compare("mc_train_margin_mean", m0.mean(), mom["train_mean"],
                                  Tol.sample_mean_tolerance(m0, SIGMAS)).passed
        ok &= rec.quantity_compare("mc_train_margin_var", var, mom["var"],
                                   Tol.replicate_mean_tolerance(rv["var_of_sq"], reps, SIGMAS),
                                   note="6 SE from the derived Var of (margin - mean)^2").passed
        if cov is not None:
            ok &= rec.quantity_compare("mc_margin_cov", cov, mom["cov"],
                                       Tol.replicate_mean_tolerance(rv["var_of_prod"], reps, SIGMAS),
                                       note="6 SE from the derived Var of the centred product").passed
        cond = K.conditional_test_errors(ms.D, ms.c, ms.c_prime, ms.s2, norms)
        # the floor leaves room for the quadrature's own error when every conditional error underflows
        ok &= rec.quantity_compare("mc_expected_test_error", cond.mean(),
                                   K.expected_test_error(ms.n, ms.D, ms.c, ms.c_prime, ms.s2),
                                   Tol.sample_mean_tolerance(cond, SIGMAS, floor=1e-12),
                                   note="mean over training sets of the exact conditional error vs quadrature").passed
        s.ok = bool(ok)
        s.detail = f"{reps} training sets at n = {ms.n}, D = {ms.D} (rank-one sampler)"


def _d_condition(rec: Recorder, ctx, st: T.Setting) -> None:
    p = ctx.params
    eps, delta = p["eps"], p["delta"]
    with rec.step("the D condition: all three events hold with frequency >= 1 - delta at the sufficient D",
                  "numeric") as s:
        cn = p["ks_n"] * 4
        d_c = T.sufficient_D(cn, eps, delta, st.rho)
        reps = p["mc_reps"]
        kw = dict(eps=eps, c=st.c, c_prime=st.c_prime, s2=st.s2)
        fails = int(np.sum(K.condition_failures(cn, d_c, reps, seed=ctx.seed + 11, **kw)))
        allowed = Tol.binomial_upper_count(reps, delta, BINOM_LEVEL)
        rec.quantity_at_most("condition_failure_count", fails, allowed,
                             note=f"of {reps} training sets at n = {cn}, D = {d_c}; binomial(reps, delta) "
                                  f"upper quantile at {BINOM_LEVEL:g}")
        # below the sufficient D the guarantee is void: shown, not judged
        low = max(1, d_c // 64)
        fl = float(np.mean(K.condition_failures(cn, low, reps, seed=ctx.seed + 12, **kw)))
        rec.quantity_report("condition_failure_rate_at_D_over_64", fl)
        s.ok = fails <= allowed
        s.detail = f"{fails} failures in {reps} (allowed {allowed}); at D/64 = {low}: failure rate {fl:.3g}"


# ---------------------------------------------------------------------------------- torch


def _torch_step(rec: Recorder, ctx, st: T.Setting) -> None:
    from vacuity.sims import nk_linear as S

    p = ctx.params
    with rec.step("torch: one SGD step from zero on the linear loss gives w = (c'u, sum y_i x2_i)", "torch") as s:
        tn, tD = p["torch_n"], p["torch_D"]
        X, y, u = S.make_data(tn, tD, seed=ctx.seed + 3, **_sampler_kw(p))
        X2 = X[:, p["K"]:]
        w1, w2 = S.train(X, y, K=p["K"], c=p["c"], c_prime=p["c_prime"])
        dev_w = Tol.torch_weight_error_units(X2, y, u, w1, w2, p["c_prime"])
        rec.quantity_at_most("torch_w_error_units", dev_w, 1.0,
                             note="|w_torch - w_closed| / rounding bound gamma_(n+4) sum |x|")
        w1T, w2T = S.train(X, y, K=p["K"], c=p["c"], c_prime=p["c_prime"], steps=p["torch_steps"])
        tr, sp_ = S.margins(X, y, w1, w2, p["K"])
        trT, spT = S.margins(X, y, w1T, w2T, p["K"])
        dev_m = Tol.torch_margin_error_units(X2, y, tr, st.signal)
        rec.quantity_at_most("torch_margin_error_units", dev_m, 1.0,
                             note="torch train margins vs cc' + (G1)_i from the same data")
        same_signs = K.same_signs((trT, tr), (spT, sp_))
        rec.quantity_compare("torch_continued_sign_changes", 0.0 if same_signs else 1.0, 0.0, 0.0,
                             note=f"{p['torch_steps']} steps only rescale w: no margin changes sign")
        s.ok = dev_w <= 1 and dev_m <= 1 and same_signs
        s.detail = (f"n = {tn}, D = {tD}: w error {dev_w:.3g} units, margin error {dev_m:.3g} units, "
                    f"train err {K.error_rate(tr)}, S' err {K.error_rate(sp_)}")


def _figure(rec: Recorder, ctx, st: T.Setting, sample: K.NKSample | None) -> None:
    from vacuity.proofs_checked.nk_linear.figures import draw

    rec.note("nk-linear: figure")
    figure = K.error_sweep(st, ctx.params["eps"], seed=ctx.seed, ns=FIGURE_NS, ratios=FIGURE_RATIOS,
                           reps=FIGURE_REPS)
    path = draw(Path(ctx.figures_dir), figure, sample, st)
    rec.figures.append(f"figures/{path.name}")


def sp_symbol(name):
    import sympy as sp

    return sp.Symbol(name, positive=True)
