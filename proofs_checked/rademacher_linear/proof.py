"""Checked proof: R̂_S(H) <= r Λ / sqrt(n) for the linear class, Massart's lemma, and the Rademacher
generalization bounds (Mohri et al. Thm 3.3, 3.5, 3.7, 5.10): symbolic -> numeric."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sympy as sp

from vacuity.errors import BadInput
from vacuity.kernels import rademacher as K
from vacuity.kernels.rademacher import sweep_sizes as _sizes  # the sweep's sizes (tests import the name)
from vacuity.kernels.sampling import child_seed as _seed
from vacuity.kernels.tolerances import SIGMAS, exceedance_slack, lower_confidence_limit, mc_tolerance, tolerance
from vacuity.proofs_checked.core.recorder import Recorder, backend_arrays
from vacuity.theory import rademacher as T
from vacuity.theory.rates import fit_loglog_slope

SYMBOLIC_MAX_N = 6  # E||Σ σ_i x_i||^2 = Σ||x_i||^2 by enumerating all 2^n sign vectors, n = 1..6
SYMBOLIC_MAX_N_VARIANCE = 4  # Var||Σ σ_i x_i||^2 = 2 Σ_(i != j) <x_i, x_j>^2 by enumeration, n = 1..4
CUBE_MAX_N = 10  # Massart's tightness on the cube {-1, 1}^n, n = min(n_exact, 10): a 2^n x 2^n product
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
        # the enumeration must refuse ||sum x_i||^2 (cross terms kept), or it proves nothing
        refused = not T.prove_second_moment(3, claimed=T.wrong_second_moment)
        collapsed, trace = T.second_moment_general()
        s.ok = all(small) and refused and collapsed == trace
        s.detail = (f"enumerated (d = 2, symbolic points): {small}; ||sum x_i||^2 refused: {refused}; "
                    f"double sum with E sigma_i sigma_j -> {collapsed}")
    with rec.step(f"Jensen's gap is bounded: 1 - v/(2m^2) <= Rhat / (Lambda sqrt(m)/n) <= 1, with Var||sum sigma_i "
                  f"x_i||^2 = v = 2 sum_(i != j) <x_i, x_j>^2 (all 2^n signs, n <= {SYMBOLIC_MAX_N_VARIANCE})",
                  "symbolic") as s:
        var_ok = [T.prove_second_moment_variance(m) for m in range(1, SYMBOLIC_MAX_N_VARIANCE + 1)]
        var_refused = not T.prove_second_moment_variance(3, claimed=T.wrong_second_moment_variance)
        sandwich = T.prove_jensen_sandwich()
        s.ok = all(var_ok) and var_refused and sandwich.holds
        s.detail = (f"variance enumerated: {var_ok} (without the 2 refused: {var_refused}); sqrt(s^2) - q(s^2) = "
                    f"{sandwich.polynomial} >= 0 for s >= 0 ({sandwich.nonnegative}), so E sqrt(Y)/sqrt(EY) >= "
                    f"{sandwich.lower}")
    with rec.step("Jensen (sqrt concave) and ||x_i|| <= r give the stated r Lambda / sqrt(n)", "symbolic") as s:
        derived = T.derive_linear_bound()
        s.ok = T.sqrt_is_concave() and T.same_expression(derived, T.linear_bound())
        s.detail = f"derived {derived}, stated {T.linear_bound()}"
    with rec.step("Massart: min_t log N / t + t R_A^2 / 2 gives the stated R_A sqrt(2 log N) / n; "
                  "cosh t <= exp(t^2/2)", "symbolic") as s:
        t_star, derived = T.derive_massart()
        cosh = T.prove_cosh_below_gaussian()
        cube = T.derive_massart_cube_ratio()
        # a constant (the same for every n), equal to the stated 1/sqrt(2 log 2)
        cube_ok = (not cube.free_symbols
                   and abs(complex(cube) - T.massart_cube_ratio_stated()) <= tolerance(np.float64).bound(1.0))
        s.ok = cosh.holds and T.same_expression(derived, T.massart_bound()) and cube_ok
        s.detail = (f"t* = {t_star}; derived {derived}, stated {T.massart_bound()}; cosh t <= exp(t^2/2) for all "
                    f"t: coefficients of t^(2k), ratio r_k = 2^k k!/(2k)! has r_0 = 1 and r_(k+1)/r_k = "
                    f"{cosh.step} <= 1 for every k >= 0 (proved: {cosh.holds}), so r_k <= 1 by induction; on the "
                    f"cube {{-1, 1}}^n (Rhat = 1) the stated bound's tightness is {cube} (stated 1/sqrt(2 log 2): "
                    f"{cube_ok})")
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
    with rec.step("declared rate exponents equal the exponents of the derivations (not of the stated formulas); "
                  "the linear bound's elasticity is constant", "symbolic") as s:
        bounds = T.rated_bounds()  # a RatedBound refuses a declared rate its own stated expression does not have
        derived = T.derived_rates()
        mismatched = [b.name for b in bounds if sp.simplify(b.rate_exponent - derived.get(b.name, sp.nan)) != 0]
        elast = T.linear_bound_elasticity()
        lin = next(b for b in bounds if b.name == "rademacher_linear")
        s.ok = not mismatched and len(derived) == len(bounds) and sp.simplify(elast - lin.rate_exponent) == 0
        s.detail = (", ".join(f"{b.name}: declared n^{b.rate_exponent}, derived n^{derived.get(b.name)}"
                              for b in bounds)
                    + f"; n f'(n)/f(n) of r Lambda/sqrt(n) = {elast}; mismatched: {mismatched or 'none'}")



def _coverage(rec: Recorder, p: dict, seed: int) -> None:
    """Thm 3.3 in simulation (kernels.rademacher.random_label_sup_deviations): each form of the bound must
    fail on at most a fraction delta of samples, up to 6 binomial standard errors."""
    rng = np.random.default_rng(_seed(seed, 3))
    n, delta = p["coverage_n"], p["delta"]
    phi = K.random_label_sup_deviations(n, p["d"], p["r"], COVERAGE_SAMPLES, rng)
    comp_g = K.random_label_class_complexity(n, p["r"], p["Lambda"])
    # the complexity term fed to the bounds is the class's own, up to Jensen's gap: on one sample S of the
    # simulation, Rhat_S(G) = Rhat_S(H) / (2 r Lambda) (Monte Carlo, 6 SE) lies in [1 - v/(2m^2), 1] x comp_g
    X0 = K.sphere_points(n, p["d"], p["r"], np.random.default_rng(_seed(seed, 9)))
    est = K.mc_linear(X0, p["Lambda"], draws=p["draws"], seed=_seed(seed, 10)).rademacher
    scale = 2 * p["r"] * p["Lambda"]
    lower = T.jensen_ratio_lower_value(*K.linear_jensen_terms(X0))
    rec.quantity_at_most("thm33_complexity_mc_lower_vs_term", lower_confidence_limit(est.mean, est.se) / scale,
                         comp_g, note="Monte Carlo Rhat_S(G) - 6 SE <= the complexity term of the bounds")
    rec.quantity_at_least("thm33_complexity_mc_upper_vs_jensen", (est.mean + mc_tolerance(est.se)) / scale,
                          lower * comp_g, note=f"Monte Carlo Rhat_S(G) + 6 SE >= (1 - v/(2m^2)) x the term, "
                                               f"1 - v/(2m^2) = {lower:.4f}: the term is not loose")
    for name, bound in (("expected", T.bound_expected_value(comp_g, n, delta)),
                        ("empirical", T.bound_empirical_value(comp_g, n, delta))):
        freq = float(np.mean(phi > bound))
        rec.quantity_at_most(f"thm33_{name}_failure_rate", freq, delta + exceedance_slack(delta, COVERAGE_SAMPLES),
                             note=f"fraction of {COVERAGE_SAMPLES} samples (n = {n}) with sup_g (E g - E_S g) > "
                                  f"bound {bound:.4g}; allowed delta + 6 SE")
    sq = phi**2
    rec.quantity_compare("thm33_sup_deviation_second_moment", float(sq.mean()), K.random_label_second_moment(n),
                         mc_tolerance(float(sq.std(ddof=1)) / np.sqrt(sq.size)),
                         note="E phi^2 = E||sum y_i x_i||^2 / (4 r^2 n^2) = 1/(4n) exactly (6 SE): the simulated "
                              "sup deviation has its derived law")
    rec.quantity_report("thm33_sup_deviation_quantile", float(np.quantile(phi, 1 - delta)),
                        note="(1 - delta) quantile of sup_g (E g - E_S g), against the bounds above")


def _check_params(p: dict) -> None:
    T.check_delta(p["delta"])
    if p["sweep_max"] <= 4 * p["sweep_min"]:
        # sizes are sweep_min, 4x apart, then sweep_max: a slope with a standard error needs three
        raise BadInput(f"the rate sweep needs at least three sizes: sweep_max = {p['sweep_max']} must exceed "
                       f"4 x sweep_min = {4 * p['sweep_min']}")



def _negative_controls(rec: Recorder) -> None:
    """Last (it is the slowest symbolic step, and a check of the prover rather than of a formula): the
    comparisons above are worth something only if the prover refuses formulas that are almost right."""
    with rec.step("the prover refuses the near misses of every derived formula (a constant c -> c + 1, n -> n^2)",
                  "symbolic") as s:
        tried, accepted = 0, []
        for derived_expr in (T.derive_linear_bound(), T.derive_massart()[1], T.derive_bound_expected(),
                             T.derive_bound_empirical(), T.derive_bound_binary_expected(), T.derive_bound_binary()):
            k, acc = T.accepted_near_misses(derived_expr)
            tried, accepted = tried + k, accepted + acc
        s.ok = tried > 0 and not accepted
        s.detail = f"{tried} near misses tried, accepted: {accepted or 'none'}"


def _sign_law(rec: Recorder, p: dict, seed: int) -> None:
    """The sampler behind every Monte Carlo estimate draws iid uniform ±1 signs: support, balance,
    independence along a vector and between vectors, each against its exact law (6 SE)."""
    k, n = p["draws"], p["massart_n"]
    with rec.step(f"the sign sampler draws uniform +-1 signs ({k} vectors of {n}): support, mean, "
                  "neighbour products and pairwise agreement at their exact laws", "numeric") as s:
        law = K.sign_law(K.sign_draws(k, n, _seed(seed, 8)))
        qs = [
            rec.quantity_compare("sign_off_support", law.off_support, 0, 0, note="entries outside {-1, +1}"),
            rec.quantity_compare("sign_mean", law.mean, 0.0, mc_tolerance(law.mean_se),
                                 note="grand mean, 0 +- 6/sqrt(k n)"),
            rec.quantity_compare("sign_lag_product", law.lag_product, 0.0, mc_tolerance(law.lag_se),
                                 note="mean of sigma_i sigma_(i+1), 0 +- 6/sqrt(k (n - 1))"),
            rec.quantity_compare("sign_draw_mean_max", law.max_draw_mean, 0.0, law.draw_limit * law.draw_mean_se,
                                 note=f"largest |mean| of one vector, {law.draw_limit:.2f} SE of 1/sqrt(n) "
                                      "(6 SE, Bonferroni over the vectors)"),
            rec.quantity_compare("sign_agreement_gap_max", law.max_agreement_gap, 0.0,
                                 law.pair_limit * law.agreement_se,
                                 note=f"largest |agreement - 1/2| of two vectors, {law.pair_limit:.2f} SE of "
                                      "1/(2 sqrt(n)) (Bonferroni over the pairs)"),
        ]
        s.ok = all(q.passed for q in qs)
        s.detail = (f"off support {law.off_support}; mean {law.mean:+.2g}; neighbour products {law.lag_product:+.2g}; "
                    f"max |vector mean| {law.max_draw_mean:.3g}; max |agreement - 1/2| {law.max_agreement_gap:.3g}")


def _premises(rec: Recorder, p: dict, points: dict, classes: dict) -> None:
    """The sampled settings are the ones the bounds speak of: the points lie on the sphere of radius r
    (||x_i|| <= r is the linear bound's premise; = r is what makes it tight), and each finite class has its
    N different classifiers (Massart's log N), up to the repeats N uniform draws from the cube allow."""
    with rec.step("the constructions meet the premises: every ||x_i|| = r up to rounding, and the finite "
                  "classes have N distinct rows up to chance collisions (6 SD)", "numeric") as s:
        qs, parts = [], []
        for name, X in points.items():
            top, gap, bound = K.sphere_norm_gap(X, p["r"])
            qs.append(rec.quantity_at_most(f"{name}_max_norm_over_r", top, 1.0 + bound,
                                           note="max ||x_i|| / r <= 1 + gamma_(2d+4): the premise ||x_i|| <= r"))
            qs.append(rec.quantity_compare(f"{name}_norm_gap", gap, 0.0, bound,
                                           note="max | ||x_i|| / r - 1 |: the points lie on the sphere"))
            parts.append(f"{name}: max ||x||/r = {top:.17g}")
        for name, A in classes.items():
            size, n_pts = A.shape
            distinct = K.distinct_rows(A)
            limit = T.repeated_rows_limit(size, n_pts, SIGMAS)
            qs.append(rec.quantity_at_most(f"{name}_repeated_rows", size - distinct, limit,
                                           note=f"N - distinct rows of {size} sign vectors on {n_pts} points <= "
                                                f"E C + 6 SD(C), C the colliding pairs: |A| = N reached Massart"))
            parts.append(f"{name}: {distinct} distinct of {size}")
        s.ok = all(q.passed for q in qs)
        s.detail = "; ".join(parts)


def _exact(rec: Recorder, p: dict, X_exact, Xe, Ae, seed: int) -> None:
    rec.note("rademacher-linear: Monte Carlo against exact enumeration")
    r, lam, d, ne = p["r"], p["Lambda"], p["d"], p["n_exact"]
    with rec.step(f"Monte Carlo Rhat equals the exact E_sigma over all 2^{ne} sign vectors (mean and variance, "
                  "6 SE); the bound's tightness is inside Jensen's sandwich; Massart's on the cube is 1/sqrt(2 log 2)",
                  "numeric") as s:
        exact = K.exact_linear_moments(Xe, lam)
        est = K.mc_linear(Xe, lam, draws=p["draws_exact"], seed=_seed(seed, 1)).rademacher
        bound = T.linear_bound_value(ne, r, lam)
        m, v = K.linear_jensen_terms(X_exact)
        lower = T.jensen_ratio_lower_value(m, v)
        m_enum, v_enum = K.exact_sign_sum_moments(Xe)
        qs = [
            rec.quantity_compare("jensen_m_vs_enumeration", m, m_enum, tolerance(np.float64).bound(m_enum),
                                 note="m = sum ||x_i||^2 vs E||sum sigma_i x_i||^2 over all 2^n signs"),
            rec.quantity_compare("jensen_v_vs_enumeration", v, v_enum, tolerance(np.float64).bound(m_enum**2),
                                 note="v = 2 sum_(i != j) <x_i, x_j>^2 vs Var||sum sigma_i x_i||^2 over all 2^n "
                                      "signs (tolerance relative to m^2, the size of the summed terms)"),
            rec.quantity_compare("linear_mc_vs_exact", est.mean, exact.mean, mc_tolerance(est.se),
                                 note=f"n = {ne}, d = {d}, {est.draws} draws"),
            rec.quantity_compare("linear_mc_variance_vs_exact", est.se**2 * est.draws, exact.variance,
                                 mc_tolerance(exact.sample_variance_se(est.draws)),
                                 note="sample variance of Lambda ||sum sigma_i x_i|| / n vs its exact variance; SE "
                                      "from the exact fourth central moment"),
            rec.quantity_at_most("linear_exact_ratio_vs_1", exact.mean / bound, 1.0 + tolerance(np.float64).bound(1.0),
                                 note="exact Rhat_S(H) / (r Lambda / sqrt(n)) <= 1 (Jensen; ||x_i|| = r), up to "
                                      "float64 rounding"),
            rec.quantity_at_least("linear_exact_ratio_vs_jensen_lower", exact.mean / bound, lower,
                                  note=f"... >= 1 - v/(2 m^2) = {lower:.4f}: the bound is as tight as derived"),
        ]
        # the enumerator's two closed forms: one vector a has E <sigma, a> = 0 (a half cube would give
        # -a_n / n), the cube has Rhat = 1 (below)
        qs.append(rec.quantity_compare("finite_exact_single_vector", K.exact_finite(Ae[:1]), 0.0,
                                       tolerance(np.float64).bound(1.0),
                                       note="exact Rhat of A = {a}: E_sigma <sigma, a> / n = 0"))
        exact_f = K.exact_finite(Ae)
        mc_f = K.mc_finite(Ae, draws=p["draws_exact"], seed=_seed(seed, 2))
        qs.append(rec.quantity_compare("finite_mc_vs_exact", mc_f.mean, exact_f, mc_tolerance(mc_f.se),
                                       note=f"{p['n_classifiers']} random sign vectors on n = {ne} points"))
        qs.append(rec.quantity_at_most("massart_exact_vs_bound", exact_f, T.massart_value(np.sqrt(ne),
                                                                                          p["n_classifiers"], ne),
                                       note="exact Rhat_S(A) <= max||a|| sqrt(2 log |A|) / n, max||a|| = sqrt(n) "
                                            "(random A: no exact value to compare the bound with)"))
        nc = min(ne, CUBE_MAX_N)
        (cube,) = backend_arrays(rec.ctx.backend, K.rademacher_cube(nc))
        cube_ratio = K.exact_finite(cube) / T.massart_value(np.sqrt(nc), 2**nc, nc)
        qs.append(rec.quantity_compare("massart_cube_tightness", cube_ratio, T.massart_cube_ratio_stated(),
                                       tolerance(np.float64).bound(1.0),
                                       note=f"A = {{-1, 1}}^{nc}: exact Rhat (= 1) / Massart = 1/sqrt(2 log 2)"))
        s.ok = all(q.passed for q in qs)
        s.detail = (f"linear: exact {exact.mean:.6g}, MC {est.mean:.6g} +- {est.se:.2g}; ratio to the bound "
                    f"{exact.mean / bound:.4f} in [{lower:.4f}, 1]; finite: exact {exact_f:.6g}, "
                    f"MC {mc_f.mean:.6g} +- {mc_f.se:.2g}; cube tightness {cube_ratio:.6f}")


def _linear(rec: Recorder, p: dict, X_main, Xm, seed: int) -> None:
    r, lam = p["r"], p["Lambda"]
    with rec.step(f"at n = {p['n']}: E||sum sigma_i x_i||^2 = sum ||x_i||^2, and Rhat / (r Lambda / sqrt(n)) lies in "
                  "Jensen's sandwich [1 - v/(2m^2), 1] (6 SE)", "numeric") as s:
        est = K.mc_linear(Xm, lam, draws=p["draws"], seed=_seed(seed, 4))
        q1 = rec.quantity_compare("second_moment", est.second_moment.mean, K.second_moment_exact(X_main),
                                  mc_tolerance(est.second_moment.se),
                                  note="Monte Carlo vs the derived sum ||x_i||^2, 6 SE")
        bound = T.linear_bound_value(p["n"], r, lam)
        m, v = K.linear_jensen_terms(X_main)
        lower = T.jensen_ratio_lower_value(m, v)
        rad = est.rademacher
        q2 = rec.quantity_at_most("linear_mc_lower_vs_bound", lower_confidence_limit(rad.mean, rad.se), bound,
                                  note="Monte Carlo Rhat - 6 SE <= r Lambda / sqrt(n)")
        q3 = rec.quantity_at_least("linear_mc_upper_vs_jensen_lower", rad.mean + mc_tolerance(rad.se),
                                   lower * bound, note=f"Monte Carlo Rhat + 6 SE >= (1 - v/(2m^2)) r Lambda / sqrt(n), "
                                                       f"1 - v/(2m^2) = {lower:.4f}")
        rec.quantity_report("linear_mc", rad.mean, note=f"SE {rad.se:.3g}")
        rec.quantity_report("linear_jensen_ratio", rad.mean / bound,
                            note="Rhat / (r Lambda / sqrt(n)): points on the sphere, so only Jensen's gap is lost")
        s.ok = q1.passed and q2.passed and q3.passed
        s.detail = f"Rhat = {rad.mean:.6g} +- {rad.se:.2g}, bound {bound:.6g}, Jensen's lower side {lower * bound:.6g}"


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
        weights = (means / ses) ** 2
        slope, slope_se = fit_loglog_slope(ns, means, weights=weights)
        # the prediction: the stated bound's exact elasticity n f'(n)/f(n) at the sizes, averaged with the
        # fit's leverage (constant for r Lambda / sqrt(n): proved in the rate step)
        predicted = T.linear_bound_slope_over(ns, weights, r, lam)
        elast = T.linear_bound_elasticity()
        q = rec.quantity_compare("rate_exponent", slope, predicted, mc_tolerance(slope_se),
                                 note=f"weighted fit over n = {sizes} vs the stated bound's exact slope there "
                                      f"(elasticity {elast}); band = 6 x slope SE {slope_se:.2g}")
        s.ok = q.passed and len(sizes) >= 3
        s.detail = f"slope {slope:.4f} +- {slope_se:.2g} vs the bound's exact slope {predicted:.6g}"
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
    _sign_law(rec, p, ctx.seed)
    _premises(rec, p, {"points_exact": X_exact, "points_main": X_main},
              {"class_exact": A_exact, "class_massart": A_main})
    _exact(rec, p, X_exact, Xe, Ae, ctx.seed)
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
    _negative_controls(rec)
    if ctx.figures_dir is not None:
        from vacuity.proofs_checked.rademacher_linear.figures import draw as draw_linear

        path = draw_linear(Path(ctx.figures_dir), sweep, r=r, lam=lam, d=p["d"])
        rec.figures.append(f"figures/{path.name}")
    return rec.result(params=dict(p))
