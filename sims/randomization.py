"""Zhang et al. (2017)'s randomization tests as one resumable experiment: the settings, the groups of
batched runs behind Figure 1 a/b/c and Table 1, and the summary numbers.

The experiment is a list of groups; each trains K models of one architecture together
(``train.train_group``), checkpoints after every epoch and leaves a finished group's results in
``groups/<name>.json``, so an interrupted run resumes where it stopped and ends with the numbers of an
uninterrupted one.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from vacuity import atomic
from vacuity.sims import data as D
from vacuity.sims import models as M
from vacuity.sims import train as T
from vacuity.sims.threads import torch_threads

SCALES = ("small", "paper")


@dataclass(frozen=True)
class Config:
    dataset: str = "digits"
    data_root: str = ""  # empty: $VACUITY_DATA (needed for mnist and cifar10 only)
    n_train: int = 0  # 0: the whole split
    n_test: int = 0
    seed: int = 0
    threads: int = 1  # torch CPU threads (0: torch's default); small ops run best on one thread
    device: str = "cpu"
    checkpoint_seconds: float = 30.0  # save a group's state at an epoch end at most this often (0: every epoch)
    batch_size: int = 32
    max_steps: int = 12000
    decay_steps: int = 400  # the 0.95 decay period in steps (0: once per epoch, as in the paper)
    lr_decay: float = 0.95
    momentum: float = 0.9
    lr_mlp1x512: float = 0.01
    lr_mlp3x512: float = 0.01
    lr_alexnet: float = 0.01
    lr_inception: float = 0.1  # also the Inception without BatchNorm
    wd_mlp: float = 1e-4
    wd_conv: float = 5e-4
    crop_pad: int = 1
    dropout: float = 0.0  # MLPs only
    patience: int = 0  # early stopping: epochs without a better test accuracy (0: off)
    fig1a_model: str = "mlp1x512"
    partial_p: float = 0.5
    fig1bc_models: tuple[str, ...] = ("mlp1x512", "mlp3x512")
    levels: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    table_models: tuple[str, ...] = ("mlp1x512", "mlp3x512")
    table_crop_models: tuple[str, ...] = ("mlp1x512",)  # models whose table also has random-crop rows

    def __post_init__(self):
        def bad(msg):
            raise ValueError(msg)

        if self.dataset not in D.DATASETS:
            bad(f"dataset must be one of {', '.join(D.DATASETS)}, got {self.dataset!r}")
        for name in ("n_train", "n_test", "seed", "threads", "decay_steps", "crop_pad"):
            if getattr(self, name) < 0:
                bad(f"{name} must be >= 0, got {getattr(self, name)}")
        for name in ("batch_size", "max_steps"):
            if getattr(self, name) < 1:
                bad(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("lr_mlp1x512", "lr_mlp3x512", "lr_alexnet", "lr_inception"):
            if not getattr(self, name) > 0:
                bad(f"{name} must be positive, got {getattr(self, name)}")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                bad(f"{f.name} must be a finite number, got {value}")
        if self.checkpoint_seconds < 0:
            bad(f"checkpoint_seconds must be >= 0, got {self.checkpoint_seconds}")
        if not 0 < self.lr_decay <= 1:
            bad(f"lr_decay must lie in (0, 1], got {self.lr_decay}")
        if not 0 <= self.momentum < 1:
            bad(f"momentum must lie in [0, 1), got {self.momentum}")
        if self.wd_mlp < 0 or self.wd_conv < 0:
            bad("weight decays must be >= 0")
        if not 0 <= self.dropout < 1:
            bad(f"dropout must lie in [0, 1), got {self.dropout}")
        if self.patience < 0:
            bad(f"patience must be >= 0, got {self.patience}")
        if not 0 <= self.partial_p <= 1:
            bad(f"partial_p must lie in [0, 1], got {self.partial_p}")
        models = (self.fig1a_model, *self.fig1bc_models, *self.table_models, *self.table_crop_models)
        for m in models:  # the paper's models (the small CNN serves the checked claim only)
            if m not in M.TABLE1_COUNTS:
                bad(f"unknown model {m!r}; choose from {', '.join(M.TABLE1_COUNTS)}")
        convs = [m for m in models if not m.startswith("mlp")]
        if self.dropout and convs:
            bad(f"dropout is supported for the MLPs only; the settings also train {convs[0]}")
        if len(self.levels) < 2 or any(not 0 <= p <= 1 for p in self.levels) or 0.0 not in self.levels:
            bad(f"levels must hold at least two corruption levels in [0, 1], including 0; got {self.levels}")
        if self.device != "cpu" and not self.device.startswith("cuda"):
            bad(f"device must be cpu or cuda[:N], got {self.device!r}")

    def lr(self, model: str) -> float:
        return getattr(self, "lr_" + ("inception" if model.startswith("inception") else model))

    def weight_decay(self, model: str) -> float:
        return self.wd_mlp if model.startswith("mlp") else self.wd_conv


# Paper scale: CIFAR-10 and App. A's settings (batch 128, decay 0.95 per epoch); Figure 1a with the
# small Inception, Figure 1b/c with Inception, AlexNet and MLP 1x512, Table 1's five models.
PRESETS: dict[str, dict[str, Any]] = {
    "small": {},
    "paper": dict(dataset="cifar10", threads=0, batch_size=128, max_steps=60000, decay_steps=0, crop_pad=2,
                  fig1a_model="inception", fig1bc_models=("inception", "alexnet", "mlp1x512"),
                  table_models=("inception", "inception_nobn", "alexnet", "mlp3x512", "mlp1x512"),
                  table_crop_models=("inception", "alexnet")),
}


def _parse(f, text: Any) -> Any:
    """A setting from TOML (already typed) or from --set text, converted to the field's type."""
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind.startswith("tuple"):
            items = text if isinstance(text, (list, tuple)) else [t for t in str(text).split(",") if t.strip()]
            cast = float if "float" in kind else str
            return tuple(cast(str(i).strip()) if cast is str else float(i) for i in items)
        if kind == "int":
            if isinstance(text, bool) or (isinstance(text, float) and not text.is_integer()):
                raise ValueError
            return int(text)
        if kind == "float":
            if isinstance(text, bool):
                raise ValueError
            return float(text)
        return str(text)
    except (TypeError, ValueError):
        raise ValueError(f"setting {f.name}: cannot read {text!r} as {kind}") from None


