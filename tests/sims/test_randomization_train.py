"""The group trainer: the same numbers as K separate runs and as a plain torch loop, stop rules, and
checkpoints that resume to the uninterrupted result."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from tests.helpers import train_until_interrupted
from vacuity.sims import data as D
from vacuity.sims import models as M
from vacuity.sims import train as T

ATOL = float(np.finfo(np.float32).eps) ** 0.5  # half of float32's digits: the runs differ only in
# summation order (grouped vs single products), and SGD carries those rounding differences forward


@pytest.fixture(scope="module")
def digits():
    return D.load("digits", seed=0, n_train=64, n_test=40)


def _trainer(cfg, runs, epochs=None, stop=None):
    t = T.GroupTrainer(cfg, runs)
    e = 0
    while not t.done() and (epochs is None or e < epochs):
        t.run_epoch()
        e += 1
        if stop:
            stop(t, e)
    return t


def _same_model(batched, k, single, atol=ATOL):
    for n, p in batched.params.items():
        torch.testing.assert_close(p[k], single.params[n][0], atol=atol, rtol=1e-4)
    for n, b in batched.buffers.items():
        torch.testing.assert_close(b[k].float(), single.buffers[n][0].float(), atol=atol, rtol=1e-4)
    hb, hs = batched.history[k], single.history[0]
    assert hb["step"] == hs["step"]
    np.testing.assert_allclose(hb["loss"], hs["loss"], atol=1e-4)
    np.testing.assert_allclose(hb["train_acc"], hs["train_acc"], atol=1.5 / 64)


def test_batched_mlp_equals_separate_runs(digits):
    cfg = T.TrainConfig(model="mlp1x512", batch_size=16, max_steps=24, stop_at_fit=False, dropout=0.2,
                        crop_pad=1)
    runs = [T.RunSpec(digits, seed=0), T.RunSpec(D.make_variant(digits, "random_labels", 1), seed=1,
                                                  weight_decay=1e-3, crop=True),
            T.RunSpec(D.make_variant(digits, "random_pixels", 2), seed=2, crop=True)]
    batched = _trainer(cfg, runs)
    assert batched.step == 24
    for k, r in enumerate(runs):
        _same_model(batched, k, _trainer(cfg, [r]))


@pytest.mark.parametrize("model", ["alexnet", "inception", "mlp1x512"])
def test_batched_conv_equals_separate_runs_with_a_model_stopping(digits, model):
    """vmap over functional_call (conv nets) or the written-out MLP step; model 1 stops after one epoch
    (its BatchNorm statistics must stay; the others train on copies of their slices)."""
    small = D.subsample(digits, 16, 8, 0)
    # lr 0.01: rounding differences (grouped vs single convolutions) grow fast at Inception's 0.1 on
    # batches of 8 with BatchNorm; the steps themselves agree to float32 rounding
    cfg = T.TrainConfig(model=model, batch_size=8, max_steps=6, stop_at_fit=False, crop_pad=1, lr=0.01)
    runs = [T.RunSpec(small, seed=0, crop=True), T.RunSpec(small, seed=5, weight_decay=5e-4)]

    def stop_model_1(t, epoch):
        if epoch == 1:
            t.active[1] = False

    batched = _trainer(cfg, runs, stop=stop_model_1)
    _same_model(batched, 0, _trainer(cfg, runs[:1]))
    _same_model(batched, 1, _trainer(cfg, runs[1:], epochs=1))


def test_matches_a_plain_torch_sgd_loop(digits):
    """K = 1 against torch.optim.SGD(momentum, weight_decay) with the same init, batches and schedule."""
    cfg = T.TrainConfig(model="mlp3x512", batch_size=16, max_steps=12, stop_at_fit=False, decay_steps=5)
    run = T.RunSpec(digits, seed=3, weight_decay=1e-3)
    ours = _trainer(cfg, [run])
    torch.manual_seed(T.derive_seed(3, 0))
    model = M.build("mlp3x512", digits.shape)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-3)
    g = torch.Generator().manual_seed(T.derive_seed(3, 1))
    x, y = torch.as_tensor(digits.x_train), torch.as_tensor(digits.y_train)
    step = 0
    while step < 12:
        perm = torch.randperm(len(y), generator=g)
        for s in range(0, len(y), 16):
            if step >= 12:
                break
            for group in opt.param_groups:
                group["lr"] = 0.01 * 0.95 ** (step // 5)
            idx = perm[s:s + 16]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
            step += 1
    for (n, p) in model.named_parameters():
        torch.testing.assert_close(ours.params[n][0], p.detach(), atol=ATOL, rtol=1e-4)


def test_stop_rules_and_schedule(digits):
    cfg = T.TrainConfig(model="mlp1x512", batch_size=16, max_steps=2000, lr=0.05)
    (r,) = T.train_group(cfg, [T.RunSpec(digits, seed=0)])
    assert r.train_acc == 1.0 and r.fit_step == r.steps < 2000 and r.steps % 4 == 0  # 4 steps per epoch
    budget = replace(cfg, max_steps=6)
    (r,) = T.train_group(budget, [T.RunSpec(D.make_variant(digits, "random_labels", 0), seed=0)])
    assert r.steps == 6 and r.fit_step is None and r.history["step"] == [4, 6]
    t = T.GroupTrainer(replace(cfg, decay_steps=0), [T.RunSpec(digits)])
    assert t.lr_at(3) == 0.05 and math.isclose(t.lr_at(9), 0.05 * 0.95**2)
    early = replace(cfg, max_steps=400, patience=2, stop_at_fit=False)
    (r,) = T.train_group(early, [T.RunSpec(D.make_variant(digits, "random_labels", 0), seed=0)])
    assert r.steps < 400 and r.best_test_acc >= r.test_acc


def test_bad_settings(digits):
    with pytest.raises(ValueError, match="unknown model"):
        T.TrainConfig(model="vgg")
    with pytest.raises(ValueError, match="momentum"):
        T.TrainConfig(momentum=1.0)
    with pytest.raises(ValueError, match="one input shape"):
        T.GroupTrainer(T.TrainConfig(), [T.RunSpec(digits), T.RunSpec(D.subsample(digits, 10, None, 0))])
    with pytest.raises(ValueError, match="dropout is supported for the MLPs only"):
        T.GroupTrainer(T.TrainConfig(model="alexnet", dropout=0.5), [T.RunSpec(digits)])


def test_labels_are_the_fixed_draw_every_epoch(digits):
    rl = D.make_variant(digits, "random_labels", 0)
    t = T.GroupTrainer(T.TrainConfig(max_steps=12), [T.RunSpec(rl)])
    for epoch in range(3):
        assert torch.equal(T.epoch_targets(t, epoch)[0], torch.as_tensor(rl.y_train))


def _strip(results):
    return [dict(r.to_json(), seconds=None) for r in results]


def test_resume_after_interruption_gives_the_uninterrupted_result(digits, tmp_path):
    cfg = T.TrainConfig(model="mlp1x512", batch_size=16, max_steps=40, stop_at_fit=False, dropout=0.1)
    runs = [T.RunSpec(digits, seed=0, crop=True), T.RunSpec(D.make_variant(digits, "random_labels", 0), seed=1)]
    whole = T.train_group(cfg, runs)

    ckpt = tmp_path / "g.pt"
    train_until_interrupted(T.train_group, cfg, runs, ckpt)
    assert torch.load(ckpt, weights_only=False)["step"] == 12
    resumed = T.train_group(cfg, runs, checkpoint=ckpt, resume=True)
    assert _strip(resumed) == _strip(whole)
    # a checkpoint of other settings is refused, with the file named
    with pytest.raises(ValueError, match="g.pt belongs to other settings"):
        T.train_group(replace(cfg, lr=0.02), runs, checkpoint=ckpt, resume=True)
    ckpt.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="g.pt: unreadable checkpoint"):
        T.train_group(cfg, runs, checkpoint=ckpt, resume=True)


@pytest.mark.parametrize("name, pad", [("digits", 1), ("digits", 3), ("mnist1d", 2)])
def test_random_crop_is_a_shifted_window_of_the_padded_image(name, pad):
    """The crop gather against the definition: zero-pad, then slice at the offsets each model draws from
    its own generator (oy then ox per model); a model without crop keeps its images unchanged."""
    ds = (D.load("digits", seed=0, n_train=40, n_test=10) if name == "digits"
          else D.load("mnist1d", seed=0, n_train=40, n_test=10))
    t = T.GroupTrainer(T.TrainConfig(batch_size=8, crop_pad=pad),
                       [T.RunSpec(ds, seed=0, crop=True), T.RunSpec(ds, seed=1), T.RunSpec(ds, seed=2, crop=True)])
    c, h, w = M.image_shape(t.shape)
    ph = pad if h > 1 else 0
    xb = torch.randn(3, 8, *t.shape)
    states = [g.get_state() for g in t.aug_gens]
    out = t._random_crop(xb, [0, 1, 2]).reshape(3, 8, c, h, w)
    padded = torch.nn.functional.pad(xb.reshape(3, 8, c, h, w), (pad, pad, ph, ph))
    for k in (0, 2):
        g = torch.Generator().set_state(states[k])
        oy = torch.randint(0, 2 * ph + 1, (8,), generator=g)
        ox = torch.randint(0, 2 * pad + 1, (8,), generator=g)
        for i in range(8):
            want = padded[k, i, :, oy[i]:oy[i] + h, ox[i]:ox[i] + w]
            assert torch.equal(out[k, i], want)
    assert torch.equal(out[1], xb[1].reshape(8, c, h, w))


def test_working_copies_of_the_active_models_are_written_back(digits):
    """With a model stopped, the MLP step trains on copies of the others; state_dict sees their updates,
    the stopped model's parameters stay, and loading a state drops the copies (same steps, same result)."""
    import copy

    cfg = T.TrainConfig(model="mlp1x512", batch_size=16, max_steps=100, stop_at_fit=False)
    t = T.GroupTrainer(cfg, [T.RunSpec(digits, seed=s) for s in range(3)])
    snap = copy.deepcopy(t.state_dict())
    idx = torch.randint(0, t.n, (3, 16), generator=torch.Generator().manual_seed(0))

    def three_steps_without_model_1():
        t.active[1] = False
        for _ in range(3):
            t.train_step(idx, t.y_train)
        return copy.deepcopy(t.state_dict()["params"])

    after = three_steps_without_model_1()
    for n, p0 in snap["params"].items():
        assert torch.equal(after[n][1], p0[1]) and not torch.equal(after[n][0], p0[0])
    t.load_state_dict(snap)
    again = three_steps_without_model_1()
    assert all(torch.equal(again[n], after[n]) for n in after)
