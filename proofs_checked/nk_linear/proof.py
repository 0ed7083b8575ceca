"""Checked proof of Nagarajan & Kolter (2019)'s linear counterexample: symbolic -> numeric -> torch.

Numeric tolerances, all derived (docs/derivations/nk_linear.md, sections 9-11):
* empirical test error on N fresh points vs the exact conditional error p given w: the two-sided
  binomial(N, p) tail at level BINOM_LEVEL (exact quantiles); the empirical ramp loss: SIGMAS standard
  errors of a mean of [0, 1] losses, Var <= p (1 - p);
* a single training set's ||w2||^2, mean margins, test-margin law: SIGMAS standard deviations of their
  derived laws;
* the replicate statistics (``reps`` independent training sets per sampler at (rep_n, rep_D)): SIGMAS
  standard errors from the derived variances of the per-set statistics
  (T.replicate_statistic_moments); ``reps`` is chosen so that each detects a 10% error with
  probability >= Tol.POWER (the detectable error at the given ``reps`` is in each quantity's note);
* Monte Carlo E_w test error: SIGMAS standard errors estimated from the replicates;
* rounding: the brute force's Gram identity and every sampler's sum identity (sum of the noise margins
  = ||w2||^2) within derived gamma_k bounds (worst-case, not sharp on random data: the measured error
  in units of the bound is recorded, a valid bound must give <= 1);
* two-sample KS tests between samplers at level KS_LEVEL each (KS_TESTS tests: family-wise false failure
  probability <= KS_TESTS * KS_LEVEL = 9e-7);
* train error 0, S' error 1, test error <= eps and the lemma's gap are the theorem's conclusions: judged
  exactly when D meets the derived sufficient condition (the premise), reported otherwise (the step's
  verdict is then premise-unmet, and the CLI exits 3).

The formulas of these tolerances and rounding bounds are in vacuity.kernels.nk_linear_tolerances, the
replicate statistics in vacuity.kernels.nk_linear; here only their order, levels and verdicts.
"""

from __future__ import annotations

import math as pymath
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
FIGURE_NS = (64, 128, 256, 512, 1024, 2048, 4096)
FIGURE_RATIOS = (100, 400)  # D / n
FIGURE_REPS = 200
SPOT_SEED = 12345  # the numeric spot checks of the symbolic steps


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
        ("Learned weights: one gradient step from zero on -(1/n) sum y_i <w, x_i> with step sizes c'/c "
         "(signal block) and n (noise block)",
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
        ("Ramp loss L^(gamma) of a N(mu, tau^2) margin",
         pm(T.ramp_expectation(sp.Symbol("mu"), sp.Symbol("tau", positive=True)))),
        ("Rank-one reduction: (G1)_i =d R + sigma sqrt(nR)(g_i - gbar), R = sigma^2 chi^2_D",
         pm(sp.Eq(G1, sp.Symbol("R") + sp.sqrt(T.sigma2 * T.n * sp.Symbol("R"))
                  * (sp.Symbol("g_i") - sp.Symbol("gbar"))))),
        ("Sufficient D (leading order), rho = c c'/s^2, rho_t = (c c' - gamma)/s^2", pm(T.asymptotic_D())),
        ("Lemma: if S' ~ D^n and h_S errs on all of S', then", pm(sp.Symbol("epsilon_unif") >= 1 - T.eps)),
        ("Theorem's clause, ramp loss, any gamma >= 0",
         pm(sp.Symbol("epsilon_unif") >= 1 - sp.Symbol("epsilon_gen"))),
    ]


# -------------------------------------------------------------------------- the steps in order


def run(ctx):
    p = ctx.params
    st = _setting(p)
    xp = _array_namespace(ctx.backend)
    rec = Recorder(ctx)
    _moments_match(rec, st, T.Setting(p["rep_n"], p["rep_D"]))
    _gram_reduction(rec, p["gram_n"])
    for step in (_test_error_given_w, _ramp_loss, _eps_unif_lemma, _s_prime_limit):
        step(rec, st)
    premise = _premise(rec, st, p)
    sample = _bartlett_sample(rec, ctx, st, xp, premise)
    _lemma_at_sample(rec, sample, p["eps"], premise)
    _ramp_at_sample(rec, sample, st, p, premise)
    _rank_one_sample(rec, ctx, st, xp, premise)
    _brute_force_sample(rec, ctx, st, xp)
    _expected_test_error(rec, ctx, st)
    _replicates(rec, ctx)
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
    if not p["gamma"] < st.signal:
        raise BadInput(f"gamma = {p['gamma']:g} must be < c c' = {st.signal:g}: otherwise no test margin "
                       "clears it")
    try:
        K.check_sizes(**{k: p[k] for k in ("mc_reps", "rep_n", "torch_n", "torch_D", "K", "brute_n",
                                           "brute_n_test", "brute_D", "reps", "rep_D")})
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


def _rho_test(st: T.Setting, gamma: float) -> float:
    """(c c' - gamma)/s^2: the test margin must clear gamma for the ramp loss L^(gamma)."""
    return (st.signal - gamma) / st.s2


def _gammas(p) -> tuple[float, ...]:
    return () if p["gamma"] <= 0 else (p["gamma"] / 2, p["gamma"])


def _judge_if(rec: Recorder, premise: bool, kind: str, name: str, measured: float, target: float, note: str):
    """A conclusion of the theorem: judged (``kind`` "equal", "at_most" or "at_least" the target) when
    the premise holds; reported when it does not (nothing is claimed there)."""
    if not premise:
        return rec.quantity_report(name, measured, note=f"premise unmet, not judged; {note}")
    if kind == "equal":
        return rec.quantity_compare(name, measured, target, 0.0, note=note)
    if kind == "at_most":
        return rec.quantity_at_most(name, measured, target, note=note)
    return rec.quantity_at_least(name, measured, target, note=note)


