"""Rademacher complexity: the linear class, Massart's lemma and the Rademacher generalization bounds.

Sources: Mohri, Rostamizadeh & Talwalkar, *Foundations of Machine Learning* (2nd ed.), Thm 3.3 (the two
generalization bounds), Lemma 3.4 and Thm 3.5 (binary classification), Thm 3.7 (Massart), Thm 5.10
(the linear class); Zhang et al. 2017 §2.2 (what a network can fit has empirical complexity about 1).

Empirical Rademacher complexity of a class H on a sample S = (x_1, ..., x_n):

    R̂_S(H) = E_σ [ sup_{h in H} (1/n) Σ_i σ_i h(x_i) ],   σ_i iid uniform on {-1, +1}.

Linear class H = {x -> <w, x> : ||w|| <= Λ} with ||x_i|| <= r: the sup is Λ ||Σ σ_i x_i|| / n
(Cauchy–Schwarz, attained at w = Λ s/||s||), E ||Σ σ_i x_i||^2 = Σ ||x_i||^2 (E σ_i σ_j = δ_ij), and
Jensen (sqrt is concave) gives R̂_S(H) <= Λ sqrt(Σ ||x_i||^2) / n <= r Λ / sqrt(n).

Every closed form below is either derived here from its ingredients or stated and then compared with
the derivation; the checked proof (proofs_checked/rademacher_linear.py) runs the comparisons, so a
wrong constant or rate in a stated formula fails the check.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import sympy as sp

from vacuity.theory.rates import RatedBound, derived_exponent, elasticity, n, register_bound

# every symbol is positive and nothing else, so RatedBound's by-name substitution finds it
r = sp.Symbol("r", positive=True)  # radius of the data: ||x_i|| <= r
Lam = sp.Symbol("Lambda", positive=True)  # radius of the weights: ||w|| <= Λ
delta = sp.Symbol("delta", positive=True)  # confidence: the bound holds with probability >= 1 - δ
N = sp.Symbol("N", positive=True)  # |A|, the size of a finite set (Massart)
R_A = sp.Symbol("R_A", positive=True)  # max_{a in A} ||a||_2 (Massart)
c = sp.Symbol("c", positive=True)  # |a_i| <= c for every coordinate of every a in A
R_m = sp.Symbol("R_m", positive=True)  # Rademacher complexity 𝔑_n(G) (expectation over samples)
R_hat = sp.Symbol("Rhat", positive=True)  # empirical Rademacher complexity 𝔑̂_S(G)
R_hat_H = sp.Symbol("Rhat_H", positive=True)  # empirical complexity of a ±1-valued class H
R_m_H = sp.Symbol("R_m_H", positive=True)  # Rademacher complexity 𝔑_n(H) of a ±1-valued class H
eps = sp.Symbol("epsilon", positive=True)
t = sp.Symbol("t", positive=True)

# ------------------------------------------------------------------------------ parameter checks


def check_n(value) -> None:
    if not (isinstance(value, (int,)) or float(value).is_integer()) or value < 1:
        raise ValueError(f"sample size n must be an integer >= 1; got {value!r}")


def check_delta(value) -> None:
    if not (0.0 < float(value) < 1.0):
        raise ValueError(f"confidence delta must lie in (0, 1); got {value!r}")


def check_positive(name: str, value) -> None:
    v = float(value)
    if not (v > 0.0 and math.isfinite(v)):
        raise ValueError(f"{name} must be positive and finite; got {value!r}")


def check_complexity(name: str, value) -> None:
    v = float(value)
    if not (v >= 0.0 and math.isfinite(v)):
        raise ValueError(f"{name} must be non-negative and finite; got {value!r}")


# ------------------------------------------------------------------------------ the linear class


@dataclass(frozen=True)
class CauchySchwarzProof:
    dim: int
    lagrange_identity: bool  # ||w||^2 ||s||^2 - <w, s>^2 = Σ_{i<j} (w_i s_j - w_j s_i)^2 >= 0
    attained: bool  # <Λ s/||s||, s> = Λ ||s||, with ||Λ s/||s|| || = Λ

    @property
    def holds(self) -> bool:
        return self.lagrange_identity and self.attained


def prove_linear_sup(dim: int) -> CauchySchwarzProof:
    """sup_{||w|| <= Λ} <w, s> = Λ ||s|| in R^dim: <w, s> <= ||w|| ||s|| by Lagrange's identity (a sum of
    squares), and w = Λ s / ||s|| attains it."""
    w = sp.symbols(f"w1:{dim + 1}", real=True)
    s = sp.symbols(f"s1:{dim + 1}", real=True)
    dot = sum(a * b for a, b in zip(w, s))
    sq = lambda v: sum(a**2 for a in v)  # noqa: E731
    squares = sum((w[i] * s[j] - w[j] * s[i]) ** 2 for i in range(dim) for j in range(i + 1, dim))
    identity = sp.expand(sq(w) * sq(s) - dot**2 - squares) == 0
    norm_s = sp.sqrt(sq(s))
    w_star = [Lam * si / norm_s for si in s]
    attained = (sp.simplify(sum(a * b for a, b in zip(w_star, s)) - Lam * norm_s) == 0
                and sp.simplify(sp.sqrt(sq(w_star)) - Lam) == 0)
    return CauchySchwarzProof(dim, identity, attained)


def linear_sup() -> sp.Expr:
    """The inner sup for one sign vector, as a function of ||Σ σ_i x_i|| (symbol ``S``)."""
    return Lam * sp.Symbol("S", positive=True) / n


def _symbolic_points(size: int, dim: int) -> list[tuple]:
    return [sp.symbols(f"x{i}_1:{dim + 1}", real=True) for i in range(1, size + 1)]


def _dot(a, b) -> sp.Expr:
    return sum(u * v for u, v in zip(a, b))


def _sign_sum_powers(X: list[tuple], power: int) -> sp.Expr:
    """E_σ ||Σ σ_i x_i||^(2 power), averaged over all 2^n sign vectors (exact, symbolic points)."""
    dim = len(X[0])
    total = sp.Integer(0)
    for signs in itertools.product((-1, 1), repeat=len(X)):
        total += sum(sum(sg * X[i][k] for i, sg in enumerate(signs)) ** 2 for k in range(dim)) ** power
    return sp.expand(total / 2 ** len(X))


def prove_second_moment(size: int, dim: int = 2, claimed=None) -> bool:
    """E_σ ||Σ σ_i x_i||^2 = Σ ||x_i||^2 exactly, by averaging over all 2^size sign vectors with symbolic
    points x_i in R^dim. ``claimed(X)`` is the right-hand side proved (default Σ ||x_i||^2): a check passes
    a wrong one (e.g. ||Σ x_i||^2, the cross terms kept) to see the enumeration refuse it."""
    X = _symbolic_points(size, dim)
    target = sum(_dot(x, x) for x in X) if claimed is None else claimed(X)
    return sp.expand(_sign_sum_powers(X, 1) - sp.expand(target)) == 0


def prove_second_moment_variance(size: int, dim: int = 2, claimed=None) -> bool:
    """Var_σ ||Σ σ_i x_i||^2 = 2 Σ_{i != j} <x_i, x_j>^2 exactly (all 2^size sign vectors, symbolic points):
    ||s||^2 - Σ||x_i||^2 = Σ_{i != j} σ_i σ_j <x_i, x_j>, and the products σ_i σ_j of distinct pairs are
    uncorrelated signs. ``claimed(X)`` replaces the right-hand side (a check passes a wrong one)."""
    X = _symbolic_points(size, dim)
    cross = sum(_dot(X[i], X[j]) ** 2 for i in range(size) for j in range(size) if i != j)
    target = 2 * cross if claimed is None else claimed(X)
    variance = _sign_sum_powers(X, 2) - _sign_sum_powers(X, 1) ** 2
    return sp.expand(variance - sp.expand(target)) == 0


def wrong_second_moment(X) -> sp.Expr:
    """||Σ x_i||^2: the cross terms kept, as if E σ_i σ_j were 1 (the negative control of the proof)."""
    dim = len(X[0])
    return sum(sum(x[k] for x in X) ** 2 for k in range(dim))


def wrong_second_moment_variance(X) -> sp.Expr:
    """Σ_{i != j} <x_i, x_j>^2, the factor 2 of the two orders (i, j), (j, i) lost (a negative control)."""
    return sum(_dot(X[i], X[j]) ** 2 for i in range(len(X)) for j in range(len(X)) if i != j)


def sign_correlation(i_equals_j: bool) -> sp.Expr:
    """E[σ_i σ_j] by enumerating the joint values of (σ_i, σ_j): 1 on the diagonal, 0 off it."""
    if i_equals_j:
        return sp.Rational(sum(s * s for s in (-1, 1)), 2)
    return sp.Rational(sum(a * b for a in (-1, 1) for b in (-1, 1)), 4)


def second_moment_general() -> tuple[sp.Expr, sp.Expr]:
    """General n: E ||Σ σ_i x_i||^2 = Σ_i Σ_j E[σ_i σ_j] G_ij with G the Gram matrix. With E[σ_i σ_j]
    from ``sign_correlation`` (1 on the diagonal, 0 off it) the double sum collapses to the trace
    Σ_i G_ii. Returns (the collapsed double sum, the trace)."""
    i, j = sp.symbols("i j", integer=True, positive=True)
    size = sp.Symbol("n", integer=True, positive=True)
    G = sp.IndexedBase("G")
    on, off = sign_correlation(True), sign_correlation(False)
    corr = on * sp.KroneckerDelta(i, j) + off * (1 - sp.KroneckerDelta(i, j))
    inner = sp.Sum(sp.expand(corr * G[i, j]), (j, 1, size)).doit()
    # summing the delta over j = 1..n leaves "G_ii if i <= n": true on the outer range i = 1..n
    inner = inner.subs(sp.Le(i, size), sp.true)
    collapsed = sp.simplify(sp.Sum(inner, (i, 1, size)).doit())
    return collapsed, sp.Sum(G[i, i], (i, 1, size))


def sqrt_is_concave() -> bool:
    """Jensen's step E sqrt(Y) <= sqrt(E Y) needs sqrt concave on (0, oo): its second derivative < 0."""
    return bool(sp.diff(sp.sqrt(t), t, 2).is_negative)


