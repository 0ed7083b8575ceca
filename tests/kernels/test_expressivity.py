"""The 2n + d memorizer (Zhang et al. 2017, Theorem 1) at the kernel level.

Every tolerance is a derived rounding-error bound: the library's own admissible residual (proved for
the sequential recurrence, docs/derivations/expressivity.md section 4), Higham's gamma_k bounds for the
reference algorithms, or exact rational arithmetic (fractions.Fraction) as the oracle.
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
import torch
from hypothesis import example, given, target
from hypothesis import strategies as st

import vacuity
from tests.conftest import to_numpy
from tests.helpers import (
    assert_within,
    exact_network_residual,
    exact_residual,
    fr,
    ns,
    numpy_construction_from,
    point_tolerance,
    xp_settings,
)
from tests.strategies import (
    class_labels,
    datasets,
    distinct_rows,
    duplicated_datasets,
    interleavable,
    point_sets,
    real_labels,
    seeds,
    sizes,
    wide_sizes,
)
from vacuity.kernels import expressivity as K
from vacuity.kernels.extended import U, gamma


def _check_structure(c, X, y, xp):
    """Invariants of a Construction built from distinct points X with labels y."""
    n, d = X.shape
    z, b, keep = to_numpy(c.z), to_numpy(c.b), to_numpy(c.keep)
    assert c.n == n and c.d == d
    assert sorted(keep.tolist()) == list(range(n))
    assert np.array_equal(to_numpy(c.y), np.asarray(y, dtype=np.float64)[keep])
    assert np.all(np.diff(z) > 0), "projections must be sorted and distinct"
    assert np.all(b < z), "b_i < z_i"
    assert np.all(b[1:] > z[:-1]), "z_{i-1} < b_i"
    # the projections are those of the kept points, by the same routine the network evaluates with
    zx = to_numpy(K.project(xp.asarray(X), c.a, ns(xp)))
    assert np.array_equal(zx[keep], z)


# ------------------------------------------------------------------------- the main property


def _corner(n, d, labels, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(n) if labels == "real" else rng.integers(0, 10, n).astype(np.float64)
    return rng.standard_normal((n, d)), y


@xp_settings
@given(datasets(label_kind="any"))
@example(data=_corner(2000, 64, "real"))
@example(data=_corner(2000, 64, "classes"))
@example(data=_corner(2000, 1, "real"))
@example(data=_corner(64, 64, "real"))
@example(data=_corner(1, 1, "real"))
@example(data=_corner(2, 64, "classes"))
def test_memorizer_fits_any_labels(xp, data):
    """n distinct points, n in [1, 2000], d in [1, 64], any labels: exactly 2n + d weights, and the
    float64 network reproduces every label within its rigorous per-point bound."""
    X, y = data
    n, d = X.shape
    m = vacuity.memorize(xp.asarray(X), xp.asarray(y))
    assert m.n_params == 2 * n + d
    assert (m.a.shape, m.b.shape, m.w.shape) == ((d,), (n,), (n,))
    c = m.construction
    _check_structure(c, X, y, xp)
    v = m.verify(xp.asarray(X), xp.asarray(y))
    assert v["n_params"] == 2 * n + d
    assert v["backward_ok"], v
    assert v["forward_ok"], v
    assert v["max_abs_residual"] <= v["tolerance"], v
    assert v["backward_error"] <= v["backward_error_bound"], v
    if np.all(y == np.round(y)):
        assert v["classes_ok"] is True
    assert v["passed"], v
    # The eps * kappa form of the per-point bound: admissible_i <= gamma(4) TV(y) + gamma(n + 3) K_i
    # with K_i <= kappa max|y|, plus the output's own evaluation error. (Not a new tolerance: a
    # consequence of the per-point one, checking that kappa is reported consistently with it.)
    ymax = float(np.max(np.abs(y))) or 1.0
    tv = float(np.sum(np.abs(np.diff(np.concatenate([[0.0], to_numpy(c.y)])))))
    _, out_err = K.evaluate(c, xp.asarray(X), return_error=True)
    eps_kappa = gamma(4) * tv * (1 + gamma(n + 1)) + gamma(n + 3) * v["kappa"] * ymax * (1 + gamma(2))
    assert v["max_abs_residual"] <= eps_kappa + float(np.max(to_numpy(out_err)))
    assert math.isfinite(v["forward_error_units"]) and v["forward_error_units"] >= 0
    target(v["forward_error_units"], label="forward_error_units")


@given(st.data())
def test_exact_residual_meets_admissible_bound(data):
    """Independent oracle: the exact (Fraction) residual y - A w of the built weights is within the
    admissible bound on every row, for the default scan, the sequential solver and a refined scan;
    and verify's extended-precision residual is within its own error bound of the exact one."""
    n, d = data.draw(sizes(max_n=400, max_d=16))
    X = data.draw(point_sets(n, d))
    y = data.draw(real_labels(n) | class_labels(n))
    solver, refine = data.draw(st.sampled_from([("scan", 0), ("sequential", 0), ("scan", 1)]))
    c = K.construct(X, y, solver=solver, refine=refine)
    r = exact_residual(c.z, c.b, c.w, c.y)
    assert_within(r, c.admissible, f"{solver} (refine={refine}) exact residual")
    r_dd, r_err = c.evaluator.r, c.evaluator.r_err
    for i in range(c.n):
        assert abs(fr(r_dd[i]) - r[i]) <= fr(r_err[i])
    if n <= 60:  # the ReLU network itself, without the interleaving shortcut
        assert exact_network_residual(c.z, c.b, c.w, c.y) == r