# ------------------------------------------------------------------------------- symbolic


def _moments_match(rec: Recorder, st: T.Setting, rep: T.Setting) -> None:
    import sympy as sp

    with rec.step("moments derived from Gaussian coordinates match the statement and the rank-one form",
                  "symbolic") as s:
        stated = T.stated_moments()
        En, Vn = T.noise_norm_moments()
        m, v, cv = T.noise_margin_moments()
        rm, rv, rc = T.rank_one_moments()
        mt, _ = T.train_margin_moments()
        ms, _ = T.s_prime_margin_moments()
        rs = T.replicate_statistic_moments()
        pairs = {"E||w2||^2": (En, stated["norm_mean"]), "Var ||w2||^2": (Vn, stated["norm_var"]),
                 "E (G1)_i": (m, stated["noise_mean"]), "Var (G1)_i": (v, stated["noise_var"]),
                 "Cov": (cv, stated["noise_cov"]), "train mean": (mt, stated["train_mean"]),
                 "S' mean": (ms, stated["s_prime_mean"]),
                 "rank-one mean": (rm, stated["noise_mean"]), "rank-one var": (rv, stated["noise_var"]),
                 "rank-one cov": (rc, stated["noise_cov"]),
                 "E V (replicates)": (rs["V"][0], stated["noise_var"]),
                 "E P (replicates)": (rs["P"][0], stated["noise_cov"]),
                 "E W (replicates)": (rs["W"][0], stated["norm_mean"]),
                 "E (W - EW)^2 (replicates)": (rs["W_sq"][0], stated["norm_var"])}
        bad = [k for k, (a, b) in pairs.items() if sp.simplify(a - b) != 0]
        # the variances that set the replicate tolerances must be variances (>= 0) here
        vals = T.replicate_statistic_values(rep)
        bad += [f"Var {k} < 0" for k, (_, var) in vals.items() if not var >= 0]
        s.ok = not bad
        s.detail = (f"E||w2||^2 = {En}, Var = {Vn}; margin noise mean {m}, var {v}, cov {cv}: "
                    + ("all match the statement (and the rank-one form, and the replicate statistics' means)"
                       if not bad else f"mismatch: {', '.join(bad)}"))


def _gram_reduction(rec: Recorder, gram_n: int) -> None:
    with rec.step(f"Gram reduction for every label pattern, n <= {gram_n}; a wrong S' is rejected",
                  "symbolic") as s:
        proofs = [T.prove_gram_reduction(k) for k in range(1, gram_n + 1)]
        wrong = T.prove_gram_reduction(1, s_prime_sign=+1)  # S' = S: a prover that accepts it proves nothing
        s.ok = all(p.holds for p in proofs) and not wrong.holds
        s.detail = (f"{sum(p.patterns for p in proofs)} label patterns, symbolic x2 and unit u: train = "
                    "cc' + (G1)_i, S' = cc' - (G1)_i, ||w2||^2 = 1^T G 1; the false S' = cc' + (G1)_i "
                    + ("rejected" if not wrong.holds else "ACCEPTED"))


def _spot_points():
    """Random settings and norms for the numeric spot checks of the closed forms: the standardized signal
    x = c c' sqrt(D/(s^2 ||w2||^2)) spread over [0.1, 7], so errors from about 0.46 down to 1e-12."""
    rng = np.random.default_rng(SPOT_SEED)
    for x in np.linspace(0.1, 7.0, 8):
        c, cp = rng.uniform(0.5, 3.0, 2)
        s2 = rng.uniform(1.0, 50.0)
        D = int(rng.integers(10, 10**6))
        w2 = D * (c * cp) ** 2 / (s2 * x * x)
        yield float(c), float(cp), float(s2), D, float(w2)


def _test_error_given_w(rec: Recorder, st: T.Setting) -> None:
    import sympy as sp

    with rec.step("test error given w: Phi(-cc' sqrt(D)/(s||w2||)), increasing in ||w2||, = eps at the "
                  "threshold; the kernel evaluates the same closed form", "symbolic") as s:
        err = T.test_error_given_w()
        deriv = sp.simplify(sp.diff(err, T.W2))
        z = sp.Symbol("z_epsilon", positive=True)
        at = sp.simplify(err.subs(T.W2, T.test_error_norm_threshold()) - T.normal_cdf(-z))
        worst = 0.0
        for c, cp, s2, D, w2 in _spot_points():
            exact = T.test_error_given_norm(T.Setting(1, D, 1, c, cp, s2), w2)
            worst = max(worst, abs(K.conditional_test_error(D, c, cp, s2, w2) - exact) / max(exact, 1e-300))
        q = rec.quantity_at_most("test_error_kernel_vs_closed_form", worst, 1e-12,
                                 note="largest relative difference at 8 random settings, errors 0.46 to 1e-12 "
                                      "(the kernel's float64 erfc vs the sympy form in 30-digit mpmath)")
        s.ok = bool(deriv.is_positive) and at == 0 and q.passed
        s.detail = f"d err / d||w2||^2 = {deriv}; err at threshold - Phi(-z_eps) = {at}; kernel rel. diff {worst:.2g}"


