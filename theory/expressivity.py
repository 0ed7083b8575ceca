"""Zhang et al. (2017), Theorem 1 and Lemma 1, stated and derived in sympy.

Theorem 1. There exists a two-layer neural network with ReLU activations and 2n + d weights that can
represent any function on a sample of size n in d dimensions.

The network is c(x) = sum_{j=1}^n w_j max(<a, x> - b_j, 0) with a in R^d and b, w in R^n. Lemma 1:
for interleaved b_1 < z_1 < b_2 < z_2 < ... < b_n < z_n the matrix A_ij = max(z_i - b_j, 0) is lower
triangular with positive diagonal z_i - b_i, so it is invertible and its smallest eigenvalue is
min_i (z_i - b_i). Everything numeric in the package (the weight count, the recurrence that solves
A w = y in O(n), the spacing law behind the conditioning) is derived here, not typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

n, d = sp.symbols("n d", positive=True, integer=True)
i, j = sp.symbols("i j", positive=True, integer=True)

# ------------------------------------------------------------------------------ the network


def parameter_blocks() -> dict[str, sp.MatrixSymbol]:
    """The network's parameters as shaped symbols: direction a, kinks b, output weights w."""
    return {
        "a": sp.MatrixSymbol("a", d, 1),
        "b": sp.MatrixSymbol("b", n, 1),
        "w": sp.MatrixSymbol("w", n, 1),
    }


@cache
def weight_count() -> sp.Expr:
    """Number of weights, counted from the parameter shapes: 2 n + d."""
    return sp.expand(sum(sp.Mul(*m.shape) for m in parameter_blocks().values()))


def weight_count_numeric(n_value: int, d_value: int) -> int:
    """The derived count, lambdified (looked up at call time, so a wrong derivation shows here too)."""
    return int(sp.lambdify((n, d), weight_count(), "math")(n_value, d_value))


def network_expression() -> sp.Expr:
    """c(x) = sum_j w_j max(<a, x> - b_j, 0) as a sympy expression (for display)."""
    z = sp.Symbol("z", real=True)  # z = <a, x>
    w = sp.IndexedBase("w")
    b = sp.IndexedBase("b")
    return sp.Sum(w[j] * sp.Max(z - b[j], 0), (j, 1, n))


def theorem_statement() -> sp.Expr:
    """c(x_i) = y_i for all i, with #weights = 2n + d (the claim, as a displayable relation)."""
    return sp.Eq(sp.Symbol("\\#\\mathrm{weights}"), weight_count())


# --------------------------------------------------------------------------------- Lemma 1


@dataclass(frozen=True)
class Interleaved:
    """Symbolic interleaved sequences: b_1 = t, z_i = b_i + g_i, b_{i+1} = z_i + h_i with g, h > 0.

    Positivity of the increments *is* the interleaving hypothesis; sympy then decides every
    max(z_i - b_j, 0) from the signs alone, so the proofs below use no numeric values."""

    z: tuple
    b: tuple
    g: tuple
    h: tuple

    @classmethod
    def make(cls, size: int, *, late: bool = False) -> Interleaved:
        """The interleaved sequences b_1 < z_1 < b_2 < ... < b_n < z_n; with ``late`` the counterexample
        z_1 < b_1 < z_2 < ... < z_n < b_n (each kink one place past its point, gaps g_i = b_i - z_i),
        for which the lemma's conclusion is false: a prover must refute it there."""
        t = sp.Symbol("t", real=True)
        g = sp.symbols(f"g1:{size + 1}", positive=True)
        h = sp.symbols(f"h1:{size}", positive=True)
        z, b = [], []
        cur = t
        for k in range(size):
            first, second = (z, b) if late else (b, z)
            first.append(cur)
            cur = cur + g[k]
            second.append(cur)
            if k < size - 1:
                cur = cur + h[k]
        return cls(tuple(z), tuple(b), tuple(g), tuple(h))

    def matrix(self) -> sp.Matrix:
        m = len(self.z)
        return sp.Matrix(m, m, lambda r, c: sp.Max(self.z[r] - self.b[c], 0))


@dataclass(frozen=True)
class Lemma1Proof:
    size: int
    lower_triangular: bool
    diagonal_is_gap: bool
    eigenvalues_are_gaps: bool

    @property
    def holds(self) -> bool:
        return self.lower_triangular and self.diagonal_is_gap and self.eigenvalues_are_gaps


