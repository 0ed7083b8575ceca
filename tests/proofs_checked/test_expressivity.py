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
    result = _run(backend="torch", overrides=FAST)
    assert result.backend == "torch"
    assert result.passed, _failures(result)
    json.dumps(result.to_json(), allow_nan=False)


def test_real_labels_pass(fast):
    result = _run(overrides={**fast, "labels": "real"})
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

FAST = {"n": "200", "d": "8", "sweep_max": "512", "symbolic_max_n": "3"}


@pytest.fixture
def fast():
    """Cheaper runs: symbolic identities up to n = 3, the smallest sweep, a small sample. The sweep's
    replicates are fixed by its stated power (kernels.expressivity.law_replicates), not reduced."""
    return dict(FAST)


def _fast_run(**overrides):
    return _run(overrides={**FAST, **overrides})


def test_unmutated_fast_run_passes(fast):
    """The control for every mutation below: the same cheap settings pass without a mutation."""
    result = _fast_run()
    assert result.passed, _failures(result)


def _declared(name):
    (m,) = [m for m in get("expressivity").mutants if m.name == name]
    return m


def _full_run_under(name):
    from vacuity.proofs_checked.core.mutants import applied

    with applied(_declared(name)):
        return _fast_run()


@mutation
@pytest.mark.parametrize("name", ["gamma_quarter", "admissible_ten_times"])
def test_the_sharpness_step_catches_a_bound_off_by_a_constant(name):
    """Both rounding-bound mutants pass every validity-only check on random data (the bound is far above
    the error there); the sharpness ratio on the adversarial recurrence catches them, in both directions."""
    result = _full_run_under(name)
    assert not result.passed
    sharp = _quantity(result, "admissible_sharpness")
    assert not sharp.passed
    if name == "gamma_quarter":
        assert sharp.measured > 1.5 * sharp.predicted  # 4x too optimistic: the bound is exceeded
    else:
        assert sharp.measured < sharp.predicted / 5  # 10x too loose: the worst case reaches a tenth of it
    assert _quantity(result, "backward_error").passed  # the random-data check alone would not notice
    assert _quantity(result, "max_abs_residual").passed


@mutation
@pytest.mark.parametrize("name", ["spacing_constant_pi", "directions_not_normalized"])
def test_the_pooled_law_constant_catches_a_wrong_law_or_sampler(name):
    result = _full_run_under(name)
    assert not _quantity(result, "min_gap_law_constant").passed


@mutation
def test_mutation_construction_n_params(monkeypatch):
    monkeypatch.setattr(K.Construction, "n_params",
                        property(lambda self: int(self.a.shape[0] + self.b.shape[0] + self.w.shape[0]) + 1))
    X, y = _small_data()
    assert K.construct(X, y).n_params == 2 * 60 + 5 + 1
    result = get("expressivity").run(scale="small", backend="numpy", seed=0, overrides=FAST, fail_fast=True)
    assert not result.passed
    assert not _quantity(result, "weight_count").passed
    assert not _step(result, NUMERIC_FIT).passed


@mutation
def test_mutation_wrong_symbolic_formula(monkeypatch):
    """A wrong closed form for the recurrence is caught by the symbolic identity and by the proof."""
    zi, zp, bi, yi, yp, Sp = sp.symbols("z_i z_{i-1} b_i y_i y_{i-1} S_{i-1}", real=True)
    monkeypatch.setattr(T, "recurrence_formula", lambda: (yi - yp - (zi - bi) * Sp) / (zi - zp))
    assert T.recurrence_matches_formula() is False
    result = get("expressivity").run(scale="small", backend="numpy", seed=0, overrides=FAST, fail_fast=True)
    assert not result.passed
    (failed,) = [s for s in result.steps if not s.passed]
    assert failed.name.startswith("recurrence derived for general n")


def _small_data(seed=0, n=60, d=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, 10, n).astype(np.float64)


# ------------------------------------------------------------------------------ library bugs


def test_failed_construction_is_a_failed_result_not_a_crash(fast):
    # theta = 1e-17 passes the parameter check (0 < theta < 1) but no kink fits strictly inside any gap
    result = _run(overrides={**fast, "theta": "1e-17"})
    assert result.passed is False
    json.dumps(result.to_json(), allow_nan=False)