@given(seeds, st.integers(1, 300), st.sampled_from([1e-3, 1.0, 1e3]))
def test_evaluator_error_bound_on_new_points(seed, n, scale):
    """c(x) at points off the training set (below b_1, between kinks, beyond z_n) is within the
    returned error of the exact value of the float64 network at the same projection."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) * scale
    c = K.construct(X, rng.standard_normal(n))
    Q = np.concatenate([rng.standard_normal((50, 3)) * scale * 3, X[:5] + 1e-9 * scale])
    value, err = K.evaluate(c, Q, return_error=True)
    zq = K.project(Q, c.a, np)
    b, w = to_numpy(c.b), to_numpy(c.w)
    for q in range(Q.shape[0]):
        exact = sum((fr(wj) * (fr(zq[q]) - fr(bj)) for wj, bj in zip(w, b) if zq[q] > bj), Fraction(0))
        assert abs(fr(value[q]) - exact) <= fr(err[q])


def test_absolute_rows_and_admissible_against_exact():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((120, 4)), rng.standard_normal(120)
    c = K.construct(X, y)
    z, b, w = c.z, c.b, c.w
    n = c.n
    for i in range(n):
        exact = sum((abs(fr(w[j])) * (fr(z[i]) - fr(b[j])) for j in range(i + 1)), Fraction(0))
        assert abs(fr(c.abs_rows[i]) - exact) <= Fraction(gamma(2 * n + 6)) * exact
    # the computed admissible bound never exceeds the exact formula it estimates from below
    dy = np.abs(np.diff(np.concatenate([[0.0], c.y])))
    for i in range(n):
        tv = sum((fr(v) for v in dy[: i + 1]), Fraction(0))
        Ki = sum((abs(fr(w[j])) * (fr(z[i]) - fr(b[j])) for j in range(i + 1)), Fraction(0))
        formula = Fraction(gamma(4)) * tv + Fraction(i + 4) * Fraction(U) / (1 - Fraction(i + 4) * Fraction(U)) * Ki
        assert fr(c.admissible[i]) <= formula


# ------------------------------------------------------------------------------- the solvers


def _interleaved_problem(data, max_n):
    z, theta = data.draw(interleavable(max_n=max_n))
    n = z.shape[0]
    if n > 40:
        theta = min(theta, 0.5)  # |alpha| = theta / (1 - theta) <= 1: weights cannot overflow
    b = K.interleave(z, theta, np)
    assert b is not None
    y = data.draw(real_labels(n) | class_labels(n))
    return z, b, y, theta


def _admissible(z, b, w, y):
    return K.admissible_residual(z, b, y, K.absolute_rows(z, b, w, np), np)


@given(st.data())
def test_solve_sequential_meets_admissible_bound(data):
    """The sequential recurrence is the algorithm the backward-error bound is proved for: its exact
    residual must satisfy it on every row (this validates the error analysis)."""
    z, b, y, _ = _interleaved_problem(data, 300)
    w = K.solve_sequential(z, b, y)
    assert_within(exact_residual(z, b, w, y), _admissible(z, b, w, y), "sequential residual")


@given(st.data())
def test_scan_equals_sequential_within_backward_bound(data):
    """solve_scan and solve_sequential solve the same system; each meets the admissible bound, so
    |A (w_scan - w_seq)|_i <= admissible(w_scan)_i + admissible(w_seq)_i, checked exactly."""
    z, b, y, _ = _interleaved_problem(data, 80)
    w_seq = K.solve_sequential(z, b, y)
    w_scan = K.solve_scan(z, b, y, np)
    adm_seq, adm_scan = _admissible(z, b, w_seq, y), _admissible(z, b, w_scan, y)
    r_seq, r_scan = exact_residual(z, b, w_seq, y), exact_residual(z, b, w_scan, y)
    assert_within(r_scan, adm_scan, "scan residual")
    assert_within([a - c for a, c in zip(r_seq, r_scan)], adm_seq + adm_scan, "A (w_scan - w_seq)")


@given(st.data())
def test_recurrence_equals_dense_triangular_solve(data):
    """Forward substitution on the dense A_ij = max(z_i - b_j, 0) (LAPACK via scipy) is backward
    stable: |y - A w_tri|_i <= gamma(i + 1) (|A||w_tri|)_i (Higham, Thm 8.5: gamma_i for the
    substitution in any order, one more rounding for forming A_ij). The recurrence meets its own
    bound; the two solutions then agree in the sense of residuals."""
    z, b, y, _ = _interleaved_problem(data, 60)
    n = z.shape[0]
    A = np.maximum(z[:, None] - b[None, :], 0.0)
    assert np.all(np.triu(A, 1) == 0) and np.all(np.diag(A) > 0)  # Lemma 1: lower triangular
    w_tri = scipy.linalg.solve_triangular(A, y, lower=True)
    w_rec = K.solve_sequential(z, b, y)
    r_tri = exact_residual(z, b, w_tri, y)
    r_rec = exact_residual(z, b, w_rec, y)
    abs_tri = [
        sum((abs(fr(w_tri[j])) * (fr(z[i]) - fr(b[j])) for j in range(i + 1)), Fraction(0)) for i in range(n)
    ]
    tri_bound = [Fraction(gamma(i + 2)) * abs_tri[i] for i in range(n)]  # row i + 1, 1-indexed
    for i in range(n):
        assert abs(r_tri[i]) <= tri_bound[i], (i, float(r_tri[i]), float(tri_bound[i]))
    adm = _admissible(z, b, w_rec, y)
    assert_within(r_rec, adm, "recurrence residual")
    diff = [a - c for a, c in zip(r_rec, r_tri)]
    assert all(abs(dv) <= fr(adm[i]) + tri_bound[i] for i, dv in enumerate(diff))


# ------------------------------------------------------------------------------- affine_scan


def _loop(alpha, beta):
    S = np.empty_like(beta)
    s = 0.0
    for i in range(beta.shape[0]):
        s = (alpha[i] * s if i else 0.0) + beta[i]
        S[i] = s
    return S


def _passes(n: int) -> int:
    return max(0, math.ceil(math.log2(n))) if n > 1 else 0


def _scan_gamma(n: int) -> float:
    # After p Hillis-Steele passes each term prod(alpha) beta_k of B_i carries c_p roundings with
    # c_{p+1} = c_p + p + 2 (the composite A has p, the product and the add one each): c_p = p(p+3)/2.
    p = _passes(n)
    return gamma(p * (p + 3) // 2)


@st.composite
def _affine_problems(draw, max_n=2000):
    rng = np.random.default_rng(draw(seeds))
    n = draw(st.integers(1, max_n) | st.just(max_n))
    kind = draw(st.sampled_from(["near_one", "contractive", "zeros"]))
    if kind == "near_one":  # |alpha| in [0.75, 1]: no product underflows for n <= 2000
        alpha = rng.uniform(0.75, 1.0, n) * rng.choice([-1.0, 1.0], n)
    elif kind == "contractive":  # the kernel's own regime: alpha = -theta / (1 - theta)
        alpha = np.full(n, -draw(st.sampled_from([1.0 / 3.0, 0.1, 0.5])))
    else:
        alpha = rng.uniform(-1, 1, n) * (rng.random(n) < 0.8)
    beta = rng.standard_normal(n) * draw(st.sampled_from([1e-3, 1.0, 1e3]))
    return alpha, beta


@xp_settings
@given(_affine_problems())
def test_affine_scan_equals_sequential_loop(xp, problem):
    """Both compute S_i = alpha_i S_{i-1} + beta_i: the scan within gamma(c_p) M_i of the exact value,
    the loop within gamma(2n) M_i, with M the same recurrence on |alpha|, |beta|. Terms whose alpha
    product underflows are below 2**-1022 |beta| each: n of them bound what underflow can do."""
    alpha, beta = problem
    n = beta.shape[0]
    S_scan = to_numpy(K.affine_scan(xp.asarray(alpha), xp.asarray(beta), ns(xp)))
    S_loop = _loop(alpha, beta)
    M = _loop(np.abs(alpha), np.abs(beta)) * (1 + gamma(2 * n + 2))
    slack = n * 2.0**-1021 * float(np.max(np.abs(beta)))
    bound = (_scan_gamma(n) + gamma(2 * n)) * M + 2 * slack
    assert np.all(np.abs(S_scan - S_loop) <= bound)
    if n <= 64:  # against the exact recurrence
        s = Fraction(0)
        for i in range(n):
            s = (fr(alpha[i]) * s if i else Fraction(0)) + fr(beta[i])
            assert abs(fr(S_scan[i]) - s) <= Fraction(_scan_gamma(n)) * fr(M[i]) + fr(slack)


@xp_settings
@given(seeds, st.integers(1, 2000))
def test_affine_scan_exact_on_integers(xp, seed, n):
    """alpha in {-1, 0, 1}, small integer beta: every intermediate is an exact integer, so the scan and
    the loop agree bitwise (any reassociation is exact)."""
    rng = np.random.default_rng(seed)
    alpha = rng.integers(-1, 2, n).astype(np.float64)
    beta = rng.integers(-50, 51, n).astype(np.float64)
    S = to_numpy(K.affine_scan(xp.asarray(alpha), xp.asarray(beta), ns(xp)))
    assert np.array_equal(S, _loop(alpha, beta))


def test_affine_scan_ignores_alpha_1():
    alpha = np.array([123.0, 2.0, 3.0])
    beta = np.array([1.0, 1.0, 1.0])
    assert K.affine_scan(alpha, beta, np).tolist() == [1.0, 3.0, 10.0]


# -------------------------------------------------------------------------------- interleave


@xp_settings
@given(interleavable())
def test_interleave_strictly_interleaves(xp, problem):
    z, theta = problem
    b = K.interleave(xp.asarray(z), theta, ns(xp))
    assert b is not None
    b = to_numpy(b)
    assert b.shape == z.shape
    assert np.all(b < z)
    assert np.all(b[1:] > z[:-1])
    # b_i = z_{i-1} + theta (z_i - z_{i-1}), one rounding per operation
    expect = z[:-1] + theta * (z[1:] - z[:-1])
    assert np.array_equal(b[1:], expect)


def test_interleave_refuses_gaps_below_rounding():
    z = np.array([1.0, np.nextafter(1.0, 2.0), 2.0])
    assert K.interleave(z, 0.25, np) is None
    z = np.array([1.0, 1.0 + 4 * 2.0**-52, 2.0])
    b = K.interleave(z, 0.25, np)
    assert b is not None and np.all(b < z) and np.all(b[1:] > z[:-1])


def test_recurrence_coefficients_are_the_derived_ones():
    z, theta = np.array([0.0, 1.0, 3.0, 7.0]), 0.25
    b = K.interleave(z, theta, np)
    y = np.array([1.0, -1.0, 2.0, 0.5])
    alpha, beta = K.recurrence_coefficients(z, b, y, np)
    assert alpha[0] == 0.0
    assert np.allclose(alpha[1:], -theta / (1 - theta), rtol=4 * U, atol=0)
    assert np.allclose(beta, np.diff(np.concatenate([[0.0], y])) / (z - b), rtol=4 * U, atol=0)


# -------------------------------------------------------------------------------- duplicates


def _correctly_rounded_project(X, A, xp=None, *, with_max_abs=False):
    """Projections with each dot product correctly rounded (math.fsum): identical rows always get
    identical projections, whatever the BLAS does."""
    X = np.asarray(X, dtype=np.float64)
    A2 = A[:, None] if A.ndim == 1 else A
    Z = np.array([[math.fsum(X[r] * A2[:, j]) for j in range(A2.shape[1])] for r in range(X.shape[0])])
    Z = Z.reshape(X.shape[0], A2.shape[1])
    Z = Z[:, 0] if A.ndim == 1 else Z
    return (Z, float(np.max(np.abs(X)))) if with_max_abs else Z


@given(duplicated_datasets(same_label=True, max_d=1, min_d=1))
def test_duplicates_with_equal_labels_merge_d1(data):
    """d = 1: a projection is one multiplication, so identical points project identically on any
    BLAS; they are merged and the network has 2 n_distinct + d weights."""
    X, y, n_distinct, _ = data
    assert distinct_rows(X) == n_distinct
    m = vacuity.memorize(X, y)
    assert m.n == n_distinct
    assert m.n_params == 2 * n_distinct + X.shape[1]
    v = m.verify(X, y)
    assert v["passed"], v
    assert v["n"] == X.shape[0] and v["n_distinct"] == n_distinct


@given(duplicated_datasets(same_label=False, max_d=1, min_d=1))
def test_duplicates_with_different_labels_raise_d1(data):
    X, y, _, (p, q) = data
    with pytest.raises(ValueError, match=rf"points {p} and {q} are identical but have different labels"):
        vacuity.memorize(X, y)


@given(duplicated_datasets(same_label=True, max_n=120), st.booleans())
def test_duplicates_merge_with_reproducible_projections(data, conflict):
    """Any d, projections computed so that identical rows tie (correctly rounded dot products): equal
    labels merge to 2 n_distinct + d weights and verify; different labels raise naming both rows."""
    X, y, n_distinct, _ = data
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(K, "project", _correctly_rounded_project)
        m = vacuity.memorize(X, y)
        assert m.n_params == 2 * n_distinct + X.shape[1]
        assert m.verify(X, y)["passed"]
        if conflict:
            # add one more copy of row 0 with another label; it is the last row
            X2 = np.concatenate([X, X[:1]])
            y2 = np.concatenate([y, y[:1] + 1.0])
            # the conflicting pair reported is (some copy of row 0, the new row)
            with pytest.raises(ValueError, match=rf"points \d+ and {X.shape[0]} are identical"):
                vacuity.memorize(X2, y2)


def _blas_rounds_row_apart(row: int, ulps: int):
    """A BLAS that evaluates one row of X @ a with another summation order (as OpenBLAS's gemv does
    for tail rows): that row's projections move by a few ulps."""
    original = K.project

    def project(X, A, xp=None, *, with_max_abs=False):
        Z, max_abs = original(X, A, xp, with_max_abs=True)
        if X.shape[0] > row:
            Z = np.array(Z, copy=True)
            Z[row] = Z[row] + ulps * np.spacing(Z[row])
        return (Z, max_abs) if with_max_abs else Z

    return project


