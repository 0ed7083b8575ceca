"""Checked proof of Zhang et al. (2017), Theorem 1: symbolic -> numeric -> torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.kernels import expressivity as K
from vacuity.kernels.tolerances import SIGMAS, mc_tolerance
from vacuity.proofs_checked.core.recorder import Recorder, backend_arrays
from vacuity.theory import expressivity as T

NEGATIVE_MAX_N = 3  # the provers must refute the counterexample (kinks past their points) for n = 1..3
SWEEP_D = 16
SHARPNESS_N = 1000  # rows of the adversarial recurrence on which the admissible bound's sharpness is measured
SHARPNESS_REL_TOL = 2.0**-16
"""Relative tolerance of the sharpness ratio: what the first-order prediction leaves out is below
ADVERSARIAL_SHORTFALL = 2^-20 (each sum rounds up by at least (1 - 2^-20) u) plus O(n u) ~ 1e-13 (the
divisions' roundings, the bound's own float evaluation); 2^-16 leaves a factor 16 of margin, while a
bound off by any constant factor >= 1.01 moves the ratio by >= 1 %."""


def math():
    """(caption, MathML) pairs for the report: sympy's presentation MathML of the derived objects."""
    import sympy as sp
    from sympy.printing.mathml import mathml

    wi, sol = T.recurrence()
    alpha, beta = T.slope_recurrence()
    idx = sp.Symbol("i", integer=True, positive=True)
    ib = {name: sp.IndexedBase(name) for name in ("w", "z", "b", "y", "S", "T")}
    # the derivation uses plain symbols named like z_{i-1}; display them as indexed objects
    subs = {}
    for sym in (sol.free_symbols | alpha.free_symbols | beta.free_symbols | {wi}):
        base, _, sub = sym.name.partition("_")
        subs[sym] = ib[base][idx - 1] if sub == "{i-1}" else ib[base][idx]
    S = ib["S"]
    E_gap = sp.Function("mean")(sp.Symbol("g_min"))

    def pm(expr):
        return mathml(expr, printer="presentation")

    lam_min = sp.Function("lambda_min")(sp.Symbol("A"))
    zi, bi = ib["z"][idx], ib["b"][idx]
    return [
        ("Network", pm(sp.Eq(sp.Function("c")(sp.Symbol("x")), T.network_expression()))),
        ("Lemma 1: for b_1 < z_1 < ... < b_n < z_n, A_ij = max(z_i - b_j, 0) is lower triangular with "
         "diagonal z_i - b_i, so", pm(sp.Eq(lam_min, sp.Function("min")(zi - bi)))),
        ("Weight count, derived from the parameter shapes a (d x 1), b (n x 1), w (n x 1)",
         pm(sp.Eq(sp.Symbol("N_weights"), T.weight_count()))),
        ("Recurrence: rows i and i-1 of A w = y", pm(sp.Eq(wi.subs(subs), sol.subs(subs)))),
        ("Slope form scanned by the kernel", pm(sp.Eq(S[idx], (alpha * S[idx - 1] + beta).subs(subs)))),
        ("Lemma 1 eigenvalue scale: mean smallest gap of n Gaussian projections",
         pm(sp.Eq(E_gap, T.gaussian_min_spacing_mean()))),
        ("Admissible residual of row i (backward error of the recurrence), TV_i the labels' variation, "
         "K_i = (|A||w|)_i", pm(sp.Eq(sp.Symbol("r_max"), T.admissible_bound()))),
    ]


