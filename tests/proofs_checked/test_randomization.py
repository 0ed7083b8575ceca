"""The randomization claim: contract, its quantities, and mutations it must catch."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

from vacuity.errors import BadInput
from vacuity.proofs_checked.core.contract import ClaimContract
from vacuity.proofs_checked.core.registry import get
from vacuity.sims import data as D
from vacuity.sims import train as TR
from vacuity.theory import randomization as T

FAST = {"n_train": "200", "max_steps": "2500", "seeds": "3"}
SHORT = {"n_train": "100", "max_steps": "20"}  # for mutations caught before training


class TestRandomizationContract(ClaimContract):
    claim_id = "randomization"
    fast = FAST

    def test_quantities(self):
        r = self.result
        q = {x.name: x for x in r.quantities}
        for m, want in T.TABLE1.items():
            assert q[f"params_{m}_cifar"].measured == want
        assert q["train_error_random_labels"].measured <= 0.005
        assert q["train_error_random_labels_wd"].measured <= 0.005
        assert q["train_error_cnn_shuffled_pixels"].measured <= 0.005
        assert q["spearman_shortfall"].measured <= 0
        # weight decay acted: the norm lost a fixed share of what decay alone removes
        assert q["weight_norm_ratio_wd"].measured < 1
        assert 0.5 < q["weight_decay_shrinkage_over_decay_alone"].measured < 1
        assert q["min_extra_epochs_to_fit"].measured >= 1  # random labels take longer (Fig. 1b)
        # the quantities that judge nothing are shown as reported, never as a pass
        for name in ("slowdown_random_vs_true", "relative_time_random_pixels", "gradual_rise_pvalue",
                     "test_error_cnn_shuffled_pixels"):
            assert q[name].verdict == "reported"
        assert {s.kind for s in r.steps} == {"symbolic", "numeric", "torch"}
        assert r.params["n_train_used"] == 200


def _run(overrides, **kw):
    return get("randomization").run(scale="small", seed=0, overrides=overrides, **kw)


def _step(result, start):
    (s,) = [s for s in result.steps if s.name.startswith(start)]
    return s


def test_figure(tmp_path):
    r = _run({"n_train": "100", "max_steps": "100", "seeds": "2"}, figures_dir=tmp_path)
    assert r.figures == ["figures/randomization.png"] and (tmp_path / "randomization.png").stat().st_size > 0


def test_bad_parameters():
    with pytest.raises(BadInput, match="levels"):
        _run({"levels": "0.5"})
    with pytest.raises(BadInput, match="levels"):
        _run({"levels": "0.2,x,0.8"})
    with pytest.raises(BadInput, match="dataset"):
        _run({"dataset": "imagenet"})
    with pytest.raises(BadInput, match="seeds"):
        _run({"seeds": "1"})


def test_mnist_without_data_is_bad_input(monkeypatch):
    monkeypatch.delenv("VACUITY_DATA", raising=False)
    with pytest.raises(BadInput, match="no data root"):
        _run({"dataset": "mnist"})


# -------------------------------------------------------------------------------------- mutations


def test_labels_redrawn_every_epoch_are_caught(monkeypatch):
    """A random-label variant regenerated per epoch (as one public reproduction does with its random
    pixels) cannot be fitted: the claim's fit on the fixed labels fails."""

    def redrawn(trainer, epoch):
        y = trainer.y_train.clone()
        g = torch.Generator().manual_seed(1000 + epoch)
        for k, r in enumerate(trainer.runs):
            if r.label.startswith(("random_labels", "p=1 ")):
                y[k] = torch.randint(0, trainer.n_classes, (trainer.n,), generator=g)
        return y

    monkeypatch.setattr(TR, "epoch_targets", redrawn)
    r = _run({"n_train": "100", "max_steps": "1500", "seeds": "2"}, fail_fast=True)
    q = {x.name: x for x in r.quantities}
    # the random-label models never get their loss down: the training step already fails
    assert not r.passed and not q["max_final_over_first_epoch_loss"].passed