@pytest.mark.parametrize("same_label", [True, False])
def test_duplicates_detected_when_blas_rounds_identical_rows_apart(same_label):
    rng = np.random.default_rng(11)
    X = rng.standard_normal((20, 6))
    X[19] = X[4]
    y = rng.integers(0, 3, 20).astype(np.float64)
    y[19] = y[4] if same_label else y[4] + 1.0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(K, "project", _blas_rounds_row_apart(19, 4))
        if same_label:
            m = vacuity.memorize(X, y)
            assert m.n_params == 2 * 19 + 6
        else:
            with pytest.raises(ValueError, match="points 4 and 19 are identical"):
                vacuity.memorize(X, y)


def test_identical_points_with_different_labels_real_blas():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((3, 28))
    X[2] = X[0]
    y = np.array([0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="points 0 and 2 are identical"):
        m = vacuity.memorize(X, y)
        # what happens instead: verify passes and two identical inputs get different outputs
        out = m(X)
        assert out[0] == out[2], (out, m.verify(X, y)["passed"])


# ------------------------------------------------------------------------------- bad input


def _memorize_bad(X, y, **kw):
    return vacuity.memorize(np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64), **kw)


@pytest.mark.parametrize(
    "X, y, kw, message",
    [
        (np.zeros(5), np.zeros(5), {}, r"X must be a 2-D array"),
        (np.zeros((2, 2, 2)), np.zeros(2), {}, r"X must be a 2-D array"),
        (np.zeros((0, 3)), np.zeros(0), {}, r"at least one point"),
        (np.zeros((3, 0)), np.zeros(3), {}, r"at least one point and one feature"),
        (np.eye(3), np.zeros(4), {}, r"y must be a 1-D array of length n = 3"),
        (np.eye(3), np.zeros((3, 1)), {}, r"y must be a 1-D array"),
        (np.eye(3), np.array([0.0, np.nan, 1.0]), {}, r"y contains NaN or infinite"),
        (np.eye(3), np.array([0.0, np.inf, 1.0]), {}, r"y contains NaN or infinite"),
        (np.array([[0.0, 1.0], [np.nan, 0.0]]), np.zeros(2), {}, r"X contains NaN or infinite"),
        (np.array([[0.0, 1.0], [-np.inf, 0.0]]), np.zeros(2), {}, r"X contains NaN or infinite"),
        (np.eye(3), np.zeros(3), {"theta": 0.0}, r"theta must lie in \(0, 1/2\]"),
        (np.eye(3), np.zeros(3), {"theta": 1.0}, r"theta must lie in \(0, 1/2\]"),
        (np.eye(3), np.zeros(3), {"theta": -0.5}, r"theta must lie in \(0, 1/2\]"),
        (np.eye(3), np.zeros(3), {"theta": math.nan}, r"theta must lie in \(0, 1/2\]"),
        (np.eye(3), np.zeros(3), {"n_directions": 0}, r"n_directions must be at least 1"),
        (np.eye(3), np.zeros(3), {"n_directions": -2}, r"n_directions must be at least 1"),
        (np.eye(3), np.zeros(3), {"solver": "lu"}, r"unknown solver 'lu'"),
    ],
)
def test_bad_input_raises_clear_value_error(X, y, kw, message):
    with pytest.raises(ValueError, match=message):
        _memorize_bad(X, y, **kw)