def _ramp_loss(rec: Recorder, st: T.Setting) -> None:
    import sympy as sp

    with rec.step("ramp loss L^(gamma): E L given w in closed form (gamma E = int_0^gamma Phi), between the "
                  "0-1 error and P(margin < gamma); the kernels evaluate the same", "symbolic") as s:
        ok = T.prove_ramp_expectation()
        # a prover that also accepts a wrong closed form (the 0-1 error itself) proves nothing
        ok &= not T.prove_ramp_expectation(lambda mu, tau: T.normal_cdf(-mu / tau))
        import mpmath as mp

        f = sp.lambdify((T.c, T.cp, T.s2, T.D, T.W2, T.gam), T.test_ramp_loss_given_w(), "mpmath")
        worst_closed = worst_loss = 0.0
        rng = np.random.default_rng(SPOT_SEED)
        sandwich = True
        for c, cp, s2, D, w2 in _spot_points():
            g = float(rng.uniform(0.05, 1.0)) * c * cp
            with mp.workdps(30):
                exact = float(f(c, cp, s2, D, w2, g))
            got = K.expected_ramp_given_w(D, c, cp, s2, w2, g)
            vec = float(K.expected_ramps_given_w(D, c, cp, s2, np.array([w2]), g)[0])  # the D condition's
            worst_closed = max(worst_closed, abs(got - exact) / max(exact, 1e-300),
                               abs(vec - exact) / max(exact, 1e-300))
            lo = K.conditional_test_error(D, c, cp, s2, w2)
            hi = K.phi((g - c * cp) * pymath.sqrt(D / (s2 * w2)))
            sandwich &= lo <= got <= hi
            m = rng.normal(g / 2, g, size=64)
            ref = np.array([float(T.ramp_loss(sp.Float(x), sp.Float(g))) for x in m])
            worst_loss = max(worst_loss, float(np.max(np.abs(K.ramp_loss(m, g) - ref))))
        q1 = rec.quantity_at_most("ramp_expectation_kernel_vs_closed_form", worst_closed, 1e-9,
                                  note="relative, 8 random settings (the kernel's scalar and vectorized float64 "
                                       "forms vs the sympy form in 30-digit mpmath)")
        q2 = rec.quantity_at_most("ramp_loss_kernel_vs_definition", worst_loss, 1e-15,
                                  note="largest |kernel - piecewise definition| on 512 random margins")
        s.ok = bool(ok) and sandwich and q1.passed and q2.passed
        s.detail = (f"F'(gamma) = Phi((gamma - mu)/tau), F(0) = 0 proved; Phi(-mu/tau) rejected as E L; "
                    f"Phi(a) <= E L <= Phi(b) at every spot: {sandwich}")


def _eps_unif_lemma(rec: Recorder, st: T.Setting) -> None:
    with rec.step("lemma: test error <= eps and S' error 1 give |L_D - L_S'| >= 1 - eps; ramp clause "
                  "eps_unif >= 1 - eps_gen; wrong bounds rejected", "symbolic") as s:
        proved = T.prove_eps_unif_lemma() and T.prove_good_pair_positive() and T.prove_ramp_gap()
        # the provers must reject bounds that do not hold (otherwise their True means nothing)
        rejects = (not T.prove_eps_unif_lemma(lambda e: 1 - e / 2)
                   and not T.prove_ramp_gap(lambda eg: 1 - eg / 2)
                   and not T.prove_good_pair_positive(1 - 4 * T.delta))
        s.ok = bool(proved and rejects)
        s.detail = ("|L - 1| - (1 - eps) factors into a nonnegative expression for every eps in (0, 1), "
                    "L in [0, eps]; with empirical ramp losses 0 on S and 1 on S', |L - 1| = 1 - eps_gen for "
                    "every L in [0, 1]; union bound 1 - 3 delta > 0 on (0, 1/3); the wrong bounds 1 - eps/2, "
                    "1 - eps_gen/2 and 1 - 4 delta are " + ("rejected" if rejects else "NOT rejected"))


def _s_prime_limit(rec: Recorder, st: T.Setting) -> None:
    import sympy as sp

    rho = st.rho
    with rec.step("S' is misclassified in the large-D limit iff c c' < s^2", "symbolic") as s:
        mean_sp, var_sp = T.s_prime_margin_moments()
        lim_var = sp.limit(var_sp, T.D, sp.oo)
        s.ok = lim_var == 0 and sp.simplify(mean_sp - (T.c * T.cp - T.s2)) == 0 and 0 < rho < 1
        s.detail = f"S' margin -> {mean_sp} (variance -> {lim_var}); here c c'/s^2 = {rho:.4g}"


# -------------------------------------------------------------------------------- numeric


