"""The symbolic side of Zhang et al.'s Theorem 1: weight count, Lemma 1, the recurrence, the spacing law."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SIGMAS, tolerance
from tests.helpers import fr
from tests.strategies import class_labels, interleavable, real_labels
from vacuity.kernels import expressivity as K
from vacuity.kernels.extended import gamma
from vacuity.theory import expressivity as T

# ------------------------------------------------------------------------------ weight count


def test_weight_count_is_2n_plus_d():
    assert sp.expand(T.weight_count() - (2 * T.n + T.d)) == 0
    shapes = {k: v.shape for k, v in T.parameter_blocks().items()}
    assert shapes == {"a": (T.d, 1), "b": (T.n, 1), "w": (T.n, 1)}


@given(st.integers(1, 10**6), st.integers(1, 10**4))
def test_weight_count_numeric(n, d):
    assert T.weight_count_numeric(n, d) == 2 * n + d


def test_statement_and_network_expression():
    assert T.theorem_statement().rhs == T.weight_count()
    expr = T.network_expression()
    assert isinstance(expr, sp.Sum) and expr.has(sp.Max)


# ----------------------------------------------------------------------------------- Lemma 1


@pytest.mark.parametrize("size", range(1, 7))
def test_lemma1(size):
    proof = T.prove_lemma1(size)
    assert proof.lower_triangular and proof.diagonal_is_gap and proof.eigenvalues_are_gaps
    assert proof.holds


def test_lemma1_proof_can_fail(monkeypatch):
    """A matrix that is not lower triangular (the transpose) is caught by the same proof."""
    original = T.Interleaved.matrix
    monkeypatch.setattr(T.Interleaved, "matrix", lambda self: original(self).T)
    proof = T.prove_lemma1(3)
    assert not proof.lower_triangular and not proof.holds


@pytest.mark.parametrize("size", range(1, 5))
def test_lemma1_prover_refutes_kinks_past_their_points(size):
    """The negative control the checked proof runs: with z_1 < b_1 < z_2 < ... the diagonal is 0, not the
    gaps, and the same prover says the lemma does not hold; the recurrence no longer solves A w = y."""
    s = T.Interleaved.make(size, late=True)
    assert all(zi < bi for zi, bi in zip(s.z, s.b, strict=True)) or size == 0
    proof = T.prove_lemma1(size, late=True)
    assert proof.lower_triangular and not proof.diagonal_is_gap and not proof.holds
    rec = T.prove_recurrence(size, late=True)
    assert not rec.solves_system and not rec.equals_triangular_solve and not rec.holds


# ------------------------------------------------------------------------- the admissible bound


def test_admissible_bound_and_adversarial_residual():
    u, TV, K_ = T.U_SYMBOL, T.TV_SYMBOL, T.K_SYMBOL
    stated = 4 * u / (1 - 4 * u) * TV + (T.i + 3) * u / (1 - (T.i + 3) * u) * K_
    assert sp.simplify(T.admissible_bound() - stated) == 0
    assert sp.expand(T.adversarial_residual() - u * (T.i - 1) * (T.i - 2) / 2) == 0
    # the derived gamma agrees with the kernel's
    for k in (1, 4, 1003):
        assert float(T.gamma_expr(k).subs(u, sp.Rational(1, 2**53))) == pytest.approx(gamma(k), rel=1e-15)
    # at TV = K = i (the adversarial instance's scale) the ratio tends to 1/2
    f = T.adversarial_sharpness_fn()
    assert f(10**6, 10**6, 10**6) == pytest.approx(0.5, rel=1e-4)
    assert f(1000.0, 1000.0, 1000.0) == pytest.approx(999 * 998 / (2 * 1000 * 1007), rel=1e-9)


def test_min_gap_constant_is_the_law_times_n_n_minus_1():
    for theta in (0.1, 0.25, 0.5):
        c = T.min_gap_constant(theta)
        assert c == pytest.approx((1 - theta) * 2 * np.sqrt(np.pi), rel=1e-14)
        for size in (2, 128, 4096):
            assert T.min_gap_mean(size, theta) * size * (size - 1) == pytest.approx(c, rel=1e-12)


# ------------------------------------------------------------------------------ the recurrence


@pytest.mark.parametrize("size", range(1, 7))
def test_recurrence_proof(size):
    proof = T.prove_recurrence(size)
    assert proof.solves_system and proof.equals_triangular_solve and proof.holds


def test_recurrence_matches_formula():
    assert T.recurrence_matches_formula()
    wi, sol = T.recurrence()
    assert wi.name == "w_i"


def test_recurrence_proof_can_fail(monkeypatch):
    """Shift one index in the recurrence (y_{i-1} -> y_i in the numerator): both the general-n identity
    and the per-n proof reject it."""
    zi, zp, bi, yi, yp, Sp, wi = sp.symbols("z_i z_{i-1} b_i y_i y_{i-1} S_{i-1} w_i", real=True)
    wrong = (yi - (zi - zp) * Sp) / (zi - bi)
    monkeypatch.setattr(T, "recurrence", lambda: (wi, wrong))
    assert not T.recurrence_matches_formula()
    assert not T.prove_recurrence(3).holds


def test_solve_by_recurrence_numeric_exact():
    """On rational interleaved data the derived recurrence gives the exact solution of A w = y."""
    z = [sp.Rational(v) for v in (0, 1, 3, 4, 9)]
    b = [sp.Rational(-1)] + [z[k - 1] + sp.Rational(1, 4) * (z[k] - z[k - 1]) for k in range(1, 5)]
    y = [sp.Rational(v) for v in (2, -1, 5, 0, 3)]
    w = T.solve_by_recurrence(z, b, y)
    A = sp.Matrix(5, 5, lambda r, c: sp.Max(z[r] - b[c], 0))
    assert A * sp.Matrix(w) == sp.Matrix(y)


@given(st.data())
def test_slope_recurrence_matches_kernel_coefficients(data):
    """alpha_i, beta_i of the symbolic slope form, evaluated exactly (Fractions through lambdify), agree
    with the kernel's recurrence_coefficients to within their rounding: each kernel coefficient is
    at most three roundings (two differences, one division) from exact, so within gamma(3)."""
    z, theta = data.draw(interleavable(max_n=300))
    n = z.shape[0]
    y = data.draw(real_labels(n) | class_labels(n))
    b = K.interleave(z, theta, np)
    alpha_k, beta_k = K.recurrence_coefficients(z, b, y, np)
    alpha_s, beta_s = T.slope_recurrence()
    syms = sp.symbols("z_i z_{i-1} b_i y_i y_{i-1}", real=True)
    f_alpha = sp.lambdify(syms, alpha_s, "math")
    f_beta = sp.lambdify(syms, beta_s, "math")
    g3 = Fraction(gamma(3))
    assert alpha_k[0] == 0.0  # S_0 = 0: the first coefficient never matters and is set to 0
    for i in range(n):
        zp, yp = (fr(z[i - 1]), fr(y[i - 1])) if i else (Fraction(0), Fraction(0))
        args = (fr(z[i]), zp, fr(b[i]), fr(y[i]), yp)
        ea, eb = f_alpha(*args), f_beta(*args)
        assert isinstance(ea, Fraction) and isinstance(eb, Fraction)
        if i:
            assert abs(fr(alpha_k[i]) - ea) <= g3 * abs(ea)
        assert abs(fr(beta_k[i]) - eb) <= g3 * abs(eb)


def test_slope_recurrence_closed_form():
    alpha, beta = T.slope_recurrence()
    zi, zp, bi, yi, yp = sp.symbols("z_i z_{i-1} b_i y_i y_{i-1}", real=True)
    assert sp.simplify(alpha - (-(bi - zp) / (zi - bi))) == 0
    assert sp.simplify(beta - (yi - yp) / (zi - bi)) == 0
    theta = sp.Symbol("theta", positive=True)
    with_theta = alpha.subs(bi, zp + theta * (zi - zp))
    assert sp.simplify(with_theta + theta / (1 - theta)) == 0  # alpha = -theta / (1 - theta)


# ------------------------------------------------------------------------- the spacing law


def test_gaussian_min_spacing_mean_closed_form():
    sigma = sp.Symbol("sigma", positive=True)
    expected = 2 * sp.sqrt(sp.pi) * sigma / (T.n * (T.n - 1))
    assert sp.simplify(T.gaussian_min_spacing_mean() - expected) == 0
    assert sp.simplify(T.gaussian_min_spacing_mean(sp.Integer(3), sp.Integer(10)) - 6 * sp.sqrt(sp.pi) / 90) == 0


def test_min_spacing_mean_uniform_density():
    x = sp.Symbol("x", real=True)
    uniform = sp.Piecewise((1, (x >= 0) & (x <= 1)), (0, True))
    assert sp.simplify(T.min_spacing_mean(uniform, x, T.n) - 1 / (T.n * (T.n - 1))) == 0


def test_min_gap_mean_and_rate_exponent():
    for size, theta in ((256, 0.25), (1024, 0.4)):
        expected = (1 - theta) * 2 * np.sqrt(np.pi) / (size * (size - 1))
        assert T.min_gap_mean(size, theta) == pytest.approx(expected, rel=1e-12)
    law = T.gaussian_min_spacing_mean(sp.Integer(1), T.n)
    slope = sp.limit(sp.diff(sp.log(law), T.n) * T.n, T.n, sp.oo)
    assert slope == T.MIN_SPACING_RATE_EXPONENT == -2


REPS = 600


def _min_spacings(size: int, reps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.standard_normal((reps, size)), axis=1)
    return np.min(np.diff(x, axis=1), axis=1)


def _agrees(samples: np.ndarray, predicted: float) -> tuple[bool, float]:
    """|mean - predicted| <= 6 SE, the SE from the sample standard deviation."""
    se = float(samples.std(ddof=1) / np.sqrt(samples.shape[0]))
    return abs(float(samples.mean()) - predicted) <= SIGMAS * se, (float(samples.mean()) - predicted) / se


@pytest.mark.parametrize("size", [256, 1024])
def test_gaussian_min_spacing_monte_carlo(size):
    samples = _min_spacings(size, REPS, seed=size)
    law = float(T.gaussian_min_spacing_mean(sp.Integer(1), sp.Integer(size)))
    ok, z = _agrees(samples, law)
    assert ok, f"mean min spacing is {z:.2f} SE from 2 sqrt(pi) / (n (n - 1))"
    # The same check rejects plausible wrong formulas, so it can fail.
    wrong = {
        "n^-1 rate": 2 * np.sqrt(np.pi) / size,
        "missing sqrt(pi)": 2.0 / (size * (size - 1)),
        "missing factor 2": np.sqrt(np.pi) / (size * (size - 1)),
        "n^2 instead of n(n-1), times 2": 4 * np.sqrt(np.pi) / size**2,
    }
    for name, value in wrong.items():
        ok, z = _agrees(samples, value)
        assert not ok, f"wrong formula ({name}) accepted at {z:.2f} SE"


def test_kink_position_theory_matches_kernel():
    """alpha(theta) = -theta/(1-theta) is derived from the slope recurrence; its contraction limit
    theta = 1/2 is the bound the kernel enforces, and the kernel's alpha matches the formula."""
    import numpy as np

    from vacuity.kernels import expressivity as K

    theta, alpha = T.alpha_of_theta()
    assert sp.simplify(alpha + theta / (1 - theta)) == 0
    assert T.max_contractive_theta() == sp.Rational(1, 2) == sp.nsimplify(K.MAX_THETA)
    z = np.cumsum(np.random.default_rng(0).uniform(0.5, 2.0, 50))
    for th in (0.1, 0.25, 0.5):
        b = K.interleave(z, th, np)
        a_kernel, _ = K.recurrence_coefficients(z, b, np.zeros(50), np)
        assert tolerance(np.float64).close(a_kernel[1:], T.Setting(50, 1, th).alpha)
    with pytest.raises(ValueError, match=r"theta must lie in \(0, 1/2\]"):
        T.Setting(10, 2, 0.6)
    with pytest.raises(ValueError, match="need n >= 1"):
        T.Setting(0, 2)