def test_verify_and_evaluate_reject_wrong_dimension():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 3))
    m = vacuity.memorize(X, rng.standard_normal(10))
    with pytest.raises(ValueError, match=r"X has 4 features but the memorizer was built for d = 3"):
        m.verify(rng.standard_normal((10, 4)), np.zeros(10))
    with pytest.raises(ValueError, match=r"X must have shape \(m, 3\)"):
        m(rng.standard_normal((10, 4)))
    assert m(X[0]).shape == (1,)  # a single point is accepted as a 1-D vector


def test_points_too_close_for_float64_raise_value_error():
    X = np.array([[1.0], [np.nextafter(1.0, 2.0)]])
    with pytest.raises(ValueError, match="too close together"):
        vacuity.memorize(X, np.array([0.0, 1.0]))


# --------------------------------------------------------------------------- the direction


@given(wide_sizes(), st.data())
def test_wide_data_uses_equispaced_direction(size, data):
    """d >= n >= 2 with points in general position: a = X^+ t puts the projections on a grid."""
    n, d = size
    X = data.draw(point_sets(n, d, kinds=("gaussian",)))
    y = data.draw(real_labels(n) | class_labels(n))
    m = vacuity.memorize(X, y)
    assert m.construction.direction == "equispaced"
    assert m.construction.candidates == 1
    z = to_numpy(m.construction.z)
    assert np.all(np.diff(z) >= 0.5)  # the acceptance rule: the grid survived rounding
    v = m.verify(X, y)
    assert v["direction"] == "equispaced" and v["passed"], v