def _sufficient_D_checks(rec: Recorder, prefix: str, n: int, eps: float, delta: float, rho: float,
                         rho_t: float) -> tuple[int, bool]:
    """The derived sufficient D at (n, eps, delta, rho, rho_t): judged minimal for its condition and
    inside the bracket derived from the stated condition; returns (D, whether both hold)."""
    d_suff = T.sufficient_D(n, eps, delta, rho, rho_t)
    lo, hi = T.sufficient_D_bracket(n, eps, delta, rho, rho_t)
    # the implemented condition is the stated one: its terms and slacks at D_sufficient, evaluated from
    # the sympy statement (section 7), agree to rounding
    ell, v, t, z, m_slack, t_slack = T.condition_terms(n, d_suff, eps, delta, rho, rho_t)
    sub = {T.n: n, T.D: d_suff, T.delta: delta}
    s_ell, s_v, s_t = (float(e.subs(sub)) for e in T.stated_condition())
    s_m = s_ell - s_t * pymath.sqrt(n * s_v / d_suff) - rho
    s_ts = rho_t**2 * d_suff - n * s_v * z * z
    diffs = [abs(ell - s_ell), abs(v - s_v), abs(t - s_t) / s_t, abs(m_slack - s_m) / (1 + rho),
             abs(t_slack - s_ts) / (rho_t**2 * d_suff)]
    q0 = rec.quantity_at_most(f"{prefix}condition_vs_stated", max(diffs), 1e-12,
                              note="largest difference of l, v, t and both slacks (relative to their terms) "
                                   "between condition_terms and the stated condition at D_sufficient")
    q = rec.quantity_compare(f"{prefix}D_sufficient", d_suff, (lo + hi) / 2, (hi - lo) / 2,
                             note=f"between the leading order {lo:.6g} and the stated condition's bound "
                                  f"{hi:.6g} (two-sided)")
    minimal = (T.condition_holds(n, d_suff, eps, delta, rho, rho_t)
               and (d_suff == 1 or not T.condition_holds(n, d_suff - 1, eps, delta, rho, rho_t)))
    q2 = rec.quantity_compare(f"{prefix}D_sufficient_is_minimal", 1.0 if minimal else 0.0, 1.0, 0.0,
                              note="the condition holds at D_sufficient and not at D_sufficient - 1")
    return d_suff, q0.passed and q.passed and q2.passed


def _premise(rec: Recorder, st: T.Setting, p) -> bool:
    """The theorem's premise at the main (n, D): D at least the derived sufficient D for the ramp margin
    gamma (for gamma = 0, the test error). Returns whether it holds."""
    eps, delta, gamma = p["eps"], p["delta"], p["gamma"]
    with rec.step("premise: D meets the derived sufficient condition for (n, eps, delta, gamma)", "numeric") as s:
        d_suff, ok = _sufficient_D_checks(rec, "", st.n, eps, delta, st.rho, _rho_test(st, gamma))
        met = d_suff <= st.D
        if met:
            rec.quantity_at_most("D_sufficient_vs_D", d_suff, st.D, note="the premise: sufficient D <= D")
        else:
            rec.quantity_report("D_sufficient_vs_D", d_suff, note=f"premise unmet: sufficient D > D = {st.D}")
        s.ok = ok
        s.detail = f"sufficient D = {d_suff} at gamma = {gamma:g} (minimal, bracketed: {ok}), D = {st.D}"
        if not met:
            s.premise_unmet(f"D = {st.D} is below the sufficient D = {d_suff}: the theorem claims nothing here; "
                            "its conclusions are reported, not judged")
    return met


def _check_sample(rec: Recorder, r: K.NKSample, st: T.Setting, eps: float, prefix: str, premise: bool,
                  n_test_asked: int, judge_test: bool = True) -> bool:
    """The quantities every sampler's one training set is judged on, named ``prefix`` + quantity."""
    mom = T.margin_moments(st)
    n = r.n
    test = to_numpy(r.test_margins)
    n_test = test.shape[0]
    # the n_test setting reached the sampler: every test tolerance below is sized by this count
    ok = rec.quantity_compare(f"{prefix}test_point_count", float(n_test), float(n_test_asked), 0.0,
                              note="fresh test margins drawn vs the n_test asked for").passed
    _judge_if(rec, premise, "equal", f"{prefix}train_error", r.train_error, 0.0,
              "exact: holds w.p. >= 1 - delta under the D condition")
    _judge_if(rec, premise, "equal", f"{prefix}s_prime_error", r.s_prime_error, 1.0,
              "exact: holds w.p. >= 1 - delta under the D condition")
    _judge_if(rec, premise, "at_most", f"{prefix}test_error_predicted", r.test_error_exact, eps,
              "exact conditional test error given w <= eps")
    p = r.test_error_exact
    if judge_test:
        tol = Tol.binomial_tolerance(n_test, p, BINOM_LEVEL)
        ok &= rec.quantity_compare(f"{prefix}test_error", r.test_error, p, tol,
                                   note=f"{n_test} fresh points vs Phi(-cc' sqrt(D)/(s||w2||)) given w; "
                                        f"binomial tail {BINOM_LEVEL:g} (band {tol / p:.0%} of p)"
                                        if p > 0 else "p = 0").passed
        # the test margins' law given w: z = (m - cc')/(sigma ||w2||) is N(0, 1)
        zt = (test - st.signal) / pymath.sqrt(st.s2 * r.w2_norm2 / st.D)
        ok &= rec.quantity_compare(f"{prefix}test_margin_z_mean", float(zt.mean()), 0.0,
                                   SIGMAS / pymath.sqrt(n_test), note="standardized test margins, N(0, 1)").passed
        ok &= rec.quantity_compare(f"{prefix}test_margin_z_var", float(np.mean(zt * zt)), 1.0,
                                   SIGMAS * pymath.sqrt(2.0 / n_test),
                                   note="mean z^2; detects a "
                                        f"{Tol.detectable_relative_error(2**0.5, n_test, SIGMAS):.1%} "
                                        "variance error w.p. 0.99").passed
    else:
        rec.quantity_report(f"{prefix}test_error", r.test_error,
                            note=f"{n_test} fresh points: too few to judge (the brute force's literal test "
                                 f"margins are judged in the replicate step); exact given w {p:.3g}")
    ok &= rec.quantity_compare(f"{prefix}noise_block_norm_ratio", r.w2_norm2 / T.expected_norm2(st), 1.0,
                               SIGMAS * pymath.sqrt(T.norm2_variance(st)) / T.expected_norm2(st),
                               note="||w2||^2 / E||w2||^2 (derived); 6 sd of its derived law").passed
    tol_mean = Tol.mean_margin_tolerance(mom["var"], mom["cov"], n, SIGMAS)
    ok &= rec.quantity_compare(f"{prefix}train_margin_mean", float(to_numpy(r.train_margins).mean()),
                               mom["train_mean"], tol_mean,
                               note="mean over the n points; 6 sd from derived var, cov").passed
    ok &= rec.quantity_compare(f"{prefix}s_prime_margin_mean", float(to_numpy(r.s_prime_margins).mean()),
                               mom["s_prime_mean"], tol_mean, note="c c' - s^2 expected").passed
    if r.method != "brute_force":
        ok &= rec.quantity_at_most(f"{prefix}sum_identity_error_units",
                                   Tol.sum_identity_error_units(r, st.signal, st.K), 1.0,
                                   note="|sum_i (train_i - cc') - ||w2||^2| / its derived rounding bound "
                                        "(worst case; not sharp on random data)").passed
    return bool(ok)


