"""Nagarajan & Kolter (2019): an overparameterized linear classifier that generalizes while two-sided
uniform convergence is vacuous, stated and derived in sympy.

Setting (paper constants recalled, unverified, so every one is a parameter): y uniform on {+-1},
x = (x1, x2) with x1 = c y u in R^K for a fixed unit u and x2 ~ N(0, (s^2/D) I_D). The learner outputs
w1 = c' u and w2 = sum_i y_i x2_i. The torch version (vacuity.sims.nk_linear) reaches it by one gradient
step from zero on the linear loss -(1/n) sum_i y_i <w, x_i> with PER-BLOCK step sizes chosen to land on
the construction: c'/c on the signal block and n on the noise block (one shared step size eta gives
w1 = eta c u instead, which for eta = n is no longer this construction: S' is then classified correctly
once n c^2 > s^2). The "bad" set S' = {((x1_i, -x2_i), y_i)} has the distribution of a fresh sample.

Everything the kernels and the checked proof compare against is derived here from per-coordinate
Gaussian moments (sympy.stats-free: ``gaussian_expectation``) rather than typed in; the paper's
statement is typed once, in ``stated_moments``, and the checked proof compares the two:

* z_i = y_i x2_i are iid N(0, sigma^2 I_D), sigma^2 = s^2/D, and all margins depend on the data only
  through the Gram matrix G = Z Z^T ~ Wishart_n(D, sigma^2 I): train margin c c' + (G 1)_i, S' margin
  c c' - (G 1)_i, ||w2||^2 = 1^T G 1.
* E||w2||^2 = n s^2, Var ||w2||^2 = 2 n^2 s^4 / D; train margin mean c c' + s^2, variance (n+1) s^4/D.
* Given w, a test margin is exactly c c' + N(0, sigma^2 ||w2||^2), so the test error is
  Phi(-c c' sqrt(D) / (s ||w2||)), and the ramp loss L^(gamma) of the paper's theorem has the closed form
  ``test_ramp_loss_given_w``.
* Rank-one reduction (exact in distribution, O(n)): (G 1, 1^T G 1) =_d (R 1 + sigma sqrt(n R) (g - gbar 1),
  n R) with R = sigma^2 chi^2_D independent of g ~ N(0, I_n).
* A sufficient condition on D (n, eps, delta, gamma) for train error 0, test ramp loss <= eps and S'
  error 1 with probability >= 1 - delta, from chi-square (Laurent-Massart) and Gaussian tail bounds.
* The lemma eps_unif >= 1 - eps, and the theorem's clause eps_unif >= 1 - eps_gen for the ramp loss.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist

import numpy as np
import sympy as sp

n, D, K = sp.symbols("n D K", positive=True, integer=True)
c, cp, s2 = sp.symbols("c c' s^2", positive=True)
eps, delta = sp.symbols("epsilon delta", positive=True)
W2 = sp.Symbol("W2", positive=True)  # ||w2||^2
gam = sp.Symbol("gamma", positive=True)  # the ramp loss's margin (gamma = 0 is the 0-1 loss)
sigma2 = s2 / D  # per-coordinate noise variance

PAPER_C = 2.0  # recalled [M]: x1 = 2 y u
PAPER_C_PRIME = 2.0  # recalled [M]: w1 = 2 u
PAPER_S2 = 32.0  # recalled [M]: x2 ~ N(0, (32/D) I)
_NORMAL = NormalDist()


# ------------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Setting:
    """One instance of the construction; its side conditions are checked when it is built."""

    n: int
    D: int
    K: int = 1
    c: float = PAPER_C
    c_prime: float = PAPER_C_PRIME
    s2: float = PAPER_S2

    def __post_init__(self):
        for name in ("n", "D", "K"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be an integer >= 1 (got {v!r})")
        for name in ("c", "c_prime"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be a finite number > 0 (got {v!r})")
        if not (isinstance(self.s2, (int, float, np.floating, np.integer)) and math.isfinite(self.s2)
                and self.s2 > 0):
            raise ValueError(f"s2 (the noise variance s^2) must be a finite number > 0 (got {self.s2!r})")

    @property
    def signal(self) -> float:
        """c c': the margin the signal block gives every point."""
        return float(self.c) * float(self.c_prime)

    @property
    def rho(self) -> float:
        """c c' / s^2: S' is misclassified (for large D) iff rho < 1."""
        return self.signal / float(self.s2)


