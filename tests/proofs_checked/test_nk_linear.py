"""The checked proof of nk-linear: the claim contract (with its declared mutants), bad input, the premise,
the figure, and further wrong versions the check must catch."""

from __future__ import annotations

import json
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
from vacuity.theory import nk_linear as T

# D = 1e5 meets the sufficient D at gamma = 1 for n = 128 (80,158); brute_D = 25,000 meets its own at
# gamma = 0 for brute_n = 64 (22,879). 20,000 training sets per sampler detect a 10% error in every
# replicate statistic but the covariance (17.6%) with probability 0.99 (docs/derivations, section 11).
FAST = {"n": "128", "D": "100000", "n_test": "2000000", "brute_n": "64", "brute_D": "25000",
        "brute_n_test": "64", "reps": "20000", "mc_reps": "4000", "torch_D": "2048", "torch_n": "16",
        "gram_n": "2"}


class TestNKLinearContract(ClaimContract):
    claim_id = "nk-linear"
    fast = FAST

    def test_conclusions_are_judged_exactly(self):
        q = {q.name: q for q in self.result.quantities}
        assert q["train_error"].measured == 0 and q["s_prime_error"].measured == 1
        assert q["train_error"].verdict == "pass" and q["s_prime_error"].tolerance == 0
        assert q["eps_unif_lower_bound"].measured >= 1 - 0.01
        for g in ("0.5", "1"):
            assert q[f"ramp_{g}_train_loss"].measured == 0 and q[f"ramp_{g}_s_prime_loss"].measured == 1
            assert q[f"ramp_{g}_gap_minus_one_minus_eps_gen"].verdict == "pass"
        assert {s.kind for s in self.result.steps} == {"symbolic", "numeric", "torch"}

    def test_reported_quantities_are_not_judged(self):
        reported = {q.name for q in self.result.quantities if q.verdict == "reported"}
        assert reported == {"log10_test_error_predicted", "test_error_approx", "brute_test_error",
                            "shared_step_size_s_prime_error"}
        # the brute force's 64 test points have no power; its literal test law is judged over replicates
        assert {"brute_force_test_error", "brute_force_test_margin_z_var"} <= {
            q.name for q in self.result.quantities if q.verdict == "pass"}

    def test_replicate_bands_have_the_stated_power(self):
        """Each replicate statistic's band is 6 SE of its derived variance, and at these reps a 10%
        error is detected w.p. 0.99 for all but the covariance (17.6%)."""
        rs = T.replicate_statistic_values(T.Setting(16, 32))
        q = {q.name: q for q in self.result.quantities}
        for name, key in (("norm_mean", "W"), ("norm_var", "W_sq"), ("margin_var", "V"), ("margin_cov", "P")):
            mean, var = rs[key]
            band = q[f"bartlett_{name}"].tolerance
            assert band == pytest.approx(6 * math.sqrt(var / 20000), rel=1e-12)
            r = Tol.detectable_relative_error(math.sqrt(var) / mean, 20000, 6.0)
            assert r <= (0.18 if key == "P" else 0.1)
        assert q["bartlett_margin_cov"].tolerance < 0.5 * rs["P"][0]  # tells the covariance from 0

    def test_shared_step_size_is_not_the_construction(self):
        q = {q.name: q for q in self.result.quantities}
        assert q["shared_step_size_s_prime_error"].measured < 1


def _run(overrides=None, **kw):
    return get("nk-linear").run(scale="small", backend="numpy", seed=0, overrides=dict(FAST, **(overrides or {})),
                                **kw)


def _failed(result):
    return ({s.name for s in result.steps if s.verdict == "fail"},
            {q.name for q in result.quantities if q.verdict == "fail"})


def test_figure_written(tmp_path, monkeypatch):
    monkeypatch.setattr(P, "FIGURE_NS", (64, 256))
    monkeypatch.setattr(P, "FIGURE_REPS", 20)
    result = _run({"reps": "200", "mc_reps": "200", "n_test": "10000"}, figures_dir=tmp_path)
    assert result.figures == ["figures/nk-linear.png"]
    assert (tmp_path / "nk-linear.png").stat().st_size > 10_000


def test_math_is_mathml():
    items = P.math()
    assert len(items) >= 10 and all(m.startswith("<m") for _, m in items)


@pytest.mark.parametrize("override,match", [
    ({"D": "0"}, "D"), ({"n": "0"}, "n"), ({"s2": "-1"}, "s2"), ({"eps": "1.5"}, "eps"),
    ({"c": "20"}, "c c'"), ({"D": "1.5e3x"}, "cannot read"), ({"rep_n": "1"}, "rep_n"),
    ({"n": "1e30"}, "must be at most 32768: the Bartlett sampler holds n\\^2/2 float64"),
    ({"n": "32769"}, "at most 32768"), ({"n_test": "1e9"}, "n_test"), ({"brute_n": "1e5"}, "Gram"),
    ({"brute_n_test": "1e6"}, "brute_n_test"), ({"rep_n": "1e6"}, "rep_n"), ({"torch_n": "1e6"}, "torch_n"),
    ({"reps": "1"}, "reps=1: must be at least 100"), ({"gamma": "-1"}, "gamma"), ({"gamma": "4"}, "gamma = 4"),
    ({"torch_n": "4096", "torch_D": "1e6"}, "torch_n x"), ({"mc_reps": "1e8"}, "mc_reps x 4 rep_n"),
    ({"brute_D": "1e9"}, "brute_D"), ({"reps": "1e9"}, "reps x \\(rep_n \\+ 1\\) x rep_D"),
    ({"gram_n": "5"}, "gram_n"),
])
def test_bad_input(override, match):
    with pytest.raises(BadInput, match=match) as info:
        _run(override)
    assert "\n" not in str(info.value)