def test_weight_decay_that_prevents_the_fit_fails_the_fit_check():
    """The fit-with-weight-decay check can fail: at 0.06 decay shrinks the weights and the model stops
    short of fitting random labels; the norm check (decay acts) still passes."""
    r = _run({"n_train": "100", "max_steps": "1500", "seeds": "2", "weight_decay": "0.06"}, fail_fast=True)
    q = {x.name: x for x in r.quantities}
    assert not _step(r, "weight decay 0.06 acts").passed
    assert not q["train_error_random_labels_wd"].passed and q["weight_norm_ratio_wd"].passed
    assert q["weight_norm_ratio_wd"].measured < 0.7


def test_unseeded_variants_are_caught(monkeypatch):
    real = D.make_variant

    def fresh(ds, variant, seed=0, p=0.5):
        return real(ds, variant, int(np.random.SeedSequence().entropy % 2**31), p)

    monkeypatch.setattr(D, "make_variant", fresh)
    r = _run(SHORT)
    assert not _step(r, "variants are fixed draws").passed


def test_shuffle_with_a_permutation_per_image_is_caught(monkeypatch):
    real = D.make_variant

    def per_image(ds, variant, seed=0, p=0.5):
        return real(ds, "random_pixels" if variant == "shuffled_pixels" else variant, seed, p)

    monkeypatch.setattr(D, "make_variant", per_image)
    r = _run(SHORT)
    assert not _step(r, "shuffled pixels: one permutation").passed


def test_declared_mutants_are_caught_where_intended():
    """Each declared mutant fails the step that is about it, not a later one by accident."""
    from vacuity.proofs_checked.core.mutants import run_mutants

    where = {o["name"]: o["where"] for o in run_mutants(get("randomization"), [
        m for m in get("randomization").mutants if m.name != "weight-decay-dropped"],
        scale="small", seed=0, overrides=SHORT)}
    assert where["corrupt-from-other-classes"].startswith("label variants change a fraction")
    assert where["corruption-probability-corrected"].startswith("label variants change a fraction")
    assert where["random-labels-relabel-classes"].startswith("random labels are uniform and independent")
    assert where["random-pixels-one-permutation"].startswith("shuffled pixels: one permutation")
    assert where["gaussian-variance-as-scale"].startswith("Gaussian variant has the law")
    assert where["changed-fraction-is-p"].startswith("changed-label probability")
    assert where["mlp-count-without-biases"].startswith("Table 1 parameter counts")
    assert where["mlp-width-256"].startswith("torch models have the derived counts")
    assert where["counts-stated-not-derived"].startswith("torch models have the derived counts")


def test_changed_fraction_is_derived_not_stated():
    assert sp.simplify(T.changed_fraction() - T.p * (1 - 1 / T.K)) == 0
    assert T.count_at("mlp1x512", (3, 28, 28)) == 1_209_866


def test_label_agreement_of_two_draws():
    """Two independent corrupted draws of a label agree w.p. 1 at p = 0 and 1/K at p = 1 (random labels)."""
    a = T.label_agreement()
    assert sp.simplify(a.subs(T.p, 0)) == 1
    assert sp.simplify(a.subs(T.p, 1) - 1 / T.K) == 0


def test_sweep_reusing_the_first_seeds_labels_is_caught(monkeypatch):
    """Every seed of the sweep drawing seed 0's corrupted labels fails the sweep-draws step before training."""
    from vacuity.sims import randomization as S

    original = S.claim_runs

    def first_seed_data(ds, levels, seeds, weight_decay):
        runs = dict(original(ds, levels, seeds[:1], weight_decay))
        out = [(S.sweep_name(lvl, s), TR.RunSpec(runs[S.sweep_name(lvl, seeds[0])].data, seed=s,
                                                label=S.sweep_name(lvl, s)))
               for s in seeds for lvl in (0.0, *levels, 1.0)]
        return out + [(k, v) for k, v in runs.items() if not k.startswith("p=")]

    monkeypatch.setattr(S, "claim_runs", first_seed_data)
    result = get("randomization").run(scale="small", backend="numpy", seed=0, overrides=FAST, fail_fast=True)
    (failed,) = [s for s in result.steps if not s.passed]
    assert failed.name == "each seed of the corruption sweep draws its own corrupted labels"