def check_eps_delta(eps_value: float, delta_value: float) -> None:
    if not (0 < eps_value < 1):
        raise ValueError(f"eps must lie in (0, 1) (got {eps_value!r})")
    if not (0 < delta_value < 1):
        raise ValueError(f"delta must lie in (0, 1) (got {delta_value!r})")


def stated_moments() -> dict[str, sp.Expr]:
    """The statement, typed once: what the derivations below must reproduce (docs/derivations/nk_linear.md
    section 3). E and Var of ||w2||^2; mean, variance and pairwise covariance of the margin noise (G 1)_i;
    the train and S' margin means."""
    return {"norm_mean": n * s2, "norm_var": 2 * n**2 * s2**2 / D,
            "noise_mean": s2, "noise_var": (n + 1) * s2**2 / D, "noise_cov": s2**2 / D,
            "train_mean": c * cp + s2, "s_prime_mean": c * cp - s2}


# --------------------------------------------------------------- per-coordinate moment derivations


def gaussian_expectation(expr: sp.Expr, variances: dict) -> sp.Expr:
    """E[expr] for a polynomial in independent centred Gaussians with the given variances:
    expand, and replace each monomial's power v^k by its moment (k-1)!! var^(k/2) (0 for odd k)."""
    poly = sp.Poly(sp.expand(expr), *variances)
    total = sp.Integer(0)
    for powers, coeff in poly.terms():
        term = coeff
        for var, k in zip(variances, powers):
            if k % 2:
                term = 0
                break
            term *= sp.factorial2(k - 1) * variances[var] ** (k // 2)
        total += term
    return sp.factor(sp.cancel(total))


def _coordinates():
    """One coordinate of z_i, z_j, and of the sum of the other n - 1 (r1) or n - 2 (r2) rows."""
    a, b, r1, r2, t = sp.symbols("a b r1 r2 t", real=True)
    var = {a: sigma2, b: sigma2, r1: (n - 1) * sigma2, r2: (n - 2) * sigma2, t: n * sigma2}
    return (a, b, r1, r2, t), var


@cache
def noise_norm_moments() -> tuple[sp.Expr, sp.Expr]:
    """(E, Var) of ||w2||^2: w2 = sum_i z_i has D iid coordinates t ~ N(0, n sigma^2)."""
    (_, _, _, _, t), var = _coordinates()
    v = {t: var[t]}
    m1 = gaussian_expectation(t**2, v)
    m2 = gaussian_expectation(t**4, v)
    return sp.simplify(D * m1), sp.simplify(D * (m2 - m1**2))


@cache
def noise_margin_moments() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(mean, variance, covariance between two points) of (G 1)_i = <z_i, sum_k z_k>.

    Per coordinate (G 1)_i is a (a + r1) with r1 the other rows' sum; coordinates are iid, so means
    and (co)variances add over D. For i != j: a (a + b + r2) and b (a + b + r2)."""
    (a, b, r1, r2, _), var = _coordinates()
    E = lambda e, vs: gaussian_expectation(e, {x: var[x] for x in vs})  # noqa: E731
    xi = a * (a + r1)
    m = E(xi, (a, r1))
    v = E(xi**2, (a, r1)) - m**2
    S = a + b + r2
    cv = E(a * S * b * S, (a, b, r2)) - E(a * S, (a, b, r2)) * E(b * S, (a, b, r2))
    return sp.simplify(D * m), sp.simplify(D * v), sp.simplify(D * cv)


def train_margin_moments() -> tuple[sp.Expr, sp.Expr]:
    """Train margin y_i <w, x_i> = c c' + (G 1)_i: (mean, variance)."""
    m, v, _ = noise_margin_moments()
    return sp.simplify(c * cp + m), v


def s_prime_margin_moments() -> tuple[sp.Expr, sp.Expr]:
    """S' margin y_i <w, (x1_i, -x2_i)> = c c' - (G 1)_i: (mean, variance)."""
    m, v, _ = noise_margin_moments()
    return sp.simplify(c * cp - m), v


@cache
def rank_one_moments() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(mean, var, cov) of (G 1)_i under the rank-one representation R + sigma sqrt(n R)(g_i - gbar),
    R = sigma^2 chi^2_D independent of g ~ N(0, I_n). Must equal ``noise_margin_moments``.
    chi^2_D is a sum of D squares of N(0, 1): its moments come from the same Gaussian rule."""
    e = sp.Symbol("e", real=True)
    q1 = D * gaussian_expectation(e**2, {e: 1})
    qvar = D * (gaussian_expectation(e**4, {e: 1}) - gaussian_expectation(e**2, {e: 1}) ** 2)
    ER = sp.simplify(sigma2 * q1)
    VR = sp.simplify(sigma2**2 * qvar)
    # g_i - gbar: variance 1 - 1/n, covariance -1/n; independent of R, mean zero
    mean = ER
    var = sp.simplify(VR + n * sigma2 * ER * (1 - 1 / n))
    cov = sp.simplify(VR + n * sigma2 * ER * (-1 / n))
    return mean, var, cov


def _chi2_raw_moment(k: int, dof: sp.Expr) -> sp.Expr:
    """E X^k for X ~ chi^2_dof: dof (dof + 2) ... (dof + 2k - 2)."""
    return sp.prod([dof + 2 * j for j in range(k)])


def _expect_QH(expr: sp.Expr, Q: sp.Symbol, H: sp.Symbol) -> sp.Expr:
    """E[expr] for a polynomial in independent Q ~ chi^2_D and H ~ chi^2_(n-1)."""
    poly = sp.Poly(sp.expand(expr), Q, H)
    return sp.factor(sp.cancel(sum(coef * _chi2_raw_moment(a, D) * _chi2_raw_moment(b, n - 1)
                                   for (a, b), coef in poly.terms())))


@cache
def replicate_statistic_moments() -> dict[str, tuple[sp.Expr, sp.Expr]]:
    """(E, Var) of the per-training-set statistics the check averages over independent training sets.

    From the rank-one representation (exact in distribution): x_i = (G 1)_i - s^2 = A + C h_i with
    A = sigma^2 Q - s^2, C^2 = n sigma^4 Q, h = g - gbar (sum_i h_i = 0, H = sum_i h_i^2 ~ chi^2_(n-1)
    independent of Q ~ chi^2_D). The cross terms vanish because sum h = 0, so

    * V = (1/n) sum_i x_i^2 = A^2 + sigma^4 Q H: its mean is the per-point variance;
    * P = (1/(n(n-1))) sum_(i != j) x_i x_j = A^2 - sigma^4 Q H / (n - 1): its mean is the covariance (n >= 2);
    * W = ||w2||^2 = n sigma^2 Q and (W - n s^2)^2: the norm's mean and variance.

    Their variances set the check's tolerances (SIGMAS standard errors) and its replicate counts (the
    power calculation in docs/derivations/nk_linear.md, section 11)."""
    Q, H = sp.symbols("Q H", positive=True)
    A = sigma2 * Q - s2
    stats = {"V": A**2 + sigma2**2 * Q * H, "P": A**2 - sigma2**2 * Q * H / (n - 1),
             "W": n * sigma2 * Q, "W_sq": (n * sigma2 * Q - n * s2) ** 2}
    out = {}
    for name, x in stats.items():
        m = _expect_QH(x, Q, H)
        out[name] = (m, sp.factor(sp.cancel(_expect_QH(x**2, Q, H) - m**2)))
    return out


def replicate_statistic_values(s: Setting) -> dict[str, tuple[float, float]]:
    """``replicate_statistic_moments`` at a setting: name -> (mean, variance) of one training set's value."""
    sub = {n: s.n, s2: s.s2, D: s.D}
    return {k: (float(m.subs(sub)), float(v.subs(sub))) for k, (m, v) in replicate_statistic_moments().items()}