def _symbolic(rec: Recorder, max_n: int) -> None:
    with rec.step("weight count 2n + d derived from the parameter shapes", "symbolic") as s:
        wc = T.weight_count()
        s.ok = wc == 2 * T.n + T.d
        s.detail = f"sum of the shapes of a (d x 1), b (n x 1), w (n x 1) = {wc}"
    with rec.step(f"Lemma 1 for every n <= {max_n}; refuted for kinks past their points (n <= {NEGATIVE_MAX_N})",
                  "symbolic") as s:
        proofs = [T.prove_lemma1(m) for m in range(1, max_n + 1)]
        refuted = [not T.prove_lemma1(m, late=True).holds for m in range(1, NEGATIVE_MAX_N + 1)]
        s.ok = all(p.holds for p in proofs) and all(refuted)
        s.detail = ("interleaving as positive increments; A lower triangular with diagonal z_i - b_i; "
                    "charpoly = prod(lambda - (z_i - b_i)), so lambda_min = min_i (z_i - b_i); the same "
                    f"prover rejects z_1 < b_1 < z_2 < ... (refuted for n = 1..{NEGATIVE_MAX_N}: {all(refuted)})")
    with rec.step(f"recurrence derived for general n; equals the triangular solve for n <= {max_n}; "
                  f"fails for kinks past their points (n <= {NEGATIVE_MAX_N})", "symbolic") as s:
        derived = T.recurrence_matches_formula()
        # the comparison must refuse a near miss (denominator z_i - b_{i-1}), or its True proves nothing
        near_miss_refused = not T.recurrence_matches_formula(T.recurrence_near_miss())
        proofs = [T.prove_recurrence(m) for m in range(1, max_n + 1)]
        refuted = [not T.prove_recurrence(m, late=True).holds for m in range(1, NEGATIVE_MAX_N + 1)]
        s.ok = derived and near_miss_refused and all(p.holds for p in proofs) and all(refuted)
        s.detail = ("row_i - row_{i-1} solved for w_i by sympy and equal to the stated form (a near miss with "
                    f"denominator z_i - b_(i-1) refused: {near_miss_refused}); A w_rec = y and w_rec = forward "
                    "substitution as rational-function identities in symbolic z, b, y; with the kinks "
                    f"past their points A is singular and the prover says so (n = 1..{NEGATIVE_MAX_N}: "
                    f"{all(refuted)})")


def _data_law(rec: Recorder, p: dict, X, y) -> None:
    with rec.step("the data follow the stated law (standard normal points; labels uniform over the "
                  "classes, or standard normal)", "numeric") as s:
        law = K.data_law(X, y, p["labels"], p["n_classes"])
        qs = [rec.quantity_compare("data_x_mean", law["x_mean"], 0.0, SIGMAS * law["x_mean_se"]),
              rec.quantity_compare("data_x_variance", law["x_var"], 1.0, SIGMAS * law["x_var_se"])]
        if p["labels"] == "classes":
            qs.append(rec.quantity_compare("data_labels_outside_classes", law["labels_outside"], 0, 0))
            # judged when a class goes missing by chance no more often than a 6-SE check fails (~1e-9 to 1e-8)
            if law["class_missing_chance"] <= 1e-8:
                qs.append(rec.quantity_compare("data_classes_seen", law["classes_seen"], p["n_classes"], 0,
                                               note=f"chance of a class missing: {law['class_missing_chance']:.2g}"))
            else:
                rec.quantity_report("data_classes_seen", law["classes_seen"],
                                    note="too few points for every class to appear with certainty")
        else:
            qs += [rec.quantity_compare("data_y_mean", law["y_mean"], 0.0, SIGMAS * law["y_mean_se"]),
                   rec.quantity_compare("data_y_variance", law["y_var"], 1.0, SIGMAS * law["y_var_se"])]
        s.ok = all(q.passed for q in qs)
        s.detail = f"{np.asarray(X).size} point coordinates, {np.asarray(y).size} labels ({p['labels']})"