def _bartlett_sample(rec: Recorder, ctx, st: T.Setting, xp, premise: bool) -> K.NKSample | None:
    """The main sample (Bartlett, at the full n and D); it also feeds the lemma and ramp steps and the figure."""
    p = ctx.params
    sample = None
    with rec.step("Bartlett (exact, D-independent) sampler vs the closed forms", "numeric") as s:
        rec.note(f"nk-linear: Bartlett sampler n = {st.n}, D = {st.D}")
        sample = K.bartlett(st.n, st.D, n_test=p["n_test"], seed=ctx.seed, xp=xp, **_sampler_kw(p))
        s.ok = _check_sample(rec, sample, st, p["eps"], "", premise, p["n_test"])
        rec.quantity_report("log10_test_error_predicted",
                            K.log10_conditional_test_error(st.D, st.c, st.c_prime, st.s2, sample.w2_norm2),
                            note="log10 Phi(-cc' sqrt(D)/(s||w2||)) (the error itself may underflow)")
        rec.quantity_report("test_error_approx", T.approx_test_error(st),
                            note="Phi(-(cc'/s^2) sqrt(D/n)), the error at ||w2||^2 = n s^2 (an approximation)")
        s.detail = (f"train err {sample.train_error}, S' err {sample.s_prime_error}, test err "
                    f"{sample.test_error} on {p['n_test']} points vs predicted {sample.test_error_exact:.3g}, "
                    f"||w2||^2/(n s^2) = {sample.w2_norm2 / (st.n * st.s2):.6f}")
        if not premise:
            s.premise_unmet("D below the sufficient D: train error 0, S' error 1, test error <= eps reported")
    return sample


def _lemma_at_sample(rec: Recorder, sample: K.NKSample | None, eps: float, premise: bool) -> None:
    with rec.step("lemma at this sample: eps_unif >= |L_D(h_S) - L_S'(h_S)| >= 1 - eps", "numeric") as s:
        if sample is None:
            raise RuntimeError("no sample")
        gap = abs(sample.test_error_exact - sample.s_prime_error)
        q = _judge_if(rec, premise, "at_least", "eps_unif_lower_bound", gap, 1.0 - eps,
                      "|exact test error - S' error|, must be >= 1 - eps")
        s.ok = q.passed
        s.detail = f"|{sample.test_error_exact:.3g} - {sample.s_prime_error}| = {gap:.6f} vs 1 - {eps}"
        if not premise:
            s.premise_unmet("D below the sufficient D: the gap is reported")


def _ramp_at_sample(rec: Recorder, sample: K.NKSample | None, st: T.Setting, p, premise: bool) -> None:
    gammas = _gammas(p)
    with rec.step("ramp loss L^(gamma) at this sample (gamma/2 and gamma): empirical 0 on S, 1 on S', test "
                  "loss = its exact value given w <= eps, eps_unif >= 1 - eps_gen", "numeric") as s:
        if sample is None:
            raise RuntimeError("no sample")
        test = to_numpy(sample.test_margins)
        N = test.shape[0]
        ok = True
        details = []
        for g in gammas:
            tag = f"ramp_{g:g}_"
            train = float(np.mean(to_numpy(K.ramp_loss(sample.train_margins, g))))
            sprime = float(np.mean(to_numpy(K.ramp_loss(sample.s_prime_margins, g))))
            exact = K.expected_ramp_given_w(st.D, st.c, st.c_prime, st.s2, sample.w2_norm2, g)
            emp = float(np.mean(K.ramp_loss(test, g)))
            tol = Tol.bounded_mean_tolerance(exact, N, SIGMAS)
            ok &= rec.quantity_compare(f"{tag}test_loss", emp, exact, tol,
                                       note=f"mean over {N} fresh points vs the closed form given w; 6 SE "
                                            f"(Var <= p(1-p)), band {tol / exact:.0%} of it" if exact > 0
                                       else "exact value 0").passed
            _judge_if(rec, premise, "equal", f"{tag}train_loss", train, 0.0, "every train margin >= gamma")
            _judge_if(rec, premise, "equal", f"{tag}s_prime_loss", sprime, 1.0, "every S' margin <= 0")
            eps_gen = exact - train
            _judge_if(rec, premise, "at_most", f"{tag}eps_gen", eps_gen, p["eps"],
                      "test ramp loss (exact given w) - empirical train ramp loss <= eps")
            gap = abs(exact - sprime)
            _judge_if(rec, premise, "equal", f"{tag}gap_minus_one_minus_eps_gen", gap - (1.0 - eps_gen), 0.0,
                      "|L_D - L_S'| - (1 - eps_gen): eps_unif >= 1 - eps_gen holds with equality at this pair")
            details.append(f"gamma {g:g}: test {emp:.3g} vs exact {exact:.3g}, train {train}, S' {sprime}")
        s.ok = bool(ok)
        s.detail = "; ".join(details) if details else "gamma = 0: the 0-1 loss only (checked above)"
        if not premise:
            s.premise_unmet("D below the sufficient D for gamma: the theorem's conclusions are reported")