def prove_lemma1(size: int, *, late: bool = False) -> Lemma1Proof:
    """Lemma 1 for one n: A lower triangular, diagonal z_i - b_i, characteristic polynomial
    prod_i (lambda - (z_i - b_i)), so the spectrum is the gaps and the smallest eigenvalue their min.
    With ``late`` the same prover runs on the counterexample of ``Interleaved.make`` (kinks past their
    points), where it must report that the lemma does not hold (a prover that cannot refute proves
    nothing)."""
    s = Interleaved.make(size, late=late)
    A = s.matrix()
    lam = sp.Symbol("lambda")
    upper_zero = all(A[r, c] == 0 for r in range(size) for c in range(r + 1, size))
    diag = all(sp.simplify(A[r, r] - s.g[r]) == 0 for r in range(size))
    charpoly = A.charpoly(lam).as_expr()
    target = sp.Mul(*[(lam - g) for g in s.g])
    eig = sp.expand(charpoly - target) == 0
    return Lemma1Proof(size, upper_zero, diag, eig)


# ------------------------------------------------------------------------------ the recurrence


@cache
def recurrence() -> tuple[sp.Symbol, sp.Expr]:
    """Derive w_i from rows i and i-1 of A w = y, for general n.

    Row i is sum_{j<=i} w_j (z_i - b_j) = z_i S_i - T_i with S_i = sum_{j<=i} w_j and
    T_i = sum_{j<=i} w_j b_j. Subtracting row i-1 and using S_i = S_{i-1} + w_i, T_i = T_{i-1} + b_i w_i
    leaves one linear equation in w_i. Returns (w_i, its solution).
    """
    zi, zp, bi, yi, yp, Sp, Tp, wi = sp.symbols("z_i z_{i-1} b_i y_i y_{i-1} S_{i-1} T_{i-1} w_i", real=True)
    row_i = zi * (Sp + wi) - (Tp + bi * wi)
    row_prev = zp * Sp - Tp
    (sol,) = sp.solve(sp.Eq(row_i - row_prev, yi - yp), wi)
    return wi, sp.factor(sol, wi)


def recurrence_formula() -> sp.Expr:
    """The form the paper-facts give: (y_i - y_{i-1} - (z_i - z_{i-1}) S_{i-1}) / (z_i - b_i)."""
    zi, zp, bi, yi, yp, Sp = sp.symbols("z_i z_{i-1} b_i y_i y_{i-1} S_{i-1}", real=True)
    return (yi - yp - (zi - zp) * Sp) / (zi - bi)


def recurrence_matches_formula(formula: sp.Expr | None = None) -> bool:
    """Whether the derived recurrence equals ``formula`` identically (default: ``recurrence_formula``)."""
    _, sol = recurrence()
    target = recurrence_formula() if formula is None else formula
    return sp.simplify(sol - target) == 0


def recurrence_near_miss() -> sp.Expr:
    """The stated form with the denominator z_i - b_{i-1} (the previous kink): a near miss that the
    comparison must refuse, or its True proves nothing."""
    zi, zp, bi, bp, yi, yp, Sp = sp.symbols("z_i z_{i-1} b_i b_{i-1} y_i y_{i-1} S_{i-1}", real=True)
    return recurrence_formula().subs(zi - bi, zi - bp)


def slope_recurrence() -> tuple[sp.Expr, sp.Expr]:
    """S_i = alpha_i S_{i-1} + beta_i: the same recurrence on the slopes S_i = S_{i-1} + w_i, the form
    the vectorized kernel scans. Returns (alpha_i, beta_i)."""
    zi, zp, bi, yi, yp, Sp = sp.symbols("z_i z_{i-1} b_i y_i y_{i-1} S_{i-1}", real=True)
    S_i = sp.expand(Sp + recurrence_formula())
    alpha = sp.simplify(S_i.coeff(Sp))
    beta = sp.simplify(S_i - alpha * Sp)
    return alpha, beta