def _fit(rec: Recorder, p: dict, setting, Xb, yb, seed: int):
    """The float64 memorizer of the data and its verification; None when it could not be built."""
    c = None
    rec.note(f"expressivity: constructing the memorizer for n = {p['n']}, d = {p['d']}")
    with rec.step("float64 memorizer fits the labels within its derived error bounds", "numeric") as s:
        c = K.construct(Xb, yb, theta=p["theta"], n_directions=p["n_directions"], seed=seed)
        v = K.verify(c, Xb, yb)
        ok = True
        q = rec.quantity_compare("weight_count", c.n_params, setting.weight_count if c.n == setting.n
                                 else T.weight_count_numeric(c.n, c.d), 0,
                                 note="parameters of the built network vs the derived 2n + d")
        ok = ok and q.passed
        q = rec.quantity_at_most("kink_position_error", K.kink_position_error(c, p["theta"]), 1.0,
                                 note=f"max_i |b_i - z_(i-1) - theta (z_i - z_(i-1))| / its rounding bound, "
                                      f"theta = {p['theta']}")
        ok = ok and q.passed
        q = rec.quantity_at_most("first_kink_error", K.first_kink_error(c, p["theta"]), 1.0,
                                 note="|b_1 - (z_1 - (1 - theta) mean gap)| / its rounding bound")
        ok = ok and q.passed
        if c.direction == "random":
            rank = K.direction_rank(Xb, yb, c, n_directions=p["n_directions"], theta=p["theta"],
                                    seed=seed)
            q = rec.quantity_compare("direction_rank", rank, 0, 0,
                                     note=f"candidates of the {p['n_directions']} drawn that are usable and "
                                          "score higher (min gap / range) than the chosen direction")
            ok = ok and q.passed
        q = rec.quantity_at_most("max_abs_residual", v["max_abs_residual"], v["tolerance"],
                                 note="max |c(x_i) - y_i| of the float64 network vs the largest per-point bound")
        ok = ok and q.passed
        q = rec.quantity_at_most("backward_error", v["backward_error"], v["backward_error_bound"],
                                 note="max_i |y - A w|_i / (|A||w|)_i in extended precision vs gamma-bound")
        ok = ok and q.passed
        rec.quantity_report("kappa", v["kappa"], note="max_i sum_j |w_j| (z_i - b_j)_+ / max|y|")
        rec.quantity_report("min_gap", v["min_gap"], note="Lemma 1: smallest eigenvalue min_i (z_i - b_i)")
        rec.quantity_report("min_gap_relative", v["min_gap_relative"], note="min gap / range of projections")
        rec.quantity_report("forward_error_units", v["forward_error_units"],
                            note="max residual / (eps * kappa * max|y|): the c in c eps kappa max|y| (no "
                                 "derived value; shown, not judged)")
        if v["classes_ok"] is not None:
            q = rec.quantity_compare("misclassified_points", 0.0 if v["classes_ok"] else 1.0, 0.0, 0.0,
                                     note="nearest-label decoding of the float64 outputs")
            ok = ok and q.passed
        s.ok = ok and v["passed"] and c.n_params == T.weight_count_numeric(c.n, c.d)
        s.detail = (f"{c.direction} direction ({c.candidates} tried), kappa = {v['kappa']:.3g}, "
                    f"min gap = {v['min_gap']:.3g}, backward ok = {v['backward_ok']}, "
                    f"forward ok = {v['forward_ok']}, same projections = {v['same_projections']}")
    return c


def _settings(rec: Recorder, p: dict, Xb, yb, seed: int) -> None:
    """The settings reach the construction whatever values the run was given: a second memorizer of
    (up to) the first 200 points, at theta / 2 and n_directions + 1 (so never at the defaults' values
    for both), must put its kinks at theta / 2 and choose the best of n_directions + 1 candidates."""
    theta2, k2 = p["theta"] / 2, p["n_directions"] + 1
    with rec.step(f"settings reach the construction (theta / 2 = {theta2:g}, n_directions + 1 = {k2})",
                  "numeric") as s:
        m = min(p["n"], 200)
        X2, y2 = Xb[:m], yb[:m]
        c2 = K.construct(X2, y2, theta=theta2, n_directions=k2, seed=seed + 2)
        ok = rec.quantity_at_most("kink_position_error_half_theta", K.kink_position_error(c2, theta2), 1.0,
                                  note=f"the same check on a memorizer built with theta = {theta2:g}").passed
        if c2.direction == "random":
            rank = K.direction_rank(X2, y2, c2, n_directions=k2, theta=theta2, seed=seed + 2)
            ok = rec.quantity_compare("direction_rank_more_directions", rank, 0, 0,
                                      note=f"the same check with n_directions = {k2}").passed and ok
        s.ok = ok
        s.detail = f"{c2.n} points, {c2.direction} direction ({c2.candidates} tried)"


