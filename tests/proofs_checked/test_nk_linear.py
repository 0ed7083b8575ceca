"""The checked proof of nk-linear: the claim contract, bad input, the figure, and mutations it must catch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from vacuity.errors import BadInput
from vacuity.kernels import nk_linear as K
from vacuity.kernels import nk_linear_tolerances as Tol
from vacuity.proofs_checked.core.contract import ClaimContract
from vacuity.proofs_checked.core.registry import get
from vacuity.proofs_checked.nk_linear import proof as P
from vacuity.sims import nk_linear as S
from vacuity.theory import nk_linear as T

FAST = {"n": "128", "D": "60000", "n_test": "4000", "brute_n": "64", "brute_D": "25000",
        "brute_n_test": "64", "ks_reps": "400", "mc_reps": "4000", "var_reps": "2000", "torch_D": "2048",
        "torch_n": "16"}


class TestNKLinearContract(ClaimContract):
    claim_id = "nk-linear"
    fast = FAST


def _run(overrides=None, **kw):
    return get("nk-linear").run(scale="small", backend="numpy", seed=0, overrides=dict(FAST, **(overrides or {})),
                                **kw)


def _failed(result):
    return ({s.name for s in result.steps if not s.passed}, {q.name for q in result.quantities if not q.passed})


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(P, "GRAM_MAX_N", 1)
    return monkeypatch


def test_unmutated_fast_run_passes(fast):
    result = _run()
    assert result.passed, _failed(result)
    q = {q.name: q for q in result.quantities}
    assert q["train_error"].measured == 0 and q["s_prime_error"].measured == 1
    assert q["eps_unif_lower_bound"].measured >= 1 - 0.01
    assert abs(q["test_error"].measured - q["test_error"].predicted) <= q["test_error"].tolerance
    assert {s.kind for s in result.steps} == {"symbolic", "numeric", "torch"}


def test_figure_written(fast, tmp_path, monkeypatch):
    monkeypatch.setattr(P, "FIGURE_NS", (64, 256))
    monkeypatch.setattr(P, "FIGURE_REPS", 20)
    result = _run(figures_dir=tmp_path)
    assert result.figures == ["figures/nk-linear.png"]
    assert (tmp_path / "nk-linear.png").stat().st_size > 10_000


def test_math_is_mathml():
    items = P.math()
    assert len(items) >= 8 and all(m.startswith("<m") for _, m in items)


@pytest.mark.parametrize("override,match", [
    ({"D": "0"}, "D"), ({"n": "0"}, "n"), ({"s2": "-1"}, "s2"), ({"eps": "1.5"}, "eps"),
    ({"c": "20"}, "c c'"), ({"D": "1.5e3x"}, "cannot read"), ({"ks_n": "1"}, "ks_n"),
    ({"n": "1e30"}, "must be at most 32768: the Bartlett sampler holds n\\^2/2 float64"),
    ({"n": "32769"}, "at most 32768"), ({"n_test": "1e9"}, "n_test"), ({"brute_n": "1e5"}, "Gram"),
    ({"brute_n_test": "1e6"}, "brute_n_test"), ({"ks_n": "1e6"}, "ks_n"), ({"torch_n": "1e6"}, "torch_n"),
    ({"ks_reps": "1"}, "ks_reps=1: must be at least 100"), ({"var_reps": "1"}, "var_reps"),
    ({"torch_n": "4096", "torch_D": "1e6"}, "torch_n x"), ({"mc_reps": "1e8"}, "mc_reps x 4 ks_n"),
    ({"brute_D": "1e9"}, "brute_D"),
])
def test_bad_input(override, match):
    with pytest.raises(BadInput, match=match) as info:
        _run(override)
    assert "\n" not in str(info.value)


def test_largest_n_is_accepted():
    assert get("nk-linear").resolve("small", {"n": "32768"})["n"] == 32768


def test_D_written_like_1e9_is_accepted():
    assert get("nk-linear").resolve("small", {"D": "1e9"})["D"] == 10**9


def test_too_small_D_fails_the_premise(fast):
    result = _run({"D": "2000"})
    steps, quantities = _failed(result)
    assert not result.passed and "D_sufficient" in quantities


# ---------------------------------------------------------------------------------- mutations


def test_mutation_noise_variance_s2_instead_of_s2_over_D(fast):
    fast.setattr(K, "noise_sd", lambda s2, D: math.sqrt(s2))
    result = _run()
    _, quantities = _failed(result)
    assert not result.passed
    assert "brute_noise_block_norm_ratio" in quantities or "brute_train_error" in quantities


def test_mutation_theory_variance_s2_instead_of_s2_over_D(fast):
    m, v, cv = T.noise_margin_moments()
    fast.setattr(T, "noise_margin_moments", lambda: (m, v * T.D, cv * T.D))
    result = _run()
    steps, quantities = _failed(result)
    assert not result.passed and "mc_train_margin_var" in quantities
    assert any("moments derived" in s for s in steps)


def test_mutation_wrong_sign_in_s_prime(fast):
    fast.setattr(K, "margins_from_gram", lambda cc, G1: (cc + G1, cc + G1))
    result = _run()
    _, quantities = _failed(result)
    assert not result.passed and "s_prime_error" in quantities and "rank_one_s_prime_error" in quantities


def test_mutation_wrong_s_prime_theory(fast):
    fast.setattr(T, "s_prime_margin_moments", lambda: (T.c * T.cp + T.s2, (T.n + 1) * T.s2**2 / T.D))
    result = _run()
    steps, _ = _failed(result)
    assert not result.passed and any("moments derived" in s for s in steps)


def test_mutation_test_error_without_sqrt_D(fast):
    fast.setattr(K, "conditional_test_error",
                 lambda D, c, cp, s2, w: K.phi(-c * cp / math.sqrt(s2 * w)) if w > 0 else 0.0)
    result = _run()
    _, quantities = _failed(result)
    assert not result.passed and "test_error" in quantities


def test_mutation_bartlett_dofs_all_D(fast):
    """A subtle sampler bug: every diagonal of the Bartlett factor with D degrees of freedom (instead of
    D - i). Caught by the KS tests of ||w2||^2 (against brute force and its chi-square law)."""
    fast.setattr(K, "bartlett_dofs", lambda n, D: np.full(min(n, D), float(D)))
    result = _run()
    _, quantities = _failed(result)
    assert not result.passed and "ks_level_vs_min_pvalue" in quantities


def test_mutation_learner_sums_the_signal_block(fast):
    """w1 = sum_i y_i x1_i = n c u (plain gradient step with one step size): no longer the construction,
    and S' is classified correctly. The torch check against cc' + (G1)_i catches it."""
    orig = S.train

    def wrong(X, y, *, K, c=2.0, c_prime=2.0, steps=1, device="cpu"):
        return orig(X, y, K=K, c=c, c_prime=X.shape[0] * c, steps=steps, device=device)

    fast.setattr(S, "train", wrong)
    result = _run()
    _, quantities = _failed(result)
    assert not result.passed and "torch_margin_error_units" in quantities


def test_mutation_symbolic_gram_reduction(fast):
    orig = T.prove_gram_reduction
    fast.setattr(T, "prove_gram_reduction",
                 lambda k, D_value=2, K_value=2: orig(k, D_value, K_value).__class__(k, 2, 2, False, 0))
    result = _run()
    steps, _ = _failed(result)
    assert any("Gram reduction" in s for s in steps)


def test_nan_samples_fail_the_ks_step(fast):
    """NaN draws give NaN KS p-values; min() skips a NaN that is not first, so without the explicit
    check the step (and ks_level_vs_min_pvalue) passed."""
    orig = K.SAMPLERS["rank_one"]

    def nan_sometimes(*a, seed=0, **kw):
        r = orig(*a, seed=seed, **kw)
        if seed % 5 == 0:
            r.w2_norm2 = float("nan")
        return r

    fast.setitem(K.SAMPLERS, "rank_one", nan_sometimes)
    result = _run()
    steps, quantities = _failed(result)
    assert not result.passed and "ks_level_vs_min_pvalue" in quantities
    assert any("two-sample KS" in s for s in steps)
    q = {q.name: q for q in result.quantities}["ks_level_vs_min_pvalue"]
    assert math.isnan(q.measured) and "non-finite" in q.note


def test_mutation_bartlett_inflated_per_point_spread(fast):
    """A Bartlett sampler whose margins spread 1.5x around their own mean: the set's mean margin (the
    only thing train_margin_mean, s_prime_margin_mean and the norm ratio see) is unchanged, the per-point
    variance is not."""
    orig = K.SAMPLERS["bartlett"]

    def spread(*a, **kw):
        r = orig(*a, **kw)
        cc = kw["c"] * kw["c_prime"]
        G1 = r.train_margins - cc
        G1 = G1.mean() + 1.5 * (G1 - G1.mean())
        r.train_margins, r.s_prime_margins = K.margins_from_gram(cc, G1)
        return r

    fast.setitem(K.SAMPLERS, "bartlett", spread)
    result = _run()
    _, quantities = _failed(result)
    assert "bartlett_margin_var" in quantities and "brute_force_margin_var" not in quantities


def test_mutation_brute_force_margins_off_by_ten_rounding_bounds(fast):
    """The Gram check can fail with the derived bound: margins moved by 10 x 2 gamma (S_i + cc')."""
    orig = K.brute_force

    def off(n, D, **kw):
        r = orig(n, D, **kw)
        if kw.get("with_gram"):
            cc = kw["c"] * kw["c_prime"]
            r.train_margins = r.train_margins + 10 * Tol.gram_margin_bound(n, D, kw["K"], r.margin_magnitude, cc)
        return r

    fast.setattr(K, "brute_force", off)
    result = _run()
    _, quantities = _failed(result)
    assert quantities == {"gram_reduction_error_units"}


def test_mutation_good_pair_bound_negative_near_one_third(fast):
    fast.setattr(T, "good_pair_probability", lambda: 1 - sp.Rational(39, 10) * T.delta)
    result = _run()
    steps, _ = _failed(result)
    assert any(s.startswith("lemma: test error") for s in steps)


@pytest.mark.slow
def test_paper_scale_passes():
    result = get("nk-linear").run(scale="paper", seed=0)
    assert result.passed, _failed(result)
    q = {q.name: q for q in result.quantities}
    assert q["s_prime_error"].measured == 1.0 and q["test_error_predicted"].measured <= 0.01


def test_symbolic_threshold_sanity():
    assert sp.simplify(T.test_error_norm_threshold().subs({T.c: 1, T.cp: 1})
                       - T.D / (T.s2 * sp.Symbol("z_epsilon", positive=True) ** 2)) == 0
