"""Checked proof: R̂_S(H) <= r Λ / sqrt(n) for the linear class, Massart's lemma, and the Rademacher
generalization bounds (Mohri et al. Thm 3.3, 3.5, 3.7, 5.10): symbolic -> numeric."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.errors import BadInput
from vacuity.kernels import rademacher as K
from vacuity.kernels.rademacher import sweep_sizes as _sizes  # the sweep's sizes (tests import the name)
from vacuity.kernels.sampling import child_seed as _seed
from vacuity.kernels.tolerances import exceedance_slack, lower_confidence_limit, mc_tolerance
from vacuity.proofs_checked.core.recorder import Recorder, backend_arrays
from vacuity.theory import rademacher as T
from vacuity.theory.rates import fit_loglog_slope

SYMBOLIC_MAX_N = 6  # E||Σ σ_i x_i||^2 = Σ||x_i||^2 by enumerating all 2^n sign vectors, n = 1..6
SYMBOLIC_MAX_D = 4  # Lagrange's identity (Cauchy–Schwarz) for d = 1..4
COVERAGE_SAMPLES = 4000  # samples S drawn to test the Thm 3.3 bounds' failure frequency


def math():
    import sympy as sp
    from sympy.printing.mathml import mathml

    def pm(expr):
        return mathml(expr, printer="presentation")

    Rhat = sp.Function("Rhat_S")(sp.Symbol("H"))
    _, massart = T.derive_massart()
    return [
        ("Linear class, ||w|| <= Lambda, ||x_i|| <= r: sup = Lambda ||sum sigma_i x_i|| / n, then Jensen",
         pm(sp.Le(Rhat, T.linear_bound()))),
        ("E ||sum sigma_i x_i||^2 (E sigma_i sigma_j = delta_ij)", pm(sp.Eq(*T.second_moment_general()))),
        ("Massart's lemma: finite A, R_A = max ||a||, N = |A| (minimizing log N / t + t R_A^2 / 2)",
         pm(sp.Le(sp.Symbol("Rhat_S(A)"), massart))),
        ("Thm 3.3 (i): E g <= E_S g + this, with probability >= 1 - delta", pm(T.bound_expected())),
        ("Thm 3.3 (ii): E g <= E_S g + this, with probability >= 1 - delta", pm(T.bound_empirical())),
        ("Thm 3.5 (binary, H with values +-1): R(h) <= R_S(h) + this", pm(T.bound_binary_expected())),
        ("Thm 3.5, empirical form: R(h) <= R_S(h) + this", pm(T.bound_binary())),
    ]


def _symbolic(rec: Recorder) -> None:
    with rec.step(f"sup over ||w|| <= Lambda is Lambda ||sum sigma_i x_i|| / n (Cauchy-Schwarz, d <= {SYMBOLIC_MAX_D})",
                  "symbolic") as s:
        proofs = [T.prove_linear_sup(m) for m in range(1, SYMBOLIC_MAX_D + 1)]
        s.ok = all(p.holds for p in proofs)
        s.detail = ("Lagrange identity ||w||^2||s||^2 - <w,s>^2 = sum_{i<j}(w_i s_j - w_j s_i)^2; "
                    "w = Lambda s/||s|| attains it")
    with rec.step(f"E||sum sigma_i x_i||^2 = sum ||x_i||^2: all 2^n signs for n <= {SYMBOLIC_MAX_N}, and general n",
                  "symbolic") as s:
        small = [T.prove_second_moment(m) for m in range(1, SYMBOLIC_MAX_N + 1)]
        collapsed, trace = T.second_moment_general()
        s.ok = all(small) and collapsed == trace
        s.detail = f"enumerated (d = 2, symbolic points): {small}; double sum with E sigma_i sigma_j -> {collapsed}"
    with rec.step("Jensen (sqrt concave) and ||x_i|| <= r give the stated r Lambda / sqrt(n)", "symbolic") as s:
        derived = T.derive_linear_bound()
        s.ok = T.sqrt_is_concave() and T.same_expression(derived, T.linear_bound())
        s.detail = f"derived {derived}, stated {T.linear_bound()}"
    with rec.step("Massart: min_t log N / t + t R_A^2 / 2 gives the stated R_A sqrt(2 log N) / n; "
                  "cosh t <= exp(t^2/2)", "symbolic") as s:
        t_star, derived = T.derive_massart()
        cosh = T.prove_cosh_below_gaussian()
        s.ok = cosh.holds and T.same_expression(derived, T.massart_bound())
        s.detail = (f"t* = {t_star}; derived {derived}, stated {T.massart_bound()}; cosh t <= exp(t^2/2) for all "
                    f"t: coefficients of t^(2k), ratio r_k = 2^k k!/(2k)! has r_0 = 1 and r_(k+1)/r_k = "
                    f"{cosh.step} <= 1 for every k >= 0 (proved: {cosh.holds}), so r_k <= 1 by induction")
    with rec.step("Thm 3.3 both forms derived from McDiarmid (differences 1/n; delta/2 twice for the second)",
                  "symbolic") as s:
        ok_i = T.same_expression(T.derive_bound_expected(), T.bound_expected())
        ok_ii = T.same_expression(T.derive_bound_empirical(), T.bound_empirical())
        s.ok = ok_i and ok_ii
        s.detail = (f"(i) stated {T.bound_expected()} matches: {ok_i}; "
                    f"(ii) stated {T.bound_empirical()} matches: {ok_ii}")
    with rec.step("Thm 3.5: Rhat(G_01) = Rhat(H)/2 (Lemma 3.4) turns 2 Rhat(G) into Rhat(H)", "symbolic") as s:
        ok_exp = T.same_expression(T.derive_bound_binary_expected(), T.bound_binary_expected())
        ok_emp = T.same_expression(T.derive_bound_binary(), T.bound_binary())
        s.ok = T.zero_one_loss_identity() and T.sign_flip_is_bijection(4) and ok_exp and ok_emp
        s.detail = (f"1[h != y] = (1 - y h)/2; sigma -> -y sigma permutes the cube; stated "
                    f"{T.bound_binary_expected()} matches: {ok_exp}; {T.bound_binary()} matches: {ok_emp}")
    with rec.step("declared rate exponents equal the exponents derived from each stated bound", "symbolic") as s:
        bounds = T.rated_bounds()  # a RatedBound refuses a declared rate its expression does not have
        s.ok = all(float(b.rate_exponent) == -0.5 for b in bounds)
        s.detail = ", ".join(f"{b.name}: n^{b.rate_exponent}" for b in bounds)


def _coverage(rec: Recorder, p: dict, seed: int) -> None:
    """Thm 3.3 in simulation (kernels.rademacher.random_label_sup_deviations): each form of the bound must
    fail on at most a fraction delta of samples, up to 6 binomial standard errors."""
    rng = np.random.default_rng(_seed(seed, 3))
    n, delta = p["coverage_n"], p["delta"]
    phi = K.random_label_sup_deviations(n, p["d"], p["r"], COVERAGE_SAMPLES, rng)
    comp_g = K.random_label_class_complexity(n, p["r"], p["Lambda"])
    for name, bound in (("expected", T.bound_expected_value(comp_g, n, delta)),
                        ("empirical", T.bound_empirical_value(comp_g, n, delta))):
        freq = float(np.mean(phi > bound))
        rec.quantity_at_most(f"thm33_{name}_failure_rate", freq, delta + exceedance_slack(delta, COVERAGE_SAMPLES),
                             note=f"fraction of {COVERAGE_SAMPLES} samples (n = {n}) with sup_g (E g - E_S g) > "
                                  f"bound {bound:.4g}; allowed delta + 6 SE")
    rec.quantity_report("thm33_sup_deviation_quantile", float(np.quantile(phi, 1 - delta)),
                        note="(1 - delta) quantile of sup_g (E g - E_S g), against the bounds above")


def _check_params(p: dict) -> None:
    T.check_delta(p["delta"])
    if p["sweep_max"] <= 4 * p["sweep_min"]:
        # sizes are sweep_min, 4x apart, then sweep_max: a slope with a standard error needs three
        raise BadInput(f"the rate sweep needs at least three sizes: sweep_max = {p['sweep_max']} must exceed "
                       f"4 x sweep_min = {4 * p['sweep_min']}")


def _exact(rec: Recorder, p: dict, Xe, Ae, seed: int) -> None:
    rec.note("rademacher-linear: Monte Carlo against exact enumeration")
    r, lam, d = p["r"], p["Lambda"], p["d"]
    with rec.step(f"Monte Carlo Rhat equals the exact E_sigma over all 2^{p['n_exact']} sign vectors (6 SE)",
                  "numeric") as s:
        exact = K.exact_linear(Xe, lam)
        mc = K.mc_linear(Xe, lam, draws=p["draws"], seed=_seed(seed, 1)).rademacher
        q1 = rec.quantity_compare("linear_mc_vs_exact", mc.mean, exact, mc_tolerance(mc.se),
                                  note=f"n = {p['n_exact']}, d = {d}, {mc.draws} draws")
        q2 = rec.quantity_at_most("linear_exact_vs_bound", exact, T.linear_bound_value(p["n_exact"], r, lam),
                                  note="exact Rhat_S(H) <= r Lambda / sqrt(n)")
        exact_f = K.exact_finite(Ae)
        mc_f = K.mc_finite(Ae, draws=p["draws"], seed=_seed(seed, 2))
        q3 = rec.quantity_compare("finite_mc_vs_exact", mc_f.mean, exact_f, mc_tolerance(mc_f.se),
                                  note=f"{p['n_classifiers']} random sign vectors on n = {p['n_exact']} points")
        q4 = rec.quantity_at_most("massart_exact_vs_bound", exact_f,
                                  T.massart_value(np.sqrt(p["n_exact"]), p["n_classifiers"], p["n_exact"]),
                                  note="exact Rhat_S(A) <= max||a|| sqrt(2 log |A|) / n, max||a|| = sqrt(n)")
        s.ok = q1.passed and q2.passed and q3.passed and q4.passed
        s.detail = (f"linear: exact {exact:.6g}, MC {mc.mean:.6g} +- {mc.se:.2g}; finite: exact {exact_f:.6g}, "
                    f"MC {mc_f.mean:.6g} +- {mc_f.se:.2g}")


def _linear(rec: Recorder, p: dict, X_main, Xm, seed: int) -> None:
    r, lam = p["r"], p["Lambda"]
    with rec.step(f"at n = {p['n']}: E||sum sigma_i x_i||^2 = sum ||x_i||^2 and Rhat <= r Lambda / sqrt(n)",
                  "numeric") as s:
        est = K.mc_linear(Xm, lam, draws=p["draws"], seed=_seed(seed, 4))
        q1 = rec.quantity_compare("second_moment", est.second_moment.mean, K.second_moment_exact(X_main),
                                  mc_tolerance(est.second_moment.se),
                                  note="Monte Carlo vs the derived sum ||x_i||^2, 6 SE")
        bound = T.linear_bound_value(p["n"], r, lam)
        q2 = rec.quantity_at_most("linear_mc_lower_vs_bound",
                                  lower_confidence_limit(est.rademacher.mean, est.rademacher.se), bound,
                                  note="Monte Carlo Rhat - 6 SE <= r Lambda / sqrt(n)")
        rec.quantity_report("linear_mc", est.rademacher.mean, note=f"SE {est.rademacher.se:.3g}")
        rec.quantity_report("linear_jensen_ratio", est.rademacher.mean / bound,
                            note="Rhat / (r Lambda / sqrt(n)): points on the sphere, so only Jensen's gap is lost")
        s.ok = q1.passed and q2.passed
        s.detail = f"Rhat = {est.rademacher.mean:.6g} +- {est.rademacher.se:.2g}, bound {bound:.6g}"


def _massart(rec: Recorder, p: dict, Am, seed: int) -> None:
    with rec.step(f"Massart: Rhat of {p['n_classifiers']} random classifiers on n = {p['massart_n']} points "
                  "is below max||a|| sqrt(2 log|A|)/n", "numeric") as s:
        est = K.mc_finite(Am, draws=p["draws"], seed=_seed(seed, 5))
        bound = T.massart_value(float(np.sqrt(p["massart_n"])), p["n_classifiers"], p["massart_n"])
        q = rec.quantity_at_most("massart_mc_lower_vs_bound", lower_confidence_limit(est.mean, est.se), bound,
                                 note="Monte Carlo Rhat - 6 SE <= Massart")
        rec.quantity_report("massart_ratio", est.mean / bound, note="Rhat / Massart bound")
        s.ok = q.passed
        s.detail = f"Rhat = {est.mean:.5g} +- {est.se:.2g}, bound {bound:.5g}"


def _rate(rec: Recorder, p: dict, backend: str, seed: int) -> list[dict]:
    rec.note("rademacher-linear: rate sweep")
    r, lam, d = p["r"], p["Lambda"], p["d"]
    sweep = []
    with rec.step("fitted log-log slope of Rhat vs n equals the bound's derived rate (6 SE of the fit)",
                  "numeric") as s:
        sizes = _sizes(p["sweep_min"], p["sweep_max"])
        for i, size in enumerate(sizes):
            X = K.sphere_points(size, d, r, np.random.default_rng(_seed(seed, 6, i)))
            (Xb,) = backend_arrays(backend, X)
            e = K.mc_linear(Xb, lam, draws=p["draws"], seed=_seed(seed, 7, i)).rademacher
            sweep.append({"n": size, "mean": e.mean, "se": e.se, "bound": T.linear_bound_value(size, r, lam)})
            rec.note(f"rademacher-linear: sweep n = {size}")
        ns = np.array([row["n"] for row in sweep], dtype=float)
        means = np.array([row["mean"] for row in sweep])
        ses = np.array([row["se"] for row in sweep])
        slope, slope_se = fit_loglog_slope(ns, means, weights=(means / ses) ** 2)
        predicted = float(T.linear_rate_exponent())
        q = rec.quantity_compare("rate_exponent", slope, predicted, mc_tolerance(slope_se),
                                 note=f"weighted fit over n = {sizes}; band = 6 x slope SE {slope_se:.2g}")
        s.ok = q.passed and len(sizes) >= 3
        s.detail = f"slope {slope:.4f} +- {slope_se:.2g} vs derived {predicted}"
    return sweep


def run(ctx):
    p = ctx.params
    _check_params(p)
    rec = Recorder(ctx)
    rng = np.random.default_rng(ctx.seed)
    X_exact = K.sphere_points(p["n_exact"], p["d"], p["r"], rng)
    A_exact = K.random_sign_set(p["n_classifiers"], p["n_exact"], rng)
    X_main = K.sphere_points(p["n"], p["d"], p["r"], rng)
    A_main = K.random_sign_set(p["n_classifiers"], p["massart_n"], rng)
    Xe, Ae, Xm, Am = backend_arrays(ctx.backend, X_exact, A_exact, X_main, A_main)
    _symbolic(rec)
    _exact(rec, p, Xe, Ae, ctx.seed)
    _linear(rec, p, X_main, Xm, ctx.seed)
    _massart(rec, p, Am, ctx.seed)
    sweep = _rate(rec, p, ctx.backend, ctx.seed)
    with rec.step("Thm 3.3 bounds hold in simulation: failure frequency <= delta (random labels)", "numeric") as s:
        _coverage(rec, p, ctx.seed)
        s.ok = all(q.passed for q in rec.quantities if q.name.startswith("thm33_"))
        s.detail = f"{COVERAGE_SAMPLES} samples of n = {p['coverage_n']}, delta = {p['delta']}"
    n0, r, lam = p["n"], p["r"], p["Lambda"]
    rec.quantity_report("thm33_empirical_bound_at_n", T.bound_empirical_value(
        T.linear_bound_value(n0, r, lam), n0, p["delta"]), note="2 r Lambda/sqrt(n) + 3 sqrt(log(2/delta)/(2n))")
    if ctx.figures_dir is not None:
        from vacuity.proofs_checked.rademacher_linear.figures import draw as draw_linear

        path = draw_linear(Path(ctx.figures_dir), sweep, r=r, lam=lam, d=p["d"])
        rec.figures.append(f"figures/{path.name}")
    return rec.result(params=dict(p))