def test_narrow_data_uses_random_direction():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 3))
    m = vacuity.memorize(X, rng.standard_normal(50), n_directions=3)
    assert m.construction.direction == "random"
    assert m.construction.candidates == 3
    assert abs(float(np.linalg.norm(m.a)) - 1.0) <= 4 * U  # a unit Gaussian direction


# ------------------------------------------------------------------------- torch and NumPy


@given(datasets(max_n=500, max_d=16, label_kind="any"))
def test_torch_inputs_verify_and_agree_with_numpy(data):
    X, y = data
    n, d = X.shape
    Xt, yt = torch.tensor(X), torch.tensor(y)
    mt = vacuity.memorize(Xt, yt)
    mn = vacuity.memorize(X, y)
    assert isinstance(mt.w, torch.Tensor) and mt.w.dtype == torch.float64
    assert mt.n_params == mn.n_params == 2 * n + d
    vt = mt.verify(Xt, yt)
    assert vt["passed"], vt
    # the same direction (drawn by NumPy from the same seed) whenever the random path is taken
    if mn.construction.direction == "random" and mt.construction.direction == "random":
        assert np.array_equal(to_numpy(mt.a), mn.a)
    # The torch-built network, moved to NumPy, verifies there too: its projections are recomputed by
    # another BLAS, which verify covers with slope * 2 gamma(d) ||x|| ||a||.
    ct = mt.construction
    moved = numpy_construction_from(ct.a, ct.b, ct.w, ct.z, ct.y, ct.keep, theta=ct.theta)
    assert K.verify(moved, X, y)["passed"]
    # outputs agree within the sum of the two per-point bounds (each is within its bound of y)
    out_t, out_n = to_numpy(mt(Xt)), mn(X)
    tol = point_tolerance(mt.construction, X, same=False) + point_tolerance(mn.construction, X)
    assert np.all(np.abs(out_t - out_n) <= tol)


@given(datasets(max_n=2000, max_d=1, label_kind="any"))
def test_torch_weights_equal_numpy_weights_when_projections_agree(data):
    """d = 1: each projection is a single correctly rounded product on both backends, and the solve is
    elementwise IEEE arithmetic, so the weights agree bitwise (the rounding bound is 0)."""
    X, y = data
    mt = vacuity.memorize(torch.tensor(X), torch.tensor(y))
    mn = vacuity.memorize(X, y)
    assert np.array_equal(to_numpy(mt.construction.z), mn.construction.z)
    for name in ("a", "b", "w"):
        assert np.array_equal(to_numpy(getattr(mt, name)), getattr(mn, name)), name


