"""The checked proof of Sauer-Shelah, the VC bound and VCdim(halfspaces) = d + 1: contract, figure,
bad input, mutations."""

from __future__ import annotations

from math import comb

import pytest
import sympy as sp

from tests.proofs_checked.classical_helpers import ClassicalContract, failed_steps, run, step_named
from vacuity.errors import BadInput
from vacuity.proofs_checked.core.registry import get
from vacuity.theory import vc as T

FAST = {"sauer_n_max": "25", "d_max": "2", "growth_n_max": "6", "random_sets": "1", "n_max": "1024",
        "sizes": "3", "replicates": "2000"}
GROWTH = "growth function of halfspaces"
EXACT = "exact: Pascal recurrence"


class TestVCContract(ClassicalContract):
    claim_id = "vc"
    fast = FAST


def test_sauer_sum_to_d_minus_1_is_caught(monkeypatch):
    monkeypatch.setattr(T, "sauer_sum", lambda n, d: sum(comb(n, i) for i in range(d)))
    result = run("vc", FAST)
    assert not result.passed
    assert not step_named(result, EXACT).passed
    assert not step_named(result, GROWTH).passed  # Cover's count of realized labelings exceeds it


def test_vc_dimension_d_instead_of_d_plus_1_is_caught(monkeypatch):
    monkeypatch.setattr(T, "halfspace_vc_dimension", lambda d: d)
    result = run("vc", FAST)
    assert not step_named(result, GROWTH).passed
    assert not step_named(result, "LP (HiGHS)").passed


def test_vc_bound_with_a_1_over_n_rate_is_caught(monkeypatch):
    monkeypatch.setattr(T, "deviation_bound",
                        lambda: sp.sqrt(2 * T.d * sp.log(sp.E * T.n / T.d)) / T.n
                        + sp.sqrt(sp.log(1 / T.delta) / 2) / T.n)
    result = run("vc", FAST)
    failed = failed_steps(result)
    assert any(name.startswith("the VC bound is Massart") for name in failed)
    assert any(name.startswith("declared rate") for name in failed)


def test_two_sided_constant_in_massart_is_caught(monkeypatch):
    monkeypatch.setattr(T, "massart_bound",
                        lambda: sp.sqrt(2 * sp.log(T.Pi) / T.n) + sp.sqrt(sp.log(2 / T.delta) / (2 * T.n)))
    result = run("vc", FAST)
    assert any(name.startswith("the VC bound is Massart") for name in failed_steps(result))


@pytest.mark.parametrize("key, value", [("growth_n_max", "20"), ("d_max", "0"), ("delta", "-0.1"),
                                        ("sizes", "1")])
def test_bad_parameters_are_bad_input(key, value):
    with pytest.raises(BadInput, match=f"parameter {key}="):
        get("vc").run(overrides={**FAST, key: value})


def test_a_valid_but_looser_vc_bound_is_caught_only_by_the_derivation(monkeypatch):
    # twice the stated bound: still far above the thresholds' deviation, so only the numeric comparison
    # with Massart's bound at (en/d)^d refuses it
    good = T.bound
    monkeypatch.setattr(T, "bound", lambda ns, d_value, delta_value=0.05: 2 * good(ns, d_value, delta_value))
    result = run("vc", FAST)
    assert not step_named(result, "the stated VC bound equals Massart's bound").passed
    assert step_named(result, "thresholds (VCdim 1)").passed


def test_a_shattering_test_that_always_says_yes_is_caught(monkeypatch):
    from vacuity.kernels import shattering as S

    monkeypatch.setattr(S, "shattered", lambda X: True)
    assert not step_named(run("vc", FAST), "LP (HiGHS)").passed
