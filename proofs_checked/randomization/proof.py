"""Checked claim: deep networks easily fit random labels and random pixels (Zhang et al. 2017, Sec. 2).

symbolic: Table 1's parameter counts from the architectures; the changed-label fraction p (1 - 1/K).
numeric: the corruption draws match p (1 - 1/K) within 6 standard errors; the variants are fixed draws
(same seed -> same data; one pixel permutation for shuffled pixels, one per image for random pixels);
the Gaussian variant matches the data's mean and variance.
torch: one batched group of MLP 1x512 runs (true labels, corruption levels, random labels, shuffled and
random pixels, Gaussian, random labels with weight decay) trained with SGD + momentum on embedded data;
random labels and random inputs are fitted to >= 99.5% training accuracy, test error rises with the
corruption level (Spearman >= 0.9) toward chance, and the slowdown of fitting random vs true labels is
reported.
"""

from __future__ import annotations

import math as pymath
from pathlib import Path

import numpy as np

from vacuity.errors import BadInput
from vacuity.kernels.tolerances import SIGMAS, binomial_se, mc_tolerance, normal_mean_se, normal_variance_tolerance
from vacuity.proofs_checked.core.recorder import Recorder
from vacuity.proofs_checked.randomization import levels_error, parse_levels  # noqa: F401  (re-exported)
from vacuity.theory import randomization as T

FIT = 0.995  # "fitted": training accuracy at least 99.5%
MIN_SPEARMAN = 0.9
DRAW_N = 200_000  # labels per corruption level in the draw check (6 SE = 0.0067 at p = 1/2)
MODEL = "mlp1x512"


def math():
    import sympy as sp
    from sympy.printing.mathml import mathml

    def pm(e):
        return mathml(e, printer="presentation")

    N = sp.Symbol("N_params")
    counts = T.counts()
    return [
        ("MLP 1x512 parameter count (input c x h x w, K classes)", pm(sp.Eq(N, counts["mlp1x512"]))),
        ("MLP 3x512 parameter count", pm(sp.Eq(N, counts["mlp3x512"]))),
        ("small Inception parameter count (global pooling: no h, w)", pm(sp.Eq(N, counts["inception"]))),
        ("Probability that a corrupted label differs from the true one",
         pm(sp.Eq(sp.Symbol("q"), T.changed_fraction()))),
        ("Variance of the changed fraction over n labels",
         pm(sp.Eq(sp.Symbol("Var"), T.changed_fraction_variance()))),
        ("Expected test error when the training labels are independent of the inputs",
         pm(sp.Eq(sp.Symbol("E_err"), T.chance_error()))),
    ]


# ------------------------------------------------------------------------------------------ steps


def _symbolic(rec: Recorder) -> None:
    with rec.step("Table 1 parameter counts derived from the architectures (c, h, w, K symbolic)",
                  "symbolic") as s:
        at = {m: int(e.subs(T.CIFAR)) for m, e in T.counts().items()}
        for m, want in T.TABLE1.items():
            rec.quantity_compare(f"params_{m}_cifar", at[m], want, 0, "derived count at (3, 28, 28), K = 10")
        s.ok = all(at[m] == want for m, want in T.TABLE1.items())
        s.detail = ", ".join(f"{m} {at[m]:,}" for m in at) + " (Inception: BatchNorm scale/shift not counted)"
    with rec.step("changed-label probability p (1 - 1/K) derived from the two draws", "symbolic") as s:
        q = T.changed_fraction()
        s.ok = bool(T.sp.simplify(q - T.p * (T.K - 1) / T.K) == 0)
        s.detail = f"q = {q}; Var(fraction over n) = {T.changed_fraction_variance()}"


def _models(rec: Recorder, shape) -> None:
    from vacuity.sims import models as M

    with rec.step("torch models have the derived counts at CIFAR-10's and the data's input shape", "torch") as s:
        bad = []
        for m in M.MODELS:
            for sh in (M.CIFAR_SHAPE, tuple(shape)):
                got, want = M.table1_count(M.build(m, sh)), T.count_at(m, sh)
                if got != want:
                    bad.append(f"{m} at {sh}: {got} != {want}")
        s.ok = not bad
        s.detail = "; ".join(bad) or f"5 models x 2 shapes ({M.CIFAR_SHAPE}, {tuple(shape)})"