def solve_by_recurrence(z, b, y) -> list:
    """w by the derived recurrence, on symbolic or numeric sequences (exact arithmetic)."""
    wi, sol = recurrence()
    zi, zp, bi, yi, yp, Sp = sp.symbols("z_i z_{i-1} b_i y_i y_{i-1} S_{i-1}", real=True)
    w, S = [], sp.Integer(0)
    for k in range(len(z)):
        val = sol.subs({zi: z[k], zp: z[k - 1] if k else 0, bi: b[k], yi: y[k],
                        yp: y[k - 1] if k else 0, Sp: S})
        val = sp.cancel(val)  # keep each w_k a reduced rational function: nested forms blow up
        w.append(val)
        S = sp.cancel(S + val)
    return w


@dataclass(frozen=True)
class RecurrenceProof:
    size: int
    solves_system: bool  # A w_rec - y == 0 identically
    equals_triangular_solve: bool  # w_rec == sympy's forward substitution, entry by entry

    @property
    def holds(self) -> bool:
        return self.solves_system and self.equals_triangular_solve


def prove_recurrence(size: int, *, late: bool = False) -> RecurrenceProof:
    """For one n, with symbolic interleaved z, b and symbolic labels y: the recurrence solves A w = y
    and coincides with the generic triangular solve, as rational-function identities. With ``late``
    (kinks past their points, ``Interleaved.make``) A is singular and the recurrence must fail."""
    s = Interleaved.make(size, late=late)
    y = sp.symbols(f"y1:{size + 1}", real=True)
    A = s.matrix()
    w_rec = sp.Matrix(solve_by_recurrence(s.z, s.b, y))
    residual = A * w_rec - sp.Matrix(y)
    solves = all(sp.cancel(e) == 0 for e in residual)
    try:
        w_tri = A.lower_triangular_solve(sp.Matrix(y))
    except TypeError:  # sympy: "Matrix must be non-singular"
        return RecurrenceProof(size, solves, False)
    same = all(sp.cancel(e) == 0 for e in (w_rec - w_tri))
    return RecurrenceProof(size, solves, same)


# ------------------------------------------------------------- the admissible residual bound


U_SYMBOL = sp.Symbol("u", positive=True)  # unit roundoff
TV_SYMBOL, K_SYMBOL = sp.symbols("TV K", positive=True)


def gamma_expr(k) -> sp.Expr:
    """Higham's gamma_k = k u / (1 - k u)."""
    return k * U_SYMBOL / (1 - k * U_SYMBOL)


def admissible_bound() -> sp.Expr:
    """The backward-error bound of the sequential recurrence, row i (docs/derivations/expressivity.md
    section 4): gamma_4 TV_i + gamma_{i+3} K_i, TV_i = sum_{k<=i} |y_k - y_{k-1}| (y_0 = 0) and
    K_i = (|A||w|)_i."""
    return gamma_expr(4) * TV_SYMBOL + gamma_expr(i + 3) * K_SYMBOL


def adversarial_residual() -> sp.Expr:
    """First-order residual of row i when every rounding of the running sum S_k = S_{k-1} + w_k
    (k >= 2) errs by +u (|S| ~ 1) and all other operations are exact: then rho_k = E_{k-1}, the sum's
    accumulated error E_k = (k - 1) u, and r_i = sum_{k=2}^{i} (k - 2) u."""
    k = sp.Symbol("k", positive=True, integer=True)
    return sp.factor(sp.summation((k - 2) * U_SYMBOL, (k, 2, i)))


def adversarial_sharpness_fn():
    """(i, TV_i, K_i) -> adversarial_residual / admissible_bound at u = 2^-53, lambdified; it tends to
    1/2 (the bound charges every row gamma_{i+3} where the running sum has erred only (k - 1) u)."""
    ratio = (adversarial_residual() / admissible_bound()).subs(U_SYMBOL, sp.Rational(1, 2**53))
    return sp.lambdify((i, TV_SYMBOL, K_SYMBOL), ratio, "numpy")


# ------------------------------------------------------------------------- conditioning laws


def min_spacing_mean(density: sp.Expr, x: sp.Symbol, size) -> sp.Expr:
    """Asymptotic mean of the smallest gap between `size` iid draws from `density`.

    The number of pairs closer than t is asymptotically Poisson with mean n(n-1)/2 * 2 t int f^2
    (each of the n(n-1)/2 pairs is that close with probability ~ 2 t int f^2), so
    P(min spacing > t) ~ exp(-n(n-1) t int f^2): exponential with mean 1 / (n(n-1) int f^2). For the
    uniform density this is 1/(n(n-1)); the exact value is 1/(n^2 - 1)."""
    return 1 / (size * (size - 1) * sp.integrate(density**2, (x, -sp.oo, sp.oo)))