def make_config(scale: str = "small", file: Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Preset of the scale, then the TOML file's keys, then ``--set`` overrides; each checked."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    by_name = {f.name: f for f in fields(Config)}
    values: dict[str, Any] = dict(PRESETS[scale])
    layers: list[tuple[str, dict]] = []
    if file is not None:
        layers.append((str(file), read_toml(Path(file))))
    layers.append(("--set", dict(overrides or {})))
    origin: dict[str, str] = {}
    for source, layer in layers:
        for key, text in layer.items():
            origin[key] = source
            if key not in by_name:
                raise ValueError(f"{source}: unknown setting {key!r} (settings: {', '.join(sorted(by_name))})")
            try:
                values[key] = _parse(by_name[key], text)
            except ValueError as e:
                raise ValueError(f"{source}: {e}") from None
    try:
        return Config(**values)
    except ValueError as e:
        # name where the offending value came from: the file, --set, or the scale's preset
        key = next((k for k in sorted(by_name, key=len, reverse=True) if str(e).startswith(k)), None)
        where = origin.get(key, f"the {scale} preset") if key else "settings"
        raise ValueError(f"{where}: {e}") from None


def read_toml(path: Path) -> dict:
    """The [randomization] settings of a config file (vacuity.sims.config: one reader for every experiment)."""
    from vacuity.sims.config import read_settings

    return read_settings(path, "randomization")


# ------------------------------------------------------------------------------------------ plan


@dataclass
class Group:
    name: str
    model: str
    runs: list[T.RunSpec]
    kind: str  # "fig1a" | "fig1bc" | "table"
    meta: list[dict] = field(default_factory=list)  # per run: variant, level, weight decay, crop


def train_config(cfg: Config, model: str) -> T.TrainConfig:
    return T.TrainConfig(model=model, lr=cfg.lr(model), momentum=cfg.momentum, lr_decay=cfg.lr_decay,
                         decay_steps=cfg.decay_steps, batch_size=cfg.batch_size, max_steps=cfg.max_steps,
                         crop_pad=cfg.crop_pad, dropout=cfg.dropout, patience=cfg.patience)


def load_data(cfg: Config) -> D.Dataset:
    root = cfg.data_root or None
    return D.load(cfg.dataset, root=root, seed=cfg.seed, n_train=cfg.n_train or None, n_test=cfg.n_test or None)


def plan(cfg: Config, ds: D.Dataset) -> list[Group]:
    groups = []
    runs, meta = [], []
    for v in D.VARIANTS:
        runs.append(T.RunSpec(D.make_variant(ds, v, cfg.seed, p=cfg.partial_p), seed=cfg.seed, label=v))
        meta.append({"variant": v, "p": cfg.partial_p if v == "partial_labels" else None})
    groups.append(Group("fig1a", cfg.fig1a_model, runs, "fig1a", meta))
    # one draw per level; the mask u < p is shared, so the corrupted sets are nested as p grows
    for model in dict.fromkeys(cfg.fig1bc_models):
        runs, meta = [], []
        for p in cfg.levels:
            runs.append(T.RunSpec(D.make_variant(ds, "partial_labels", cfg.seed, p=p), seed=cfg.seed,
                                  label=f"p={p:g}"))
            meta.append({"level": p})
        groups.append(Group(f"fig1bc-{model}", model, runs, "fig1bc", meta))
    random_labels = D.make_variant(ds, "random_labels", cfg.seed)
    for model in dict.fromkeys(cfg.table_models):
        wd = cfg.weight_decay(model)
        runs, meta = [], []
        crops = (True, False) if model in cfg.table_crop_models else (False,)
        for crop in crops:
            for decay in (wd, 0.0):
                runs.append(T.RunSpec(ds, seed=cfg.seed, weight_decay=decay, crop=crop,
                                      label=f"crop={'yes' if crop else 'no'} wd={decay:g}"))
                meta.append({"labels": "true", "crop": crop, "weight_decay": decay})
        runs.append(T.RunSpec(random_labels, seed=cfg.seed, label="random labels"))
        meta.append({"labels": "random", "crop": False, "weight_decay": 0.0})
        groups.append(Group(f"table-{model}", model, runs, "table", meta))
    return groups


# ------------------------------------------------------------------------------------------- run


def run(cfg: Config, out: Path, *, resume: bool = False, progress: bool = True,
        on_epoch: Callable | None = None, log: Callable[[str], None] = lambda s: None) -> dict:
    """Train every group (skipping finished ones when resuming) and return the results document."""
    with torch_threads(cfg.threads):
        return _run(cfg, Path(out), resume=resume, progress=progress, on_epoch=on_epoch, log=log)


def _run(cfg: Config, out: Path, *, resume: bool, progress: bool, on_epoch: Callable | None,
         log: Callable[[str], None]) -> dict:
    t0 = time.perf_counter()
    ds = load_data(cfg)
    groups = plan(cfg, ds)
    done_dir, ckpt_dir = out / "groups", out / "checkpoints"
    if not resume:
        for folder in (done_dir, ckpt_dir):
            if folder.is_dir():
                for f in folder.iterdir():
                    if f.suffix in (".json", ".pt"):
                        f.unlink()
    results: dict[str, list[dict]] = {}
    for g in groups:
        tcfg = train_config(cfg, g.model)
        fp = T.fingerprint(tcfg, g.runs)
        done = done_dir / f"{g.name}.json"
        if resume and done.is_file():
            saved = json.loads(done.read_text())
            if saved.get("fingerprint") == fp:
                log(f"{g.name}: finished earlier, kept")
                results[g.name] = saved["runs"]
                continue
        res = T.train_group(tcfg, g.runs, checkpoint=ckpt_dir / f"{g.name}.pt", resume=resume,
                            progress=progress, description=f"{g.name} (K={len(g.runs)})", device=cfg.device,
                            on_epoch=on_epoch, checkpoint_seconds=cfg.checkpoint_seconds)
        runs = [dict(r.to_json(), **m) for r, m in zip(res, g.meta)]
        _write_json(done, {"fingerprint": fp, "runs": runs})
        ckpt = ckpt_dir / f"{g.name}.pt"
        if ckpt.is_file():
            ckpt.unlink()
        results[g.name] = runs
    doc = {"experiment": "randomization", "config": asdict(cfg),
           "data": {"name": ds.name, "shape": list(ds.shape), "n_train": len(ds.y_train),
                    "n_test": len(ds.y_test), "n_classes": ds.n_classes},
           "groups": results, "summary": summarize(cfg, results, ds.n_classes, ds.shape),
           "seconds": time.perf_counter() - t0}
    return doc


def json_safe(x):
    """JSON has no NaN: a non-finite number (a diverged loss, say) becomes null."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    return x


def _write_json(path: Path, obj) -> None:
    """Atomic (``vacuity.atomic``): a crash leaves the previous file; non-finite numbers become null."""
    atomic.write_json(path, json_safe(obj), indent=None)


# --------------------------------------------------------------------------------------- summary


def spearman(x, y) -> float:
    """Spearman's rank correlation (average ranks for ties); NaN when either side is constant."""
    from scipy.stats import rankdata

    rx, ry = rankdata(x), rankdata(y)
    if np.std(rx) == 0 or np.std(ry) == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def summarize(cfg: Config, results: dict[str, list[dict]], n_classes: int, shape) -> dict:
    s: dict[str, Any] = {"chance_error": 1 - 1 / n_classes}
    a = {r["variant"]: r for r in results.get("fig1a", [])}
    s["fig1a"] = {v: {"train_acc": r["train_acc"], "test_acc": r["test_acc"], "fit_step": r["fit_step"],
                      "steps": r["steps"]} for v, r in a.items()}
    if a.get("true_labels", {}).get("fit_step") and a.get("random_labels", {}).get("fit_step"):
        s["slowdown_random_vs_true"] = a["random_labels"]["fit_step"] / a["true_labels"]["fit_step"]
    else:
        s["slowdown_random_vs_true"] = None
    s["fig1bc"] = {}
    for name, runs in results.items():
        if not name.startswith("fig1bc-"):
            continue
        levels = [r["level"] for r in runs]
        base = next((r["fit_step"] for r in runs if r["level"] == 0.0), None)
        rel = [(r["fit_step"] / base) if (r["fit_step"] and base) else None for r in runs]
        err = [1 - r["test_acc"] for r in runs]
        s["fig1bc"][name.split("-", 1)[1]] = {
            "levels": levels, "fit_step": [r["fit_step"] for r in runs], "relative_time": rel,
            "train_acc": [r["train_acc"] for r in runs], "test_error": err,
            "spearman_level_test_error": spearman(levels, err)}
    s["table"] = []
    for name, runs in results.items():
        if name.startswith("table-"):
            model = name.split("-", 1)[1]
            count = M.table1_count(M.build(model, shape, n_classes))
            for r in runs:
                s["table"].append({"model": model, "params": count, "params_cifar": M.TABLE1_COUNTS[model],
                                   "labels": r["labels"],
                                   "crop": r["crop"], "weight_decay": r["weight_decay"],
                                   "train_acc": r["train_acc"], "test_acc": r["test_acc"],
                                   "best_test_acc": r["best_test_acc"], "fit_step": r["fit_step"],
                                   "steps": r["steps"]})
    return s


def with_overrides(cfg: Config, **kw) -> Config:
    return replace(cfg, **kw)


# ----------------------------------------------------------------- the checked claim's training runs


CLAIM_PIXEL_VARIANTS = ("shuffled_pixels", "random_pixels", "gaussian")


def claim_seeds(seed: int, replicates: int) -> list[int]:
    """The seeds of the checked claim's sweep: ``seed`` first, then seed + 1000, seed + 2000, ..."""
    return [seed + 1000 * i for i in range(replicates)]


def sweep_name(level: float, seed: int) -> str:
    return f"p={level:g} seed={seed}"


def claim_runs(ds: D.Dataset, levels, seeds, weight_decay: float) -> list[tuple[str, T.RunSpec]]:
    """The checked claim's MLP group, as (name, run): for every seed the corruption levels 0, ``levels``,
    1 (Fig. 1b/c: level 0 is the true labels, 1 the random-labels variant; each seed its own draw,
    initialization and data order), then for the first seed shuffled pixels, random pixels, Gaussian
    inputs, and random labels with ``weight_decay`` (Fig. 1a, Table 1)."""
    out = []
    for s in seeds:
        for lvl in (0.0, *levels, 1.0):
            if lvl == 0.0:
                data = D.make_variant(ds, "true_labels", s)
            elif lvl == 1.0:
                data = D.make_variant(ds, "random_labels", s)
            else:
                data = D.make_variant(ds, "partial_labels", s, p=lvl)
            out.append((sweep_name(lvl, s), T.RunSpec(data, seed=s, label=sweep_name(lvl, s))))
    s0 = seeds[0]
    for v in CLAIM_PIXEL_VARIANTS:
        out.append((v, T.RunSpec(D.make_variant(ds, v, s0), seed=s0, label=v)))
    out.append(("random_labels+wd", T.RunSpec(D.make_variant(ds, "random_labels", s0), seed=s0,
                                              weight_decay=weight_decay, label="random_labels+wd")))
    return out


class NormLog:
    """An ``on_epoch`` callback of ``train.fit_group``: after every epoch, each model's Euclidean norm of all
    its parameters. A model that stopped keeps its last parameters, so the norm logged at step s is the
    model's norm after min(s, its steps) steps."""

    def __init__(self):
        self.steps: list[int] = []
        self.norms: list[list[float]] = []

    def __call__(self, trainer) -> None:
        import torch

        trainer.sync()
        with torch.no_grad():
            sq = sum(p.detach().flatten(1).double().pow(2).sum(1) for p in trainer.params.values())
        self.steps.append(int(trainer.step))
        self.norms.append(sq.sqrt().cpu().tolist())

    def at_step(self, step: int, k: int) -> float:
        """Model k's norm logged at ``step`` (an epoch end)."""
        return self.norms[self.steps.index(step)][k]


def fit_claim_group(cfg: T.TrainConfig, named: list[tuple[str, T.RunSpec]], device: str = "cpu"):
    """Train the runs as one group; ({name: RunResult}, the NormLog, the trainer)."""
    log = NormLog()
    trainer = T.fit_group(cfg, [r for _, r in named], device=device, on_epoch=log)
    return {n: r for (n, _), r in zip(named, trainer.results())}, log, trainer


# --------------------------------------------------------------- measures of the variants' laws


def chi2_limit(df: int, sigmas: float) -> float:
    """The chi-square(df) quantile with upper tail Phi(-sigmas): the one-sided ``sigmas``-sigma level."""
    from scipy.stats import chi2, norm

    return float(chi2.isf(norm.sf(sigmas), df))


def chi2_uniform(labels: np.ndarray, k: int) -> tuple[float, int]:
    """Pearson's goodness-of-fit statistic of labels against the uniform law on k classes, and its df."""
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    expected = labels.size / k
    return float(((counts - expected) ** 2 / expected).sum()), k - 1


def chi2_independence(a: np.ndarray, b: np.ndarray, k: int) -> tuple[float, int]:
    """Pearson's statistic of independence of two label vectors on k classes (k x k table), and its df."""
    table = np.zeros((k, k))
    np.add.at(table, (a, b), 1.0)
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    keep = expected > 0
    return float(((table - expected)[keep] ** 2 / expected[keep]).sum()), (k - 1) ** 2


def chi2_position_map(perms: np.ndarray) -> tuple[float, int]:
    """For n permutations of P positions (rows), Pearson's statistic of the P x P table of how often
    position i was sent to position j against n / P (uniform random permutations), and its df (P - 1)^2
    (row and column sums are n by construction)."""
    n, P = perms.shape
    table = np.zeros((P, P))
    np.add.at(table, (np.broadcast_to(np.arange(P), perms.shape), perms), 1.0)
    expected = n / P
    return float(((table - expected) ** 2 / expected).sum()), (P - 1) ** 2


def shape_statistics(x: np.ndarray) -> dict[str, float]:
    """Mean, variance, skewness and excess kurtosis of all values of x (float64, moments with 1/N)."""
    v = np.asarray(x, dtype=np.float64).ravel()
    m = v.mean()
    d = v - m
    m2 = float(np.mean(d * d))
    return {"mean": float(m), "variance": m2, "skewness": float(np.mean(d**3) / m2**1.5),
            "excess_kurtosis": float(np.mean(d**4) / m2**2 - 3.0), "n": v.size}


def ks_normal(x: np.ndarray, mean: float, std: float) -> float:
    """Kolmogorov-Smirnov distance sup |F_N - Phi((t - mean)/std)| of all values of x."""
    from scipy.special import ndtr

    v = np.sort(np.asarray(x, dtype=np.float64).ravel())
    F = ndtr((v - mean) / std)
    n = v.size
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - F), np.max(F - (i - 1) / n)))


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of the values of two arrays of one size (float64)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    return float(np.corrcoef(a, b)[0, 1])


def neighbour_correlation(x: np.ndarray) -> tuple[float, int]:
    """Correlation of each value with the next one in the same image (flattened), and the pair count."""
    flat = np.asarray(x, dtype=np.float64).reshape(x.shape[0], -1)
    a, b = flat[:, :-1], flat[:, 1:]
    return correlation(a, b), a.size


def concordant_pairs(levels, times) -> float:
    """Pairs of levels (lower, higher) whose times rise (ties count one half): Kendall's concordance."""
    total = 0.0
    for i in range(len(levels)):
        for j in range(len(levels)):
            if levels[i] < levels[j]:
                total += 1.0 if times[j] > times[i] else 0.5 if times[j] == times[i] else 0.0
    return total