def _draws(rec: Recorder, ds, levels, seed: int) -> None:
    from vacuity.sims import data as D

    with rec.step(f"corrupted fraction matches p (1 - 1/K) within {SIGMAS:g} SE ({DRAW_N} labels per level)",
                  "numeric") as s:
        rng = np.random.default_rng([seed, 7])
        k = ds.n_classes
        y = rng.integers(0, k, DRAW_N)
        oks = []
        for lvl in (*levels, 1.0):
            got = D.corrupt_labels(y, lvl, k, np.random.default_rng([seed, 8, int(lvl * 1e6)]))
            frac = float(np.mean(got != y))
            q = float(T.changed_fraction().subs({T.p: lvl, T.K: k}))
            oks.append(rec.quantity_compare(f"changed_fraction_p{lvl:g}", frac, q,
                                            mc_tolerance(binomial_se(q, DRAW_N)),
                                            f"{SIGMAS:g} binomial SE").passed)
        s.ok = all(oks)
        s.detail = f"K = {k}; levels {', '.join(f'{v:g}' for v in (*levels, 1.0))}"
    with rec.step("variants are fixed draws: same seed -> same arrays, another seed -> others", "numeric") as s:
        same = all(_equal(D.make_variant(ds, v, seed, p=0.5), D.make_variant(ds, v, seed, p=0.5))
                   for v in D.VARIANTS)
        other = all(not _equal(D.make_variant(ds, v, seed, p=0.5), D.make_variant(ds, v, seed + 1, p=0.5))
                    for v in D.VARIANTS if v != "true_labels")
        s.ok = same and other
        s.detail = f"identical on redraw: {same}; different for seed + 1: {other}"
    with rec.step("shuffled pixels: one permutation for train and test; random pixels: one per image",
                  "numeric") as s:
        probe = _position_probe(ds)
        sh = D.make_variant(probe, "shuffled_pixels", seed)
        rp = D.make_variant(probe, "random_pixels", seed)
        perms_sh = np.concatenate([_read_perm(sh.x_train), _read_perm(sh.x_test)])
        perms_rp = np.concatenate([_read_perm(rp.x_train), _read_perm(rp.x_test)])
        positions = perms_sh.shape[1]
        is_perm = all((np.sort(P, axis=1) == np.arange(positions)).all() for P in (perms_sh, perms_rp))
        one = bool((perms_sh == perms_sh[0]).all()) and not (perms_sh[0] == np.arange(positions)).all()
        distinct = len(np.unique(perms_rp, axis=0)) == len(perms_rp)
        s.ok = is_perm and one and distinct
        s.detail = (f"permutations: {is_perm}; shuffled uses one non-identity permutation: {one}; random "
                    f"pixels: {len(np.unique(perms_rp, axis=0))} distinct of {len(perms_rp)} images")
    with rec.step(f"Gaussian variant matches the data's mean and variance within {SIGMAS:g} SE", "numeric") as s:
        g = D.make_variant(ds, "gaussian", seed)
        x = ds.x_train.astype(np.float64)
        m, v = float(x.mean()), float(x.var())
        gx = g.x_train.astype(np.float64)
        N = gx.size
        q1 = rec.quantity_compare("gaussian_mean", float(gx.mean()), m, mc_tolerance(normal_mean_se(v, N)),
                                  f"{SIGMAS:g} SE of a mean of {N} normals")
        q2 = rec.quantity_compare("gaussian_variance", float(gx.var()), v, normal_variance_tolerance(v, N),
                                  f"{SIGMAS:g} SE of a normal sample variance")
        s.ok = q1.passed and q2.passed
        s.detail = f"data mean {m:.4g}, variance {v:.4g}"


def _equal(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("x_train", "y_train", "x_test", "y_test"))


def _position_probe(ds):
    """A data set of ds's shape whose pixel values name their position (all channels alike)."""
    from dataclasses import replace

    from vacuity.sims.data import _pixel_axes

    ch, positions = _pixel_axes(ds.shape)

    def probe(n):
        x = np.broadcast_to(np.arange(positions, dtype=np.float32), (n, ch, positions))
        return np.ascontiguousarray(x).reshape((n, *ds.shape))

    return replace(ds, x_train=probe(len(ds.y_train)), x_test=probe(len(ds.y_test)))


def _read_perm(x):
    from vacuity.sims.data import _pixel_axes

    ch, positions = _pixel_axes(x.shape[1:])
    flat = x.reshape(x.shape[0], ch, positions)
    return flat[:, 0, :].astype(np.int64)


def _train(rec: Recorder, ctx, ds, levels) -> dict | None:

    from vacuity.sims import data as D
    from vacuity.sims import train as TR
    from vacuity.sims.threads import torch_threads

    P = ctx.params
    seed = ctx.seed
    runs, names = [], []
    for v in D.VARIANTS:
        if v == "partial_labels":
            continue
        runs.append(TR.RunSpec(D.make_variant(ds, v, seed), seed=seed, label=v))
        names.append(v)
    for lvl in levels:
        runs.append(TR.RunSpec(D.make_variant(ds, "partial_labels", seed, p=lvl), seed=seed, label=f"p={lvl:g}"))
        names.append(f"p={lvl:g}")
    runs.append(TR.RunSpec(D.make_variant(ds, "random_labels", seed), seed=seed, weight_decay=P["weight_decay"],
                           label="random_labels+wd"))
    names.append("random_labels+wd")
    cfg = TR.TrainConfig(model=MODEL, lr=P["lr"], batch_size=P["batch_size"], max_steps=P["max_steps"],
                         decay_steps=P["decay_steps"])
    out = {}
    with rec.step(f"train {len(runs)} MLP 1x512 models as one batched group (SGD, momentum 0.9, "
                  f"lr {cfg.learning_rate:g} x 0.95 per {P['decay_steps']} steps)", "torch") as s:
        with torch_threads(P["threads"]):
            res = TR.train_group(cfg, runs, progress=False, device=P["device"])
        out = {n: r for n, r in zip(names, res)}
        s.ok = True
        s.detail = "; ".join(f"{n}: train {100 * r.train_acc:.1f}% test {100 * r.test_acc:.1f}% "
                             f"({r.steps} steps)" for n, r in out.items())
    return out