def gaussian_min_spacing_mean(sigma=None, size=None) -> sp.Expr:
    """For projections N(0, sigma^2) (Gaussian data, unit random direction): 2 sqrt(pi) sigma / (n(n-1))."""
    x = sp.Symbol("x", real=True)
    sig = sigma if sigma is not None else sp.Symbol("sigma", positive=True)
    f = sp.exp(-(x**2) / (2 * sig**2)) / (sig * sp.sqrt(2 * sp.pi))
    return sp.simplify(min_spacing_mean(f, x, size if size is not None else n))


MIN_SPACING_RATE_EXPONENT = -2
"""The smallest gap between n projections shrinks like n^-2 of their spread (Lemma 1's eigenvalue)."""


def _min_gap_mean_fn():  # not cached: the law is re-derived on each use (cheap), never stale
    sig, th = sp.Symbol("sigma", positive=True), sp.Symbol("theta", positive=True)
    return sp.lambdify((n, th, sig), (1 - th) * gaussian_min_spacing_mean(sig, n), "math")


def min_gap_constant(theta: float, sigma: float = 1.0) -> float:
    """The law's constant: n (n - 1) times the expected Lemma-1 eigenvalue, (1 - theta) 2 sqrt(pi) sigma
    (the same at every n), derived from ``gaussian_min_spacing_mean``."""
    sig, th = sp.Symbol("sigma", positive=True), sp.Symbol("theta", positive=True)
    expr = sp.simplify((1 - th) * gaussian_min_spacing_mean(sig, n) * n * (n - 1))
    if n in expr.free_symbols:
        raise ValueError(f"the spacing law is not proportional to 1 / (n (n - 1)): {expr}")
    return float(expr.subs({th: theta, sig: sigma}))


def min_gap_mean(n_value: int, theta: float, sigma: float = 1.0) -> float:
    """Expected Lemma-1 eigenvalue min_i (z_i - b_i) = (1 - theta) * min spacing, asymptotically."""
    return float(_min_gap_mean_fn()(n_value, theta, sigma))


# ------------------------------------------------------------------------ where the kinks sit


def alpha_of_theta() -> tuple[sp.Symbol, sp.Expr]:
    """alpha_i of the slope recurrence when b_i = z_{i-1} + theta (z_i - z_{i-1}): -theta / (1 - theta),
    the same for every row, derived by substituting into ``slope_recurrence``."""
    theta = sp.Symbol("theta", positive=True)
    zi, zp, bi = sp.symbols("z_i z_{i-1} b_i", real=True)
    alpha, _ = slope_recurrence()
    return theta, sp.simplify(alpha.subs(bi, zp + theta * (zi - zp)))


@cache
def max_contractive_theta() -> sp.Expr:
    """The largest theta in (0, 1) with |alpha(theta)| <= 1: 1/2. Beyond it the slopes, hence the
    weights, grow geometrically along the sorted points."""
    theta, alpha = alpha_of_theta()
    (root,) = [r for r in sp.solve(sp.Eq(-alpha, 1), theta) if 0 < r < 1]
    return root


@dataclass(frozen=True)
class Setting:
    """One instance of the claim: n points in R^d, kinks at fraction theta of each gap. Its side
    conditions are checked when it is built."""

    n: int
    d: int
    theta: float = 0.25

    def __post_init__(self):
        if self.n < 1 or self.d < 1:
            raise ValueError(f"need n >= 1 points in d >= 1 dimensions; got n = {self.n}, d = {self.d}")
        if not 0.0 < self.theta <= float(max_contractive_theta()):
            raise ValueError(
                f"theta must lie in (0, {max_contractive_theta()}]; got {self.theta} (beyond it "
                "|alpha| = theta/(1-theta) > 1 and the weights grow geometrically)"
            )

    @property
    def weight_count(self) -> int:
        return weight_count_numeric(self.n, self.d)

    @property
    def alpha(self) -> float:
        theta, alpha = alpha_of_theta()
        return float(alpha.subs(theta, self.theta))
