"""What a ReLU MLP trained by SGD can fit, measured as an empirical Rademacher complexity (Zhang et al.
2017, Sec. 2.2).

For n training points and a sign vector σ in {-1, +1}^n, train the network on the labels σ and read
off (1/n) Σ σ_i sign(f_σ(x_i)). The network class H contains every f_σ, so the mean over σ draws is a
Monte Carlo estimate of a *lower bound* on R̂_S(H) = E_σ sup_{h in H} (1/n) Σ σ_i h(x_i): if SGD fits
random signs, R̂_S(H) is about 1 and every Rademacher bound on the same class is vacuous. The same
architecture trained on the true (binary) labels shows what the bound was supposed to predict.

The K networks of the K sign draws train as one group of the one trainer (``vacuity.sims.train``):
the binary logistic loss softplus(-t f) on one output unit, SGD with momentum, a constant learning rate,
each network with its own seed-derived initialization (torch's default, as ``models.MLP``) and data
order, so a group of K gives the numbers of K networks trained one by one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vacuity.sims import train as T
from vacuity.sims.data import Dataset
from vacuity.sims.threads import torch_threads
from vacuity.sims.train import derive_seed

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


# ------------------------------------------------------------------- the networks, on the group trainer


@dataclass(frozen=True)
class TrainConfig:
    """The claim's training settings; ``trainer_config`` turns them into the group trainer's."""

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

    def trainer_config(self, n: int) -> T.TrainConfig:
        """ReLU MLP d -> width (x depth) -> 1, logistic loss on the signs, constant learning rate, the
        full ``epochs`` over n points (no early stop: the clipped estimate reads the outputs' size)."""
        return T.TrainConfig(model=f"mlp{self.depth}x{self.width}", lr=self.lr, momentum=self.momentum,
                             lr_decay=1.0, batch_size=self.batch, max_steps=self.epochs * math.ceil(n / self.batch),
                             loss="logistic", stop="budget", crop_pad=0)


def train_networks(X: np.ndarray, targets: np.ndarray, cfg: TrainConfig, *, seeds, device="cpu") -> T.GroupTrainer:
    """One network per row of ``targets`` (K, n) in {-1, +1} on the points X (n, d), trained as one group
    (``train.fit_group``), network k from ``seeds[k]`` (its initialization and data order). Returns the
    trained group; ``outputs`` reads it on any points (the group has no test split: nothing to evaluate
    after each epoch but the training points)."""
    targets = np.asarray(targets, dtype=np.float64)
    if targets.ndim != 2 or targets.shape[1] != X.shape[0]:
        raise ValueError(f"targets must be (K, n) with n = {X.shape[0]} rows of X; got {targets.shape}")
    if not np.all(np.abs(targets) == 1):
        raise ValueError("targets must be +-1")
    if len(seeds) != targets.shape[0]:
        raise ValueError(f"need one seed per row of targets; got {len(seeds)} for {targets.shape[0]}")
    X = np.asarray(X, dtype=np.float32)  # one array for every run: the group stores it once
    none = np.zeros(0, dtype=np.int64)
    runs = [T.RunSpec(Dataset(X, (t > 0).astype(np.int64), X[:0], none, 2, X.shape[1:], "signs"), seed=int(s))
            for t, s in zip(targets, seeds)]
    with torch_threads(cfg.threads):
        return T.fit_group(cfg.trainer_config(X.shape[0]), runs, device=device)


def outputs(group: T.GroupTrainer, X: np.ndarray, threads: int = 0) -> np.ndarray:
    """The K networks' outputs f(x) on the points X (n, d), as a float64 array (K, n)."""
    with torch_threads(threads):
        return group.predict(X)[..., 0].double().cpu().numpy()


@dataclass(frozen=True)
class SignFit:
    """The Rademacher estimate from K networks fitted to K random sign vectors on n points, with what it
    takes to judge it: the sign vectors themselves, the networks' scores on independent signs they were
    not trained on, the networks' size and the SGD steps taken."""

    n: int
    per_draw: np.ndarray  # (1/n) Σ σ_i sign f_σ(x_i), one per draw
    per_draw_clipped: np.ndarray  # (1/n) Σ σ_i clip(f_σ(x_i), -1, 1)
    sigma: np.ndarray  # (K, n) the sign vectors the networks were trained on
    held_out: np.ndarray  # (1/n) Σ τ_i sign f_σ(x_i) for an independent sign vector τ, one per network
    held_out_variance: np.ndarray  # its exact variance given the network: Σ sign(f_σ(x_i))^2 / n^2 (<= 1/n)
    n_params: int  # weights and biases of one network
    steps: int  # SGD steps taken
    batch_size: int | None = None  # the minibatch the trainer used (its config, not the claim's setting)
    epochs: int | None = None  # passes over the n points the trainer completed

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

    @property
    def held_out_mean(self) -> float:
        """Mean score on the independent signs: 0 in expectation (τ is independent of every network)."""
        return float(self.held_out.mean())

    @property
    def held_out_se(self) -> float:
        """Its exact standard error given the networks: sqrt(Σ_k Var_k) / K (the τ's are independent)."""
        return float(math.sqrt(self.held_out_variance.sum()) / self.held_out.size)


def random_signs(draws: int, n: int, seed: int) -> np.ndarray:
    """``draws`` independent sign vectors of length n, uniform on {-1, +1}^n (rows), from the seed."""
    return 2.0 * np.random.default_rng(seed).integers(0, 2, size=(draws, n)) - 1.0


def _parameter_count(group: T.GroupTrainer) -> int:
    return int(sum(p[0].numel() for p in group.params.values()))


def fit_random_signs(split: Split, n: int, *, draws: int, cfg: TrainConfig, seed: int, device="cpu") -> SignFit:
    """Train ``draws`` networks on independent random signs for the first n training points of the split
    (the labels are not used: the point of the experiment), and score each on its own signs and on an
    independent sign vector it never saw."""
    if draws < 2:
        raise ValueError(f"draws must be at least 2 (a standard error needs two); got {draws}")
    if not 1 <= n <= split.X_train.shape[0]:
        raise ValueError(f"n must lie in 1..{split.X_train.shape[0]} for {split.name}; got {n}")
    X = split.X_train[:n]
    sigma = random_signs(draws, n, derive_seed(seed, n, 1))
    group = train_networks(X, sigma, cfg, seeds=[derive_seed(seed, n, 2, j) for j in range(draws)], device=device)
    f = outputs(group, X, cfg.threads)
    h = np.sign(f)
    tau = random_signs(draws, n, derive_seed(seed, n, 4))
    return SignFit(n, np.mean(sigma * h, axis=1), np.mean(sigma * np.clip(f, -1.0, 1.0), axis=1), sigma,
                   np.mean(tau * h, axis=1), np.sum(h * h, axis=1) / n**2, _parameter_count(group), int(group.step),
                   batch_size=int(group.cfg.batch_size), epochs=int(group.epoch))


@dataclass(frozen=True)
class TrueFit:
    n: int
    train_error: float
    test_error: float
    test_se: float  # binomial standard error over the test points
    n_test: int
    network: T.GroupTrainer | None = None  # the trained network: its errors can be recomputed from it


def fit_true_labels(split: Split, n: int, *, cfg: TrainConfig, seed: int, device="cpu") -> TrueFit:
    """The same architecture and training on the first n true (binary) labels; its test error."""
    if not 1 <= n <= split.X_train.shape[0]:
        raise ValueError(f"n must lie in 1..{split.X_train.shape[0]} for {split.name}; got {n}")
    X, y = split.X_train[:n], split.y_train[:n]
    group = train_networks(X, y[None, :], cfg, seeds=[derive_seed(seed, n, 3)], device=device)
    f_train = outputs(group, X, cfg.threads)[0]
    f_test = outputs(group, split.X_test, cfg.threads)[0]
    train_err = float(np.mean(np.sign(f_train) != y))
    test_err = float(np.mean(np.sign(f_test) != split.y_test))
    m = split.X_test.shape[0]
    return TrueFit(n, train_err, test_err, math.sqrt(max(test_err * (1 - test_err), 1.0 / m) / m), m, network=group)