def _fits(rec: Recorder, out: dict, levels, n_classes: int, n_test: int, wd: float) -> None:
    with rec.step(f"random labels, shuffled/random pixels and Gaussian inputs fitted to >= {100 * FIT:g}% "
                  "training accuracy", "torch") as s:
        oks = []
        for v in ("true_labels", "random_labels", "shuffled_pixels", "random_pixels", "gaussian"):
            oks.append(rec.quantity_at_most(f"train_error_{v}", 1 - out[v].train_acc, 1 - FIT,
                                            f"fitted at step {out[v].fit_step}").passed)
        s.ok = all(oks)
        s.detail = ", ".join(f"{v} {100 * out[v].train_acc:.2f}%" for v in
                             ("true_labels", "random_labels", "shuffled_pixels", "random_pixels", "gaussian"))
    with rec.step(f"weight decay {wd:g} does not prevent fitting random labels (MLP)", "torch") as s:
        r = out["random_labels+wd"]
        s.ok = rec.quantity_at_most("train_error_random_labels_wd", 1 - r.train_acc, 1 - FIT,
                                    f"weight decay {wd:g}; fitted at step {r.fit_step}").passed
        s.detail = f"training accuracy {100 * r.train_acc:.2f}% after {r.steps} steps"
    with rec.step(f"test error rises with label corruption (Spearman >= {MIN_SPEARMAN}) toward chance",
                  "numeric") as s:
        from vacuity.sims.randomization import spearman

        xs = [0.0, *levels, 1.0]
        runs = [out["true_labels"], *(out[f"p={v:g}"] for v in levels), out["random_labels"]]
        err = [1 - r.test_acc for r in runs]
        rho = spearman(xs, err)
        rec.quantity_report("spearman_level_test_error", rho, "rank correlation of corruption level and test error")
        q1 = rec.quantity_at_most("spearman_shortfall", MIN_SPEARMAN - rho, 0.0,
                                  f"Spearman(level, test error) = {rho:.3f} >= {MIN_SPEARMAN}")
        chance = 1 - 1 / n_classes
        q2 = rec.quantity_compare("test_error_random_labels", err[-1], chance,
                                  mc_tolerance(binomial_se(chance, n_test)),
                                  f"chance 1 - 1/K; {SIGMAS:g} SE of a binomial over {n_test} test points")
        s.ok = q1.passed and q2.passed
        s.detail = "test error " + ", ".join(f"p={x:g}: {e:.3f}" for x, e in zip(xs, err))
    with rec.step("time to fit: slowdown of random vs true labels (measured)", "torch") as s:
        fr, ft = out["random_labels"].fit_step, out["true_labels"].fit_step
        slow = fr / ft if fr and ft else float("nan")
        rec.quantity_report("slowdown_random_vs_true", slow, f"steps to 100% train accuracy: {fr} vs {ft}")
        for v in ("shuffled_pixels", "random_pixels", "gaussian"):
            f = out[v].fit_step
            rec.quantity_report(f"relative_time_{v}", f / ft if f and ft else float("nan"),
                                "steps to fit / steps with true labels")
        s.ok = pymath.isfinite(slow)
        s.detail = f"random labels {fr} steps, true labels {ft} steps: x{slow:.2f}"


def run(ctx):
    from vacuity.sims import data as D

    rec = Recorder(ctx)
    P = ctx.params
    levels = parse_levels(P["levels"])
    if P["device"] != "cpu":
        import torch

        if not torch.cuda.is_available():
            raise BadInput(f"device {P['device']}: torch finds no CUDA device")
    try:
        ds = D.load(P["dataset"], seed=ctx.seed, n_train=P["n_train"] or None, n_test=P["n_test"] or None)
    except ValueError as e:
        raise BadInput(str(e)) from None
    _symbolic(rec)
    _models(rec, ds.shape)
    _draws(rec, ds, levels, ctx.seed)
    out = _train(rec, ctx, ds, levels)
    if out:
        _fits(rec, out, levels, ds.n_classes, len(ds.y_test), P["weight_decay"])
        if ctx.figures_dir is not None:
            from vacuity.proofs_checked.randomization import figures as F

            path = F.claim_figure(out, [0.0, *levels, 1.0], ds, Path(ctx.figures_dir) / "randomization.png")
            rec.figures.append(f"figures/{path.name}")
    params = dict(P, n_train_used=len(ds.y_train), n_test_used=len(ds.y_test))
    return rec.result(params)
