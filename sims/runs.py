"""What the group trainer (``vacuity.sims.train``) trains: its settings (``TrainConfig``), one model of a
group (``RunSpec``) and its result (``RunResult``), the one seed derivation every simulation uses
(``derive_seed``), the models it builds, and the fingerprint that ties a checkpoint to all of these.

Besides the paper's models (``models.MODELS``), ``model`` may name any ReLU MLP as ``mlp<depth>x<width>``
(e.g. ``mlp2x256``), built like them (``models.MLP``, torch's default initialization); its ``lr`` must
then be given.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from vacuity.sims import losses as LS
from vacuity.sims import models as M
from vacuity.sims import stopping
from vacuity.sims.data import Dataset

MLP_NAME = re.compile(r"mlp([1-9][0-9]*)x([1-9][0-9]*)")  # mlp<depth>x<width>


@dataclass(frozen=True)
class TrainConfig:
    model: str = "mlp1x512"
    lr: float | None = None  # None: the paper's rate for the model (models.LEARNING_RATES)
    momentum: float = 0.9
    lr_decay: float = 0.95
    decay_steps: int = 0  # 0: decay once per epoch
    batch_size: int = 128
    max_steps: int = 10_000
    fit_threshold: float = 1.0  # stop a model when its training accuracy reaches this
    stop_at_fit: bool = True
    patience: int = 0  # early stopping: epochs without a better test accuracy (0: off)
    dropout: float = 0.0
    crop_pad: int = 2  # random crop = zero-pad by this many pixels, then crop back at a random offset
    loss: str = "softmax_ce"  # one of losses.LOSSES
    stop: str = "fit"  # one of stopping.RULES; stop_at_fit=False turns "fit" into "budget"
    margin: float = 0.0  # gamma of the "margin" rule
    margin_tau: float = 0.0  # the fraction of training points allowed below the margin

    def __post_init__(self):
        if self.model not in M.MODELS and not MLP_NAME.fullmatch(self.model):
            raise ValueError(f"unknown model {self.model!r}; choose one of {', '.join(M.MODELS)} "
                             f"or mlp<depth>x<width>")
        if self.lr is None and self.model not in M.LEARNING_RATES:
            raise ValueError(f"model {self.model} has no default learning rate: give lr")
        LS.get(self.loss)
        if self.stop not in stopping.RULES:
            raise ValueError(f"unknown stop rule {self.stop!r}; choose one of {', '.join(stopping.RULES)}")
        if self.stop != "fit" and not self.stop_at_fit:
            raise ValueError(f"stop_at_fit=False is the 'budget' rule; with stop={self.stop!r} leave it True")
        checks = [(self.lr is None or self.lr > 0, "lr must be positive"),
                  (0 <= self.momentum < 1, "momentum must lie in [0, 1)"),
                  (0 < self.lr_decay <= 1, "lr_decay must lie in (0, 1]"),
                  (self.decay_steps >= 0, "decay_steps must be >= 0"),
                  (self.batch_size >= 1, "batch_size must be at least 1"),
                  (self.max_steps >= 1, "max_steps must be at least 1"),
                  (0 < self.fit_threshold <= 1, "fit_threshold must lie in (0, 1]"),
                  (self.patience >= 0, "patience must be >= 0"),
                  (0 <= self.dropout < 1, "dropout must lie in [0, 1)"),
                  (self.crop_pad >= 0, "crop_pad must be >= 0"),
                  (math.isfinite(self.margin), "margin must be finite"),
                  (0 <= self.margin_tau < 1, "margin_tau must lie in [0, 1)")]
        for ok, msg in checks:
            if not ok:
                raise ValueError(msg)

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else M.LEARNING_RATES[self.model]


@dataclass
class RunSpec:
    """One model of a group: its data (a fixed variant), seed and regularizers."""

    data: Dataset
    seed: int = 0
    weight_decay: float = 0.0
    crop: bool = False
    label: str = ""


@dataclass
class RunResult:
    label: str
    seed: int
    weight_decay: float
    crop: bool
    steps: int  # steps trained
    fit_step: int | None  # first end-of-epoch step with training accuracy >= fit_threshold
    train_acc: float
    test_acc: float
    best_test_acc: float
    train_loss: float
    seconds: float
    history: dict = field(default_factory=dict)  # per epoch: step, lr, loss (minibatch mean), accuracies

    def to_json(self) -> dict:
        return asdict(self)


def derive_seed(*parts: int) -> int:
    """A 63-bit seed from integers (a run's seed and tags), through numpy's SeedSequence: distinct tags
    give independent streams (init, data order, augmentation; a simulation's draws)."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1, np.uint64)[0] >> 1)


# settings added after checkpoint version 1: at their defaults they stay out of the fingerprint, so
# checkpoints and finished groups of earlier runs (same numbers) still resume
_LATER_SETTINGS = {"loss": "softmax_ce", "stop": "fit", "margin": 0.0, "margin_tau": 0.0}


def build_model(name: str, shape, n_outputs: int, dropout: float = 0.0) -> torch.nn.Module:
    """A freshly initialized model (global torch RNG): a paper model (``models.build``) or mlp<d>x<w>."""
    if name in M.MODELS:
        return M.build(name, shape, n_outputs, dropout=dropout)
    depth, width = (int(g) for g in MLP_NAME.fullmatch(name).groups())
    return M.MLP(shape, n_outputs, depth=depth, width=width, dropout=dropout)


def fingerprint(cfg: TrainConfig, runs: list[RunSpec]) -> str:
    """What a checkpoint belongs to: settings, per-model seeds/regularizers and the data's bytes."""
    settings = {k: v for k, v in asdict(cfg).items() if k not in _LATER_SETTINGS or v != _LATER_SETTINGS[k]}
    h = hashlib.sha256(repr(settings).encode())
    for r in runs:
        h.update(repr((r.seed, r.weight_decay, r.crop, r.label, r.data.shape, r.data.n_classes)).encode())
        for a in (r.data.x_train, r.data.y_train, r.data.x_test, r.data.y_test):
            h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()
