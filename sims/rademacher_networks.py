"""What a ReLU MLP trained by SGD can fit, measured as an empirical Rademacher complexity (Zhang et al.
2017, Sec. 2.2).

For n training points and a sign vector σ in {-1, +1}^n, train the network on the labels σ and read
off (1/n) Σ σ_i sign(f_σ(x_i)). The network class H contains every f_σ, so the mean over σ draws is a
Monte Carlo estimate of a *lower bound* on R̂_S(H) = E_σ sup_{h in H} (1/n) Σ σ_i h(x_i): if SGD fits
random signs, R̂_S(H) is about 1 and every Rademacher bound on the same class is vacuous. The same
architecture trained on the true (binary) labels shows what the bound was supposed to predict.

K networks train at once: their weights are stacked as (K, fan_in, fan_out) tensors and each layer is
one batched matmul, so K sign draws cost one training run's worth of Python overhead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from vacuity.sims.threads import torch_threads

DATASETS = ("digits", "mnist1d", "mnist")  # mnist reads the IDX files under $VACUITY_DATA


@dataclass(frozen=True)
class Split:
    """Standardized features and binary labels in {-1, +1} (digit >= 5)."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _binary(y: np.ndarray) -> np.ndarray:
    # a two-class task so that the network's class is ±1-valued and Thm 3.5 applies to it directly
    return np.where(np.asarray(y) >= 5, 1.0, -1.0)


def _standardize(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mu = train.mean(axis=0)
    sd = train.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)  # constant pixels (digits' borders) stay zero
    return (train - mu) / sd, (test - mu) / sd


def _dataset(name: str, seed: int, root=None) -> Split:
    """The data set as flat, per-feature standardized features and binary labels (vacuity.sims.data
    loads it: digits split from the seed, MNIST-1D generated, MNIST from md5-checked IDX files)."""
    from vacuity.sims import data

    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    ds = data.load(name, root=root, seed=seed)

    def flat(x):
        return np.asarray(x, dtype=np.float64).reshape(len(x), -1)

    Xtr, Xte = _standardize(flat(ds.x_train), flat(ds.x_test))
    return Split(name, Xtr, _binary(ds.y_train), Xte, _binary(ds.y_test))


# --------------------------------------------------------------------------- K MLPs at once


class BatchedMLP:
    """K independent ReLU MLPs d -> width (x depth hidden layers) -> 1, weights stacked along a leading K axis."""

    def __init__(self, K: int, d: int, width: int, *, generator: torch.Generator, depth: int = 2,
                 dtype=torch.float32, device="cpu"):
        if K < 1 or d < 1 or width < 1 or depth < 1:
            raise ValueError(f"need K, d, width, depth >= 1; got {K}, {d}, {width}, {depth}")
        dims = [d] + [width] * depth + [1]
        self.params: list[torch.Tensor] = []
        for fan_in, fan_out in zip(dims[:-1], dims[1:]):
            gain = 2.0 if fan_out != 1 else 1.0  # He init for ReLU layers, variance 1/fan_in at the output
            W = torch.randn(K, fan_in, fan_out, generator=generator, dtype=dtype) * math.sqrt(gain / fan_in)
            self.params += [W.to(device).requires_grad_(), torch.zeros(K, 1, fan_out, dtype=dtype, device=device,
                                                                       requires_grad=True)]

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """X (n, d) shared by all K networks, or (K, n, d); returns outputs (K, n)."""
        h = X
        last = len(self.params) // 2 - 1
        for layer in range(last + 1):
            W, b = self.params[2 * layer], self.params[2 * layer + 1]
            h = torch.matmul(h, W) + b
            if layer < last:
                h = torch.relu(h)
        return h.squeeze(-1)

    @property
    def n_params(self) -> int:
        return sum(p[0].numel() for p in self.params)


@dataclass(frozen=True)
class TrainConfig:
    width: int = 256
    depth: int = 1
    epochs: int = 60
    batch: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    threads: int = 1  # torch CPU threads while training; 0 leaves torch's setting alone

    def __post_init__(self):
        for name in ("width", "depth", "epochs", "batch"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1; got {getattr(self, name)!r}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"lr must be positive and finite; got {self.lr!r}")
        if int(self.threads) < 0:
            raise ValueError(f"threads must be >= 0 (0: torch's default); got {self.threads!r}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must lie in [0, 1); got {self.momentum!r}")