def derive_linear_bound() -> sp.Expr:
    """R̂_S(H) = (Λ/n) E||s|| <= (Λ/n) sqrt(E||s||^2) = (Λ/n) sqrt(Σ||x_i||^2) <= (Λ/n) sqrt(n r^2)."""
    S = sp.Symbol("S", positive=True)
    after_jensen = linear_sup().subs(S, sp.sqrt(n * r**2))
    return sp.simplify(after_jensen)


def linear_bound() -> sp.Expr:
    """Stated: R̂_S(H) <= r Λ / sqrt(n) (Mohri et al. Thm 5.10)."""
    return r * Lam / sp.sqrt(n)


def linear_bound_value(n_value, r_value: float = 1.0, lam_value: float = 1.0) -> float:
    check_n(n_value)
    check_positive("r", r_value)
    check_positive("Lambda", lam_value)
    return float(sp.lambdify((n, r, Lam), linear_bound(), "math")(n_value, r_value, lam_value))


# ------------------------------------------------------- how tight Jensen's step is (the sandwich)

m_sym = sp.Symbol("m", positive=True)  # E Y = E ||Σ σ_i x_i||^2 = Σ ||x_i||^2
v_sym = sp.Symbol("v", positive=True)  # Var Y = 2 Σ_{i != j} <x_i, x_j>^2