def normal_cdf(x: sp.Expr) -> sp.Expr:
    return (1 + sp.erf(x / sp.sqrt(2))) / 2


def test_margin_given_w() -> tuple[sp.Expr, sp.Expr]:
    """A fresh point's margin given w: c c' + <w2, y x2>, y x2 ~ N(0, sigma^2 I) independent of w:
    exactly Gaussian with (mean, variance) = (c c', sigma^2 ||w2||^2)."""
    return c * cp, sigma2 * W2


def test_error_given_w() -> sp.Expr:
    """P(margin <= 0 | w) = Phi(-c c' / (sigma ||w2||)) = Phi(-c c' sqrt(D) / (s ||w2||))."""
    mean, var = test_margin_given_w()
    return normal_cdf(-mean / sp.sqrt(var))


def test_error_norm_threshold() -> sp.Expr:
    """The largest ||w2||^2 with test error <= eps: D (c c')^2 / (s^2 z_eps^2), z_eps = Phi^{-1}(1-eps)."""
    z = sp.Symbol("z_epsilon", positive=True)
    return sp.solve(sp.Eq(c * cp / sp.sqrt(sigma2 * W2), z), W2)[0]


def normal_pdf(x: sp.Expr) -> sp.Expr:
    return sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)


def ramp_loss(m: sp.Expr, g: sp.Expr = gam) -> sp.Expr:
    """The paper's ramp loss L^(gamma) of a margin m: 1 if m <= 0, 1 - m/gamma if 0 < m < gamma, 0 if
    m >= gamma (gamma -> 0 is the 0-1 loss)."""
    return sp.Piecewise((1, m <= 0), (1 - m / g, m < g), (0, True))