def train(X: np.ndarray, targets: np.ndarray, cfg: TrainConfig, *, seed: int, device="cpu"):
    """Minibatch SGD with momentum on the logistic loss log(1 + exp(-t f)), one network per row of
    ``targets`` (K, n) in {-1, +1}; all K see the same minibatch indices. Returns (model, X tensor)."""
    targets = np.asarray(targets, dtype=np.float64)
    if targets.ndim != 2 or targets.shape[1] != X.shape[0]:
        raise ValueError(f"targets must be (K, n) with n = {X.shape[0]} rows of X; got {targets.shape}")
    if not np.all(np.abs(targets) == 1):
        raise ValueError("targets must be +-1")
    with torch_threads(cfg.threads):
        return _train(X, targets, cfg, seed=seed, device=device)


def _train(X, targets, cfg, *, seed, device):
    g = torch.Generator().manual_seed(int(seed))
    K, n = targets.shape
    model = BatchedMLP(K, X.shape[1], cfg.width, generator=g, depth=cfg.depth, device=device)
    Xt = torch.as_tensor(X, dtype=torch.float32, device=device)
    Tt = torch.as_tensor(targets, dtype=torch.float32, device=device)
    opt = torch.optim.SGD(model.params, lr=cfg.lr, momentum=cfg.momentum)
    bs = min(cfg.batch, n)
    for _ in range(cfg.epochs):
        perm = torch.randperm(n, generator=g).to(device)
        for start in range(0, n, bs):
            idx = perm[start:start + bs]
            f = model(Xt[idx])
            # sum over networks of each one's mean loss: every network gets its own gradient
            loss = torch.nn.functional.softplus(-Tt[:, idx] * f).mean(dim=1).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model, Xt


@dataclass(frozen=True)
class SignFit:
    """The Rademacher estimate from K networks fitted to K random sign vectors on n points."""

    n: int
    per_draw: np.ndarray  # (1/n) Σ σ_i sign f_σ(x_i), one per draw
    per_draw_clipped: np.ndarray  # (1/n) Σ σ_i clip(f_σ(x_i), -1, 1)

    @staticmethod
    def _mean_se(v: np.ndarray) -> tuple[float, float]:
        return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))

    @property
    def mean(self) -> float:
        return self._mean_se(self.per_draw)[0]

    @property
    def se(self) -> float:
        return self._mean_se(self.per_draw)[1]

    @property
    def mean_clipped(self) -> float:
        return self._mean_se(self.per_draw_clipped)[0]

    @property
    def se_clipped(self) -> float:
        return self._mean_se(self.per_draw_clipped)[1]

    @property
    def misfit_fraction(self) -> float:
        """Mean fraction of signs the networks got wrong: (1 - mean) / 2."""
        return (1.0 - self.mean) / 2.0


def _seed(seed: int, *tags: int) -> int:
    return int(np.random.SeedSequence([seed, *tags]).generate_state(1)[0] & 0x7FFFFFFF)


def fit_random_signs(X: np.ndarray, *, draws: int, cfg: TrainConfig, seed: int, device="cpu") -> SignFit:
    """Train ``draws`` networks on independent random signs for the points X (n, d)."""
    if draws < 2:
        raise ValueError(f"draws must be at least 2 (a standard error needs two); got {draws}")
    n = X.shape[0]
    sigma = 2.0 * np.random.default_rng(_seed(seed, n, 1)).integers(0, 2, size=(draws, n)) - 1.0
    model, Xt = train(X, sigma, cfg, seed=_seed(seed, n, 2), device=device)
    with torch.no_grad(), torch_threads(cfg.threads):
        f = model(Xt).double().cpu().numpy()
    return SignFit(n, np.mean(sigma * np.sign(f), axis=1), np.mean(sigma * np.clip(f, -1.0, 1.0), axis=1))


@dataclass(frozen=True)
class TrueFit:
    n: int
    train_error: float
    test_error: float
    test_se: float  # binomial standard error over the test points
    n_test: int


def fit_true_labels(split: Split, n: int, *, cfg: TrainConfig, seed: int, device="cpu") -> TrueFit:
    """The same architecture and training on the first n true (binary) labels; its test error."""
    if not 1 <= n <= split.X_train.shape[0]:
        raise ValueError(f"n must lie in 1..{split.X_train.shape[0]} for {split.name}; got {n}")
    X, y = split.X_train[:n], split.y_train[:n]
    model, Xt = train(X, y[None, :], cfg, seed=_seed(seed, n, 3), device=device)
    with torch.no_grad(), torch_threads(cfg.threads):
        f_train = model(Xt)[0].double().cpu().numpy()
        f_test = model(torch.as_tensor(split.X_test, dtype=torch.float32, device=device))[0].double().cpu().numpy()
    train_err = float(np.mean(np.sign(f_train) != y))
    test_err = float(np.mean(np.sign(f_test) != split.y_test))
    m = split.X_test.shape[0]
    return TrueFit(n, train_err, test_err, math.sqrt(max(test_err * (1 - test_err), 1.0 / m) / m), m)