@dataclass(frozen=True)
class JensenSandwich:
    """1 - v/(2 m^2) <= E sqrt(Y) / sqrt(E Y) <= 1 for Y >= 0 with mean m and variance v."""

    polynomial: sp.Expr  # sqrt(u) - q(u) written in s = sqrt(u) >= 0, factored
    nonnegative: bool  # ... and proved >= 0, so sqrt(u) >= q(u) = 1 + (u-1)/2 - (u-1)^2/2 for all u >= 0
    lower: sp.Expr  # E q(Y/m) = 1 - v/(2 m^2), by linearity with E(Y/m - 1) = 0, E(Y/m - 1)^2 = v/m^2

    @property
    def holds(self) -> bool:
        return self.nonnegative and same_expression(self.lower, jensen_ratio_lower_stated())


def prove_jensen_sandwich() -> JensenSandwich:
    """The upper side is Jensen (sqrt concave). The lower side: sqrt(u) >= q(u) = 1 + (u-1)/2 - (u-1)^2/2
    on u >= 0, because with u = s^2 the difference is s (s - 1)^2 (s + 2) / 2 >= 0; take u = Y / m and the
    expectation: E sqrt(Y) >= sqrt(m) (1 - v / (2 m^2))."""
    s = sp.Symbol("s", nonnegative=True)
    e = sp.Symbol("e", real=True)  # u - 1
    q = 1 + e / 2 - e**2 / 2
    poly = sp.factor(s - q.subs(e, s**2 - 1))
    moments = {0: sp.Integer(1), 1: sp.Integer(0), 2: v_sym / m_sym**2}  # E (Y/m - 1)^k
    lower = sum(coef * moments[k] for (k,), coef in sp.Poly(sp.expand(q), e).terms())
    return JensenSandwich(poly, bool(poly.is_nonnegative), sp.simplify(lower))