@given(datasets(max_n=1000, max_d=32, label_kind="any"), seeds)
def test_same_seed_is_bitwise_reproducible_on_cpu(data, seed):
    X, y = data
    seed = seed % 2**31
    for conv in (np.asarray, torch.tensor):
        m1 = vacuity.memorize(conv(X), conv(y), seed=seed)
        m2 = vacuity.memorize(conv(X), conv(y), seed=seed)
        for name in ("a", "b", "w"):
            assert np.array_equal(to_numpy(getattr(m1, name)), to_numpy(getattr(m2, name)))
        assert np.array_equal(to_numpy(m1(conv(X))), to_numpy(m2(conv(X))))


def test_float32_and_integer_inputs():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((200, 8))
    y = rng.integers(0, 10, 200)
    for Xc in (X.astype(np.float32), np.round(X * 100).astype(np.int64)):
        m = vacuity.memorize(Xc, y)
        v = m.verify(Xc, y)
        assert v["passed"] and v["classes_ok"], v
        assert m.w.dtype == np.float64


# --------------------------------------------------------------------- documented library bugs


@pytest.mark.parametrize("case", ["wide_labels", "theta_half"])
def test_verify_accepts_constructions_that_meet_the_bound(case):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 5))
    if case == "wide_labels":
        y, theta = rng.standard_normal(100) * 10.0 ** rng.integers(-200, 200, 100), 0.25
    else:
        y, theta = rng.standard_normal(100), 0.5
    c = K.construct(X, y, theta=theta, solver="sequential", refine=0)
    # the exact residual meets the admissible bound on every row ...
    assert_within(exact_residual(c.z, c.b, c.w, c.y), c.admissible)
    # ... so verify must not report a backward failure
    assert K.verify(c, X, y)["backward_ok"]


def test_verify_subnormal_labels():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 5))
    y = rng.standard_normal(100) * 1e-310
    for solver in ("scan", "sequential"):
        m = vacuity.memorize(X, y, solver=solver)
        assert m.verify(X, y)["passed"], solver


