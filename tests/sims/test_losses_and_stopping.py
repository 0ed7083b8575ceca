"""The group trainer's losses and stop rules: each loss's hand-written output gradient and the whole
written-out MLP step against autograd, the margin rule stopping exactly when its condition holds, and
the binary loss through checkpoints and groups (a group of K equals K groups of one)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from tests.helpers import train_until_interrupted
from vacuity.sims import data as D
from vacuity.sims import losses as LS
from vacuity.sims import stopping
from vacuity.sims import train as T
from vacuity.sims.threads import torch_threads

LOSSES = list(LS.LOSSES)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # tiny products: a second thread only adds synchronization, and stalls badly on a busy machine
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def digits():
    return D.load("digits", seed=0, n_train=64, n_test=40)


def _binary(ds: D.Dataset, seed: int = 0) -> D.Dataset:
    """The digits as a two-class task (digit >= 5), or random binary labels for seed > 0."""
    if seed:
        rng = np.random.default_rng(seed)
        y, yt = rng.integers(0, 2, len(ds.y_train)), rng.integers(0, 2, len(ds.y_test))
    else:
        y, yt = (ds.y_train >= 5).astype(np.int64), (ds.y_test >= 5).astype(np.int64)
    return replace(ds, y_train=y, y_test=yt, n_classes=2, name=f"{ds.name}/binary{seed}")


def _data_for(loss: str, ds: D.Dataset) -> D.Dataset:
    return _binary(ds) if LS.get(loss).binary else ds


# ------------------------------------------------------------------------------------ gradients


@pytest.mark.parametrize("name", LOSSES)
def test_hand_written_output_gradient_equals_autograd(name):
    """value_and_grad (feature-major) against autograd of the per-example losses, in float64; the
    model-major mean and the evaluation's sum are the same numbers."""
    loss = LS.get(name)
    k, B, C = 3, 7, 4
    g = torch.Generator().manual_seed(0)
    classes = 2 if loss.binary else C
    out = (3 * torch.randn(k, loss.outputs(classes), B, generator=g, dtype=torch.float64)).requires_grad_()
    y = torch.randint(0, classes, (k, B), generator=g)
    values, grad = loss.value_and_grad(out.detach().clone(), y)
    want_values = loss.per_example(out, y, 1).mean(1)
    (want_grad,) = torch.autograd.grad(want_values.sum(), out)
    torch.testing.assert_close(values, want_values.detach(), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(grad, want_grad, rtol=1e-12, atol=1e-12)
    mm = out.detach().transpose(1, 2)
    torch.testing.assert_close(loss.mean(mm, y), values, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(loss.total(out.detach(), y), values * B, rtol=1e-12, atol=1e-12)


def test_losses_are_what_the_docs_say():
    f = torch.tensor([2.0, -1.0, 0.5], dtype=torch.float64).view(1, 3, 1)  # one model, 3 outputs, one point
    y = torch.tensor([[0]])
    Y = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    fv = f[0, :, 0]
    sp = torch.nn.functional.softplus
    assert torch.isclose(LS.get("sigmoid_ce").per_example(f, y, 1)[0, 0], (sp(fv) - Y * fv).sum())
    assert torch.isclose(LS.get("squared").per_example(f, y, 1)[0, 0], 0.5 * ((fv - Y) ** 2).sum())
    assert torch.isclose(LS.get("softmax_ce").per_example(f, y, 1)[0, 0], -torch.log_softmax(fv, 0)[0])
    one = torch.tensor([[[0.3, -0.2]]], dtype=torch.float64)  # one output, two points
    t = torch.tensor([[1, 0]])  # class 1 -> t = +1, class 0 -> t = -1
    torch.testing.assert_close(LS.get("logistic").per_example(one, t, 1),
                               torch.log1p(torch.exp(-torch.tensor([[0.3, 0.2]], dtype=torch.float64))))
    torch.testing.assert_close(LS.get("logistic").margins(one, t, 1), torch.tensor([[0.3, 0.2]], dtype=torch.float64))
    torch.testing.assert_close(LS.get("softmax_ce").margins(f, y, 1), torch.tensor([[1.5]], dtype=torch.float64))


@pytest.mark.parametrize("name", LOSSES)
def test_written_out_mlp_step_equals_autograd(digits, name):
    """One step of the hand-written MLP step (two models, two hidden layers, weight decay on one)
    leaves in the momentum buffers exactly autograd's gradient of the summed minibatch means (+ wd p),
    and the returned losses are the minibatch means."""
    ds = _data_for(name, digits)
    cfg = T.TrainConfig(model="mlp2x16", lr=0.1, loss=name, batch_size=8, stop="budget")
    t = T.GroupTrainer(cfg, [T.RunSpec(ds, seed=0), T.RunSpec(ds, seed=1, weight_decay=1e-2)])
    p0 = {n: p.detach().clone() for n, p in t.params.items()}
    idx = torch.randint(0, t.n, (2, 8), generator=torch.Generator().manual_seed(0))
    losses = t.train_step(idx, t.y_train)
    t.sync()
    params = {n: p.clone().requires_grad_() for n, p in p0.items()}
    xb = t.x_train[idx]
    yb = t.y_train.gather(1, idx)
    want = t.loss.mean(t.forward(xb, train=True, params=params), yb)
    grads = torch.autograd.grad(want.sum(), list(params.values()))
    torch.testing.assert_close(losses, want.detach(), rtol=1e-5, atol=1e-6)
    wd = torch.tensor([0.0, 1e-2])
    for (n, p), g in zip(p0.items(), grads):
        expect = g + wd.view((-1,) + (1,) * (p.dim() - 1)) * p
        torch.testing.assert_close(t.momentum[n], expect, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(t.params[n], p - 0.1 * expect, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["logistic", "sigmoid_ce", "squared"])
def test_conv_nets_train_with_every_loss(digits, name):
    """The autograd path (vmap over a conv net) takes the loss's outputs and mean too."""
    ds = D.subsample(_data_for(name, digits), 16, 8, 0)
    cfg = T.TrainConfig(model="alexnet", lr=0.01, loss=name, batch_size=8, max_steps=4, stop="budget")
    (r,) = T.train_group(cfg, [T.RunSpec(ds, seed=0)])
    assert r.steps == 4 and np.isfinite(r.train_loss)
    assert T.GroupTrainer(cfg, [T.RunSpec(ds)]).predict(ds.x_test).shape == (1, 8, 1 if name == "logistic" else 10)


# ------------------------------------------------------------------------------------ stop rules


def _margins(t: T.GroupTrainer) -> np.ndarray:
    """Each model's training margins, computed here from its outputs: (K, n); the models share inputs."""
    assert t.shared_x
    f = t.predict(t.x_train).double().numpy()
    y = t.y_train.numpy()
    if t.n_outputs == 1:
        return (2.0 * y - 1.0) * f[..., 0]
    true = np.take_along_axis(f, y[..., None], -1)[..., 0]
    np.put_along_axis(f, y[..., None], -np.inf, -1)
    return true - f.max(-1)


@pytest.mark.parametrize("name, gamma, tau", [("softmax_ce", 2.0, 0.1), ("logistic", 1.0, 0.25)])
def test_margin_rule_stops_exactly_when_the_condition_holds(digits, name, gamma, tau):
    ds = _data_for(name, digits)
    cfg = T.TrainConfig(model="mlp1x64", lr=0.05, loss=name, batch_size=16, max_steps=600, stop="margin",
                        margin=gamma, margin_tau=tau)
    runs = [T.RunSpec(ds, seed=0), T.RunSpec(D.make_variant(ds, "random_labels", 1), seed=1)]
    seen = []

    def check(t):
        before = list(seen[-1][1]) if seen else [True] * t.K
        frac = (_margins(t) >= gamma).mean(1)
        for k in range(t.K):
            if not before[k]:
                continue
            assert t.history[k]["margin_frac"][-1] == pytest.approx(frac[k], abs=1e-9)
            met = frac[k] >= 1 - tau
            assert t.active[k] == (not met and t.step < cfg.max_steps), (k, t.epoch, frac[k])
        seen.append((t.epoch, list(t.active)))

    t = T.fit_group(cfg, runs, on_epoch=check)
    stopped_early = [k for k in range(t.K) if t.final[k]["steps"] < cfg.max_steps]
    assert stopped_early, "no model reached the margin: the test checks nothing"
    assert all(len(t.history[k]["margin_frac"]) == len(t.history[k]["step"]) for k in range(t.K))


def test_stop_rule_names_and_the_older_switch():
    assert isinstance(stopping.from_config(T.TrainConfig()), stopping.Fit)
    assert isinstance(stopping.from_config(T.TrainConfig(stop_at_fit=False)), stopping.Budget)
    assert isinstance(stopping.from_config(T.TrainConfig(stop="budget")), stopping.Budget)
    rule = stopping.from_config(T.TrainConfig(stop="margin", margin=0.5, margin_tau=0.1))
    assert rule.needs_margins and rule.reached({"train_acc": 0.0, "margin_frac": 0.9})
    assert not rule.reached({"train_acc": 1.0, "margin_frac": 0.89})


def test_budget_rule_trains_past_a_perfect_fit(digits):
    cfg = T.TrainConfig(model="mlp1x512", batch_size=16, max_steps=200, lr=0.05, stop="budget")
    (r,) = T.train_group(cfg, [T.RunSpec(digits, seed=0)])
    assert r.steps == 200 and r.fit_step is not None and r.fit_step < 200


@pytest.mark.parametrize("kw, match", [
    ({"loss": "hinge"}, "unknown loss"),
    ({"stop": "never"}, "unknown stop rule"),
    ({"stop": "margin", "stop_at_fit": False}, "stop_at_fit=False is the 'budget' rule"),
    ({"stop": "margin", "margin_tau": 1.0}, "margin_tau"),
    ({"model": "mlp2x32"}, "no default learning rate"),
    ({"model": "mlp0x32", "lr": 0.1}, "unknown model"),
])
def test_bad_loss_and_stop_settings(kw, match):
    with pytest.raises(ValueError, match=match):
        T.TrainConfig(**kw)


def test_logistic_loss_needs_two_classes(digits):
    with pytest.raises(ValueError, match="two-class task"):
        T.GroupTrainer(T.TrainConfig(loss="logistic"), [T.RunSpec(digits)])


def test_new_settings_at_their_defaults_keep_the_fingerprint(digits):
    """Checkpoints and finished groups of earlier versions (same numbers) still resume; a changed loss
    or stop rule is another run."""
    from dataclasses import asdict

    runs = [T.RunSpec(digits, seed=0)]
    cfg = T.TrainConfig()
    legacy = {k: v for k, v in asdict(cfg).items() if k not in ("loss", "stop", "margin", "margin_tau")}
    assert T.fingerprint(cfg, runs) == _legacy_fingerprint(legacy, runs)
    assert T.fingerprint(replace(cfg, loss="squared"), runs) != T.fingerprint(cfg, runs)
    assert T.fingerprint(replace(cfg, stop="budget"), runs) != T.fingerprint(cfg, runs)


def _legacy_fingerprint(settings: dict, runs) -> str:
    """fingerprint() as checkpoint version 1 computed it."""
    import hashlib

    h = hashlib.sha256(repr(settings).encode())
    for r in runs:
        h.update(repr((r.seed, r.weight_decay, r.crop, r.label, r.data.shape, r.data.n_classes)).encode())
        for a in (r.data.x_train, r.data.y_train, r.data.x_test, r.data.y_test):
            h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


# ------------------------------------------------------------------------------ the binary loss


def _strip(results):
    return [dict(r.to_json(), seconds=None) for r in results]


def test_binary_loss_resumes_to_the_uninterrupted_result(digits, tmp_path):
    ds = _binary(digits)
    cfg = T.TrainConfig(model="mlp1x64", lr=0.05, loss="logistic", batch_size=16, max_steps=40, stop="budget",
                        dropout=0.1)
    runs = [T.RunSpec(ds, seed=0), T.RunSpec(_binary(digits, 3), seed=1, weight_decay=1e-3)]
    whole = T.fit_group(cfg, runs)

    ckpt = tmp_path / "binary.pt"
    train_until_interrupted(T.train_group, cfg, runs, ckpt)
    assert torch.load(ckpt, weights_only=False)["step"] == 12
    resumed = T.fit_group(cfg, runs, checkpoint=ckpt, resume=True)
    assert _strip(resumed.results()) == _strip(whole.results())
    assert torch.equal(resumed.predict(ds.x_test), whole.predict(ds.x_test))
    assert not list(tmp_path.glob(".*"))  # the atomic write left no temporary file behind


def test_binary_group_of_K_equals_K_groups_of_one(digits):
    """Per-model seeds, data order and labels: each model of a group trains as it would alone, also after
    another model of the group stopped (the margin rule stops them at different epochs)."""
    ds = _binary(digits)
    cfg = T.TrainConfig(model="mlp2x32", lr=0.05, loss="logistic", batch_size=16, max_steps=120, stop="margin",
                        margin=1.0, margin_tau=0.0)
    runs = [T.RunSpec(ds, seed=0), T.RunSpec(_binary(digits, 5), seed=1), T.RunSpec(ds, seed=2, weight_decay=1e-3)]
    group = T.fit_group(cfg, runs)
    steps = [r.steps for r in group.results()]
    assert len(set(steps)) > 1, steps  # models stopped at different times
    for k, r in enumerate(runs):
        alone = T.fit_group(cfg, [r])
        (a,), b = alone.results(), group.results()[k]
        assert a.steps == b.steps and a.history["step"] == b.history["step"]
        np.testing.assert_allclose(a.history["loss"], b.history["loss"], atol=1e-4)
        torch.testing.assert_close(group.predict(ds.x_test)[k], alone.predict(ds.x_test)[0], atol=1e-4, rtol=1e-4)