def jensen_ratio_lower_stated() -> sp.Expr:
    """Stated: Rhat_S(H) / (Λ sqrt(Σ||x_i||^2) / n) >= 1 - v / (2 m^2)."""
    return 1 - v_sym / (2 * m_sym**2)


def jensen_ratio_lower_value(m_value: float, v_value: float) -> float:
    check_positive("m", m_value)
    check_complexity("v", v_value)
    return float(sp.lambdify((m_sym, v_sym), jensen_ratio_lower_stated(), "math")(m_value, v_value))


# ------------------------------------------------------------------------------------- Massart


@dataclass(frozen=True)
class CoshGaussianProof:
    """cosh t <= exp(t^2/2) for every real t, coefficient by coefficient for every k >= 0."""

    series_lhs: bool  # sum_k c_k t^(2k) is cosh t (sympy sums the series)
    series_rhs: bool  # sum_k g_k t^(2k) is exp(t^2/2)
    ratio_positive: bool  # r_k = c_k / g_k > 0 for every k >= 0 ...
    ratio_at_zero: bool  # ... with r_0 = 1 ...
    step: sp.Expr  # ... and r_{k+1} / r_k (= 1/(2k + 1)) ...
    step_at_most_one: bool  # ... <= 1 for every k >= 0, so r_k <= 1, i.e. c_k <= g_k (induction)

    @property
    def holds(self) -> bool:
        return all((self.series_lhs, self.series_rhs, self.ratio_positive, self.ratio_at_zero, self.step_at_most_one))