def test_large_theta_never_returns_non_finite_weights():
    """theta > 1/2 makes |alpha| > 1 and the weights grow geometrically: it is refused up front; and
    labels too large for the gaps overflow the weights, which raises instead of returning inf/NaN."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((2000, 8)), rng.standard_normal(2000)
    with pytest.raises(ValueError, match=r"theta must lie in \(0, 1/2\]"):
        vacuity.memorize(X, y, theta=0.75)
    huge = np.where(np.arange(2000) % 2 == 0, 1.0, -1.0) * 1e307
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="weights overflow float64"):
        vacuity.memorize(X, huge)

def test_many_copies_of_each_point_merge_in_one_pass():
    """200 shuffled copies of each of 500 points: merged to 2 * 500 + d weights (the run-based
    duplicate pass is linear in the copies; a pairwise scan would be quadratic in them)."""
    rng = np.random.default_rng(0)
    base = rng.standard_normal((500, 20))
    labels = rng.integers(0, 10, 500).astype(np.float64)
    perm = rng.permutation(500 * 200)
    X, y = np.repeat(base, 200, axis=0)[perm], np.repeat(labels, 200)[perm]
    m = vacuity.memorize(X, y)
    assert m.n == 500 and m.n_params == 2 * 500 + 20
    v = m.verify(X, y)
    assert v["passed"] and v["classes_ok"], v
    y_bad = y.copy()
    y_bad[7] += 1.0
    with pytest.raises(ValueError, match=r"points \d+ and \d+ are identical but have different labels"):
        vacuity.memorize(X, y_bad)


# ------------------------------------------------- what the checked proof measures (moved from it)


def test_random_data_draws_the_claims_data():
    X, y = K.random_data(50, 4, "classes", 3, np.random.default_rng(0))
    assert X.shape == (50, 4) and y.dtype == np.float64 and set(np.unique(y)) <= {0.0, 1.0, 2.0}
    _, yr = K.random_data(50, 4, "real", 3, np.random.default_rng(0))
    assert not np.all(yr == np.round(yr))


def test_mpmath_residual_ratio_accepts_the_kernel_and_catches_a_wrong_residual():
    X, y = _small_classes(200, 6)
    c = K.construct(X, y)
    assert K.mpmath_residual_ratio(c) <= 1.0
    # a residual off by ten times its claimed error bound (or with a zero bound) is reported as such
    ev = c.evaluator
    wrong = replace(c, evaluator=replace(ev, r=ev.r + 10 * ev.r_err + 1e-300))
    assert K.mpmath_residual_ratio(wrong) > 5.0
    zero = replace(c, evaluator=replace(ev, r=ev.r + 1e-3, r_err=np.zeros_like(ev.r_err)))
    assert K.mpmath_residual_ratio(zero) == math.inf


def _small_classes(n, d, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, 10, n).astype(np.float64)


def _direct(c, X):
    """relu(<a, x> - b) @ w in float64, evaluated directly as a torch module would (NumPy)."""
    z = X @ to_numpy(c.a)
    return np.maximum(z[:, None] - to_numpy(c.b)[None, :], 0.0) @ to_numpy(c.w)


@given(datasets(max_n=400, max_d=16, label_kind="any"))
def test_torch_tolerance_covers_a_direct_float64_evaluation(data):
    X, y = data
    c = K.construct(X, y)
    k = K.kink_segments(c, X)
    assert np.array_equal(k, np.searchsorted(to_numpy(c.b), X @ to_numpy(c.a), side="left"))
    tol = K.torch_tolerance(c, X, k)
    assert np.array_equal(tol, K.torch_tolerance(c, X))  # k computed when not given
    out = _direct(c, X)
    assert np.all(np.abs(out - y) <= tol)


def test_torch_tolerance_is_tight_enough_to_catch_a_wrong_weight_and_refuses_narrow_dtypes():
    X, y = _small_classes(300, 8)
    c = K.construct(X, y)
    tol = K.torch_tolerance(c, X)
    w = to_numpy(c.w).copy()
    w[len(w) // 2] *= 1 + 1e-9  # a relative change of 1e-9 in one weight
    z = X @ to_numpy(c.a)
    out = np.maximum(z[:, None] - to_numpy(c.b)[None, :], 0.0) @ w
    assert not np.all(np.abs(out - y) <= tol)
    with pytest.raises(ValueError, match="float64"):
        K.torch_tolerance(c, X, dtype="float32")


def test_nearest_labels():
    labels = np.array([0.0, 1.0, 5.0])
    out = np.array([0.49, 0.51, 2.9, 3.1, -7.0, 9.0])
    assert K.nearest_labels(out, labels).tolist() == [0.0, 1.0, 1.0, 5.0, 0.0, 5.0]


@pytest.mark.parametrize("sweep_max, d, sizes", [(512, 3, [128, 512]), (512, 16, [128, 512]),
                                                 (1024, 16, [256, 1024]), (16384, 16, [256, 1024, 4096, 16384]),
                                                 (600, 16, [150, 600]), (512, 100, [200])])
def test_sweep_sizes(sweep_max, d, sizes):
    assert K.sweep_sizes(sweep_max, d) == sizes
    assert min(sizes) >= K.LAW_MIN_N  # the spacing law's finite-n bias is below LAW_BIAS there


def test_min_gap_sweep_follows_the_derived_law_and_rate():
    from tests.conftest import SIGMAS
    from vacuity.theory import expressivity as T

    calls = []
    rows = K.min_gap_sweep([32, 128], 0.25, 60, 4, seed=1, progress=calls.append)
    assert [r["n"] for r in rows] == [32, 128] and len(calls) == 2
    for r in rows:
        assert r["gap_predicted"] == T.min_gap_mean(r["n"], 0.25)
        assert abs(r["gap_mean"] - r["gap_predicted"]) <= SIGMAS * r["gap_se"]
        assert r["kappa_median"] > 1
    again = K.min_gap_sweep([32, 128], 0.25, 60, 4, seed=1)
    assert [r["gaps"].tolist() for r in again] == [r["gaps"].tolist() for r in rows]  # one seeded generator
    # only the first kappa_replicates are full memorizers; the others stop after the kinks: same gaps
    lean = K.min_gap_sweep([32, 128], 0.25, 60, 4, seed=1, kappa_replicates=10)
    assert [r["gaps"].tolist() for r in lean] == [r["gaps"].tolist() for r in rows]
    assert [r["kappa_median"] for r in lean] != [r["kappa_median"] for r in rows]
    rates = K.sweep_rates(rows)
    # the law 1/(n(n-1)) has log-log slope -2 - 1/(n-1)-ish over these sizes; the fit is within 6 SE of it
    assert -2.1 < rates.gap_slope_predicted < -2.0
    assert abs(rates.gap_slope - rates.gap_slope_predicted) <= SIGMAS * rates.gap_slope_se
    # a wrong constant in the law moves every mean by many SE
    assert any(abs(r["gap_mean"] - 2 * r["gap_predicted"]) > SIGMAS * r["gap_se"] for r in rows)
    # the pooled constant is gap n (n - 1) over every replicate
    mean, se = K.law_constant(rows)
    pooled = np.concatenate([r["gaps"] * r["n"] * (r["n"] - 1) for r in rows])
    assert mean == pytest.approx(pooled.mean(), rel=1e-12) and se > 0
    assert abs(mean - T.min_gap_constant(0.25)) <= SIGMAS * se


def test_law_replicates_meet_the_stated_power():
    """R from law_replicates: at the worst finite-n bias, a constant off by +-10 % moves the mean ratio by
    at least (6 + z_0.99) of its standard errors; fewer replicates would not."""
    from statistics import NormalDist

    from tests.conftest import SIGMAS

    R = K.law_replicates()
    assert 7000 < R < 9000
    z = NormalDist().inv_cdf(K.LAW_POWER)
    for beta in (-K.LAW_BIAS, K.LAW_BIAS):
        for e in (K.LAW_REL_ERROR, -K.LAW_REL_ERROR):
            m = (1 + beta) / (1 + e)
            assert abs(m - 1) >= (SIGMAS + z) * m / math.sqrt(R) - 1e-12
    m = (1 + K.LAW_BIAS) / (1 + K.LAW_REL_ERROR)
    assert abs(m - 1) < (SIGMAS + z) * m / math.sqrt(R - 200)
    assert K.law_replicates(rel_error=0.2) < R / 3  # a larger error needs far fewer


def test_law_replicates_power_by_simulation():
    """The stated power, measured: 40 pooled checks of exponential gaps (the law's asymptotic shape) with
    the mean off by 10 % fail every time; with the right mean none fails."""
    from tests.conftest import SIGMAS

    rng = np.random.default_rng(3)
    R = K.law_replicates()
    caught = {1.1: 0, 0.9: 0, 1.0: 0}
    for _ in range(40):
        x = rng.exponential(1.0, R)
        se = x.std(ddof=1) / math.sqrt(R)
        for f in caught:
            caught[f] += abs(x.mean() - f) > SIGMAS * se
    assert caught[1.1] == caught[0.9] == 40 and caught[1.0] == 0


def test_kink_position_error_within_its_rounding_bound():
    for theta in (0.1, 0.25, 0.3, 0.5):
        X, y = _small_classes(300, 8)
        c = K.construct(X, y, theta=theta)
        err = K.kink_position_error(c, theta)
        assert 0.0 <= err <= 1.0
        assert K.kink_position_error(c, theta * (1 + 1e-6)) > 1.0  # another theta is far outside
    one = K.construct(np.ones((1, 3)), np.ones(1))
    assert K.kink_position_error(one, 0.25) == 0.0


def test_direction_rank_finds_the_best_of_the_candidates():
    X, y = _small_classes(300, 8)
    c = K.construct(X, y, n_directions=5, seed=4)
    assert c.direction == "random"
    assert K.direction_rank(X, y, c, n_directions=5, theta=0.25, seed=4) == 0
    # asked for 3 but drawn 5 (or another seed): the chosen direction is not among the candidates
    assert K.direction_rank(X, y, c, n_directions=3, theta=0.25, seed=4) == 4
    assert K.direction_rank(X, y, c, n_directions=5, theta=0.25, seed=5) == 6
    # the worst of 5 candidates (chosen by hand) ranks below usable better ones
    cand = K.random_directions(np.random.default_rng(4), 8, 5)
    scores = [K._direction_score(X @ cand[:, j], 0.0, np) for j in range(5)]
    worst = replace(c, a=cand[:, int(np.argmin(scores))])
    assert K.direction_rank(X, y, worst, n_directions=5, theta=0.25, seed=4) == 4


def test_random_directions_are_unit_and_isotropic():
    cand = K.random_directions(np.random.default_rng(0), 16, 4000)
    assert np.allclose(np.linalg.norm(cand, axis=0), 1.0, rtol=0, atol=4 * U)
    # E[a a^T] = I / d: each coordinate's mean square is 1/d (6 SE; Var(a_k^2) = 2(d-1)/(d^2 (d+2)))
    d = 16
    se = math.sqrt(2 * (d - 1) / (d**2 * (d + 2)) / 4000)
    assert np.all(np.abs((cand**2).mean(axis=1) - 1 / d) <= 6 * se)


def test_adversarial_recurrence_rounds_up_by_almost_u_every_row():
    """The adversarial instance is interleaved, its labels' differences and numerators are exact, and
    each running-sum rounding of the sequential solve errs by (1 - 2^-20 .. 1) u upward."""
    z, b, y = K.adversarial_recurrence(300)
    assert np.all(b < z) and np.all(b[1:] > z[:-1])
    w = K.solve_sequential(z, b, y)
    S = 0.0
    for i in range(300):
        new = S + w[i]
        err = Fraction(new) - Fraction(S) - Fraction(w[i])
        if i:
            assert Fraction(U) * (1 - Fraction(K.ADVERSARIAL_SHORTFALL)) <= err < Fraction(U)
        S = new


def test_admissible_bound_is_sharp_on_the_adversarial_recurrence():
    from vacuity.theory import expressivity as T

    sh = K.admissible_sharpness(400)
    assert np.all(sh.ratio <= 1.0)
    predicted = T.adversarial_sharpness_fn()(sh.rows.astype(float), sh.tv, sh.abs_rows)
    assert sh.ratio[-1] == pytest.approx(predicted[-1], rel=2.0**-20)
    assert 0.45 < sh.ratio[-1] < 0.5  # the bound is within a factor ~2 of its worst case
    # the exact residual is u (i-1)(i-2)/2 to first order
    i = sh.rows.astype(float)
    assert np.allclose(sh.residual[2:], U * (i[2:] - 1) * (i[2:] - 2) / 2, rtol=1e-9, atol=0)
    # TV and |A||w| are exact: the kernel's float |A||w| agrees to rounding
    z, b, y = K.adversarial_recurrence(400)
    kr = K.absolute_rows(z, b, K.solve_sequential(z, b, y), np)
    assert np.allclose(kr, sh.abs_rows, rtol=gamma(2 * 400 + 6), atol=0)


def test_residual_tightness_floor():
    assert K.residual_tightness_floor(0) == 0.0
    assert K.residual_tightness_floor(1000) == 0.5
    L = K.residual_tightness_floor(20)
    assert 0.2 < L < 0.5 and (L / math.log(2)) ** 20 == pytest.approx(1e-9)


@pytest.mark.parametrize("seed, n, d", [(0, 200, 6), (1, 500, 3), (2, 64, 64), (3, 150, 20)])
def test_extended_residual_is_exact_up_to_its_final_rounding(seed, n, d):
    """The kernel's residual is the exact residual rounded once: its worst error / bound over the rows
    lies in the derived range [floor, 1]."""
    X, y = _small_classes(n, d, seed)
    c = K.construct(X, y)
    acc = K.mpmath_residual_check(c)
    assert acc.rounded_rows > 0.8 * n
    assert K.residual_tightness_floor(acc.rounded_rows) <= acc.worst_ratio <= 1.0
