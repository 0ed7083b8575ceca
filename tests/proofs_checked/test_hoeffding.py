"""The checked proof of Hoeffding's bound: contract, figure, bad input, and mutations it must catch."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from tests.proofs_checked.classical_helpers import ClassicalContract, failed_quantities, failed_steps, run, step_named
from vacuity.errors import BadInput
from vacuity.proofs_checked.core.registry import get
from vacuity.theory import hoeffding as T

FAST = {"replicates": "4000", "n_max": "100000", "sizes": "4", "brute_n_max": "1000",
        "brute_replicates": "20000", "exact_n_max": "12"}
ROOT = "the stated bound is the root"
TAILS = "|R_hat - R| follows its exact binomial law"
AGREEMENT = "the stated bound sqrt(log(2/delta)/(2n)) equals the root"


class TestHoeffdingContract(ClassicalContract):
    claim_id = "hoeffding"
    fast = FAST


def test_one_sided_constant_is_caught(monkeypatch):
    # log(1/delta) in place of log(2/delta): numerically still above the quantile (Hoeffding is loose),
    # so it is the derivation that must refuse it, symbolically and at every sweep size
    monkeypatch.setattr(T, "deviation_bound", lambda: sp.sqrt(sp.log(1 / T.delta) / (2 * T.n)))
    result = run("hoeffding", FAST)
    assert not result.passed
    assert any(name.startswith(ROOT) for name in failed_steps(result))
    assert not step_named(result, AGREEMENT).passed
    assert step_named(result, TAILS).passed  # the simulation itself stays under the (smaller) bound


def test_stated_bound_is_compared_both_ways_with_its_derivation(monkeypatch):
    # 2x too loose or 2x too tight: both are refused by the numeric comparison with the derived root
    for factor in (2.0, 0.5):
        good = T.bound
        monkeypatch.setattr(T, "bound", lambda ns, delta_value=0.05, f=factor, g=good: f * g(ns, delta_value))
        result = run("hoeffding", FAST)
        assert not step_named(result, AGREEMENT).passed
        assert any(q.startswith("hoeffding_stated_over_derived") for q in failed_quantities(result))
        monkeypatch.setattr(T, "bound", good)


def test_one_over_n_rate_is_caught_symbolically_and_numerically(monkeypatch):
    monkeypatch.setattr(T, "deviation_bound", lambda: sp.sqrt(sp.log(2 / T.delta) / 2) / T.n)
    result = run("hoeffding", FAST)
    assert not result.passed
    failed = failed_steps(result)
    assert any(name.startswith(ROOT) for name in failed)
    assert any(name.startswith("declared rate") for name in failed)
    assert not step_named(result, TAILS).passed  # the exact tail at a 1/n bound exceeds delta
    assert any(q.startswith("hoeffding_exact_tail_at_bound") for q in failed_quantities(result))


def test_one_sided_tail_is_caught(monkeypatch):
    monkeypatch.setattr(T, "tail_bound", lambda: sp.exp(-2 * T.n * T.eps**2))
    result = run("hoeffding", FAST)
    failed = failed_steps(result)
    assert any(name.startswith("Chernoff bound") for name in failed)
    assert any(name.startswith("exact binomial tail") for name in failed)


@pytest.mark.parametrize("key, value, message", [
    ("delta", "1.5", "must lie in (0, 1)"),
    ("delta", "0", "must lie in (0, 1)"),
    ("p", "-0.1", "must lie in (0, 1)"),
    ("p", "1", "no rate to fit"),
    ("n_min", "0", "must be at least 1"),
    ("sizes", "2", "must be at least 3"),
    ("replicates", "ten", "cannot read"),
])
def test_bad_parameters_are_bad_input(key, value, message):
    with pytest.raises(BadInput, match=re.escape(message)):
        get("hoeffding").run(overrides={**FAST, key: value})


def test_cupy_without_gpu_is_bad_input():
    try:
        import cupy  # noqa: F401

        pytest.skip("CuPy is installed: the backend may be available")
    except ImportError:
        pass
    with pytest.raises(BadInput, match="cupy"):
        get("hoeffding").run(backend="cupy", overrides=FAST)