def ramp_expectation(mu: sp.Expr, tau: sp.Expr, g: sp.Expr = gam) -> sp.Expr:
    """E L^(gamma)(M) for M ~ N(mu, tau^2) in closed form: since L^(gamma)(m) = (1/gamma) int_0^gamma
    1{m <= t} dt, E L = (1/gamma) int_0^gamma Phi((t - mu)/tau) dt
    = ((gamma - mu) Phi(b) + tau phi(b) + mu Phi(a) - tau phi(a)) / gamma, a = -mu/tau, b = (gamma - mu)/tau
    (``prove_ramp_expectation`` checks it). It lies between Phi(a) (the 0-1 error) and Phi(b)."""
    a, b = -mu / tau, (g - mu) / tau
    return ((g - mu) * normal_cdf(b) + tau * normal_pdf(b) + mu * normal_cdf(a) - tau * normal_pdf(a)) / g


def test_ramp_loss_given_w() -> sp.Expr:
    """The test ramp loss of w: ``ramp_expectation`` at the test margin's law (c c', sigma^2 ||w2||^2)."""
    mean, var = test_margin_given_w()
    return ramp_expectation(mean, sp.sqrt(var))


def prove_ramp_expectation(expr=None) -> bool:
    """gamma E L^(gamma)(M) = int_0^gamma Phi((t - mu)/tau) dt for every real mu, tau > 0, gamma > 0:
    F(gamma) = gamma ramp_expectation(mu, tau) has F(0) = 0 and F'(gamma) = Phi((gamma - mu)/tau).
    ``expr(mu, tau)`` replaces the closed form (a wrong one to test with)."""
    mu = sp.Symbol("mu", real=True)
    tau = sp.Symbol("tau", positive=True)
    F = gam * (ramp_expectation(mu, tau) if expr is None else expr(mu, tau))
    d = sp.simplify(sp.diff(F, gam) - normal_cdf((gam - mu) / tau))
    return d == 0 and sp.simplify(F.subs(gam, 0)) == 0


def prove_ramp_gap(claimed=None) -> bool:
    """The theorem's clause eps_unif >= 1 - eps_gen for the ramp loss, at one pair (S, S'): when every
    train margin is >= gamma (empirical ramp loss 0 on S) and every S' margin is <= 0 (ramp loss 1 on S'),
    eps_gen = L_D - 0 and the gap on S' is |L_D - 1| = 1 - eps_gen, for every L_D in [0, 1] (L_D =
    1/(1 + q), q >= 0, sweeps (0, 1]; L_D = 0 is the limit). ``claimed(eps_gen)`` replaces the bound 1 -
    eps_gen (a wrong one to test with): True iff the gap is >= it for every L_D."""
    q = sp.Symbol("q", nonnegative=True)
    L = 1 / (1 + q)
    train_loss, s_prime_loss = 0, 1
    eps_gen = L - train_loss
    bound = 1 - eps_gen if claimed is None else claimed(eps_gen)
    slack = sp.factor(sp.simplify(sp.Abs(L - s_prime_loss) - bound))
    return bool(slack.is_nonnegative)


