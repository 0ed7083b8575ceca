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
from vacuity.sims import models as M
from vacuity.sims import train as TR
from vacuity.theory import randomization as T

FAST = {"n_train": "200", "max_steps": "2500"}
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
        assert q["spearman_shortfall"].measured <= 0
        assert q["slowdown_random_vs_true"].measured > 1  # random labels take longer (Fig. 1b)
        assert {s.kind for s in r.steps} == {"symbolic", "numeric", "torch"}
        assert r.params["n_train_used"] == 200


def _run(overrides, **kw):
    return get("randomization").run(scale="small", seed=0, overrides=overrides, **kw)


def _step(result, start):
    (s,) = [s for s in result.steps if s.name.startswith(start)]
    return s


def test_figure(tmp_path):
    r = _run({"n_train": "100", "max_steps": "200"}, figures_dir=tmp_path)
    assert r.figures == ["figures/randomization.png"] and (tmp_path / "randomization.png").stat().st_size > 0


def test_bad_parameters():
    with pytest.raises(BadInput, match="levels"):
        _run({"levels": "0.5"})
    with pytest.raises(BadInput, match="levels"):
        _run({"levels": "0.2,x,0.8"})
    with pytest.raises(BadInput, match="dataset"):
        _run({"dataset": "imagenet"})


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
            if r.label.startswith("random_labels"):
                y[k] = torch.randint(0, trainer.n_classes, (trainer.n,), generator=g)
        return y

    monkeypatch.setattr(TR, "epoch_targets", redrawn)
    r = _run(FAST)
    q = {x.name: x for x in r.quantities}
    assert not r.passed and not q["train_error_random_labels"].passed
    assert not q["train_error_random_labels_wd"].passed and q["train_error_true_labels"].passed


def test_wrong_architecture_is_caught(monkeypatch):
    real = M.build

    def wider(name, shape, n_classes=10, dropout=0.0):
        if name == "alexnet":
            return M.SmallAlexNet(shape, n_classes, hidden=(385, 192))
        return real(name, shape, n_classes, dropout)

    monkeypatch.setattr(M, "build", wider)
    r = _run(SHORT)
    assert not _step(r, "torch models have the derived counts").passed


def test_wrong_count_derivation_is_caught(monkeypatch):
    real = T.counts

    def no_output_bias():
        c = real()
        c["mlp1x512"] = c["mlp1x512"] - T.K
        return c

    monkeypatch.setattr(T, "counts", no_output_bias)
    r = _run(SHORT)
    assert not _step(r, "Table 1 parameter counts").passed
    assert not {q.name: q for q in r.quantities}["params_mlp1x512_cifar"].passed


def test_corruption_that_always_changes_the_label_is_caught(monkeypatch):
    def other_class(y, p, n_classes, rng):
        mask = rng.random(y.shape[0]) < p
        out = y.copy()
        out[mask] = (y[mask] + rng.integers(1, n_classes, int(mask.sum()))) % n_classes
        return out

    monkeypatch.setattr(D, "corrupt_labels", other_class)
    r = _run(SHORT)
    assert not _step(r, "corrupted fraction matches").passed


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


def test_changed_fraction_is_derived_not_stated():
    assert sp.simplify(T.changed_fraction() - T.p * (1 - 1 / T.K)) == 0
    assert T.count_at("mlp1x512", (3, 28, 28)) == 1_209_866