def _mpmath(rec: Recorder, c) -> None:
    with rec.step("extended-precision residual agrees with mpmath on every row, as tightly as it claims",
                  "numeric") as s:
        if c is None:
            raise RuntimeError("no memorizer was built")
        acc = K.mpmath_residual_check(c)
        floor = K.residual_tightness_floor(acc.rounded_rows)
        ok = rec.quantity_at_most("residual_vs_mpmath", acc.worst_ratio, 1.0,
                                  note=f"max |r_dd - r_mp| / err bound, mpmath at {K.MPMATH_PREC} bits").passed
        if acc.rounded_rows:
            q = rec.quantity_at_least("residual_vs_mpmath_tightness", acc.worst_ratio, floor,
                                      note=f"the same max, at least the floor for {acc.rounded_rows} rows "
                                           "rounded once (false-failure rate 1e-9 under the standard model "
                                           "of rounding)")
            ok = ok and q.passed
        s.ok = ok
        s.detail = (f"{c.n} rows ({acc.rounded_rows} not exact in float64), worst error / bound = "
                    f"{acc.worst_ratio:.3g}, derived range [{floor:.3g}, 1]")


def _sharpness(rec: Recorder) -> None:
    with rec.step(f"admissible residual bound is valid and sharp on the adversarial recurrence "
                  f"(n = {SHARPNESS_N})", "numeric") as s:
        sh = K.admissible_sharpness(SHARPNESS_N)
        predicted = np.asarray(T.adversarial_sharpness_fn()(sh.rows.astype(np.float64), sh.tv, sh.abs_rows),
                               dtype=np.float64)
        ratio = sh.ratio
        worst = float(np.max(ratio))
        q1 = rec.quantity_at_most("adversarial_residual_vs_bound", worst, 1.0,
                                  note="max_i exact r_i / admissible_i of the sequential solve")
        q2 = rec.quantity_compare("admissible_sharpness", float(ratio[-1]), float(predicted[-1]),
                                  SHARPNESS_REL_TOL * float(predicted[-1]),
                                  note="exact r_n / admissible_n vs u(n-1)(n-2)/2 / (gamma_4 TV_n + "
                                       "gamma_(n+3) K_n), the first-order worst case (about 1/2)")
        s.ok = q1.passed and q2.passed
        s.detail = (f"row {SHARPNESS_N}: residual / bound = {ratio[-1]:.9g}, derived {predicted[-1]:.9g}; "
                    f"max over rows {worst:.6g}")


def _torch(rec: Recorder, c, X, y, labels: str) -> None:
    rec.note("expressivity: torch module")
    with rec.step("torch nn.Module with exactly 2n + d parameters reproduces the labels", "torch") as s:
        import torch

        from vacuity.sims.expressivity import Memorizer

        if c is None:
            raise RuntimeError("no memorizer was built")
        net = Memorizer(c).to_torch(dtype=torch.float64)
        count = sum(t.numel() for t in net.parameters())
        with torch.no_grad():
            out = net(torch.as_tensor(X, dtype=torch.float64)).numpy()
        tol = K.torch_tolerance(c, X, K.kink_segments(c, X))
        resid = np.abs(out - y)
        rec.quantity_compare("torch_param_count", count, T.weight_count_numeric(c.n, c.d), 0)
        rec.quantity_at_most("torch_max_abs_residual", float(resid.max()), float(tol.max()),
                             note="per-point bound: solve + direct-sum rounding + recomputed projection")
        per_point = bool(np.all(resid <= tol))
        if labels == "classes":
            pred = K.nearest_labels(out, np.unique(y))
            rec.quantity_compare("torch_misclassified_points", float(np.sum(pred != y)), 0.0, 0.0)
            per_point = per_point and bool(np.all(pred == y))
        s.ok = per_point and count == T.weight_count_numeric(c.n, c.d)
        s.detail = f"{count} parameters, max residual {resid.max():.3g}, every point within its bound: {per_point}"


