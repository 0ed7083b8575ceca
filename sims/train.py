"""Training K models of one architecture at once: SGD with momentum, per-model data / seed / weight
decay / random crop, checkpoints that resume to the same result as an uninterrupted run.

Every model of a group keeps its own seed-derived initialization, data order, augmentation and dropout
draws, so a group of K gives the same numbers (to rounding) as K groups of one. The MLPs run as grouped
matrix products (``baddbmm`` over stacked weights) with the training step written out by hand (forward,
the loss's output gradient, backward, momentum fused into the weight-gradient product) on buffers reused
from step to step; K = 1 runs the same step, so a group of one is the fair sequential baseline. The conv
nets run through ``torch.func.vmap`` over ``functional_call`` with stacked parameters and buffers
(BatchNorm running statistics included).

The loss is a strategy (``losses``: softmax cross-entropy by default, binary logistic, per-class sigmoid
cross-entropy, squared), and so is the stop rule (``stopping``: training accuracy, the step budget, or a
margin on most training points), each chosen by name in ``TrainConfig``.

Settings follow Zhang et al. (2017), App. A: SGD with momentum 0.9, an initial learning rate per model,
multiplied by 0.95 every epoch (``decay_steps`` can set another period in steps); no explicit
regularization unless switched on. By default a model stops when its training accuracy reaches
``fit_threshold`` (checked on the whole training set at the end of each epoch) or at the step budget.

What is trained (settings, runs, results, seeds, models, fingerprints) lives in ``runs``; its names are
re-exported here.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch.func import functional_call, stack_module_state, vmap

from vacuity import atomic
from vacuity.sims import losses as LS
from vacuity.sims import models as M
from vacuity.sims import stopping
from vacuity.sims.runs import (  # noqa: F401  (re-exported: the trainer's public names)
    MLP_NAME,
    RunResult,
    RunSpec,
    TrainConfig,
    build_model,
    derive_seed,
    fingerprint,
)

CHECKPOINT_VERSION = 1
EVAL_CHUNK = 2048
EVAL_CHUNK_MLP = 256  # rows per MLP evaluation product: activations stay cache-sized, buffers reused


def atomic_save(obj, path: Path) -> None:
    """torch.save through a temporary file and a rename: a crash leaves the previous checkpoint."""
    atomic.write_with(path, lambda buf: torch.save(obj, buf))


def epoch_targets(trainer: GroupTrainer, epoch: int) -> torch.Tensor:
    """The (K, n) training targets of an epoch: the fixed labels drawn once with the data set."""
    return trainer.y_train


class GroupTrainer:
    def __init__(self, cfg: TrainConfig, runs: list[RunSpec], device: str | torch.device = "cpu"):
        if not runs:
            raise ValueError("a group needs at least one run")
        shapes = {(r.data.shape, r.data.n_classes, len(r.data.y_train)) for r in runs}
        if len(shapes) != 1:
            raise ValueError(f"the runs of a group need one input shape, class count and training size; "
                             f"got {sorted(shapes)}")
        self.cfg, self.runs, self.device = cfg, runs, torch.device(device)
        self.K = len(runs)
        d0 = runs[0].data
        self.shape, self.n_classes, self.n = tuple(d0.shape), d0.n_classes, len(d0.y_train)
        self.loss = LS.get(cfg.loss)
        self.n_outputs = self.loss.outputs(self.n_classes)
        self.stop_rule = stopping.from_config(cfg)
        self.steps_per_epoch = math.ceil(self.n / cfg.batch_size)
        self.decay_steps = cfg.decay_steps or self.steps_per_epoch
        self.is_mlp = cfg.model.startswith("mlp")
        if cfg.dropout and not self.is_mlp:
            raise ValueError(f"dropout is supported for the MLPs only, not {cfg.model}")

        def stack(arrays, dtype):
            # a data set shared by every model (e.g. a label-corruption sweep) is stored once
            if all(a is arrays[0] for a in arrays):
                return torch.as_tensor(arrays[0], dtype=dtype, device=self.device), True
            return torch.stack([torch.as_tensor(a, dtype=dtype, device=self.device) for a in arrays]), False

        self.x_train, self.shared_x = stack([r.data.x_train for r in runs], torch.float32)
        self.x_test, self.shared_xt = stack([r.data.x_test for r in runs], torch.float32)
        self.y_train = torch.stack([torch.as_tensor(r.data.y_train, device=self.device) for r in runs])
        self.y_test = torch.stack([torch.as_tensor(r.data.y_test, device=self.device) for r in runs])
        self.weight_decay = torch.tensor([r.weight_decay for r in runs], dtype=torch.float32,
                                         device=self.device)
        self.crop = torch.tensor([r.crop for r in runs], device=self.device)

        modules = []
        for r in runs:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(derive_seed(r.seed, 0))
                modules.append(build_model(cfg.model, self.shape, self.n_outputs, dropout=cfg.dropout))
        params, buffers = stack_module_state(modules)
        self.params = {k: v.detach().to(self.device).requires_grad_(True) for k, v in params.items()}
        self.buffers = {k: v.to(self.device) for k, v in buffers.items()}
        self.momentum = {k: torch.zeros_like(v) for k, v in self.params.items()}
        self._param_list = list(self.params.values())
        self._mom_list = [self.momentum[k] for k in self.params]
        self._rows = torch.arange(self.K, device=self.device)[:, None]
        self._all = list(range(self.K))
        self._any_crop = bool(self.crop.any()) and cfg.crop_pad > 0
        self._crop_list = self.crop.tolist()
        self._crop_index = None
        self._any_wd = bool(self.weight_decay.any())
        # the MLP step gathers its minibatch straight out of a (rows, features) view of the data
        self._x_rows = self.x_train.reshape(-1, int(np.prod(self.shape)))
        self._row_offsets = None if self.shared_x else self._rows * self.n
        self._buffers: dict[tuple[int, int], dict] = {}
        self._working: tuple | None = None  # the MLP step's copies of the active models (see _working_set)
        self.base = copy.deepcopy(modules[0]).to("meta")
        self.linear_names = ([(f"layers.{i}.weight", f"layers.{i}.bias") for i in range(len(modules[0].layers))]
                             if self.is_mlp else [])
        self.gens = [torch.Generator().manual_seed(derive_seed(r.seed, 1)) for r in runs]  # data order
        self.aug_gens = [torch.Generator().manual_seed(derive_seed(r.seed, 2)) for r in runs]  # crops, dropout
        self.step = 0
        self.epoch = 0
        self.active = [True] * self.K
        self.fit_step: list[int | None] = [None] * self.K
        self.final: list[dict | None] = [None] * self.K
        self.best_test = [0.0] * self.K
        self.since_best = [0] * self.K
        keys = ["step", "lr", "loss", "train_acc", "test_acc", "train_loss"]
        keys += ["margin_frac"] if self.stop_rule.needs_margins else []
        self.history = [{key: [] for key in keys} for _ in range(self.K)]
        self.seconds = 0.0
        self.fingerprint = fingerprint(cfg, runs)

    # ---------------------------------------------------------------------------------- forward

    def forward(self, x: torch.Tensor, train: bool, params=None, buffers=None, models=None) -> torch.Tensor:
        """x (k, B, *shape) -> outputs (k, B, n_outputs) for the models listed in ``models`` (default all),
        whose stacked parameters are ``params``; model j sees x[j] only."""
        params = self.params if params is None else params
        buffers = self.buffers if buffers is None else buffers
        models = range(self.K) if models is None else models
        if self.is_mlp:
            plist = [params[n] for pair in self.linear_names for n in pair]
            return self._mlp_forward(x.flatten(2), plist, train, list(models))[-1].transpose(1, 2)
        self.base.train(train)
        fn = lambda p, b, xb: functional_call(self.base, (p, b), (xb,))  # noqa: E731
        return vmap(fn)(params, buffers, x)

    @torch.no_grad()
    def predict(self, x) -> torch.Tensor:
        """Every model's outputs (K, n, n_outputs) in eval mode on inputs x (n, *shape), the same for all."""
        self.sync()
        x = torch.as_tensor(x, dtype=torch.float32, device=self.device)
        step = EVAL_CHUNK_MLP if self.is_mlp else EVAL_CHUNK
        chunks = [self.forward(x[s:s + step].expand(self.K, *x[s:s + step].shape), train=False)
                  for s in range(0, len(x), step)]
        return torch.cat(chunks, 1) if chunks else torch.zeros(self.K, 0, self.n_outputs, device=self.device)

    # ------------------------------------------------------------------------------------ steps

    def lr_at(self, step: int) -> float:
        return self.cfg.learning_rate * self.cfg.lr_decay ** (step // self.decay_steps)

    def _random_crop(self, xb: torch.Tensor, models: list[int]) -> torch.Tensor:
        """Zero-pad by crop_pad and crop back at a random offset, per image of the models with crop on."""
        pad = self.cfg.crop_pad
        if pad == 0 or not any(self._crop_list[k] for k in models):
            return xb
        K, B = xb.shape[:2]
        c, h, w = M.image_shape(self.shape)
        ph = pad if h > 1 else 0  # a 1-D signal only shifts along its length
        Hp, Wp = h + 2 * ph, w + 2 * pad
        padded = torch.nn.functional.pad(xb.reshape(K * B, c, h, w), (pad, pad, ph, ph))
        oys, oxs = [], []  # per image, the crop's corner in the padded image
        for k in models:
            if self._crop_list[k]:  # each model's own generator, draws in the same order as ever
                g = self.aug_gens[k]
                oys.append(torch.randint(0, 2 * ph + 1, (B,), generator=g))
                oxs.append(torch.randint(0, 2 * pad + 1, (B,), generator=g))
            else:
                oys.append(torch.full((B,), ph))
                oxs.append(torch.full((B,), pad))
        if self._crop_index is None or self._crop_index.device != xb.device:
            ch, i, j = torch.meshgrid(torch.arange(c), torch.arange(h), torch.arange(w), indexing="ij")
            self._crop_index = (ch * Hp * Wp + i * Wp + j).reshape(1, -1).to(xb.device)
        # one gather straight into (image, channel, row, column) order
        start = torch.cat(oys).mul_(Wp).add_(torch.cat(oxs)).to(xb.device)
        index = start[:, None] + self._crop_index
        return padded.view(K * B, -1).gather(1, index).view(xb.shape)

    def train_step(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """One SGD step of every model still training, on minibatch indices idx (K, B); returns the
        (K,) minibatch losses (0 for stopped models)."""
        if all(self.active):
            if self._working is not None:  # every model active again (set from outside)
                self.sync()
                self._working = None
            return self._step_all(idx, targets)
        return self._step_some(idx, targets)

    def _sgd(self, params: list, bufs: list, grads: list, wd: torch.Tensor, lr: float) -> None:
        """torch.optim.SGD's update (momentum, no dampening), with a weight decay per model."""
        if bool(wd.any()):
            for g, p in zip(grads, params):
                g.addcmul_(p, wd.view((-1,) + (1,) * (p.dim() - 1)))
        torch._foreach_mul_(bufs, self.cfg.momentum)
        torch._foreach_add_(bufs, grads)
        torch._foreach_add_(params, bufs, alpha=-lr)

    def _step_buffers(self, k: int, B: int) -> dict:
        """Preallocated activations and gradients of the MLP step for k models and batch B: fresh
        megabyte-sized tensors every step cost page faults (the allocator returns them to the system),
        which made the grouped products about twice as slow inside the loop as on their own."""
        key = (k, B)
        if key not in self._buffers:
            widths = [self.params[w].shape[1] for w, _ in self.linear_names]
            new = lambda *shape: torch.empty(shape, device=self.device)  # noqa: E731
            self._buffers[key] = {
                "x": new(k, B, int(np.prod(self.shape))),
                "h": [new(k, w, B) for w in widths],  # layer outputs (hidden ones after ReLU/dropout)
                "g": [new(k, w, B) for w in widths[:-1]],  # gradients at the hidden layers' outputs
            }
        return self._buffers[key]

    def _mlp_forward(self, x: torch.Tensor, params: list, train: bool, models, out: list | None = None,
                     masks: list | None = None) -> list[torch.Tensor]:
        """x (k, B, D) -> [x^T, then each layer's output (k, width, B)], feature-major (see _mlp_step),
        written into ``out`` when given; training draws each model's dropout masks from its own
        generator (appended to ``masks``)."""
        L = len(self.linear_names)
        keep = 1.0 - self.cfg.dropout
        acts = [x.transpose(1, 2)]
        for i in range(L):
            W, b = params[2 * i], params[2 * i + 1]
            h = torch.baddbmm(b.unsqueeze(2), W, acts[-1], **({} if out is None else {"out": out[i]}))
            if i < L - 1:
                h.relu_()
                if train and self.cfg.dropout:
                    m = torch.stack([torch.rand((x.shape[1], h.shape[1]), generator=self.aug_gens[j]).lt(keep)
                                     for j in models]).to(h.device, torch.float32).transpose(1, 2)
                    h.mul_(m).div_(keep)
                    if masks is not None:
                        masks.append(m)
            acts.append(h)
        return acts

    @torch.no_grad()
    def _mlp_step(self, x: torch.Tensor, yb: torch.Tensor, params: list, moms: list, wd: torch.Tensor,
                  any_wd: bool, models, buf: dict) -> torch.Tensor:
        """One SGD step of the listed MLPs, forward and backward written out (what autograd would run,
        without its bookkeeping or fresh buffers), on x (k, B, D) and targets yb (k, B); updates params
        and moms (stacked (k, ...) tensors, in place) and returns the (k,) minibatch losses.

        Activations are feature-major, (k, width, B): W @ h^T is the faster product for the narrow
        output layer (10 classes: about twice as fast as h @ W^T on CPU), the softmax then runs over a
        short middle axis (over ten times faster than over the last one), and the weight gradients come
        out in W's own layout. The loss (``self.loss``) gives the losses and the output gradient. The
        momentum update is fused into the weight-gradient product (buf <- momentum * buf + g h^T, one
        ``baddbmm_``), weight decay then adds wd * p, and p -= lr * buf: torch.optim.SGD's update
        (momentum, no dampening) up to float32 rounding."""
        L = len(self.linear_names)
        keep = 1.0 - self.cfg.dropout
        masks: list[torch.Tensor] = []
        acts = self._mlp_forward(x, params, True, models, buf["h"], masks)
        losses, g = self.loss.value_and_grad(acts[-1], yb)  # g: d(sum of the k minibatch means)/d outputs
        mom = self.cfg.momentum
        wdv = wd.view(-1, 1, 1)
        for i in reversed(range(L)):
            W, b = params[2 * i], params[2 * i + 1]
            mW, mb = moms[2 * i], moms[2 * i + 1]
            g_in = None
            if i > 0:  # the gradient at this layer's input, with the weights before the update
                g_in = torch.bmm(W.transpose(1, 2), g, out=buf["g"][i - 1])
            mW.baddbmm_(g, acts[i].transpose(1, 2), beta=mom)
            mb.mul_(mom).add_(g.sum(2))
            if any_wd:
                mW.addcmul_(W, wdv)
                mb.addcmul_(b, wdv.view(-1, 1))
            if g_in is not None:
                if self.cfg.dropout:
                    g_in.div_(keep).mul_(masks[i - 1])
                # ReLU's backward in place (masked_fill_ with a comparison is ~30x slower on CPU)
                torch.ops.aten.threshold_backward.grad_input(g_in, acts[i], 0, grad_input=g_in)
                g = g_in
        torch._foreach_add_(params, moms, alpha=-self.lr_at(self.step))
        return losses

    def _losses(self, outputs: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        return self.loss.mean(outputs, yb)

    def _step_all(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        # the common case, kept lean: every model trains, on the stacked tensors themselves
        if self.is_mlp:
            K, B = idx.shape
            buf = self._step_buffers(K, B)
            rows = idx.reshape(-1) if self.shared_x else (idx + self._row_offsets).reshape(-1)
            xb = torch.index_select(self._x_rows, 0, rows, out=buf["x"].view(K * B, -1))
            if self._any_crop:
                xb = self._random_crop(xb.view(K, B, *self.shape), self._all).flatten(2)
            losses = self._mlp_step(buf["x"] if not self._any_crop else xb, targets.gather(1, idx),
                                    self._param_list, self._mom_list, self.weight_decay, self._any_wd,
                                    self._all, buf)
            self.step += 1
            return losses
        if self.shared_x:
            xb = self.x_train[idx]
        else:
            xb = self.x_train[self._rows, idx]
        if self._any_crop:
            xb = self._random_crop(xb, self._all)
        logits = self.forward(xb, train=True)
        losses = self._losses(logits, targets.gather(1, idx))
        grads = torch.autograd.grad(losses.sum(), self._param_list)
        with torch.no_grad():
            self._sgd(self._param_list, self._mom_list, list(grads), self.weight_decay, self.lr_at(self.step))
        self.step += 1
        return losses.detach()

    def _working_set(self, models: list[int]) -> tuple:
        """The MLP step's own stacked copies of the active models' parameters and momenta, made when the
        active set changes and kept across steps (copying every step cost twice the step itself);
        ``sync`` writes them back into ``params`` / ``momentum``."""
        if self._working is None or self._working[0] != models:
            self.sync()
            sel = torch.tensor(models, device=self.device)
            wd = self.weight_decay[sel]
            self._working = (models, sel, [p.detach()[sel] for p in self.params.values()],
                             [m[sel] for m in self.momentum.values()], wd, bool(wd.any()))
        return self._working

    def sync(self) -> None:
        """Make ``params`` and ``momentum`` current (evaluate, state_dict and run_epoch call it)."""
        if self._working is None:
            return
        _, sel, plist, mlist = self._working[:4]
        with torch.no_grad():
            for p, m, mine, mom in zip(plist, mlist, self.params.values(), self.momentum.values()):
                mine[sel] = p
                mom[sel] = m

    def _step_some(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        # stopped models drop out of the computation: train on copies of the others' slices
        models = [k for k in range(self.K) if self.active[k]]
        if self.is_mlp:
            models, sel, plist, mlist, wd, any_wd = self._working_set(models)
            idx = idx[sel]
            k, B = idx.shape
            buf = self._step_buffers(k, B)
            rows = idx.reshape(-1) if self.shared_x else (idx + sel[:, None] * self.n).reshape(-1)
            xb = torch.index_select(self._x_rows, 0, rows, out=buf["x"].view(k * B, -1))
            xb = self._random_crop(xb.view(k, B, *self.shape), models).flatten(2)
            losses = self._mlp_step(xb, targets[sel].gather(1, idx), plist, mlist, wd, any_wd, models, buf)
            self.step += 1
            out = torch.zeros(self.K, device=self.device)
            out[sel] = losses
            return out
        sel = torch.tensor(models, device=self.device)
        idx = idx[sel]
        xb = self.x_train[idx] if self.shared_x else self.x_train[sel[:, None], idx]
        xb = self._random_crop(xb, models)
        yb = targets[sel].gather(1, idx)
        names = list(self.params)
        params = {n: p.detach()[sel].requires_grad_(True) for n, p in self.params.items()}
        buffers = {n: b[sel] for n, b in self.buffers.items()}
        logits = self.forward(xb, train=True, params=params, buffers=buffers, models=models)
        losses = self._losses(logits, yb)
        plist = [params[n] for n in names]
        grads = torch.autograd.grad(losses.sum(), plist)
        with torch.no_grad():
            bufs = [self.momentum[n][sel] for n in names]
            self._sgd(plist, bufs, list(grads), self.weight_decay[sel], self.lr_at(self.step))
            for n, p, b in zip(names, plist, bufs):
                self.params[n][sel] = p
                self.momentum[n][sel] = b
            for n, b in buffers.items():  # BatchNorm statistics updated by the forward pass
                self.buffers[n][sel] = b
        self.step += 1
        out = torch.zeros(self.K, device=self.device)
        out[sel] = losses.detach()
        return out

    @torch.no_grad()
    def evaluate(self, models: list[int] | None = None) -> dict[str, torch.Tensor]:
        """Accuracy and mean loss on the whole training and test sets (eval mode), (K,) each, and for a
        margin stop rule the fraction of training points with margin >= gamma (``train_margin_frac``);
        entries of models not listed stay 0, an empty split gives NaN."""
        self.sync()
        models = list(range(self.K)) if models is None else models
        out = {f"{s}_{m}": torch.zeros(self.K, device=self.device)
               for s in ("train", "test") for m in ("acc", "loss")}
        rule = self.stop_rule
        if rule.needs_margins:
            out["train_margin_frac"] = torch.zeros(self.K, device=self.device)
        if not models:
            return out
        sel = torch.tensor(models, device=self.device)
        everyone = len(models) == self.K
        params = self.params if everyone else {n: p[sel] for n, p in self.params.items()}
        buffers = self.buffers if everyone else {n: b[sel] for n, b in self.buffers.items()}
        for split, x, y, shared in (("train", self.x_train, self.y_train, self.shared_x),
                                    ("test", self.x_test, self.y_test, self.shared_xt)):
            y = y[sel]
            correct = torch.zeros(len(models), device=self.device)
            loss = torch.zeros(len(models), device=self.device)
            above = (torch.zeros(len(models), device=self.device) if split == "train" and rule.needs_margins
                     else None)
            n = y.shape[1]
            step = EVAL_CHUNK_MLP if self.is_mlp else EVAL_CHUNK
            plist = [params[n] for pair in self.linear_names for n in pair]
            for s in range(0, n, step):
                chunk = slice(s, s + step)
                xb = x[chunk].expand(len(models), *x[chunk].shape) if shared else x[sel, chunk]
                yb = y[:, chunk]
                if self.is_mlp:  # feature-major outputs (k, n_outputs, rows) on reused buffers
                    hbuf = self._step_buffers(len(models), yb.shape[1])["h"]
                    f = self._mlp_forward(xb.flatten(2), plist, False, models, hbuf)[-1]
                    dim = 1
                    loss += self.loss.total(f, yb)
                else:
                    f = self.forward(xb, train=False, params=params, buffers=buffers, models=models)
                    dim = -1
                    loss += self._losses(f, yb) * yb.shape[1]
                correct += self.loss.correct(f, yb, dim).sum(1)
                if above is not None:
                    above += (self.loss.margins(f, yb, dim) >= rule.gamma).sum(1)
            out[f"{split}_acc"][sel] = correct / n
            out[f"{split}_loss"][sel] = loss / n
            if above is not None:
                out["train_margin_frac"][sel] = above / n
        return out

    # ----------------------------------------------------------------------------- checkpoints

    def state_dict(self) -> dict:
        self.sync()
        return {"version": CHECKPOINT_VERSION, "fingerprint": self.fingerprint,
                "params": {k: v.detach().cpu() for k, v in self.params.items()},
                "buffers": {k: v.cpu() for k, v in self.buffers.items()},
                "momentum": {k: v.cpu() for k, v in self.momentum.items()},
                "gens": [g.get_state() for g in self.gens], "aug_gens": [g.get_state() for g in self.aug_gens],
                "step": self.step, "epoch": self.epoch, "active": list(self.active),
                "fit_step": list(self.fit_step), "final": list(self.final), "best_test": list(self.best_test),
                "since_best": list(self.since_best), "history": self.history, "seconds": self.seconds}

    def load_state_dict(self, state: dict, source: str = "checkpoint") -> None:
        if state.get("version") != CHECKPOINT_VERSION or state.get("fingerprint") != self.fingerprint:
            raise ValueError(f"{source} belongs to other settings or data; remove it or run without --resume")
        self._working = None  # the loaded state replaces any working copies
        with torch.no_grad():
            for mine, theirs in ((self.params, state["params"]), (self.buffers, state["buffers"]),
                                 (self.momentum, state["momentum"])):
                for k, v in mine.items():
                    v.copy_(theirs[k])
        for g, s in zip(self.gens, state["gens"]):
            g.set_state(s)
        for g, s in zip(self.aug_gens, state["aug_gens"]):
            g.set_state(s)
        for key in ("step", "epoch", "active", "fit_step", "final", "best_test", "since_best", "history",
                    "seconds"):
            setattr(self, key, state[key])

    # ------------------------------------------------------------------------------------- loop

    def done(self) -> bool:
        return not any(self.active) or self.step >= self.cfg.max_steps

    def run_epoch(self) -> None:
        targets = epoch_targets(self, self.epoch)
        t0 = time.perf_counter()
        perms = torch.stack([torch.randperm(self.n, generator=g) for g in self.gens]).to(self.device)
        total = torch.zeros(self.K, device=self.device)
        steps = 0
        for s in range(0, self.n, self.cfg.batch_size):
            if self.step >= self.cfg.max_steps:
                break
            total += self.train_step(perms[:, s:s + self.cfg.batch_size], targets)
            steps += 1
        self.epoch += 1
        metrics = {k: v.cpu().tolist() for k, v in self.evaluate([k for k in range(self.K) if self.active[k]]).items()}
        lr = self.lr_at(self.step)
        for k in range(self.K):
            if not self.active[k]:
                continue
            h = self.history[k]
            h["step"].append(self.step)
            h["lr"].append(lr)
            h["loss"].append(float(total[k]) / max(steps, 1))
            for key in ("train_acc", "test_acc", "train_loss"):
                h[key].append(metrics[key][k])
            mine = {"train_acc": metrics["train_acc"][k]}
            if "train_margin_frac" in metrics:
                mine["margin_frac"] = metrics["train_margin_frac"][k]
                h["margin_frac"].append(mine["margin_frac"])
            tr, te = metrics["train_acc"][k], metrics["test_acc"][k]
            if te > self.best_test[k]:
                self.best_test[k], self.since_best[k] = te, 0
            else:
                self.since_best[k] += 1
            fitted = tr >= self.cfg.fit_threshold - stopping.SLACK
            if fitted and self.fit_step[k] is None:
                self.fit_step[k] = self.step
            stop = (self.stop_rule.reached(mine) or self.step >= self.cfg.max_steps
                    or (self.cfg.patience and self.since_best[k] >= self.cfg.patience))
            if stop:
                self.active[k] = False
                self.final[k] = {"steps": self.step, "train_acc": tr, "test_acc": te,
                                 "train_loss": metrics["train_loss"][k]}
        self.seconds += time.perf_counter() - t0

    def results(self) -> list[RunResult]:
        out = []
        for k, r in enumerate(self.runs):
            f = self.final[k] or {"steps": self.step, "train_acc": self.history[k]["train_acc"][-1],
                                  "test_acc": self.history[k]["test_acc"][-1],
                                  "train_loss": self.history[k]["train_loss"][-1]}
            out.append(RunResult(label=r.label, seed=r.seed, weight_decay=r.weight_decay, crop=r.crop,
                                 steps=f["steps"], fit_step=self.fit_step[k], train_acc=f["train_acc"],
                                 test_acc=f["test_acc"], best_test_acc=self.best_test[k],
                                 train_loss=f["train_loss"], seconds=self.seconds, history=self.history[k]))
        return out


def train_group(cfg: TrainConfig, runs: list[RunSpec], **kw) -> list[RunResult]:
    """Train the runs as one group until every model stopped (``fit_group``'s settings); their results."""
    return fit_group(cfg, runs, **kw).results()


def fit_group(cfg: TrainConfig, runs: list[RunSpec], *, checkpoint: Path | None = None, resume: bool = False,
              progress: bool = False, description: str = "", device: str = "cpu",
              on_epoch: Callable[[GroupTrainer], None] | None = None,
              checkpoint_seconds: float = 0.0) -> GroupTrainer:
    """Train the runs as one group until every model stopped; the trained group (``predict`` reads its
    models' outputs). With a checkpoint path, save at the end of an epoch once ``checkpoint_seconds``
    passed since the last save (0: every epoch); with ``resume`` continue from it (the result equals an
    uninterrupted run's: checkpoints sit on epoch boundaries)."""
    t = GroupTrainer(cfg, runs, device)
    if resume and checkpoint is not None and Path(checkpoint).is_file():
        try:
            state = torch.load(checkpoint, map_location="cpu", weights_only=False)
        except Exception as e:
            raise ValueError(f"{checkpoint}: unreadable checkpoint ({type(e).__name__}: {e})") from None
        t.load_state_dict(state, str(checkpoint))
    bar = _progress(progress, description or cfg.model, cfg.max_steps, t.step)
    saved = time.monotonic()
    with bar as (advance, finish):
        while not t.done():
            t.run_epoch()
            if checkpoint is not None and time.monotonic() - saved >= checkpoint_seconds:
                atomic_save(t.state_dict(), checkpoint)
                saved = time.monotonic()
            advance(t.step, f"{sum(x is not None for x in t.fit_step)}/{t.K} fitted")
            if on_epoch is not None:
                on_epoch(t)
        finish(t.step)
    return t


class _progress:
    """A rich progress bar on stderr (steps of the budget; models fitted so far), or nothing."""

    def __init__(self, enabled: bool, description: str, total: int, start: int):
        self.enabled, self.description, self.total, self.start = enabled, description, total, start
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return (lambda step, note: None), (lambda step: None)
        from vacuity.progress import LogLines, is_terminal

        if not is_terminal():  # a log: a line every VACUITY_PROGRESS_SECONDS, not a bar it never shows
            lines = LogLines(self.description, self.total, start=self.start)
            return (lines.update, lambda step: lines.update(step, "done", final=True))
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("steps {task.fields[note]}"), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=False)
        self.bar.__enter__()
        task = self.bar.add_task(self.description, total=self.total, completed=self.start, note="")
        return ((lambda step, note: self.bar.update(task, completed=step, note=note)),
                (lambda step: self.bar.update(task, completed=step, total=max(step, 1))))

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False
