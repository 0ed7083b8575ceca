"""Checked proof of Zhang et al. (2017), Theorem 1: symbolic -> numeric -> torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.kernels import expressivity as K
from vacuity.kernels.tolerances import mc_tolerance
from vacuity.proofs_checked.core.recorder import Recorder, backend_arrays
from vacuity.theory import expressivity as T

SYMBOLIC_MAX_N = 8  # the identities are proved for every n = 1..8
SWEEP_REPLICATES = 300
SWEEP_D = 16


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
    ]


def _symbolic(rec: Recorder) -> None:
    with rec.step("weight count 2n + d derived from the parameter shapes", "symbolic") as s:
        wc = T.weight_count()
        s.ok = wc == 2 * T.n + T.d
        s.detail = f"sum of the shapes of a (d x 1), b (n x 1), w (n x 1) = {wc}"
    with rec.step(f"Lemma 1 for every n <= {SYMBOLIC_MAX_N}", "symbolic") as s:
        proofs = [T.prove_lemma1(m) for m in range(1, SYMBOLIC_MAX_N + 1)]
        s.ok = all(p.holds for p in proofs)
        s.detail = ("interleaving as positive increments; A lower triangular with diagonal z_i - b_i; "
                    "charpoly = prod(lambda - (z_i - b_i)), so lambda_min = min_i (z_i - b_i)")
    with rec.step(f"recurrence derived for general n; equals the triangular solve for n <= {SYMBOLIC_MAX_N}",
                  "symbolic") as s:
        derived = T.recurrence_matches_formula()
        proofs = [T.prove_recurrence(m) for m in range(1, SYMBOLIC_MAX_N + 1)]
        s.ok = derived and all(p.holds for p in proofs)
        s.detail = ("row_i - row_{i-1} solved for w_i by sympy; A w_rec = y and w_rec = forward "
                    "substitution as rational-function identities in symbolic z, b, y")


def _sweep(rec: Recorder, theta: float, sweep_max: int, seed: int):
    """Lemma 1's eigenvalue min_i (z_i - b_i) and kappa vs n for one random direction on Gaussian data:
    the measured mean smallest gap against (1 - theta) 2 sqrt(pi) / (n (n - 1)), and its n^-2 rate."""
    sizes = K.sweep_sizes(sweep_max, SWEEP_D)
    rows: list[dict] = []
    with rec.step("Lemma 1 eigenvalue: mean smallest gap matches (1-theta) 2 sqrt(pi)/(n(n-1))", "numeric") as s:
        rows = K.min_gap_sweep(sizes, theta, SWEEP_REPLICATES, SWEEP_D, seed + 1, progress=rec.progress)
        ok = True
        for r in rows:
            q = rec.quantity_compare(f"min_gap_mean_n{r['n']}", r["gap_mean"], r["gap_predicted"],
                                     mc_tolerance(r["gap_se"]), note=f"{SWEEP_REPLICATES} replicates, 6 SE")
            ok = ok and q.passed
        rates = K.sweep_rates(rows)
        # the law is 1/(n(n-1)): its own slope over these sizes, which tends to the declared -2
        q = rec.quantity_compare("min_gap_rate_exponent", rates.gap_slope, rates.gap_slope_predicted,
                                 mc_tolerance(rates.gap_slope_se),
                                 note=f"log-log slope of the mean smallest gap (asymptotically "
                                      f"{T.MIN_SPACING_RATE_EXPONENT}), 6 SE")
        ok = ok and q.passed
        rec.quantity_report("kappa_growth_exponent", rates.kappa_slope,
                            note="log-log slope of median kappa vs n (no closed form; about 2 plus logs)")
        s.ok = ok
        s.detail = f"n = {sizes}, d = {SWEEP_D}, one random direction, {SWEEP_REPLICATES} replicates per n"
    return rows


def _fit(rec: Recorder, p: dict, setting, Xb, yb, seed: int):
    """The float64 memorizer of the data and its verification; None when it could not be built."""
    c = None
    rec.note(f"expressivity: constructing the memorizer for n = {p['n']}, d = {p['d']}")
    with rec.step("float64 memorizer fits the labels within its derived error bounds", "numeric") as s:
        c = K.construct(Xb, yb, theta=p["theta"], n_directions=p["n_directions"], seed=seed)
        v = K.verify(c, Xb, yb)
        rec.quantity_compare("weight_count", c.n_params, setting.weight_count if c.n == setting.n
                             else T.weight_count_numeric(c.n, c.d), 0,
                             note="parameters of the built network vs the derived 2n + d")
        rec.quantity_at_most("max_abs_residual", v["max_abs_residual"], v["tolerance"],
                             note="max |c(x_i) - y_i| of the float64 network vs the largest per-point bound")
        rec.quantity_at_most("backward_error", v["backward_error"], v["backward_error_bound"],
                             note="max_i |y - A w|_i / (|A||w|)_i in extended precision vs gamma-bound")
        rec.quantity_report("kappa", v["kappa"], note="max_i sum_j |w_j| (z_i - b_j)_+ / max|y|")
        rec.quantity_report("min_gap", v["min_gap"], note="Lemma 1: smallest eigenvalue min_i (z_i - b_i)")
        rec.quantity_report("min_gap_relative", v["min_gap_relative"], note="min gap / range of projections")
        rec.quantity_report("forward_error_units", v["forward_error_units"],
                            note="max residual / (eps * kappa * max|y|): the c in c eps kappa max|y|")
        if v["classes_ok"] is not None:
            rec.quantity_compare("misclassified_points", 0.0 if v["classes_ok"] else 1.0, 0.0, 0.0,
                                 note="nearest-label decoding of the float64 outputs")
        s.ok = v["passed"] and c.n_params == T.weight_count_numeric(c.n, c.d)
        s.detail = (f"{c.direction} direction ({c.candidates} tried), kappa = {v['kappa']:.3g}, "
                    f"min gap = {v['min_gap']:.3g}, backward ok = {v['backward_ok']}, "
                    f"forward ok = {v['forward_ok']}, same projections = {v['same_projections']}")
    return c


def _mpmath(rec: Recorder, c) -> None:
    with rec.step("extended-precision residual agrees with mpmath on every row", "numeric") as s:
        if c is None:
            raise RuntimeError("no memorizer was built")
        worst = K.mpmath_residual_ratio(c)
        rec.quantity_at_most("residual_vs_mpmath", worst, 1.0,
                             note=f"max |r_dd - r_mp| / err bound, mpmath at {K.MPMATH_PREC} bits")
        s.ok = worst <= 1.0
        s.detail = f"{c.n} rows, worst error / bound = {worst:.3g}"


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


def run(ctx):
    p = ctx.params
    setting = T.Setting(p["n"], p["d"], p["theta"])  # side conditions checked as the instance is built
    rec = Recorder(ctx)
    X, y = K.random_data(p["n"], p["d"], p["labels"], p["n_classes"], np.random.default_rng(ctx.seed))
    Xb, yb = backend_arrays(ctx.backend, X, y)  # first: an unavailable backend is bad input
    _symbolic(rec)
    c = _fit(rec, p, setting, Xb, yb, ctx.seed)
    _mpmath(rec, c)
    rec.note("expressivity: conditioning sweep")
    sweep = _sweep(rec, p["theta"], p["sweep_max"], ctx.seed)
    _torch(rec, c, X, y, p["labels"])
    if ctx.figures_dir is not None:
        from vacuity.proofs_checked.expressivity.figures import draw

        path = draw(Path(ctx.figures_dir), sweep, theta=p["theta"], seed=ctx.seed)
        rec.figures.append(f"figures/{path.name}")
    return rec.result(params=dict(p, n_distinct=c.n if c is not None else None))