# ------------------------------------------------------------------------ the Gram reduction


@dataclass(frozen=True)
class GramProof:
    n: int
    D: int
    K: int
    holds: bool
    patterns: int


def prove_gram_reduction(n_value: int, D_value: int = 2, K_value: int = 2, s_prime_sign: int = -1) -> GramProof:
    """For every label pattern y in {+-1}^n, symbolic x2 (n x D) and a symbolic unit u in R^K: train
    margins = c c' + (G 1)_i, S' margins = c c' + s_prime_sign (G 1)_i and ||w2||^2 = 1^T G 1 with
    G_ij = <y_i x2_i, y_j x2_j>, as polynomial identities modulo |u|^2 = 1 (each difference reduces to 0
    by division by |u|^2 - 1, a Groebner basis of the ideal it generates). The statement is
    ``s_prime_sign = -1``; +1 (S' built without negating the noise) is a false statement the prover must
    reject."""
    us = sp.symbols(f"u0:{K_value}", real=True)
    u = sp.Matrix(us)
    unit = sum(x**2 for x in us) - 1
    X2 = sp.Matrix(n_value, D_value, lambda i, j: sp.Symbol(f"x_{i}_{j}", real=True))

    def zero_on_sphere(expr) -> bool:
        _, rem = sp.reduced(sp.expand(expr), [unit], *us)
        return sp.expand(rem) == 0

    ok = True
    count = 0
    for ys in itertools.product((1, -1), repeat=n_value):
        count += 1
        w1 = cp * u
        w2 = sum((ys[i] * X2[i, :].T for i in range(n_value)), sp.zeros(D_value, 1))
        Z = sp.Matrix([[ys[i] * X2[i, j] for j in range(D_value)] for i in range(n_value)])
        G1 = Z * Z.T * sp.ones(n_value, 1)
        for i in range(n_value):
            x1 = c * ys[i] * u
            train = ys[i] * ((w1.T * x1)[0] + (w2.T * X2[i, :].T)[0])
            sprime = ys[i] * ((w1.T * x1)[0] - (w2.T * X2[i, :].T)[0])
            ok &= zero_on_sphere(train - (c * cp + G1[i]))
            ok &= zero_on_sphere(sprime - (c * cp + s_prime_sign * G1[i]))
        ok &= sp.expand((w2.T * w2)[0] - (sp.ones(1, n_value) * G1)[0]) == 0
    return GramProof(n_value, D_value, K_value, bool(ok), count)


# ------------------------------------------------------------------------------ the lemma


def prove_eps_unif_lemma(bound=None) -> bool:
    """If L_D(h_S) <= eps and h_S errs on all of S' (empirical loss 1), then the gap on S', which the
    uniform bound must cover when S' is itself a typical sample, is |L_D(h_S) - 1| >= 1 - eps.

    Proved for every eps in (0, 1) and L in [0, eps] by parametrizing them with sign-constrained
    symbols: eps = 1/(1 + p), p > 0, and L = eps (1 - v), v = q/(1 + q) in [0, 1), q >= 0 (v = 1, L = 0,
    is the limit q -> oo; there the gap is 1). sympy resolves |L - 1| from the signs and factors
    |L - 1| - (1 - eps) into a manifestly nonnegative expression."""
    p = sp.Symbol("p", positive=True)
    q = sp.Symbol("q", nonnegative=True)
    e = 1 / (1 + p)
    L = e * (1 - q / (1 + q))
    in_range = bool(sp.factor(L - e).is_nonpositive) and bool(sp.factor(L).is_nonnegative)
    claimed = (1 - e) if bound is None else bound(e)  # ``bound``: a wrong statement to test with
    slack = sp.factor(sp.simplify(sp.Abs(L - 1) - claimed))
    return in_range and bool(slack.is_nonnegative)