def prove_cosh_below_gaussian(lhs_coef=None, rhs_coef=None) -> CoshGaussianProof:
    """Hoeffding's lemma for one sign, cosh(t) <= exp(t^2/2) for all real t. Both are power series in t^2
    with non-negative coefficients, c_k = 1/(2k)! and g_k = 1/(2^k k!), and t^(2k) >= 0, so c_k <= g_k for
    every k suffices. The ratio r_k = c_k / g_k = 2^k k! / (2k)! = 1/(2k - 1)!! is 1 at k = 0 and
    r_{k+1} / r_k = 1/(2k + 1) <= 1 (sympy's combsimp), hence r_k <= 1 for all k >= 0 by induction. The
    coefficients are parameters so that tests can prove that a wrong pair is refused."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    tt = sp.Symbol("t", real=True)
    c = 1 / sp.factorial(2 * k) if lhs_coef is None else lhs_coef(k)
    g = 1 / (2**k * sp.factorial(k)) if rhs_coef is None else rhs_coef(k)
    series_lhs = sp.simplify(sp.Sum(c * tt ** (2 * k), (k, 0, sp.oo)).doit() - sp.cosh(tt)) == 0
    series_rhs = sp.simplify(sp.Sum(g * tt ** (2 * k), (k, 0, sp.oo)).doit() - sp.exp(tt**2 / 2)) == 0
    inv = sp.combsimp(c / g)
    step = sp.combsimp(sp.gammasimp(inv.subs(k, k + 1) / inv))
    return CoshGaussianProof(
        series_lhs=bool(series_lhs),
        series_rhs=bool(series_rhs),
        ratio_positive=bool(inv.is_positive),
        ratio_at_zero=bool(sp.simplify(inv.subs(k, 0) - 1) == 0),
        step=step,
        step_at_most_one=bool(sp.factor(sp.simplify(1 - step)).is_nonnegative),
    )


def cosh_below_gaussian() -> bool:
    return prove_cosh_below_gaussian().holds


def derive_massart() -> tuple[sp.Expr, sp.Expr]:
    """Massart's proof ends with E sup_a <σ, a> <= log N / t + t R_A^2 / 2 for every t > 0; minimize over
    t. Returns (the minimizing t, the bound on R̂ = E sup / n at that t)."""
    objective = sp.log(N) / t + t * R_A**2 / 2
    (t_star,) = [s for s in sp.solve(sp.diff(objective, t), t) if s.is_positive is not False]
    return sp.simplify(t_star), sp.simplify(objective.subs(t, t_star) / n)


def massart_bound() -> sp.Expr:
    """Stated: R̂ <= max ||a|| sqrt(2 log |A|) / n (Mohri et al. Thm 3.7)."""
    return R_A * sp.sqrt(2 * sp.log(N)) / n


def massart_value(max_norm: float, size: int, n_value: int) -> float:
    check_positive("max ||a||", max_norm)
    if int(size) != size or size < 1:
        raise ValueError(f"|A| must be an integer >= 1; got {size!r}")
    check_n(n_value)
    return float(sp.lambdify((R_A, N, n), massart_bound(), "math")(max_norm, size, n_value))


def repeated_rows_limit(size: int, n_value: int, sigmas: float = 6.0) -> float:
    """How many of ``size`` uniform draws from {-1, +1}^n may repeat an earlier one, at ``sigmas``
    standard deviations: the repeats are at most the colliding pairs C, whose indicators have
    P = 2^-n each and are pairwise independent (two pairs sharing a draw collide together with
    probability 2^-2n), so E C = N(N-1)/2 2^-n and Var C = E C (1 - 2^-n). Near 0 when 2^n >> N^2."""
    check_n(n_value)
    if int(size) != size or size < 1:
        raise ValueError(f"|A| must be an integer >= 1; got {size!r}")
    p = math.ldexp(1.0, -int(n_value))
    mean = size * (size - 1) / 2 * p
    return mean + sigmas * math.sqrt(mean * (1 - p))


def massart_bounded_coordinates() -> sp.Expr:
    """Massart for sets with |a_i| <= c: max ||a|| <= c sqrt(n), so R̂ <= c sqrt(2 log N / n)."""
    return sp.simplify(massart_bound().subs(R_A, c * sp.sqrt(n)))


def derive_massart_cube_ratio() -> sp.Expr:
    """How tight Massart is on the cube A = {-1, +1}^n: σ itself is in A, so E max_a <σ, a> / n = 1 exactly,
    while max ||a|| = sqrt(n) and |A| = 2^n give the bound sqrt(2 log 2). The ratio R̂ / bound."""
    bound = massart_bound().subs({R_A: sp.sqrt(n), N: 2**n})
    return sp.simplify(sp.expand_log(1 / bound, force=True))


def massart_cube_ratio_stated() -> float:
    """Stated: on the cube, R̂ / Massart = 1 / sqrt(2 log 2) ~ 0.849 for every n."""
    return 1 / math.sqrt(2 * math.log(2))


# ------------------------------------------------------------------------ generalization bounds


def mcdiarmid_epsilon(sum_c_squared: sp.Expr, confidence: sp.Expr) -> sp.Expr:
    """Solve exp(-2 ε^2 / Σ c_i^2) = confidence for ε > 0 (McDiarmid's inequality, one side)."""
    (sol,) = sp.solve(sp.Eq(sp.exp(-2 * eps**2 / sum_c_squared), confidence), eps)
    return sol


def derive_bound_expected() -> sp.Expr:
    """Thm 3.3 (i): Φ(S) = sup_g (E g - Ê_S g) has bounded differences 1/n, so with prob. >= 1 - δ,
    Φ(S) <= E Φ + ε(δ) and E Φ <= 2 𝔑_n(G) (symmetrization). The complexity term of the bound."""
    return 2 * R_m + mcdiarmid_epsilon(1 / n, delta)


def derive_bound_empirical() -> sp.Expr:
    """Thm 3.3 (ii): McDiarmid twice at δ/2 each — once for Φ(S), once for 𝔑̂_S (also differences
    1/n) — then a union bound: 2 (𝔑̂_S + ε(δ/2)) + ε(δ/2)."""
    e = mcdiarmid_epsilon(1 / n, delta / 2)
    return 2 * (R_hat + e) + e


def bound_expected() -> sp.Expr:
    """Stated: E g <= Ê_S g + 2 𝔑_n(G) + sqrt(log(1/δ) / (2n)); this is the part added to Ê_S g."""
    return 2 * R_m + sp.sqrt(sp.log(1 / delta) / (2 * n))


def bound_empirical() -> sp.Expr:
    """Stated: E g <= Ê_S g + 2 𝔑̂_S(G) + 3 sqrt(log(2/δ) / (2n))."""
    return 2 * R_hat + 3 * sp.sqrt(sp.log(2 / delta) / (2 * n))


def zero_one_loss_identity() -> bool:
    """Lemma 3.4's first step: for h(x), y in {-1, +1}, 1[h(x) != y] = (1 - y h(x)) / 2 (all four cases)."""
    return all(sp.Rational(1 - yy * hh, 2) == (1 if hh != yy else 0) for yy in (-1, 1) for hh in (-1, 1))


def sign_flip_is_bijection(size: int) -> bool:
    """Lemma 3.4's second step: for any labels y, σ -> (-y_i σ_i)_i permutes {-1, +1}^size, so
    E_σ sup Σ (-y_i σ_i) h(x_i) = E_σ sup Σ σ_i h(x_i). Checked for every label vector of this size."""
    cube = set(itertools.product((-1, 1), repeat=size))
    return all({tuple(-yi * si for yi, si in zip(y, s)) for s in cube} == cube for y in cube)


def derive_bound_binary() -> sp.Expr:
    """Thm 3.5: 𝔑̂_S(G_01) = 𝔑̂_{S_X}(H) / 2 (Lemma 3.4; the constant 1/2 of the loss drops out of the
    sup), substituted into Thm 3.3 (ii): R(h) <= R̂_S(h) + 𝔑̂(H) + 3 sqrt(log(2/δ)/(2n))."""
    return sp.expand(derive_bound_empirical().subs(R_hat, R_hat_H / 2))


def derive_bound_binary_expected() -> sp.Expr:
    """Thm 3.5, first form: 𝔑_n(G_01) = 𝔑_n(H) / 2 (Lemma 3.4 for every sample, then the expectation)
    substituted into Thm 3.3 (i): R(h) <= R̂_S(h) + 𝔑_n(H) + sqrt(log(1/δ)/(2n))."""
    return sp.expand(derive_bound_expected().subs(R_m, R_m_H / 2))


def bound_binary_expected() -> sp.Expr:
    """Stated: R(h) <= R̂_S(h) + 𝔑_n(H) + sqrt(log(1/δ) / (2n))."""
    return R_m_H + sp.sqrt(sp.log(1 / delta) / (2 * n))


def bound_binary() -> sp.Expr:
    """Stated: R(h) <= R̂_S(h) + 𝔑̂_S(H) + 3 sqrt(log(2/δ) / (2n)) for ±1-valued H (no factor 2)."""
    return R_hat_H + 3 * sp.sqrt(sp.log(2 / delta) / (2 * n))


def same_expression(a: sp.Expr, b: sp.Expr) -> bool:
    """a == b for all positive values of the symbols, proved: each symbol is replaced by a positive one
    (so log(x y) = log x + log y and sqrt(x^2) = x are valid), and a - b must rewrite to exactly 0 by
    one of sympy's equivalence-preserving rewrites. False when none proves it: this is a proof, not a
    test, so an identity sympy cannot prove is reported as not proved (never a point evaluation)."""
    diff = sp.sympify(a) - sp.sympify(b)
    positive = {s: sp.Symbol(s.name, positive=True) for s in diff.free_symbols if s.is_Symbol}
    diff = diff.xreplace(positive)
    if diff == 0:
        return True
    for rewrite in (
        lambda e: sp.expand(sp.expand_log(e)),
        lambda e: sp.simplify(sp.expand_log(e)),
        lambda e: sp.cancel(sp.together(sp.expand(sp.expand_log(e)))),
        lambda e: sp.radsimp(sp.powsimp(sp.expand(sp.expand_log(e)))),
    ):
        if rewrite(diff) == 0:
            return True
    return False


def bound_expected_value(complexity: float, n_value: int, delta_value: float) -> float:
    """2 𝔑_n(G) + sqrt(log(1/δ)/(2n)), the stated Thm 3.3 (i) term, at numbers."""
    check_complexity("Rademacher complexity", complexity)
    check_n(n_value)
    check_delta(delta_value)
    return float(sp.lambdify((R_m, n, delta), bound_expected(), "math")(complexity, n_value, delta_value))


def bound_empirical_value(complexity: float, n_value: int, delta_value: float) -> float:
    """2 𝔑̂_S(G) + 3 sqrt(log(2/δ)/(2n)), the stated Thm 3.3 (ii) term, at numbers."""
    check_complexity("empirical Rademacher complexity", complexity)
    check_n(n_value)
    check_delta(delta_value)
    return float(sp.lambdify((R_hat, n, delta), bound_empirical(), "math")(complexity, n_value, delta_value))


def bound_binary_value(complexity_h: float, n_value: int, delta_value: float, train_error: float = 0.0) -> float:
    """R̂_S(h) + 𝔑̂_S(H) + 3 sqrt(log(2/δ)/(2n)), the stated Thm 3.5 bound on the test error, at numbers."""
    check_complexity("empirical Rademacher complexity of H", complexity_h)
    check_n(n_value)
    check_delta(delta_value)
    if not 0.0 <= float(train_error) <= 1.0:
        raise ValueError(f"train error must lie in [0, 1]; got {train_error!r}")
    f = sp.lambdify((R_hat_H, n, delta), bound_binary(), "math")
    return float(train_error) + float(f(complexity_h, n_value, delta_value))


# --------------------------------------------------------------------------- vacuity threshold


def agreement_identity(size: int, claimed=None) -> bool:
    """(1/n) Σ σ_i h_i = 1 - 2 m / n for σ, h in {-1, +1}^n with m = #{i : h_i != σ_i}, for every pair of
    sign vectors of this size: a fit's correlation with the signs counts its misfit points. ``claimed(m, n)``
    replaces the right-hand side (a check passes a wrong one, e.g. 1 - m/n, to see it refused)."""
    rhs = (lambda m, size: 1 - sp.Rational(2 * m, size)) if claimed is None else claimed
    cube = list(itertools.product((-1, 1), repeat=size))
    return all(sp.Rational(sum(a * b for a, b in zip(s, h)), size)
               == rhs(sum(a != b for a, b in zip(s, h)), size) for s in cube for h in cube)


def derive_vacuity_misfit() -> sp.Expr:
    """A ±1 class that fits all but a fraction f of every sign vector has 𝔑̂(H) >= 1 - 2f
    ((1/n) Σ σ_i h(x_i) = (n - 2 m)/n with m misfit points). The Thm 3.5 bound is >= 1 as soon as
    1 - 2f + 3 sqrt(log(2/δ)/(2n)) >= 1: solve for the largest such f."""
    f = sp.Symbol("f", positive=True)
    comp = bound_binary().subs(R_hat_H, 1 - 2 * f)
    (sol,) = sp.solve(sp.Eq(comp, 1), f)
    return sp.simplify(sol)


def vacuity_threshold() -> sp.Expr:
    """The empirical complexity above which the Thm 3.5 bound is >= 1 (vacuous): 1 - 2 f*."""
    return sp.simplify(1 - 2 * derive_vacuity_misfit())


def vacuity_threshold_stated() -> sp.Expr:
    """Stated: the bound is vacuous once 𝔑̂_S(H) >= 1 - 3 sqrt(log(2/δ) / (2n))."""
    return 1 - 3 * sp.sqrt(sp.log(2 / delta) / (2 * n))


def vacuity_threshold_value(n_value: int, delta_value: float) -> float:
    check_n(n_value)
    check_delta(delta_value)
    return float(sp.lambdify((n, delta), vacuity_threshold_stated(), "math")(n_value, delta_value))


# ------------------------------------------------------------------------ the class of networks

d_in = sp.Symbol("d", positive=True, integer=True)  # input dimension
width = sp.Symbol("w", positive=True, integer=True)  # hidden units per layer
depth = sp.Symbol("L", positive=True, integer=True)  # hidden ReLU layers


def mlp_parameter_count() -> sp.Expr:
    """Weights and biases of a ReLU MLP d -> w (L hidden layers) -> 1: the class H whose complexity is
    measured. First layer d w + w, each further hidden layer w^2 + w, the output w + 1."""
    return d_in * width + width + (depth - 1) * (width**2 + width) + width + 1


def mlp_parameter_count_value(d_value: int, width_value: int, depth_value: int) -> int:
    for name, v in (("d", d_value), ("width", width_value), ("depth", depth_value)):
        if int(v) != v or v < 1:
            raise ValueError(f"{name} must be an integer >= 1; got {v!r}")
    return int(mlp_parameter_count().subs({d_in: d_value, width: width_value, depth: depth_value}))


def sgd_steps(n_value: int, epochs: int, batch: int) -> int:
    """SGD steps of ``epochs`` passes over n points in minibatches of ``batch`` (the last one smaller)."""
    for name, v in (("n", n_value), ("epochs", epochs), ("batch", batch)):
        if int(v) != v or v < 1:
            raise ValueError(f"{name} must be an integer >= 1; got {v!r}")
    return int(epochs) * -(-int(n_value) // int(batch))


# ------------------------------------------------------------------------- the prover's negative controls


def _probe_point(expr: sp.Expr) -> dict:
    # distinct positive values, away from any special point of the formulas here (δ = 0.85 is a valid
    # confidence; log N, log(2/δ) are non-zero)
    return {s: sp.Rational(11 + 7 * k, 13) for k, s in enumerate(sorted(expr.free_symbols, key=str))}


def near_misses(expr: sp.Expr) -> list[sp.Expr]:
    """Realistic wrong versions of a formula: each numeric constant c replaced by c + 1 (a 3 that became
    4, log(2/δ) -> log(3/δ), the exponent -1/2 -> 1/2), and n by n^2 (a wrong rate). Only versions that
    differ from the formula at a positive point are kept (so each is genuinely wrong)."""
    expr = sp.sympify(expr)
    candidates = [expr.xreplace({a: a + 1}) for a in sorted(expr.atoms(sp.Number), key=str)]
    if n in expr.free_symbols:
        candidates.append(expr.xreplace({n: n**2}))
    out = []
    for cand in candidates:
        point = _probe_point(expr + cand)
        gap = complex(sp.N((expr - cand).subs(point), 30))
        if abs(gap) > 1e-9 and all(cand != o for o in out):
            out.append(cand)
    return out


def accepted_near_misses(derived: sp.Expr) -> tuple[int, list[sp.Expr]]:
    """``same_expression`` run on a derivation and each of its near misses: it must refuse every one (a
    prover that accepts a wrong formula proves nothing). Returns (how many were tried, those accepted)."""
    misses = near_misses(derived)
    return len(misses), [m for m in misses if same_expression(derived, m)]


# -------------------------------------------------------------------------------- rates as data


def rated_bounds() -> tuple[RatedBound, ...]:
    """The n-dependent bounds, built from the *stated* formulas (a RatedBound refuses a declared rate its
    expression does not have). The complexity terms use the linear class's r Λ / sqrt(n)."""
    lin = linear_bound()
    d = {r: 1.0, Lam: 1.0, delta: 0.05}
    return (
        RatedBound("rademacher_linear", lin, sp.Rational(-1, 2), {r: 1.0, Lam: 1.0}),
        RatedBound("rademacher_massart_bounded", massart_bounded_coordinates(), sp.Rational(-1, 2),
                   {c: 1.0, N: 1000.0}),
        RatedBound("rademacher_bound_expected_linear", bound_expected().subs(R_m, lin), sp.Rational(-1, 2), d),
        RatedBound("rademacher_bound_empirical_linear", bound_empirical().subs(R_hat, lin),
                   sp.Rational(-1, 2), d),
        RatedBound("rademacher_confidence_empirical", bound_empirical().subs(R_hat, 0), sp.Rational(-1, 2),
                   {delta: 0.05}),
    )


def linear_rate_exponent() -> sp.Expr:
    """The rate of the stated linear bound, derived from its expression (not declared)."""
    return derived_exponent(linear_bound())


def derived_rates() -> dict[str, sp.Expr]:
    """The rate of each rated bound, from the *derivations* (not the stated formulas): what every declared
    ``rate_exponent`` must equal."""
    lin = derive_linear_bound()
    return {
        "rademacher_linear": derived_exponent(lin),
        "rademacher_massart_bounded": derived_exponent(derive_massart()[1].subs(R_A, c * sp.sqrt(n))),
        "rademacher_bound_expected_linear": derived_exponent(derive_bound_expected().subs(R_m, lin)),
        "rademacher_bound_empirical_linear": derived_exponent(derive_bound_empirical().subs(R_hat, lin)),
        "rademacher_confidence_empirical": derived_exponent(derive_bound_empirical().subs(R_hat, 0)),
    }


def linear_bound_elasticity() -> sp.Expr:
    """n f'(n) / f(n) of the stated linear bound: its exact local log-log slope (constant -1/2)."""
    return elasticity(linear_bound())


def linear_bound_slope_over(ns, weights, r_value: float = 1.0, lam_value: float = 1.0) -> float:
    """The slope a weighted log-log fit over the sizes ``ns`` should find for the stated linear bound: its
    exact elasticity at each size, averaged with the fit's leverage weights w_i (log n_i - mean)^2 (the
    elasticity itself wherever it is constant, as for r Λ / sqrt(n))."""
    import numpy as np

    ns = np.asarray(ns, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    x = np.log(ns)
    lever = w * (x - np.sum(w * x) / np.sum(w)) ** 2
    e = sp.lambdify((n, r, Lam), linear_bound_elasticity(), "numpy")(ns, r_value, lam_value)
    e = np.broadcast_to(np.asarray(e, dtype=np.float64), ns.shape)
    return float(np.sum(lever * e) / np.sum(lever))


for _b in rated_bounds():
    register_bound(_b)
