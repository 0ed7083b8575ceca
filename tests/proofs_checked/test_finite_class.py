"""The checked proof of the finite-class union bound: contract, figure, bad input, mutations."""

from __future__ import annotations

import pytest
import sympy as sp

from tests.proofs_checked.classical_helpers import ClassicalContract, failed_quantities, failed_steps, run, step_named
from vacuity.errors import BadInput
from vacuity.proofs_checked.core.registry import get
from vacuity.theory import finite_class as T

FAST = {"replicates": "4000", "class_size": "200", "n_max": "100000", "sizes": "3", "brute_n": "300",
        "brute_replicates": "50"}
QUANTILE = "at every n: each R_hat(h) has its exact binomial variance"
AGREEMENT = "the stated bound equals the root of |H| times"


class TestFiniteClassContract(ClassicalContract):
    claim_id = "finite-class"
    fast = FAST


def test_one_sided_constant_is_caught(monkeypatch):
    monkeypatch.setattr(T, "deviation_bound", lambda: sp.sqrt((sp.log(T.H) + sp.log(1 / T.delta)) / (2 * T.n)))
    result = run("finite-class", FAST)
    failed = failed_steps(result)
    assert not result.passed
    assert any(name.startswith("the stated bound is the root") for name in failed)
    assert any(name.startswith("|H| = 1") for name in failed)
    assert any(name.startswith(AGREEMENT) for name in failed)


def test_a_bound_twice_too_loose_is_caught_by_the_derivation(monkeypatch):
    # valid, so every simulated quantile stays below it: only the comparison with the derivation sees it
    good = T.bound
    monkeypatch.setattr(T, "bound", lambda ns, class_size, delta_value=0.05: 2 * good(ns, class_size, delta_value))
    result = run("finite-class", FAST)
    assert not step_named(result, AGREEMENT).passed
    assert step_named(result, QUANTILE).passed


def test_forgetting_the_union_is_caught_numerically(monkeypatch):
    # Hoeffding's single-hypothesis bound used for the whole class: the sup's quantile exceeds it
    monkeypatch.setattr(T, "deviation_bound", lambda: sp.sqrt(sp.log(2 / T.delta) / (2 * T.n)) + 0 * T.H)
    result = run("finite-class", FAST)
    assert not step_named(result, QUANTILE).passed
    assert any(q.startswith("sup_exceed_fraction") for q in failed_quantities(result))


def test_one_over_n_rate_is_caught(monkeypatch):
    monkeypatch.setattr(T, "deviation_bound", lambda: sp.sqrt((sp.log(T.H) + sp.log(2 / T.delta)) / 2) / T.n)
    result = run("finite-class", FAST)
    failed = failed_steps(result)
    assert any(name.startswith("declared rate") for name in failed)
    assert not step_named(result, QUANTILE).passed


def test_wrong_risks_are_caught(monkeypatch):
    # risks computed with eta and 1 - eta swapped: a wrong closed form for R(h)
    import dataclasses

    from vacuity.kernels import finite_class as K

    good = K.make_problem

    def wrong(x_probs, eta, tables):
        p = good(x_probs, eta, tables)
        swapped = p.cell_probs.reshape(-1, 2)[:, ::-1].ravel()
        return dataclasses.replace(p, risks=p.losses @ swapped)

    monkeypatch.setattr(K, "make_problem", wrong)
    result = run("finite-class", FAST)
    assert "max_abs_z_risk_bias" in failed_quantities(result)
    assert not result.passed


@pytest.mark.parametrize("key, value", [("class_size", "0"), ("domain", "0"), ("delta", "1"),
                                        ("brute_replicates", "2")])
def test_bad_parameters_are_bad_input(key, value):
    with pytest.raises(BadInput, match=f"parameter {key}="):
        get("finite-class").run(overrides={**FAST, key: value})
