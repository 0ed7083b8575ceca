"""The checked Rademacher claims: contract, bad input, figures, and the mutations each check must catch
(a wrong constant or rate in a stated bound, a broken sign sampler, a network that does not fit)."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from vacuity.errors import BadInput
from vacuity.kernels import rademacher as K
from vacuity.proofs_checked.core.contract import ClaimContract
from vacuity.proofs_checked.core.registry import get
from vacuity.proofs_checked.core.result import CheckResult
from vacuity.proofs_checked.rademacher_linear import proof as PL
from vacuity.proofs_checked.rademacher_networks import proof as PN
from vacuity.sims import data
from vacuity.theory import rademacher as T

LINEAR_FAST = {"n": "1024", "draws": "500", "sweep_max": "4096", "coverage_n": "128", "n_classifiers": "64",
               "massart_n": "128", "n_exact": "10"}
NETWORKS_FAST = {"sizes": "50,100,200", "draws": "4", "width": "64", "depth": "2", "epochs": "80", "batch": "32"}

n, delta, r, Lam, R_hat, R_m, R_hat_H = T.n, T.delta, T.r, T.Lam, T.R_hat, T.R_m, T.R_hat_H


class TestRademacherLinearContract(ClaimContract):
    claim_id = "rademacher-linear"
    fast = LINEAR_FAST


class TestRademacherNetworksContract(ClaimContract):
    claim_id = "rademacher-networks"
    fast = NETWORKS_FAST


def _linear(**kw):
    return get("rademacher-linear").run(scale="small", seed=0, overrides=dict(LINEAR_FAST, **kw))


def _networks(**kw):
    return get("rademacher-networks").run(scale="small", seed=0, overrides=dict(NETWORKS_FAST, **kw))


def _step(result: CheckResult, prefix: str):
    (s,) = [s for s in result.steps if s.name.startswith(prefix)]
    return s


def _quantity(result: CheckResult, name: str):
    (q,) = [q for q in result.quantities if q.name == name]
    return q


# ------------------------------------------------------------------------------ the claims


def test_linear_quantities_and_figure(tmp_path):
    result = get("rademacher-linear").run(scale="small", seed=0, overrides=LINEAR_FAST, figures_dir=tmp_path)
    assert result.passed, [s for s in result.steps if not s.passed]
    assert {s.kind for s in result.steps} == {"symbolic", "numeric"}
    rate = _quantity(result, "rate_exponent")
    assert rate.predicted == -0.5 and abs(rate.measured + 0.5) <= rate.tolerance
    assert 0.9 < _quantity(result, "linear_jensen_ratio").measured < 1.0
    # the bound's tightness on the exact value sits inside Jensen's sandwich, strictly
    ratio = _quantity(result, "linear_exact_ratio_vs_1").measured
    assert _quantity(result, "linear_exact_ratio_vs_jensen_lower").predicted < ratio < 1.0
    assert _quantity(result, "massart_cube_tightness").measured == pytest.approx(1 / math.sqrt(2 * math.log(2)))
    assert all(q.verdict != "pass" or q.predicted is not None for q in result.quantities)
    assert result.figures == ["figures/rademacher-linear.png"]
    assert (tmp_path / "rademacher-linear.png").stat().st_size > 0


def test_networks_quantities_and_figure(tmp_path):
    result = get("rademacher-networks").run(scale="small", seed=0, overrides=NETWORKS_FAST, figures_dir=tmp_path)
    assert result.passed, [s for s in result.steps if not s.passed]
    assert {s.kind for s in result.steps} == {"symbolic", "numeric", "torch"}
    for size in (50, 100, 200):
        bound = _quantity(result, f"bound_n{size}")
        assert bound.verdict == "reported" and bound.measured >= 1.0  # implied by the threshold check: reported
        assert _quantity(result, f"test_error_n{size}").measured < 0.5
        # the signs differ and the networks fit them, not a constant: ~0 on signs they never saw
        assert _quantity(result, f"sign_agreement_gap_max_n{size}").passed
        held = _quantity(result, f"held_out_score_n{size}")
        assert held.passed and abs(held.measured) < 0.3
        assert _quantity(result, f"network_parameters_n{size}").measured == 64 * 64 + 64 + 64 * 64 + 64 + 65
    assert result.params["device"] == "cpu" and result.params["n_test"] == data.DIGITS_TEST
    assert (tmp_path / "rademacher-networks.png").stat().st_size > 0


def test_math_is_mathml():
    for module in (PL, PN):
        items = module.math()
        assert len(items) >= 3 and all(m.startswith("<m") for _, m in items)


@pytest.mark.parametrize("claim, key, value, match", [
    ("rademacher-linear", "delta", "1.5", "must lie in (0, 1)"),
    ("rademacher-linear", "delta", "0", "must lie in (0, 1)"),
    ("rademacher-linear", "n", "0", "at least 1"),
    ("rademacher-linear", "r", "-1", "a finite number > 0"),
    ("rademacher-linear", "Lambda", "0", "a finite number > 0"),
    ("rademacher-linear", "Lambda", "inf", "a finite number > 0"),
    ("rademacher-linear", "n_exact", "30", "1..22"),
    ("rademacher-linear", "draws", "1", "at least 2"),
    ("rademacher-linear", "n", "ten", "cannot read"),
    ("rademacher-networks", "sizes", "100", "at least three increasing"),
    ("rademacher-networks", "sizes", "100,50,200", "at least three increasing"),
    ("rademacher-networks", "sizes", "a,b,c", "comma-separated integers"),
    ("rademacher-networks", "dataset", "cifar", "'digits', 'mnist1d' or 'mnist'"),
    ("rademacher-networks", "delta", "1", "must lie in (0, 1)"),
    ("rademacher-networks", "threads", "-1", "at least 0"),
])
def test_invalid_parameters_are_bad_input(claim, key, value, match):
    with pytest.raises(BadInput, match=re.escape(match)):
        get(claim).run(overrides={key: value})


def test_sizes_beyond_the_training_pool_are_bad_input():
    with pytest.raises(BadInput, match="exceeds the 1297 training points"):
        _networks(sizes="100,200,5000")


# --------------------------------------------------------------------------------- mutations


@pytest.mark.parametrize("wrong", [
    lambda: R_m + sp.sqrt(sp.log(1 / delta) / (2 * n)),  # missing factor 2
    lambda: 2 * R_m + sp.sqrt(sp.log(1 / delta) / (2 * n**2)),  # rate 1/n
])
def test_linear_catches_wrong_expected_bound(monkeypatch, wrong):
    """Thm 3.3 (i) (its (ii) form is covered by the declared mutants)."""
    monkeypatch.setattr(T, "bound_expected", wrong)
    result = _linear()
    assert not result.passed
    assert not _step(result, "Thm 3.3 both forms").passed


def test_linear_catches_factor_2_in_the_binary_bound(monkeypatch):
    """Thm 3.5 has no factor 2 (Lemma 3.4 halves the loss class's complexity): putting it back is caught."""
    monkeypatch.setattr(T, "bound_binary_expected", lambda: 2 * T.R_m_H + sp.sqrt(sp.log(1 / delta) / (2 * n)))
    result = _linear()
    assert not result.passed
    assert not _step(result, "Thm 3.5").passed


def test_linear_catches_one_over_n_rate(monkeypatch):
    """1/n in place of 1/sqrt(n): the symbolic derivation, the declared rate, the Monte Carlo bound check
    and the fitted slope all fail."""
    monkeypatch.setattr(T, "linear_bound", lambda: r * Lam / n)
    result = _linear()
    assert not result.passed
    assert not _step(result, "Jensen (sqrt concave)").passed
    assert not _step(result, "declared rate exponents").passed
    assert not _quantity(result, "linear_mc_lower_vs_bound").passed
    rate = _quantity(result, "rate_exponent")
    assert rate.predicted == -1.0 and not rate.passed


def test_linear_catches_massart_without_the_2(monkeypatch):
    monkeypatch.setattr(T, "massart_bound", lambda: T.R_A * sp.sqrt(sp.log(T.N)) / n)
    result = _linear(n_classifiers="1024", massart_n="64")
    assert not result.passed
    assert not _step(result, "Massart: min_t").passed
    # numerically too: 1024 random classifiers on 64 points fit the signs better than sqrt(log N / n), and
    # on the cube the exact Rhat = 1 exceeds sqrt(log 2)
    assert not _quantity(result, "massart_mc_lower_vs_bound").passed
    assert not _quantity(result, "massart_cube_tightness").passed


def test_linear_catches_correlated_signs(monkeypatch):
    original = T.sign_correlation
    monkeypatch.setattr(T, "sign_correlation", lambda same: original(same) if same else sp.Rational(1, 4))
    result = _linear()
    assert not _step(result, "E||sum sigma_i x_i||^2").passed and not result.passed


def test_linear_catches_a_broken_sign_sampler(monkeypatch):
    """Signs drawn from {0, 1} instead of {-1, +1}: Monte Carlo no longer matches exact enumeration."""
    def zero_one(rng, k, n_points, xp, like):
        return xp.astype(xp.asarray(rng.integers(0, 2, size=(k, n_points))), xp.float64)

    monkeypatch.setattr(K, "_signs", zero_one)
    result = _linear()
    assert not result.passed
    assert not _quantity(result, "sign_off_support").passed and not _quantity(result, "sign_mean").passed
    assert not _quantity(result, "linear_mc_vs_exact").passed
    assert not _quantity(result, "second_moment").passed


def test_linear_catches_gaussian_signs_by_their_law(monkeypatch):
    """Standard normal 'signs' have the Rademacher mean and variance, and E||sum g_i x_i||^2 is the same:
    the second moment cannot see them. Their support and the variance of the sup against its exact value
    by enumeration do."""
    from array_api_compat import device as array_device

    def gaussian(rng, k, n_points, xp, like):
        return xp.asarray(rng.standard_normal((k, n_points)), device=array_device(like))

    monkeypatch.setattr(K, "_signs", gaussian)
    result = _linear()
    assert _quantity(result, "second_moment").passed  # blind to it
    assert not _quantity(result, "sign_off_support").passed
    assert not _quantity(result, "linear_mc_variance_vs_exact").passed


def test_linear_catches_points_off_the_sphere(monkeypatch):
    """Points scaled by the expected norm sqrt(d), not their own: ||x_i|| <= r fails for some, and the
    premise check sees it (the bounds themselves can still hold)."""
    def by_sqrt_d(size, d, radius, rng):
        return radius * rng.standard_normal((size, d)) / np.sqrt(d)

    monkeypatch.setattr(K, "sphere_points", by_sqrt_d)
    result = _linear()
    assert not result.passed
    assert not _quantity(result, "points_exact_max_norm_over_r").passed


def test_linear_catches_a_finite_class_of_one_repeated_vector(monkeypatch):
    """integers(0, 1) for the classifiers: N copies of the all -1 vector, |A| = 1 in fact."""
    monkeypatch.setattr(K, "random_sign_set", lambda size, n_pts, rng: -np.ones((size, n_pts)))
    result = _linear()
    assert not result.passed
    assert not _quantity(result, "class_exact_repeated_rows").passed


def test_repeated_rows_limit_covers_chance_collisions():
    rng = np.random.default_rng(0)
    repeats = [64 - K.distinct_rows(K.random_sign_set(64, 10, rng)) for _ in range(200)]
    assert max(repeats) <= T.repeated_rows_limit(64, 10) and np.mean(repeats) > 0.5
    assert T.repeated_rows_limit(64, 128) < 1


def test_networks_catch_wrong_bound_and_threshold(monkeypatch):
    monkeypatch.setattr(T, "bound_binary", lambda: 2 * R_hat_H + 3 * sp.sqrt(sp.log(2 / delta) / (2 * n)))
    monkeypatch.setattr(T, "vacuity_threshold_stated", lambda: 1 - 3 * sp.sqrt(sp.log(1 / delta) / (2 * n)))
    monkeypatch.setattr(PN, "AGREEMENT_MAX_N", 3)
    result = _networks(sizes="20,30,40", width="16", epochs="20")
    assert not result.passed
    assert not _step(result, "Thm 3.5 bound derived").passed
    assert not _step(result, "vacuity threshold").passed


def test_networks_catch_constant_signs_that_the_old_check_passed(monkeypatch):
    """All signs -1 (integers(0, 1)): every network fits the constant, Rhat = 1 and the vacuity threshold
    passes, as it did before the sign vectors were checked; their balance and distinctness fail."""
    from vacuity.sims import rademacher_networks as S

    monkeypatch.setattr(S, "random_signs", lambda draws, size, seed: -np.ones((draws, size)))
    result = _networks()
    assert all(_quantity(result, f"vacuity_threshold_n{m}").passed for m in (50, 100, 200))
    assert not _quantity(result, "sign_mean_n50").passed
    assert not _quantity(result, "sign_agreement_gap_max_n50").passed
    assert not result.passed


def test_networks_catch_a_network_that_does_not_fit():
    """One epoch at a tiny learning rate: the random signs are not fitted, the estimate is far below the
    vacuity threshold, and the claim fails."""
    result = _networks(epochs="1", lr="0.0001", sizes="100,200,400")
    assert not result.passed
    assert not _step(result, "SGD fits").passed
    assert all(not _quantity(result, f"vacuity_threshold_n{m}").passed for m in (100, 200, 400))



def test_networks_catch_a_test_error_measured_on_the_training_points(monkeypatch):
    """The reported 'test' error is the training error (the network carried): the recomputation from the
    trained network on split.X_test differs."""
    from vacuity.sims import rademacher_networks as S

    real = S.fit_true_labels

    def on_train(split, n, **kw):
        tf = real(split, n, **kw)
        return dataclasses.replace(tf, test_error=tf.train_error)

    monkeypatch.setattr(S, "fit_true_labels", on_train)
    result = _networks()
    assert not result.passed
    assert _quantity(result, "test_points_evaluated_n50").passed
    assert not _quantity(result, "test_error_recomputed_n50").passed


def test_networks_catch_a_trainer_that_ignores_batch(monkeypatch):
    """Minibatches of 64 whatever batch says, the step budget still from batch: the step count passes,
    the trainer's batch and its passes over the data do not."""
    from vacuity.sims import rademacher_networks as S

    real = S.TrainConfig.trainer_config
    monkeypatch.setattr(S.TrainConfig, "trainer_config",
                        lambda self, size: dataclasses.replace(real(self, size), batch_size=64))
    result = _networks()
    assert not result.passed
    assert _quantity(result, "sgd_steps_n50").passed
    assert not _quantity(result, "trainer_batch_n50").passed and not _quantity(result, "sgd_epochs_n50").passed


def test_networks_catch_a_network_that_does_not_learn_the_true_labels(monkeypatch):
    """Trained on shuffled 'true' labels the network is at chance on the test set: the true-label step
    must fail on its own (before, it only compared the test error with a bound already shown >= 1)."""
    from vacuity.sims import rademacher_networks as S

    real = S.fit_true_labels

    def shuffled(split, n, **kw):
        y = np.random.default_rng(1).permutation(split.y_train)
        return real(dataclasses.replace(split, y_train=y), n, **kw)

    monkeypatch.setattr(S, "fit_true_labels", shuffled)
    result = _networks()
    step = _step(result, "same network on the true labels")
    assert not step.passed and not result.passed
    assert all(not _quantity(result, f"test_error_below_chance_n{m}").passed for m in (50, 100, 200))
    assert _step(result, "SGD fits").passed  # the rest of the claim is unaffected

def test_mnist1d_runs(monkeypatch):
    result = _networks(dataset="mnist1d", sizes="50,100,200")
    assert result.params["n_test"] == 1000
    assert _step(result, "SGD fits").passed
    assert np.isfinite(_quantity(result, "test_error_n200").measured)


@settings(max_examples=4, deadline=None)  # each run is a full check (~2-4 s)
@given(st.floats(1e-3, 1e3), st.floats(1e-3, 1e3), st.floats(1e-6, 0.5), st.integers(1, 8), st.integers(0, 2**16))
def test_linear_claim_passes_for_any_valid_parameters(r_, lam_, delta_, d_, seed):
    """The claim is scale-free in r and Lambda and holds for every delta, dimension and seed."""
    overrides = dict(LINEAR_FAST, r=repr(r_), Lambda=repr(lam_), delta=repr(delta_), d=str(d_),
                     n="256", sweep_max="1024", n_exact="8")
    result = get("rademacher-linear").run(scale="small", seed=seed, overrides=overrides)
    assert result.passed, [s for s in result.steps if not s.passed] + [q for q in result.quantities if not q.passed]


@pytest.mark.slow
@pytest.mark.parametrize("claim", ["rademacher-linear", "rademacher-networks"])
def test_paper_scale_passes(claim):
    """Paper scale: n = 262144 and 20000 sign draws (linear); MNIST-1D, n up to 4000, 16 draws, width 512,
    two hidden layers (networks). Several minutes each on 2 CPU cores."""
    result = get(claim).run(scale="paper", backend="numpy", seed=0)
    assert result.passed, [s for s in result.steps if not s.passed]


def test_mnist_without_a_data_root_is_bad_input(monkeypatch):
    monkeypatch.delenv("VACUITY_DATA", raising=False)
    with pytest.raises(BadInput, match="dataset mnist: no data root"):
        _networks(dataset="mnist")