def test_largest_n_is_accepted():
    assert get("nk-linear").resolve("small", {"n": "32768"})["n"] == 32768


def test_D_written_like_1e9_is_accepted():
    assert get("nk-linear").resolve("small", {"D": "1e9"})["D"] == 10**9


def test_D_below_the_sufficient_D_is_premise_unmet_with_exit_3():
    """Outside the theorem's premise nothing is claimed: its conclusions are reported, every other
    quantity is still judged, the result is premise-unmet and the CLI exits 3."""
    from typer.testing import CliRunner

    from vacuity.cli import app

    sets = [a for k, v in dict(FAST, D="2000", reps="2000", n_test="100000").items() for a in ("--set", f"{k}={v}")]
    r = CliRunner().invoke(app, ["check", "nk-linear", "--json", *sets], prog_name="vacuity")
    assert r.exit_code == 3, r.stdout
    d = json.loads(r.stdout)[0]
    assert d["verdict"] == "premise-unmet"
    q = {q["name"]: q for q in d["quantities"]}
    assert q["D_sufficient_vs_D"]["verdict"] == "reported" and q["D_sufficient"]["verdict"] == "pass"
    assert q["test_error_predicted"]["verdict"] == "reported" and q["test_error_predicted"]["measured"] > 0.01
    assert q["test_error"]["verdict"] == "pass"  # the exact test error given w is still judged
    unmet = {s["name"] for s in d["steps"] if s["verdict"] == "premise-unmet"}
    assert any(s.startswith("premise") for s in unmet) and any(s.startswith("ramp loss L^(gamma) at") for s in unmet)
    assert not any(s["verdict"] == "fail" for s in d["steps"])


# ---------------------------------------------------------------------------------- further mutations
# (the declared mutants run in the contract; these are further wrong versions, run fail-fast)


def _caught(**kw):
    return _run(fail_fast=True, **kw)


def test_mutation_theory_variance_s2_instead_of_s2_over_D(monkeypatch):
    m, v, cv = T.noise_margin_moments()
    monkeypatch.setattr(T, "noise_margin_moments", lambda: (m, v * T.D, cv * T.D))
    steps, _ = _failed(_caught())
    assert any("moments derived" in s for s in steps)


def test_nan_samples_fail_the_replicate_step(monkeypatch):
    """NaN draws give NaN statistics and KS p-values: the step fails (a NaN never passes)."""
    orig = K.rank_one_replicates

    def nan_sometimes(*a, **kw):
        r = orig(*a, **kw)
        r.norms[::5] = np.nan
        return r

    monkeypatch.setattr(K, "rank_one_replicates", nan_sometimes)
    steps, quantities = _failed(_run({"reps": "2000"}))
    assert "rank_one_norm_mean" in quantities and "ks_level_vs_min_pvalue" in quantities
    assert any(s.startswith("replicates") for s in steps)


def test_mutation_bartlett_inflated_per_point_spread(monkeypatch):
    """Margins spread 1.5x around their own set mean: the set's mean and ||w2||^2 are unchanged, the
    per-point variance is not."""
    orig = K.bartlett_batch

    def spread(*a, **kw):
        r = orig(*a, **kw)
        mean = r.noise.mean(axis=1, keepdims=True)
        r.noise = mean + 1.5 * (r.noise - mean)
        return r

    monkeypatch.setattr(K, "bartlett_batch", spread)
    _, quantities = _failed(_run())
    assert "bartlett_margin_var" in quantities and "brute_force_margin_var" not in quantities
    assert "bartlett_norm_mean" not in quantities


def test_mutation_brute_force_margins_off_by_ten_rounding_bounds(monkeypatch):
    """The Gram check can fail with the derived bound: margins moved by 10 x 2 gamma (S_i + cc')."""
    orig = K.brute_force

    def off(n, D, **kw):
        r = orig(n, D, **kw)
        if kw.get("with_gram"):
            cc = kw["c"] * kw["c_prime"]
            r.train_margins = r.train_margins + 10 * Tol.gram_margin_bound(n, D, kw["K"], r.margin_magnitude, cc)
        return r

    monkeypatch.setattr(K, "brute_force", off)
    _, quantities = _failed(_caught())
    assert quantities == {"gram_reduction_error_units"}


def test_mutation_good_pair_bound_negative_near_one_third(monkeypatch):
    monkeypatch.setattr(T, "good_pair_probability", lambda: 1 - sp.Rational(39, 10) * T.delta)
    steps, _ = _failed(_caught())
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


def test_sampler_ignoring_n_test_is_caught(monkeypatch):
    """A Bartlett sampler that draws 1000 test points whatever n_test fails on its test-point count."""
    original = K.bartlett
    monkeypatch.setattr(K, "bartlett", lambda n, D, *, n_test=1000, **kw: original(n, D, n_test=1000, **kw))
    steps, quantities = _failed(_run(fail_fast=True))
    assert "test_point_count" in quantities


def test_condition_monte_carlo_ignoring_gamma_is_caught(monkeypatch):
    """condition_failures judging the 0-1 error whatever gamma fails the independent recount at D0."""
    original = K.condition_failures
    monkeypatch.setattr(K, "condition_failures",
                        lambda n, D, reps, *, eps, gamma=0.0, **kw: original(n, D, reps, eps=eps, gamma=0.0, **kw))
    steps, quantities = _failed(_run(fail_fast=True))
    assert "condition_failure_count_gamma_1_at_D0" in quantities