def _sweep(rec: Recorder, theta: float, sweep_max: int, seed: int):
    """Lemma 1's eigenvalue min_i (z_i - b_i) vs n for one random direction on Gaussian data: the
    pooled law constant (replicates for a stated power), the mean at each n, and its n^-2 rate."""
    sizes = K.sweep_sizes(sweep_max, SWEEP_D)
    total = K.law_replicates()
    per_size = -(-total // len(sizes))
    rows: list[dict] = []
    with rec.step("Lemma 1 eigenvalue: mean smallest gap matches (1-theta) 2 sqrt(pi)/(n(n-1))", "numeric") as s:
        rows = K.min_gap_sweep(sizes, theta, per_size, SWEEP_D, seed + 1, progress=rec.progress)
        mean, se = K.law_constant(rows)
        constant = T.min_gap_constant(theta)
        ok = rec.quantity_compare("min_gap_law_constant", mean, constant, mc_tolerance(se),
                                  note=f"mean of gap n(n-1) over {per_size * len(sizes)} replicates vs "
                                       f"(1-theta) 2 sqrt(pi), 6 SE; detects a "
                                       f"{K.LAW_REL_ERROR:.0%} error with probability >= {K.LAW_POWER}").passed
        for r in rows:
            q = rec.quantity_compare(f"min_gap_mean_n{r['n']}", r["gap_mean"], r["gap_predicted"],
                                     mc_tolerance(r["gap_se"]), note=f"{per_size} replicates, 6 SE")
            ok = ok and q.passed
        rates = K.sweep_rates(rows)
        # the law is 1/(n(n-1)): its own slope over these sizes, which tends to the declared -2
        q = rec.quantity_compare("min_gap_rate_exponent", rates.gap_slope, rates.gap_slope_predicted,
                                 mc_tolerance(rates.gap_slope_se),
                                 note=f"log-log slope of the mean smallest gap (asymptotically "
                                      f"{T.MIN_SPACING_RATE_EXPONENT}), 6 SE")
        ok = ok and q.passed
        rec.quantity_report("kappa_growth_exponent", rates.kappa_slope,
                            note=f"log-log slope of median kappa vs n over {K.KAPPA_REPLICATES} memorizers "
                                 "per n (no closed form; about 2 plus logs)")
        s.ok = ok
        s.detail = (f"n = {sizes}, d = {SWEEP_D}, one random direction, {per_size} replicates per n "
                    f"({total} needed for the stated power)")
    return rows


def run(ctx):
    p = ctx.params
    setting = T.Setting(p["n"], p["d"], p["theta"])  # side conditions checked as the instance is built
    rec = Recorder(ctx)
    X, y = K.random_data(p["n"], p["d"], p["labels"], p["n_classes"], np.random.default_rng(ctx.seed))
    Xb, yb = backend_arrays(ctx.backend, X, y)  # first: an unavailable backend is bad input
    _symbolic(rec, p["symbolic_max_n"])
    _data_law(rec, p, X, y)
    c = _fit(rec, p, setting, Xb, yb, ctx.seed)
    _settings(rec, p, Xb, yb, ctx.seed)
    _mpmath(rec, c)
    _sharpness(rec)
    _torch(rec, c, X, y, p["labels"])
    rec.note("expressivity: conditioning sweep")
    sweep = _sweep(rec, p["theta"], p["sweep_max"], ctx.seed)
    if ctx.figures_dir is not None:
        from vacuity.proofs_checked.expressivity.figures import draw

        path = draw(Path(ctx.figures_dir), sweep, theta=p["theta"], seed=ctx.seed)
        rec.figures.append(f"figures/{path.name}")
    return rec.result(params=dict(p, n_distinct=c.n if c is not None else None))