def _rank_one_sample(rec: Recorder, ctx, st: T.Setting, xp, premise: bool) -> None:
    p = ctx.params
    with rec.step("rank-one (exact, O(n)) sampler vs the closed forms", "numeric") as s:
        r1 = K.rank_one(st.n, st.D, n_test=p["n_test"], seed=ctx.seed + 1, xp=xp, **_sampler_kw(p))
        s.ok = _check_sample(rec, r1, st, p["eps"], "rank_one_", premise, p["n_test"])
        s.detail = f"train err {r1.train_error}, S' err {r1.s_prime_error}, test err {r1.test_error}"
        if not premise:
            s.premise_unmet("D below the sufficient D: train error 0, S' error 1, test error <= eps reported")


def _brute_force_sample(rec: Recorder, ctx, st: T.Setting, xp) -> None:
    p = ctx.params
    with rec.step("brute force (literal n x D noise, streamed) vs the closed forms and its own Gram matrix",
                  "numeric") as s:
        bst = T.Setting(p["brute_n"], p["brute_D"], p["K"], p["c"], p["c_prime"], p["s2"])
        # the brute force is judged on the 0-1 loss: its premise is the sufficient D at gamma = 0
        d_b, ok_d = _sufficient_D_checks(rec, "brute_", bst.n, p["eps"], p["delta"], st.rho, st.rho)
        premise = d_b <= bst.D
        rec.note(f"nk-linear: brute force n = {bst.n}, D = {bst.D}")
        b = K.brute_force(bst.n, bst.D, n_test=p["brute_n_test"], seed=ctx.seed + 2, xp=xp,
                          with_gram=True, **_sampler_kw(p))
        ok = _check_sample(rec, b, bst, p["eps"], "brute_", premise, p["brute_n_test"], judge_test=False) and ok_d
        ok &= rec.quantity_at_most("gram_reduction_error_units", Tol.gram_reduction_error_units(b, st.signal, p["K"]),
                                   1.0,
                                   note="|margin - (cc' +- (G1)_i)| / 2 gamma_(n+D+2K+10) (S_i + cc'), S = |Z||Z|^T 1; "
                                        "||w2||^2 vs 1^T G 1 / 3 gamma_(D+2n+2) 1^T S (worst case; not sharp "
                                        "on random data)").passed
        s.ok = bool(ok)
        s.detail = (f"n = {bst.n}, D = {bst.D} (sufficient D at gamma = 0: {d_b}): train err {b.train_error}, "
                    f"S' err {b.s_prime_error}")
        if not premise:
            s.premise_unmet(f"brute_D = {bst.D} is below its sufficient D = {d_b}")


def _expected_test_error(rec: Recorder, ctx, st: T.Setting) -> None:
    p = ctx.params
    with rec.step("E_w test error at (n, D): quadrature over chi^2_D vs Monte Carlo over exact ||w2||^2 draws",
                  "numeric") as s:
        norms = K.norm2_draws(st.n, st.D, p["mc_reps"], s2=st.s2, seed=ctx.seed + 5)
        cond = K.conditional_test_errors(st.D, st.c, st.c_prime, st.s2, norms)
        quad = K.expected_test_error(st.n, st.D, st.c, st.c_prime, st.s2)
        # the floor leaves room for the quadrature's own error (docs, "Tolerances") when every
        # conditional error underflows and the Monte Carlo spread is 0
        q = rec.quantity_compare("test_error_expected", quad, float(cond.mean()),
                                 Tol.sample_mean_tolerance(cond, SIGMAS, floor=1e-12 + 1e-6 * quad),
                                 note=f"quadrature vs the mean of {p['mc_reps']} exact conditional errors; 6 SE")
        s.ok = q.passed
        s.detail = f"quadrature {quad:.4g}, Monte Carlo {float(cond.mean()):.4g} over {p['mc_reps']} draws"