def good_pair_probability() -> sp.Expr:
    """Lower bound on P(S in S_delta, S' in S_delta, and the events hold) by a union bound: both S and
    S' ~ D^n miss the good set with probability <= delta each, the events fail with probability <=
    delta: 1 - 3 delta, positive for delta < 1/3 (so a witnessing S exists)."""
    return 1 - 3 * delta


def prove_good_pair_positive(expr: sp.Expr | None = None) -> bool:
    """1 - 3 delta > 0 for EVERY delta in (0, 1/3) (so for every delta in (0, 1/4]), not at one value:
    delta = 1/(3 (1 + p)) with p > 0 sweeps (0, 1/3) exactly; sympy factors the bound into a manifestly
    positive expression of p. ``expr`` replaces the bound (a wrong one to test with)."""
    p = sp.Symbol("p", positive=True)
    e = good_pair_probability() if expr is None else expr
    return bool(sp.factor(sp.simplify(e.subs(delta, 1 / (3 * (1 + p))))).is_positive)


# ---------------------------------------------------------------- numeric closed forms


def _phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def test_error_given_norm(s: Setting, w2_norm2: float, dps: int = 30) -> float:
    """Phi(-c c' sqrt(D) / (s ||w2||)): the derived expression, lambdified to mpmath and evaluated with
    ``dps`` digits (the erf form 1 + erf(-x) cancels in float64 in the far tail)."""
    import mpmath as mp

    with mp.workdps(dps):
        return float(_lambdified_test_error()(s.c, s.c_prime, s.s2, s.D, w2_norm2))


@cache
def _lambdified_test_error():
    return sp.lambdify((c, cp, s2, D, W2), test_error_given_w(), "mpmath")


def expected_norm2(s: Setting) -> float:
    mean, _ = noise_norm_moments()
    return float(mean.subs({n: s.n, s2: s.s2, D: s.D}))


def norm2_variance(s: Setting) -> float:
    _, var = noise_norm_moments()
    return float(var.subs({n: s.n, s2: s.s2, D: s.D}))


def margin_moments(s: Setting) -> dict[str, float]:
    m, v = train_margin_moments()
    ms, _ = s_prime_margin_moments()
    _, _, cov = noise_margin_moments()
    sub = {n: s.n, s2: s.s2, D: s.D, c: s.c, cp: s.c_prime}
    return {"train_mean": float(m.subs(sub)), "s_prime_mean": float(ms.subs(sub)),
            "var": float(v.subs(sub)), "cov": float(cov.subs(sub))}


def approx_test_error(s: Setting) -> float:
    """Phi(-c c' sqrt(D/n) / s^2): the conditional error at ||w2||^2 = E||w2||^2 = n s^2."""
    return _phi(-s.rho * math.sqrt(s.D / s.n))


# ------------------------------------------------------------- the sufficient condition on D


def condition_terms(n_value: int, D_value: float, eps_value: float, delta_value: float, rho: float,
                    rho_test: float | None = None):
    """The terms of the sufficient condition (see docs/derivations/nk_linear.md, section 7):

    chi^2_D / D in [l, v] with probability >= 1 - 2 delta/3 (Laurent-Massart, x = ln(3/delta)),
    max_i |g_i - gbar| <= t with probability >= 1 - delta/3 (t = sqrt(2 ln(6 n / delta))).
    S' error 1 (hence train error 0) if  l - t sqrt(n v / D) > rho;
    test ramp loss <= eps             if  n v z_eps^2 <= rho_test^2 D,
    rho_test = (c c' - gamma)/s^2 (the test margin must clear gamma; rho_test = rho is the 0-1 error).
    Returns (l, v, t, z_eps, margin_slack, test_slack); both slacks >= 0 means the condition holds."""
    rho_test = rho if rho_test is None else rho_test
    x = math.log(3.0 / delta_value)
    lo = 1.0 - 2.0 * math.sqrt(x / D_value)
    hi = 1.0 + 2.0 * math.sqrt(x / D_value) + 2.0 * x / D_value
    t = math.sqrt(2.0 * math.log(6.0 * n_value / delta_value))
    z = _NORMAL.inv_cdf(1.0 - eps_value)  # stdlib Wichura AS241, ~1e-16 relative like scipy's ndtri
    margin_slack = lo - t * math.sqrt(n_value * hi / D_value) - rho
    test_slack = rho_test**2 * D_value - n_value * hi * z * z if z > 0 else rho_test**2 * D_value
    return lo, hi, t, z, margin_slack, test_slack


