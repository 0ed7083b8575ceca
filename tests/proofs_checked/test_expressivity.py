"""The checked proof of the expressivity claim: contract, backends, and mutations it must catch."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy as sp

from vacuity.errors import BadInput
from vacuity.kernels import expressivity as K
from vacuity.proofs_checked.core.contract import ClaimContract
from vacuity.proofs_checked.core.registry import get
from vacuity.proofs_checked.core.result import CheckResult
from vacuity.proofs_checked.expressivity import proof as P
from vacuity.theory import expressivity as T

SMALL = {"n": "300", "d": "16", "sweep_max": "1024"}

TOP_KEYS = {"claim", "title", "source", "passed", "scale", "backend", "seed", "params", "steps",
            "quantities", "figures", "seconds", "versions"}
STEP_KEYS = {"name", "kind", "passed", "detail"}
QUANTITY_KEYS = {"name", "measured", "predicted", "tolerance", "passed"}

NUMERIC_FIT = "float64 memorizer fits the labels within its derived error bounds"
TORCH_FIT = "torch nn.Module with exactly 2n + d parameters reproduces the labels"


def _run(backend="numpy", overrides=None, **kw):
    return get("expressivity").run(scale="small", backend=backend, seed=0,
                                   overrides=dict(SMALL, **(overrides or {})), **kw)


@pytest.fixture(scope="module")
def numpy_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    return _run(figures_dir=out), out


def _step(result: CheckResult, name: str):
    (s,) = [s for s in result.steps if s.name == name]
    return s


def _quantity(result: CheckResult, name: str):
    (q,) = [q for q in result.quantities if q.name == name]
    return q


def _failures(result: CheckResult) -> str:
    return "; ".join([f"step {s.name}: {s.detail}" for s in result.steps if not s.passed]
                     + [f"{q.name}={q.measured} vs {q.predicted}" for q in result.quantities if not q.passed])


# ---------------------------------------------------------------------------------- contract


def test_claim_passes_at_small_scale(numpy_result):
    result, _ = numpy_result
    assert isinstance(result, CheckResult)
    assert result.passed, _failures(result)
    assert all(s.passed for s in result.steps) and all(q.passed for q in result.quantities)
    assert {s.kind for s in result.steps} == {"symbolic", "numeric", "torch"}
    assert result.params["n"] == 300 and result.params["d"] == 16 and result.params["sweep_max"] == 1024
    assert result.params["n_distinct"] == 300
    wc = _quantity(result, "weight_count")
    assert wc.measured == wc.predicted == 2 * 300 + 16 and wc.passed
    assert _quantity(result, "torch_param_count").measured == 616
    res = _quantity(result, "max_abs_residual")
    assert res.measured <= res.predicted
    assert _quantity(result, "residual_vs_mpmath").measured <= 1.0
    for size in (256, 1024):
        q = _quantity(result, f"min_gap_mean_n{size}")
        assert q.predicted == pytest.approx(T.min_gap_mean(size, 0.25), rel=1e-12)
        assert abs(q.measured - q.predicted) <= q.tolerance


def test_json_contract(numpy_result):
    result, _ = numpy_result
    d = result.to_json()
    assert TOP_KEYS <= set(d)
    assert d["claim"] == "expressivity" and d["backend"] == "numpy" and d["scale"] == "small"
    assert d["seed"] == 0 and d["passed"] is True
    assert "Zhang" in d["source"] and d["title"]
    assert d["steps"] and all(STEP_KEYS <= set(s) for s in d["steps"])
    assert all(s["kind"] in ("symbolic", "numeric", "torch") for s in d["steps"])
    assert d["quantities"] and all(QUANTITY_KEYS <= set(q) for q in d["quantities"])
    assert all(isinstance(q["passed"], bool) for q in d["quantities"])
    assert isinstance(d["seconds"], float) and d["seconds"] > 0
    assert {"python", "vacuity", "numpy", "sympy"} <= set(d["versions"])
    text = json.dumps(d, allow_nan=False)  # plain JSON numbers, no NaN/inf
    again = CheckResult.from_json(json.loads(text))
    assert again.to_json() == d


def test_figure_written(numpy_result):
    result, out = numpy_result
    assert len(result.figures) == 1 and result.figures[0].startswith("figures/")
    name = result.figures[0].split("/", 1)[1]
    assert (out / name).is_file() and (out / name).stat().st_size > 0


def test_torch_backend_passes():
    result = _run(backend="torch")
    assert result.backend == "torch"
    assert result.passed, _failures(result)
    json.dumps(result.to_json(), allow_nan=False)


def test_real_labels_pass(fast):
    result = _run(overrides={"labels": "real", "n": "200", "d": "8"})
    assert result.passed, _failures(result)
    names = {q.name for q in result.quantities}
    assert "misclassified_points" not in names and "torch_misclassified_points" not in names


def test_bad_overrides_are_bad_input():
    claim = get("expressivity")
    with pytest.raises(BadInput, match="no parameter 'm'"):
        claim.run(overrides={"m": "3"})
    with pytest.raises(BadInput, match="theta"):
        claim.run(overrides={"theta": "1.5"})
    with pytest.raises(BadInput, match="cannot read"):
        claim.run(overrides={"n": "many"})
    with pytest.raises(BadInput, match="unknown backend"):
        claim.run(backend="jax")


def test_cupy_backend_without_gpu_is_bad_input(fast):
    from tests.conftest import _cupy_or_none

    if _cupy_or_none() is not None:
        pytest.skip("a GPU is present")
    with pytest.raises(BadInput, match="cupy"):
        _run(backend="cupy")


def test_math_is_mathml():
    items = P.math()
    assert len(items) >= 4
    assert all(isinstance(c, str) and m.startswith("<m") for c, m in items)


# ---------------------------------------------------------------------------------- mutations

# Mutated kernels overflow on purpose; their RuntimeWarnings are expected noise.
mutation = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@pytest.fixture
def fast(monkeypatch):
    """Cheaper runs for the mutation tests: symbolic identities up to n = 3 and 100 Monte Carlo
    replicates (the 6-SE tolerance is recomputed from the sample, so it stays honest)."""
    monkeypatch.setattr(P, "SYMBOLIC_MAX_N", 3)
    monkeypatch.setattr(P, "SWEEP_REPLICATES", 100)
    return monkeypatch


def _small_data(seed=0, n=60, d=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, 10, n).astype(np.float64)


def test_unmutated_fast_run_passes(fast):
    """The control for every mutation below: the same cheap settings pass without a mutation."""
    result = _run()
    assert result.passed, _failures(result)


_ORIGINAL_INTERLEAVE = K.interleave


def _kinks_past_the_points(z, theta, xp):
    # b_i = z_{i-1} + 1.5 (z_i - z_{i-1}) > z_i: not interleaved
    n = z.shape[0]
    step = max(1.0, abs(float(z[0]))) if n == 1 else (float(z[-1]) - float(z[0])) / (n - 1)
    return xp.concat([z[:1] - (1.0 - theta) * step, z[:-1] + 1.5 * (z[1:] - z[:-1])])


def _kinks_one_gap_late(z, theta, xp):
    # the correct kinks shifted by one: b_i sits in (z_i, z_{i+1}), past its own point
    b = _ORIGINAL_INTERLEAVE(z, theta, xp)
    if b is None:
        return None
    last = z[-1:] + (z[-1:] - b[-1:])
    return xp.concat([b[1:], last])


@mutation
@pytest.mark.parametrize("mutant", [_kinks_past_the_points, _kinks_one_gap_late])
def test_mutation_b_not_interleaved(fast, mutant):
    fast.setattr(K, "interleave", mutant)
    X, y = _small_data()
    c = K.construct(X, y)  # the patch takes effect: the built kinks are no longer interleaved
    z, b = c.z, c.b
    assert not (np.all(b < z) and np.all(b[1:] > z[:-1]))
    result = _run()
    assert not result.passed
    assert not _step(result, NUMERIC_FIT).passed
    assert not _step(result, TORCH_FIT).passed


def _coefficients_y_minus_2(z, b, y, xp):
    # off by one: dy_i = y_i - y_{i-2}
    g = z - b
    alpha = xp.concat([xp.zeros_like(z[:1]), -(b[1:] - z[:-1]) / g[1:]])
    dy = xp.concat([y[:2], y[2:] - y[:-2]])
    return alpha, dy / g


def _solve_scan_shifted(z, b, y, xp):
    w = _ORIGINAL_SOLVE_SCAN(z, b, y, xp)
    return xp.concat([xp.zeros_like(w[:1]), w[:-1]])  # w_i returned in slot i + 1


_ORIGINAL_SOLVE_SCAN = K.solve_scan


@mutation
@pytest.mark.parametrize("attr, mutant", [("recurrence_coefficients", _coefficients_y_minus_2),
                                          ("solve_scan", _solve_scan_shifted)])
def test_mutation_recurrence_off_by_one(fast, attr, mutant):
    fast.setattr(K, attr, mutant)
    X, y = _small_data()
    c = K.construct(X, y)
    assert not K.verify(c, X, y)["passed"]  # the patch takes effect through construct
    result = _run()
    assert not result.passed
    fit = _step(result, NUMERIC_FIT)
    assert not fit.passed
    assert not _quantity(result, "backward_error").passed
    assert not _quantity(result, "max_abs_residual").passed


@mutation
def test_mutation_theory_weight_count(fast):
    fast.setattr(T, "weight_count", lambda: 2 * T.n + T.d + 1)
    assert T.weight_count_numeric(10, 3) == 24  # the patch takes effect
    result = _run()
    assert not result.passed
    assert not _step(result, "weight count 2n + d derived from the parameter shapes").passed
    assert not _quantity(result, "weight_count").passed
    assert not _quantity(result, "torch_param_count").passed


@mutation
def test_mutation_construction_n_params(fast):
    fast.setattr(K.Construction, "n_params",
                 property(lambda self: int(self.a.shape[0] + self.b.shape[0] + self.w.shape[0]) + 1))
    X, y = _small_data()
    assert K.construct(X, y).n_params == 2 * 60 + 5 + 1
    result = _run()
    assert not result.passed
    assert not _quantity(result, "weight_count").passed
    assert not _step(result, NUMERIC_FIT).passed


@mutation
def test_mutation_wrong_symbolic_formula(fast):
    """A wrong closed form for the recurrence is caught by the symbolic identity and by the proof."""
    zi, zp, bi, yi, yp, Sp = sp.symbols("z_i z_{i-1} b_i y_i y_{i-1} S_{i-1}", real=True)
    fast.setattr(T, "recurrence_formula", lambda: (yi - yp - (zi - bi) * Sp) / (zi - zp))
    assert T.recurrence_matches_formula() is False
    result = _run()
    assert not result.passed
    assert not _step(result, "recurrence derived for general n; equals the triangular solve for n <= 3").passed


@mutation
def test_mutation_wrong_spacing_law(fast):
    """The Monte Carlo step rejects a spacing law that is off by sqrt(pi) (at the claim's own 300
    replicates: the error is then about 7.5 standard errors; at 100 it would hide inside 6 SE)."""
    fast.setattr(P, "SWEEP_REPLICATES", 300)
    original = T.gaussian_min_spacing_mean
    fast.setattr(T, "gaussian_min_spacing_mean", lambda sigma=None, size=None: original(sigma, size) / sp.sqrt(sp.pi))
    result = _run()
    assert not result.passed
    assert not _step(result, "Lemma 1 eigenvalue: mean smallest gap matches (1-theta) 2 sqrt(pi)/(n(n-1))").passed


# ------------------------------------------------------------------------------ library bugs


def test_failed_construction_is_a_failed_result_not_a_crash(fast):
    # theta = 1e-17 passes the parameter check (0 < theta < 1) but no kink fits strictly inside any gap
    result = _run(overrides={"theta": "1e-17"})
    assert result.passed is False
    json.dumps(result.to_json(), allow_nan=False)


def test_quantities_are_finite_or_failed(numpy_result):
    """NaN is a failed check: every passing quantity has a finite measurement."""
    result, _ = numpy_result
    for q in result.quantities:
        if q.passed:
            assert q.measured is not None and math.isfinite(q.measured)


def test_smallest_sweep_fits_a_rate_on_distinct_sizes():
    """The smallest allowed sweep still has two distinct sizes above d (so random directions are
    used and a slope can be fitted); below it the parameter is refused."""
    result = _run(overrides={"n": "40", "d": "3", "sweep_max": "128"})
    names = [q.name for q in result.quantities if q.name.startswith("min_gap_mean_n")]
    assert names == ["min_gap_mean_n32", "min_gap_mean_n128"]
    assert result.passed, [s for s in result.steps if not s.passed]
    with pytest.raises(BadInput, match="must be at least 128"):
        _run(overrides={"sweep_max": "64"})


@pytest.mark.slow
def test_paper_scale_passes():
    """The issue's paper scale: n = 50000, d = 3072 (the CIFAR-10 size) on random data; ~40 s."""
    result = get("expressivity").run(scale="paper", backend="numpy", seed=0)
    assert result.params["n"] == 50000 and result.params["d"] == 3072
    assert result.passed, [s for s in result.steps if not s.passed]


class TestExpressivityContract(ClaimContract):
    """The contract every claim shares (vacuity.proofs_checked.contract)."""

    claim_id = "expressivity"
    fast = {"n": "200", "d": "8", "sweep_max": "128"}