def _replicates(rec: Recorder, ctx) -> None:
    """The three samplers, each drawing ``reps`` independent training sets at (rep_n, rep_D), against
    the derived laws of their per-set statistics; then KS between them."""
    p = ctx.params
    rs = T.Setting(p["rep_n"], p["rep_D"], p["K"], p["c"], p["c_prime"], p["s2"])
    reps = p["reps"]
    with rec.step(f"replicates: {reps} independent training sets per sampler (brute force, Bartlett, rank-one): "
                  "norm mean and variance, per-point margin variance and covariance, test error and test-margin "
                  "law vs the derived values; KS between samplers", "numeric") as s:
        mom = T.replicate_statistic_values(rs)
        p_bar = K.expected_test_error(rs.n, rs.D, rs.c, rs.c_prime, rs.s2)
        ok = True
        stats = {}
        for j, name in enumerate(("brute_force", "bartlett", "rank_one")):
            rec.note(f"nk-linear: {reps} training sets, {name}, n = {rs.n}, D = {rs.D}")
            kw = dict(c=rs.c, c_prime=rs.c_prime, s2=rs.s2, n_test=1, seed=ctx.seed + 1000 * (j + 1))
            if name == "brute_force":
                kw["K"] = rs.K
            r = getattr(K, K.BATCHES[name])(rs.n, rs.D, reps, **kw)
            per = K.replicate_statistics(r.noise, rs.s2)
            values = {"norm_mean": ("W", r.norms), "norm_var": ("W_sq", (r.norms - mom["W"][0]) ** 2),
                      "margin_var": ("V", per["V"]), "margin_cov": ("P", per["P"])}
            for label, (key, arr) in values.items():
                mean, var = mom[key]
                cv = pymath.sqrt(var) / abs(mean)
                ok &= rec.quantity_compare(
                    f"{name}_{label}", float(arr.mean()), mean, Tol.replicate_mean_tolerance(var, reps, SIGMAS),
                    note=f"6 SE from the derived variance; detects a "
                         f"{Tol.detectable_relative_error(cv, reps, SIGMAS):.1%} error w.p. {Tol.POWER}").passed
            test = r.test_margins[:, 0]
            err = float(np.mean(test <= 0.0))
            cv_err = pymath.sqrt((1 - p_bar) / p_bar)
            ok &= rec.quantity_compare(
                f"{name}_test_error", err, p_bar, Tol.bounded_mean_tolerance(p_bar, reps, SIGMAS),
                note="one fresh point per set vs E_w Phi(...) (quadrature), Var = p(1-p); detects a "
                     f"{Tol.detectable_relative_error(cv_err, reps, SIGMAS):.1%} error").passed
            z = (test - rs.signal) / np.sqrt(rs.s2 * r.norms / rs.D)
            ok &= rec.quantity_compare(
                f"{name}_test_margin_z_var", float(np.mean(z * z)), 1.0, SIGMAS * pymath.sqrt(2.0 / reps),
                note=f"standardized test margin given w is N(0, 1); detects a "
                     f"{Tol.detectable_relative_error(2**0.5, reps, SIGMAS):.1%} variance error").passed
            stats[name] = (r.noise[:, 0], r.norms)
        pvals = Tol.sampler_agreement_pvalues(stats, rs.n, rs.D, rs.s2)
        worst, bad = Tol.smallest_pvalue(pvals)
        rec.quantity_at_most("ks_level_vs_min_pvalue", KS_LEVEL if not bad else float("nan"), pvals[worst],
                             note=f"each of {len(pvals)} KS tests at level {KS_LEVEL:g} (family <= "
                                  f"{len(pvals) * KS_LEVEL:.1g}); smallest p-value: {worst}"
                                  + (f"; non-finite p-values: {', '.join(bad)}" if bad else ""))
        ok &= not bad and pvals[worst] >= KS_LEVEL
        s.ok = bool(ok)
        s.detail = (f"{reps} sets per sampler at n = {rs.n}, D = {rs.D}; derived var {mom['V'][0]:.4g}, cov "
                    f"{mom['P'][0]:.4g}, E||w2||^2 {mom['W'][0]:.4g}; KS " +
                    ", ".join(f"{k}: {v:.3g}" for k, v in pvals.items()))