def condition_holds(n_value: int, D_value: float, eps_value: float, delta_value: float, rho: float,
                    rho_test: float | None = None) -> bool:
    *_, a, b = condition_terms(n_value, D_value, eps_value, delta_value, rho, rho_test)
    return a > 0 and b >= 0


def _check_rho(rho: float, rho_test: float | None) -> None:
    if not (0 < rho < 1):
        raise ValueError(f"the construction needs 0 < c c' / s^2 < 1 (got {rho!r}): otherwise S' is "
                         "classified correctly as D grows")
    if rho_test is not None and not (0 < rho_test <= rho):
        raise ValueError(f"the ramp margin gamma must lie in [0, c c'): (c c' - gamma)/s^2 = {rho_test!r}")


def sufficient_D(n_value: int, eps_value: float, delta_value: float, rho: float,
                 rho_test: float | None = None) -> int:
    """The smallest integer D satisfying the sufficient condition (both slacks increase with D)."""
    check_eps_delta(eps_value, delta_value)
    _check_rho(rho, rho_test)
    lo, hi = 1, 2
    while not condition_holds(n_value, hi, eps_value, delta_value, rho, rho_test):
        lo, hi = hi, hi * 2
        if hi > 1e300:
            raise ValueError("no D satisfies the condition")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if condition_holds(n_value, mid, eps_value, delta_value, rho, rho_test):
            hi = mid
        else:
            lo = mid
    return int(hi)


def asymptotic_D() -> sp.Expr:
    """Leading order of the sufficient D as D/n -> oo (l, v -> 1): n max(2 ln(6n/delta)/(1-rho)^2,
    z_eps^2 / rho_t^2), i.e. D = Omega(n ln(n/delta) + n ln(1/eps)) as recalled from the paper
    (rho_t = (c c' - gamma)/s^2; rho_t = rho for the 0-1 error)."""
    rho, rho_t, z = sp.symbols("rho rho_t z_epsilon", positive=True)
    return sp.Max(2 * n * sp.log(6 * n / delta) / (1 - rho) ** 2, n * z**2 / rho_t**2)


def stated_condition() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """The condition of section 7 as stated, in sympy (l, v, t as functions of n, D, delta): the check
    evaluates ``sufficient_D_bracket`` from these, independently of ``condition_terms``."""
    x = sp.log(3 / delta)
    return 1 - 2 * sp.sqrt(x / D), 1 + 2 * sp.sqrt(x / D) + 2 * x / D, sp.sqrt(2 * sp.log(6 * n / delta))


def sufficient_D_bracket(n_value: int, eps_value: float, delta_value: float, rho: float,
                         rho_test: float | None = None) -> tuple[float, float]:
    """(lower, upper) bounds on ``sufficient_D`` derived from the stated condition.

    Lower: the leading order L = n max(t^2/(1-rho)^2, z^2/rho_t^2): with l < 1 < v each requirement is
    stricter than its leading term. Upper: the requirements read D > f_m(D) = n t^2 v/(l - rho)^2 and
    D >= f_t(D) = n v z^2/rho_t^2 with f_m, f_t decreasing in D, so every D >= max(L, f_m(L), f_t(L)) + 1
    meets both: sufficient_D <= max(f_m(L), f_t(L)) + 1 (infinite when l(L) <= rho)."""
    rho_test = rho if rho_test is None else rho_test
    z = _NORMAL.inv_cdf(1.0 - eps_value)
    rho_s, rho_t, z_s = sp.symbols("rho rho_t z_epsilon", positive=True)
    lead = float(asymptotic_D().subs({n: n_value, delta: delta_value, rho_s: rho, rho_t: rho_test, z_s: z}))
    ell, v, t = (float(e.subs({n: n_value, D: lead, delta: delta_value})) for e in stated_condition())
    f_t = n_value * v * z * z / rho_test**2
    f_m = n_value * t * t * v / (ell - rho) ** 2 if ell > rho else math.inf
    return lead, max(f_m, f_t) + 1.0