def test_quantities_are_finite_or_failed(numpy_result):
    """NaN is a failed check: every passing quantity has a finite measurement."""
    result, _ = numpy_result
    for q in result.quantities:
        if q.passed:
            assert q.measured is not None and math.isfinite(q.measured)


def test_smallest_sweep_fits_a_rate_on_distinct_sizes():
    """The smallest allowed sweep still has two distinct sizes in the law's asymptotic regime (so a
    slope can be fitted, with random directions); below it the parameter is refused."""
    result = _run(overrides={"n": "40", "d": "3", "sweep_max": "512", "symbolic_max_n": "3"})
    names = [q.name for q in result.quantities if q.name.startswith("min_gap_mean_n")]
    assert names == ["min_gap_mean_n128", "min_gap_mean_n512"]
    assert result.passed, [s for s in result.steps if not s.passed]
    with pytest.raises(BadInput, match="must be at least 512"):
        _run(overrides={"sweep_max": "256"})


def test_settings_reach_the_construction(fast):
    """theta and n_directions away from their defaults are honoured: the kinks sit at the requested
    fraction of their gaps and the chosen direction is the best of the requested candidates."""
    result = _run(overrides={**fast, "theta": "0.4", "n_directions": "2"})
    assert result.passed, _failures(result)
    assert _quantity(result, "kink_position_error").measured <= 1.0
    assert _quantity(result, "direction_rank").measured == 0.0


@pytest.mark.slow
def test_paper_scale_passes():
    """The issue's paper scale: n = 50000, d = 3072 (the CIFAR-10 size) on random data; ~40 s."""
    result = get("expressivity").run(scale="paper", backend="numpy", seed=0)
    assert result.params["n"] == 50000 and result.params["d"] == 3072
    assert result.passed, [s for s in result.steps if not s.passed]


class TestExpressivityContract(ClaimContract):
    """The contract every claim shares (vacuity.proofs_checked.contract)."""

    claim_id = "expressivity"
    # theta and n_directions away from their defaults, so that a setting silently ignored shows
    fast = {"n": "200", "d": "8", "sweep_max": "512", "theta": "0.3", "n_directions": "3",
            "symbolic_max_n": "4"}


def test_recurrence_comparison_refuses_a_near_miss():
    """The general-n comparison refuses the stated form with denominator z_i - b_{i-1}."""
    assert T.recurrence_matches_formula()
    assert not T.recurrence_matches_formula(T.recurrence_near_miss())
    assert T.recurrence_near_miss().has(sp.Symbol("b_{i-1}", real=True))


def test_data_law_and_first_kink_are_judged():
    """A second audit's findings: labels drawn from one class too few and a first kink at theta instead of
    1 - theta of the mean gap below z_1 passed the check before these quantities existed."""
    import numpy as np

    from vacuity.kernels import expressivity as KX
    from vacuity.proofs_checked.core.mutants import Mutant as MutantSpec
    from vacuity.proofs_checked.core.mutants import applied

    def draw_with_class_missing(original):
        def draw(n, d, labels, n_classes, rng):
            X, _ = original(n, d, labels, n_classes, rng)
            return X, rng.integers(0, n_classes - 1, n).astype(np.float64)
        return draw

    def first_kink_at_theta(original):
        def place(z, theta, xp):
            b = original(z, theta, xp)
            if b is not None and z.shape[0] > 1:
                b = xp.concat([z[:1] - theta * (z[-1] - z[0]) / (z.shape[0] - 1), b[1:]])
            return b
        return place

    globals()["_draw_with_class_missing"] = draw_with_class_missing
    globals()["_first_kink_at_theta"] = first_kink_at_theta
    for target, factory, where in (("random_data", "_draw_with_class_missing", "data_classes_seen"),
                                   ("interleave", "_first_kink_at_theta", "first_kink_error")):
        m = MutantSpec(where, "construction", f"{KX.__name__}:{target}", f"{__name__}:{factory}")
        with applied(m):
            r = get("expressivity").run(overrides=TestExpressivityContract.fast, fail_fast=True)
        assert r.verdict == "fail" and where in [q.name for q in r.quantities if q.verdict == "fail"]
