"""Checked claim: deep networks easily fit random labels and random pixels (Zhang et al. 2017, Sec. 2).

symbolic: Table 1's parameter counts from the architectures; the changed-label fraction p (1 - 1/K); the
normal law's skewness and excess kurtosis (0, 0) and the sample versions' variances 6/N and 24/N (delta
method); weight decay alone under SGD with momentum (the step loop against rsolve's closed form).
numeric and torch, cheap, before any training: the models have the derived counts (and run) at CIFAR-10's,
the data's and odd shapes; the label variants, drawn through ``make_variant`` on a large probe, change a
fraction p (1 - 1/K) of the labels (6 SE), and random labels are uniform and independent of the true
labels (chi-square at the 6-sigma level); the variants are fixed draws; shuffled pixels use one
permutation, random pixels a uniform one per image, and a pixel's channels move together; the Gaussian
variant has the law N(mean, var) of the data (4 moments within 6 SE, Kolmogorov-Smirnov distance within the
DKW band, every image its own draw, uncorrelated with the images and between neighbours), on the data and
on a copy with mean 2 and variance 9.
torch: one batched group of MLP 1x512 on embedded data: corruption levels 0..1 for several seeds, shuffled
and random pixels, Gaussian inputs, random labels with weight decay. Every model trains (finite losses,
the loss at least halves, the stated learning-rate schedule); all variants are fitted (>= 99.5%); weight
decay acts (after the first learning-rate period the decayed model's norm is smaller by at least half of
what decay alone removes) and does not prevent the fit; test error rises with corruption (Spearman >= 0.9)
to chance; every corrupted level is fitted at least an epoch later than the true labels in every seed
(Fig. 1b; the gradual rise over the levels is reported); a small CNN, for which a pixel permutation is
not a symmetry, fits shuffled pixels.
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
CNN = "cnn"
MOMENTUM = 0.9  # App. A: SGD with momentum 0.9 (the trainer's default)
LR_DECAY = 0.95  # App. A: the learning rate is multiplied by 0.95 per period
LOSS_DROP = 0.5  # "trained": the final training loss is at most this fraction of the first epoch's
WD_MARGIN = 0.5  # after the first learning-rate period the decayed norm must lose at least this share of what
# weight decay alone removes (the loss gradient gives part of it back; docs/randomization.md, "Derivations")
PROBE_AFFINE = (3.0, 2.0)  # the Gaussian check's second data set: 3 x + 2 (mean ~2, variance ~9)


def math():
    import sympy as sp
    from sympy.printing.mathml import mathml

    def pm(e):
        return mathml(e, printer="presentation")

    N = sp.Symbol("N_params")
    counts = T.counts()
    skew_var, kurt_var = T.normal_shape_variances()
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
        ("N Var of the sample skewness and excess kurtosis of normal draws",
         pm(sp.Tuple(skew_var, kurt_var))),
    ]


# ------------------------------------------------------------------------------------------ steps


def _symbolic(rec: Recorder, P) -> None:
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
    with rec.step("normal law: skewness 0, excess kurtosis 0; N Var of their sample versions 6 and 24 "
                  "(delta method from the normal's moments)", "symbolic") as s:
        limits, variances = T.normal_shape_limits(), T.normal_shape_variances()
        oks = [rec.quantity_compare(name, float(got), want, 0, "derived").passed
               for name, got, want in (("normal_skewness", limits[0], 0), ("normal_excess_kurtosis", limits[1], 0),
                                       ("n_var_sample_skewness", variances[0], 6),
                                       ("n_var_sample_excess_kurtosis", variances[1], 24))]
        s.ok = all(oks)
        s.detail = f"(skewness, excess kurtosis) = {limits}; N Var = {variances}"
    with rec.step("weight decay alone under SGD with momentum: the step-by-step factor equals the closed form "
                  "of its recursion (sympy rsolve) at a constant rate", "symbolic") as s:
        closed = T.decay_only_closed_form()
        at = {T.eta: P["lr"], T.mu: MOMENTUM, T.lam: P["weight_decay"]}
        errs = []
        for steps in (1, 7, 100, 1000):
            exact = complex(T.sp.N(closed.subs({**at, T.t_step: steps}), 30)).real
            errs.append(abs(T.decay_only_factor(steps, P["lr"], MOMENTUM, P["weight_decay"]) / exact - 1))
        q = rec.quantity_compare("decay_alone_closed_form_relative_error", max(errs), 0.0, 1e-9,
                                 "max over t = 1, 7, 100, 1000 (float64 rounding of the loop)")
        s.ok = q.passed
        s.detail = f"p_t = {closed}"[:300]


EXTRA_SHAPES = ((1, 7, 9), (2, 5, 3), (13,))  # odd sides exercise the pools' floors and ceilings


def _models(rec: Recorder, shape) -> None:
    import torch

    from vacuity.sims import models as M
    from vacuity.sims.threads import torch_threads

    shapes = list(dict.fromkeys((M.CIFAR_SHAPE, tuple(shape), *EXTRA_SHAPES)))
    with rec.step("torch models have the derived counts at CIFAR-10's, the data's and odd input shapes, and "
                  "run there", "torch") as s:
        bad = []
        for m in M.MODELS:
            for sh in shapes:
                model = M.build(m, sh)
                got, want = M.table1_count(model), T.count_at(m, sh)
                if got != want:
                    bad.append(f"{m} at {sh}: {got} != {want}")
                if sh == M.CIFAR_SHAPE:  # (the tests run the paper's shape; here the small ones)
                    continue
                try:  # and it runs there: two inputs in, two rows of 10 outputs
                    with torch.no_grad(), torch_threads(1):
                        shape_out = tuple(model.eval()(torch.zeros(2, *sh)).shape)
                except RuntimeError as e:
                    shape_out = f"{type(e).__name__}: {str(e)[:80]}"
                if shape_out != (2, 10):
                    bad.append(f"{m} at {sh}: outputs {shape_out}")
        s.ok = not bad
        s.detail = "; ".join(bad) or f"{len(M.MODELS)} models x {len(shapes)} shapes {shapes}"


def _label_probe(k: int, seed: int):
    """A data set of DRAW_N uniform true labels (inputs of one zero feature) for the label draws."""
    from vacuity.sims.data import Dataset

    y = np.random.default_rng([seed, 7]).integers(0, k, DRAW_N)
    return Dataset(np.zeros((DRAW_N, 1), np.float32), y, np.zeros((1, 1), np.float32), y[:1], k, (1,), "probe")


def _labels(rec: Recorder, ds, levels, seed: int) -> None:
    from vacuity.sims import data as D
    from vacuity.sims import randomization as S

    k = ds.n_classes
    probe = _label_probe(k, seed)
    with rec.step(f"label variants change a fraction p (1 - 1/K) of the labels within {SIGMAS:g} SE "
                  f"({DRAW_N} labels per level, drawn by make_variant)", "numeric") as s:
        oks = []
        for lvl in (*levels, 1.0):
            v = (D.make_variant(probe, "random_labels", seed) if lvl == 1.0
                 else D.make_variant(probe, "partial_labels", seed, p=lvl))
            frac = float(np.mean(v.y_train != probe.y_train))
            q = float(T.changed_fraction().subs({T.p: lvl, T.K: k}))
            oks.append(rec.quantity_compare(f"changed_fraction_p{lvl:g}", frac, q,
                                            mc_tolerance(binomial_se(q, DRAW_N)),
                                            f"{SIGMAS:g} binomial SE").passed)
        s.ok = all(oks)
        s.detail = f"K = {k}; levels {', '.join(f'{v:g}' for v in (*levels, 1.0))} (1: the random-labels variant)"
    with rec.step(f"random labels are uniform and independent of the true labels (chi-square at the "
                  f"{SIGMAS:g}-sigma level)", "numeric") as s:
        y = D.make_variant(probe, "random_labels", seed).y_train
        u, df_u = S.chi2_uniform(y, k)
        ind, df_i = S.chi2_independence(probe.y_train, y, k)
        q1 = rec.quantity_at_most("random_labels_chi2_uniform", u, S.chi2_limit(df_u, SIGMAS),
                                  f"Pearson chi-square, {df_u} df, vs the uniform law on {k} classes")
        q2 = rec.quantity_at_most("random_labels_chi2_independence", ind, S.chi2_limit(df_i, SIGMAS),
                                  f"Pearson chi-square, {df_i} df, random vs true label")
        s.ok = q1.passed and q2.passed
        s.detail = f"chi-square {u:.1f} ({df_u} df), {ind:.1f} ({df_i} df) over {DRAW_N} labels"


def _pixels(rec: Recorder, ds, seed: int) -> None:
    from vacuity.sims import data as D
    from vacuity.sims import randomization as S

    with rec.step("variants are fixed draws: same seed -> same arrays, another seed -> others", "numeric") as s:
        same = all(_equal(D.make_variant(ds, v, seed, p=0.5), D.make_variant(ds, v, seed, p=0.5))
                   for v in D.VARIANTS)
        other = all(not _equal(D.make_variant(ds, v, seed, p=0.5), D.make_variant(ds, v, seed + 1, p=0.5))
                    for v in D.VARIANTS if v != "true_labels")
        s.ok = same and other
        s.detail = f"identical on redraw: {same}; different for seed + 1: {other}"
    with rec.step("shuffled pixels: one permutation for train and test; random pixels: a uniform "
                  "permutation per image", "numeric") as s:
        probe = _position_probe(ds)
        sh = D.make_variant(probe, "shuffled_pixels", seed)
        rp = D.make_variant(probe, "random_pixels", seed)
        perms_sh = np.concatenate([_read_perm(sh.x_train), _read_perm(sh.x_test)])
        perms_rp = np.concatenate([_read_perm(rp.x_train), _read_perm(rp.x_test)])
        positions = perms_sh.shape[1]
        is_perm = all((np.sort(P, axis=1) == np.arange(positions)).all() for P in (perms_sh, perms_rp))
        one = bool((perms_sh == perms_sh[0]).all()) and not (perms_sh[0] == np.arange(positions)).all()
        distinct = len(np.unique(perms_rp, axis=0)) == len(perms_rp)
        together = all(_channels_together(D.make_variant(_channel_probe(ds), v, seed)) for v in
                       ("shuffled_pixels", "random_pixels"))
        chi, df = S.chi2_position_map(perms_rp)
        q = rec.quantity_at_most("random_pixels_chi2_position_map", chi, S.chi2_limit(df, SIGMAS),
                                 f"Pearson chi-square, {df} df: where each position goes, vs uniform")
        s.ok = is_perm and one and distinct and together and q.passed
        s.detail = (f"permutations: {is_perm}; a pixel's 3 channels move together: {together}; "
                    f"shuffled uses one non-identity permutation: {one}; random "
                    f"pixels: {len(np.unique(perms_rp, axis=0))} distinct of {len(perms_rp)} images")
    with rec.step(f"Gaussian variant has the law N(mean, variance) of the data: moments within {SIGMAS:g} SE, "
                  "KS distance within the DKW band, independent of the images", "numeric") as s:
        oks = _gaussian_law(rec, ds, seed, "gaussian", shape=True)
        a, b = PROBE_AFFINE
        scaled = _affine(ds, a, b)  # whitened data have mean 0, variance 1: here a mix-up shows
        oks += _gaussian_law(rec, scaled, seed, "gaussian_scaled", shape=False)
        s.ok = all(oks)
        s.detail = (f"on the data and on {a:g} x + {b:g} (mean {float(scaled.x_train.mean()):.3g}, "
                    f"variance {float(scaled.x_train.var()):.3g}); train and test pixels pooled")


def _gaussian_law(rec: Recorder, ds, seed: int, name: str, shape: bool) -> list[bool]:
    """Mean, variance and KS distance of the variant's pixels (train and test pooled) against N(m, v) of
    the training images; with ``shape`` also skewness, kurtosis and independence from the images and
    between neighbouring pixels (these are invariant under an affine map of the data)."""
    from vacuity.sims import data as D
    from vacuity.sims import randomization as S

    g = D.make_variant(ds, "gaussian", seed)
    x = ds.x_train.astype(np.float64)
    m, v = float(x.mean()), float(x.var())
    gx = np.concatenate([g.x_train.reshape(-1), g.x_test.reshape(-1)])
    st = S.shape_statistics(gx)
    N = st["n"]
    skew_nvar, kurt_nvar = (float(e) for e in T.normal_shape_variances())
    oks = [
        rec.quantity_compare(f"{name}_mean", st["mean"], m, mc_tolerance(normal_mean_se(v, N)),
                             f"{SIGMAS:g} SE of a mean of {N} normals").passed,
        rec.quantity_compare(f"{name}_variance", st["variance"], v, normal_variance_tolerance(v, N),
                             f"{SIGMAS:g} SE of a normal sample variance").passed,
    ]
    alpha = 2 * _phi_upper(SIGMAS)
    eps = T.dkw_epsilon(N, alpha)
    oks.append(rec.quantity_compare(f"{name}_dkw_level", 2 * pymath.exp(-2 * N * eps**2), alpha, 1e-9 * alpha,
                                    "the band's level 2 exp(-2 N eps^2): the stated alpha").passed)
    oks.append(rec.quantity_at_most(f"{name}_ks_distance", S.ks_normal(gx, m, pymath.sqrt(v)), eps,
                                    f"DKW band at level {alpha:.1e} (two-sided {SIGMAS:g} sigma)").passed)
    if not shape:
        return oks
    oks += [
        rec.quantity_compare(f"{name}_skewness", st["skewness"], 0.0, mc_tolerance(pymath.sqrt(skew_nvar / N)),
                             f"{SIGMAS:g} SE, sqrt(6 / N)").passed,
        rec.quantity_compare(f"{name}_excess_kurtosis", st["excess_kurtosis"], 0.0,
                             mc_tolerance(pymath.sqrt(kurt_nvar / N)), f"{SIGMAS:g} SE, sqrt(24 / N)").passed,
    ]
    rows = np.concatenate([g.x_train.reshape(len(g.y_train), -1), g.x_test.reshape(len(g.y_test), -1)])
    distinct = len(np.unique(rows, axis=0))
    oks.append(rec.quantity_compare(f"{name}_distinct_images", distinct, len(rows), 0,
                                    "every image (train and test) its own draw").passed)
    original = np.concatenate([ds.x_train.reshape(-1), ds.x_test.reshape(-1)])
    oks.append(rec.quantity_compare(f"{name}_correlation_with_images", S.correlation(gx, original), 0.0,
                                    mc_tolerance(1 / pymath.sqrt(N)),
                                    f"{SIGMAS:g} SE 1/sqrt(N) of a correlation of independent values").passed)
    r, pairs = S.neighbour_correlation(rows)
    oks.append(rec.quantity_compare(f"{name}_neighbour_correlation", r, 0.0, mc_tolerance(1 / pymath.sqrt(pairs)),
                                    f"adjacent pixels of one image; {SIGMAS:g} SE 1/sqrt({pairs})").passed)
    return oks


def _phi_upper(z: float) -> float:
    return 0.5 * pymath.erfc(z / pymath.sqrt(2))


def _affine(ds, a: float, b: float):
    from dataclasses import replace

    return replace(ds, x_train=(a * ds.x_train + b).astype(np.float32), x_test=(a * ds.x_test + b).astype(np.float32),
                   name=f"{ds.name} ({a:g} x + {b:g})")


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


def _channel_probe(ds):
    """A 3-channel data set with ds's image size (a vector shape as 1 x L) whose channel c at position i
    holds i + 1000 c: after a pixel permutation every position must still hold (i, i + 1000, i + 2000)."""
    from dataclasses import replace

    h, w = (ds.shape[1], ds.shape[2]) if len(ds.shape) == 3 else (1, ds.shape[0])
    base = np.arange(h * w, dtype=np.float32).reshape(1, h, w)
    img = np.concatenate([base + 1000 * c for c in range(3)])

    def probe(n):
        return np.ascontiguousarray(np.broadcast_to(img, (n, 3, h, w)))

    return replace(ds, x_train=probe(len(ds.y_train)), x_test=probe(len(ds.y_test)), shape=(3, h, w))


def _channels_together(v) -> bool:
    x = np.concatenate([v.x_train, v.x_test]).reshape(-1, 3, v.shape[1] * v.shape[2])
    positions = np.sort(x[:, 0], axis=1) == np.arange(x.shape[2])
    return bool(positions.all() and (x[:, 1] == x[:, 0] + 1000).all() and (x[:, 2] == x[:, 0] + 2000).all())


def _read_perm(x):
    from vacuity.sims.data import _pixel_axes

    ch, positions = _pixel_axes(x.shape[1:])
    flat = x.reshape(x.shape[0], ch, positions)
    return flat[:, 0, :].astype(np.int64)


# ------------------------------------------------------------------------------------------ torch


def _train_config(P, model: str):
    from vacuity.sims import train as TR

    return TR.TrainConfig(model=model, lr=P["lr"], momentum=MOMENTUM, lr_decay=LR_DECAY, batch_size=P["batch_size"],
                          max_steps=P["max_steps"], decay_steps=P["decay_steps"])


def _sweep_draws(rec: Recorder, runs: dict, ds, levels, seeds) -> None:
    """Every seed of the corruption sweep trains on its own draw of the corrupted labels (and its own seed)."""
    from itertools import combinations

    from vacuity.sims.randomization import sweep_name

    with rec.step("each seed of the corruption sweep draws its own corrupted labels", "numeric") as s:
        pairs = list(combinations(seeds, 2))
        corrupted = (*levels, 1.0)
        same = sum(np.array_equal(runs[sweep_name(lvl, a)].data.y_train, runs[sweep_name(lvl, b)].data.y_train)
                   for lvl in corrupted for a, b in pairs)
        n = len(ds.y_train)
        # union bound on two independent draws agreeing on all n labels somewhere: a^n per pair and level
        chance = len(pairs) * sum(float(T.label_agreement().subs({T.p: lvl, T.K: ds.n_classes})) ** n
                                  for lvl in corrupted)
        note = (f"seed pairs x corrupted levels ({len(pairs)} x {len(corrupted)}) with identical training labels; "
                f"chance of any for independent draws <= {chance:.2g}")
        if chance <= 1e-9:
            q = rec.quantity_compare("sweep_seed_pairs_same_labels", float(same), 0.0, 0.0, note=note)
        else:
            q = rec.quantity_report("sweep_seed_pairs_same_labels", float(same), note=note + " (too likely to judge)")
        seeded = all(runs[sweep_name(lvl, sd)].seed == sd for lvl in (0.0, *corrupted) for sd in seeds)
        s.ok = q.passed and seeded
        s.detail = f"{same} identical label vectors across {len(pairs)} seed pairs; runs seeded by their seed: {seeded}"


def _train(rec: Recorder, ctx, ds, levels, seeds):
    from vacuity.sims import randomization as S
    from vacuity.sims.threads import torch_threads

    P = ctx.params
    named = S.claim_runs(ds, levels, seeds, P["weight_decay"])
    _sweep_draws(rec, dict(named), ds, levels, seeds)
    cfg = _train_config(P, MODEL)
    out, log, trainer = {}, None, None
    per = f"{P['decay_steps']} steps" if P["decay_steps"] else "epoch"
    with rec.step(f"train {len(named)} MLP 1x512 models as one batched group (SGD, momentum 0.9, "
                  f"lr {P['lr']:g} x {LR_DECAY:g} per {per}): every model trains", "torch") as s:
        with torch_threads(P["threads"]):
            out, log, trainer = S.fit_claim_group(cfg, named, device=P["device"])
        ratios = []
        for r in out.values():
            h = r.history
            finite = all(pymath.isfinite(v) for v in (*h["loss"], *h["train_loss"], r.train_loss))
            ratios.append(r.train_loss / h["loss"][0] if finite and h["loss"] and h["loss"][0] > 0 else float("inf"))
        worst = max(ratios)
        q = rec.quantity_at_most("max_final_over_first_epoch_loss", worst, LOSS_DROP,
                                 "final training loss / first epoch's mean minibatch loss, worst model (finite)")
        # the stated schedule: lr x 0.95 per decay period (one epoch when decay_steps is 0)
        period = P["decay_steps"] or -(-len(ds.y_train) // P["batch_size"])
        drift = max(abs(lr / (P["lr"] * LR_DECAY ** (st // period)) - 1)
                    for r in out.values() for st, lr in zip(r.history["step"], r.history["lr"]))
        q2 = rec.quantity_compare("lr_schedule_relative_error", drift, 0.0, 1e-9,
                                  f"every model's recorded rates vs {P['lr']:g} x {LR_DECAY:g}^(step // {period})")
        s.ok = q.passed and q2.passed and len(out) == len(named)
        s.detail = "; ".join(f"{n}: train {100 * r.train_acc:.1f}% test {100 * r.test_acc:.1f}% "
                             f"({r.steps} steps)" for n, r in out.items())
    return out, log, trainer


def _fits(rec: Recorder, out: dict, seeds) -> None:
    from vacuity.sims.randomization import sweep_name

    s0 = seeds[0]
    first = {"true_labels": out[sweep_name(0.0, s0)], "random_labels": out[sweep_name(1.0, s0)],
             **{v: out[v] for v in ("shuffled_pixels", "random_pixels", "gaussian")}}
    with rec.step(f"random labels, shuffled/random pixels and Gaussian inputs fitted to >= {100 * FIT:g}% "
                  "training accuracy (MLP), every corruption level in every seed too", "torch") as s:
        oks = [rec.quantity_at_most(f"train_error_{v}", 1 - r.train_acc, 1 - FIT, f"fitted at step {r.fit_step}").passed
               for v, r in first.items()]
        sweep = [r for n, r in out.items() if n.startswith("p=")]
        oks.append(rec.quantity_at_most("max_train_error_sweep", max(1 - r.train_acc for r in sweep), 1 - FIT,
                                        f"worst of the {len(sweep)} runs of the corruption sweep").passed)
        s.ok = all(oks)
        s.detail = ", ".join(f"{v} {100 * r.train_acc:.2f}%" for v, r in first.items())


def _weight_decay(rec: Recorder, out: dict, log, trainer, seeds, P) -> None:
    from vacuity.sims.randomization import sweep_name

    wd = P["weight_decay"]
    names = list(out)
    a, b = names.index(sweep_name(1.0, seeds[0])), names.index("random_labels+wd")
    ra, rb = out[names[a]], out[names[b]]
    cfg = trainer.cfg

    def shrink(step):
        alone = T.decay_only_factor(step, cfg.learning_rate, cfg.momentum, wd, cfg.lr_decay, trainer.decay_steps)
        return log.at_step(step, b) / log.at_step(step, a), alone

    with rec.step(f"weight decay {wd:g} acts (after the first learning-rate period the decayed norm is smaller "
                  f"by >= {WD_MARGIN:g} of what decay alone removes) and does not prevent fitting random labels "
                  "(MLP)", "torch") as s:
        end = min(ra.steps, rb.steps)
        early = next(st for st in log.steps if st >= min(trainer.decay_steps, end))
        ratio, alone = shrink(early)
        q1 = rec.quantity_at_most("weight_norm_ratio_wd", ratio, 1 - WD_MARGIN * (1 - alone),
                                  f"norm with / without weight decay after {early} steps (same seed, data, order); "
                                  f"decay alone: x{alone:.5f}")
        rec.quantity_report("weight_decay_shrinkage_over_decay_alone", (1 - ratio) / (1 - alone),
                            f"(1 - ratio) / (1 - decay alone) after {early} steps")
        ratio_end, alone_end = shrink(end)
        rec.quantity_report("weight_decay_shrinkage_over_decay_alone_end", (1 - ratio_end) / (1 - alone_end),
                            f"the same after {end} steps: the loss gradient gives back a share that grows with "
                            "training")
        q2 = rec.quantity_at_most("train_error_random_labels_wd", 1 - rb.train_acc, 1 - FIT,
                                  f"weight decay {wd:g}; fitted at step {rb.fit_step}")
        s.ok = q1.passed and q2.passed
        s.detail = (f"norm ratio {ratio:.5f} after {early} steps (decay alone x{alone:.5f}), {ratio_end:.5f} after "
                    f"{end} (x{alone_end:.5f}); training accuracy {100 * rb.train_acc:.2f}% after {rb.steps} steps")


def _sweep(out: dict, levels, seeds, attr):
    from vacuity.sims.randomization import sweep_name

    xs = [0.0, *levels, 1.0]
    return xs, np.array([[getattr(out[sweep_name(x, sd)], attr) for x in xs] for sd in seeds], dtype=object)


def _fig1c(rec: Recorder, out: dict, levels, seeds, n_classes: int, n_test: int) -> None:
    from vacuity.sims.randomization import spearman, sweep_name

    with rec.step(f"test error rises with label corruption (Spearman of the seed mean >= {MIN_SPEARMAN}) to "
                  "chance", "numeric") as s:
        xs, acc = _sweep(out, levels, seeds, "test_acc")
        err = 1 - acc.astype(float)
        mean = err.mean(axis=0)
        rho = spearman(xs, mean)
        rec.quantity_report("spearman_level_test_error", rho,
                            f"rank correlation of corruption level and test error (mean of {len(seeds)} seeds)")
        rec.quantity_report("spearman_level_test_error_worst_seed", min(spearman(xs, e) for e in err),
                            "the same, per seed: the smallest")
        q1 = rec.quantity_at_most("spearman_shortfall", MIN_SPEARMAN - rho, 0.0,
                                  f"Spearman(level, test error) = {rho:.3f} >= {MIN_SPEARMAN}")
        chance = float(T.chance_error().subs(T.K, n_classes))
        e1 = 1 - out[sweep_name(1.0, seeds[0])].test_acc
        q2 = rec.quantity_compare("test_error_random_labels", e1, chance,
                                  mc_tolerance(binomial_se(chance, n_test)),
                                  f"chance 1 - 1/K; {SIGMAS:g} SE of a binomial over {n_test} test points")
        s.ok = q1.passed and q2.passed
        s.detail = "mean test error " + ", ".join(f"p={x:g}: {e:.3f}" for x, e in zip(xs, mean))


def _fig1b(rec: Recorder, out: dict, levels, seeds, steps_per_epoch: int) -> None:
    from vacuity.sims.randomization import concordant_pairs, sweep_name

    with rec.step("time to fit (Fig. 1b): every corrupted level is fitted at least one epoch later than the "
                  f"true labels, in each of {len(seeds)} seeds", "torch") as s:
        xs, fit = _sweep(out, levels, seeds, "fit_step")
        if any(f is None for f in fit.ravel()):
            s.detail = "a run of the sweep was not fitted within the budget: no time to fit"
            return
        fit = fit.astype(float)
        extra = (fit[:, 1:] - fit[:, :1]) / steps_per_epoch
        q = rec.quantity_at_least("min_extra_epochs_to_fit", float(extra.min()), 1.0,
                                  f"min over {len(seeds)} seeds and the corrupted levels of (steps to fit - steps "
                                  f"with true labels) / {steps_per_epoch} steps per epoch")
        k = len(xs)
        rec.quantity_report("pvalue_true_labels_first", float(k) ** -len(seeds),
                            f"P[true labels fitted first in all {len(seeds)} seeds] if the level did not matter: "
                            f"(1/{k})^{len(seeds)}")
        rel = fit / fit[:, :1]
        geo = np.exp(np.log(rel).mean(axis=0))
        for x, g in zip(xs[1:], geo[1:]):
            rec.quantity_report(f"relative_time_p{x:g}", float(g), f"steps to fit / with true labels, "
                                f"geometric mean of {len(seeds)} seeds")
        slow = out[sweep_name(1.0, seeds[0])].fit_step / out[sweep_name(0.0, seeds[0])].fit_step
        rec.quantity_report("slowdown_random_vs_true", slow, f"seed {seeds[0]}: steps to fit random / true labels")
        # the paper's gradual rise: among the corrupted levels, does the time keep growing with the level?
        conc = sum(concordant_pairs(xs[1:], row[1:]) for row in fit)
        pairs = (k - 1) * (k - 2) // 2 * len(seeds)
        rec.quantity_report("gradual_rise_concordance", conc / pairs,
                            "fraction of (lower, higher) corrupted-level pairs fitted in rising order, all seeds "
                            "(0.5: no trend, 1: a strict rise)")
        rec.quantity_report("gradual_rise_pvalue", T.concordance_pvalue(conc, k - 1, len(seeds)),
                            "exact P[concordance >= measured] if the corrupted levels' order were random")
        t0 = out[sweep_name(0.0, seeds[0])].fit_step
        for v in ("shuffled_pixels", "random_pixels", "gaussian"):
            f = out[v].fit_step
            rec.quantity_report(f"relative_time_{v}", f / t0 if f and t0 else float("nan"),
                                "steps to fit / steps with true labels (first seed)")
        s.ok = q.passed
        s.detail = ("relative time (geometric mean) " + ", ".join(f"p={x:g}: {g:.2f}" for x, g in zip(xs, geo))
                    + f"; rising order among the corrupted levels in {conc / pairs:.0%} of pairs")


def _cnn(rec: Recorder, ctx, ds, seed: int) -> None:
    from vacuity.sims import data as D
    from vacuity.sims import train as TR
    from vacuity.sims.threads import torch_threads

    P = ctx.params
    runs = [TR.RunSpec(D.make_variant(ds, v, seed), seed=seed, label=v) for v in ("true_labels", "shuffled_pixels")]
    cfg = _train_config(P, CNN)
    with rec.step(f"a small CNN (a pixel permutation is not its symmetry, as it is an MLP's) fits shuffled "
                  f"pixels to >= {100 * FIT:g}%", "torch") as s:
        with torch_threads(P["threads"]):
            true, shuffled = TR.train_group(cfg, runs, device=P["device"])
        q1 = rec.quantity_at_most("train_error_cnn_shuffled_pixels", 1 - shuffled.train_acc, 1 - FIT,
                                  f"fitted at step {shuffled.fit_step}")
        q2 = rec.quantity_at_most("train_error_cnn_true_labels", 1 - true.train_acc, 1 - FIT,
                                  f"fitted at step {true.fit_step}")
        rec.quantity_report("test_error_cnn_true_labels", 1 - true.test_acc, "")
        rec.quantity_report("test_error_cnn_shuffled_pixels", 1 - shuffled.test_acc,
                            "the convolutions' locality is lost on shuffled pixels")
        s.ok = q1.passed and q2.passed
        s.detail = (f"true labels: train {100 * true.train_acc:.1f}% test {100 * true.test_acc:.1f}% "
                    f"({true.steps} steps); shuffled pixels: train {100 * shuffled.train_acc:.1f}% test "
                    f"{100 * shuffled.test_acc:.1f}% ({shuffled.steps} steps)")


def run(ctx):
    from vacuity.sims import data as D
    from vacuity.sims.randomization import claim_seeds

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
    seeds = claim_seeds(ctx.seed, P["seeds"])
    # cheap checks first (a wrong formula or sampler fails in about a second), then the training
    _symbolic(rec, P)
    _models(rec, ds.shape)
    _labels(rec, ds, levels, ctx.seed)
    _pixels(rec, ds, ctx.seed)
    out, log, trainer = _train(rec, ctx, ds, levels, seeds)
    if out:
        _fits(rec, out, seeds)
        _weight_decay(rec, out, log, trainer, seeds, P)
        _fig1c(rec, out, levels, seeds, ds.n_classes, len(ds.y_test))
        _fig1b(rec, out, levels, seeds, trainer.steps_per_epoch)
        _cnn(rec, ctx, ds, ctx.seed)
        if ctx.figures_dir is not None:
            from vacuity.proofs_checked.randomization import figures as F

            path = F.claim_figure(out, [0.0, *levels, 1.0], seeds, ds, Path(ctx.figures_dir) / "randomization.png")
            rec.figures.append(f"figures/{path.name}")
    params = dict(P, n_train_used=len(ds.y_train), n_test_used=len(ds.y_test))
    return rec.result(params)