def _d_condition(rec: Recorder, ctx, st: T.Setting) -> None:
    p = ctx.params
    eps, delta, gamma = p["eps"], p["delta"], p["gamma"]
    with rec.step("the D condition: all three events hold with frequency >= 1 - delta at the sufficient D, "
                  "and fail with frequency >= delta at half of it (within 2x)", "numeric") as s:
        cn = p["rep_n"] * 4
        reps = p["mc_reps"]
        kw = dict(eps=eps, c=st.c, c_prime=st.c_prime, s2=st.s2)
        allowed = Tol.binomial_upper_count(reps, delta, BINOM_LEVEL)
        ok = True
        details = []
        for j, g in enumerate(sorted({0.0, gamma})):
            d_c = T.sufficient_D(cn, eps, delta, st.rho, _rho_test(st, g))
            fails = int(np.sum(K.condition_failures(cn, d_c, reps, gamma=g, seed=ctx.seed + 11 + j, **kw)))
            ok &= rec.quantity_at_most(f"condition_failure_count_gamma_{g:g}", fails, allowed,
                                       note=f"of {reps} training sets at n = {cn}, D = {d_c}; binomial(reps, "
                                            f"delta) upper quantile at {BINOM_LEVEL:g}").passed
            details.append(f"gamma {g:g}: {fails} failures at D = {d_c} (allowed {allowed})")
        # tightness, gamma = 0: where the test term leads, the test requirement is sharp up to v (the
        # chi-square's upper factor), so at half the sufficient D the test event fails w.p. ~ 1 > delta.
        # Where the margin term leads (c c' near s^2) the max-of-Gaussians bound is not sharp to 2x.
        d0 = T.sufficient_D(cn, eps, delta, st.rho)
        z = Tol.normal_upper_quantile(eps)
        test_leads = cn * z * z / st.rho**2 >= 2 * cn * pymath.log(6 * cn / delta) / (1 - st.rho) ** 2
        half = int(np.sum(K.condition_failures(cn, max(1, d0 // 2), reps, gamma=0.0, seed=ctx.seed + 13, **kw)))
        least = Tol.binomial_lower_count(reps, delta, BINOM_LEVEL)
        note = (f"of {reps} training sets at D = {max(1, d0 // 2)} (half the sufficient D at gamma = 0); "
                f"binomial(reps, delta) lower quantile at {BINOM_LEVEL:g}")
        if test_leads:
            ok &= rec.quantity_at_least("condition_failure_count_at_half_D", half, least, note=note).passed
        else:
            rec.quantity_report("condition_failure_count_at_half_D", half,
                                note=note + "; the margin term leads here, not claimed sharp to 2x")
        if gamma > 0:
            # gamma reached the Monte Carlo: at the 0-1 loss's sufficient D the ramp event at gamma is judged
            # on the same draws by an independent recount (the scalar closed form checked in the ramp step)
            seed_g = ctx.seed + 17
            cnt = int(np.sum(K.condition_failures(cn, d0, reps, gamma=gamma, seed=seed_g, **kw)))
            G1, norms = (to_numpy(a) for a in K.rank_one_batch(cn, d0, reps, s2=st.s2, seed=seed_g))
            ramps = np.array([K.expected_ramp_given_w(d0, st.c, st.c_prime, st.s2, float(v), gamma) for v in norms])
            good = np.all(st.signal + G1 > 0, axis=1) & np.all(st.signal - G1 <= 0, axis=1)
            recount = int(np.sum(~(good & (ramps <= eps))))
            ties = int(np.sum(good & (np.abs(ramps - eps) <= 1e-12 * eps)))  # rounding may flip these
            ok &= rec.quantity_compare(f"condition_failure_count_gamma_{gamma:g}_at_D0", float(cnt), float(recount),
                                       float(ties),
                                       note=f"of {reps} training sets at D = {d0} (sufficient at gamma = 0): the "
                                            "kernel's count vs an independent recount of the ramp event on the "
                                            f"same draws ({ties} within rounding of eps)").passed
            details.append(f"at D0 = {d0}, gamma {gamma:g}: {cnt} failures (recount {recount})")
        s.ok = bool(ok)
        s.detail = "; ".join(details) + f"; at D/2: {half} failures of {reps} (test term leads: {test_leads})"


# ---------------------------------------------------------------------------------- torch


def _torch_step(rec: Recorder, ctx, st: T.Setting) -> None:
    from vacuity.sims import nk_linear as S

    p = ctx.params
    with rec.step("torch: one gradient step from zero on the linear loss, step sizes c'/c (signal block) and n "
                  "(noise block), gives w = (c'u, sum y_i x2_i)", "torch") as s:
        tn, tD = p["torch_n"], p["torch_D"]
        X, y, u = S.make_data(tn, tD, seed=ctx.seed + 3, **_sampler_kw(p))
        X2 = X[:, p["K"]:]
        # the torch data are the construction's: x1 = c y u exactly, x2 entries N(0, s^2/D)
        signal_ok = bool(np.all(X[:, :p["K"]] == p["c"] * y[:, None] * u[None, :]))
        var_ratio = float(np.mean(X2 * X2)) * tD / p["s2"]
        rec.quantity_compare("torch_data_noise_var_ratio", var_ratio if signal_ok else float("nan"), 1.0,
                             SIGMAS * pymath.sqrt(2.0 / X2.size),
                             note=f"mean x2_ij^2 / (s^2/D) over {X2.size} entries (6 SE); x1 = c y u exactly")
        w1, w2 = S.train(X, y, K=p["K"], c=p["c"], c_prime=p["c_prime"])
        dev_w = Tol.torch_weight_error_units(X2, y, u, w1, w2, p["c_prime"])
        rec.quantity_at_most("torch_w_error_units", dev_w, 1.0,
                             note="|w_torch - w_closed| / rounding bound gamma_(n+4) sum |x| (worst case)")
        w1T, w2T = S.train(X, y, K=p["K"], c=p["c"], c_prime=p["c_prime"], steps=p["torch_steps"])
        tr, sp_ = S.margins(X, y, w1, w2, p["K"])
        trT, spT = S.margins(X, y, w1T, w2T, p["K"])
        dev_m = max(Tol.torch_margin_error_units(X2, y, tr, st.signal),
                    Tol.torch_margin_error_units(X2, y, sp_, st.signal, sign=-1.0))
        rec.quantity_at_most("torch_margin_error_units", dev_m, 1.0,
                             note="torch train and S' margins vs cc' +- (G1)_i from the same data (worst case)")
        same_signs = K.same_signs((trT, tr), (spT, sp_))
        rec.quantity_compare("torch_continued_sign_changes", 0.0 if same_signs else 1.0, 0.0, 0.0,
                             note=f"{p['torch_steps']} steps only rescale w: no margin changes sign")
        # what a plain step with one shared step size eta = n gives: w1 = n c u (not the construction)
        w1s, w2s = S.train(X, y, K=p["K"], c=p["c"], c_prime=tn * p["c"])
        _, sps = S.margins(X, y, w1s, w2s, p["K"])
        rec.quantity_report("shared_step_size_s_prime_error", K.error_rate(sps),
                            note="S' error of one step with a single step size n for both blocks "
                                 "(w1 = n c u): shown to explain the per-block step sizes")
        s.ok = dev_w <= 1 and dev_m <= 1 and same_signs and signal_ok and abs(var_ratio - 1) <= (
            SIGMAS * pymath.sqrt(2.0 / X2.size))
        s.detail = (f"n = {tn}, D = {tD}: w error {dev_w:.3g} units, margin error {dev_m:.3g} units, "
                    f"train err {K.error_rate(tr)}, S' err {K.error_rate(sp_)}; shared step size: S' err "
                    f"{K.error_rate(sps)}")


def _figure(rec: Recorder, ctx, st: T.Setting, sample: K.NKSample | None) -> None:
    from vacuity.proofs_checked.nk_linear.figures import draw

    rec.note("nk-linear: figure")
    figure = K.error_sweep(st, ctx.params["eps"], seed=ctx.seed, ns=FIGURE_NS, ratios=FIGURE_RATIOS,
                           reps=FIGURE_REPS)
    path = draw(Path(ctx.figures_dir), figure, sample, st)
    rec.figures.append(f"figures/{path.name}")

