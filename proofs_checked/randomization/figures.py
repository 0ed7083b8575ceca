"""Figure 1 a/b/c and the Table 1-style table of the randomization experiment."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.atomic import save_figure, write_text

VARIANT_NAMES = {"true_labels": "true labels", "partial_labels": "partially corrupted labels",
                 "random_labels": "random labels", "shuffled_pixels": "shuffled pixels",
                 "random_pixels": "random pixels", "gaussian": "Gaussian"}
# overlapping curves stay visible (an MLP sees shuffled pixels as a permuted first layer: its curve
# lies on the true-label one)
STYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (1, 1)))
MODEL_NAMES = {"mlp1x512": "MLP 1x512", "mlp3x512": "MLP 3x512", "alexnet": "Alexnet",
               "inception": "Inception", "inception_nobn": "Inception w/o BatchNorm"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _panel():
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    return plt, fig, ax


def _finish(plt, fig, ax, path: Path) -> Path:
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return path


def fig1a(doc: dict, path: Path) -> Path:
    plt, fig, ax = _panel()
    for i, r in enumerate(doc["groups"].get("fig1a", [])):
        h = r["history"]
        steps = np.asarray(h["step"], dtype=float) / 1000
        label = VARIANT_NAMES.get(r["variant"], r["variant"])
        if r["variant"] == "partial_labels":
            label += f" (p={r['p']:g})"
        ax.plot(steps, h["loss"], lw=1.6, ls=STYLES[i % len(STYLES)], label=label)
    model = MODEL_NAMES.get(doc["config"]["fig1a_model"], doc["config"]["fig1a_model"])
    ax.set_xlabel("thousand steps")
    ax.set_ylabel("average training loss")
    ax.set_title(f"(a) learning curves, {model} on {doc['data']['name']}")
    return _finish(plt, fig, ax, path)


def fig1b(doc: dict, path: Path) -> Path:
    plt, fig, ax = _panel()
    for model, s in doc["summary"]["fig1bc"].items():
        levels = np.asarray(s["levels"])
        rel = np.array([np.nan if v is None else v for v in s["relative_time"]], dtype=float)
        ax.plot(levels, rel, "o-", label=MODEL_NAMES.get(model, model))
        unfit = np.isnan(rel)
        base = s["fit_step"][list(levels).index(0.0)] if 0.0 in list(levels) else None
        if unfit.any() and base:  # not fitted within the budget: at least budget / base
            budget = doc["config"]["max_steps"] / base
            ax.scatter(levels[unfit], np.full(unfit.sum(), budget), marker="^", facecolors="none",
                       edgecolors="k", label=f"{MODEL_NAMES.get(model, model)}: not fitted in budget")
    ax.set_xlabel("label corruption")
    ax.set_ylabel("time to overfit / time with true labels")
    ax.set_title("(b) convergence slowdown")
    return _finish(plt, fig, ax, path)


def fig1c(doc: dict, path: Path) -> Path:
    plt, fig, ax = _panel()
    for model, s in doc["summary"]["fig1bc"].items():
        ax.plot(s["levels"], s["test_error"], "o-",
                label=f"{MODEL_NAMES.get(model, model)} (Spearman {_num(s['spearman_level_test_error'])})")
    ax.axhline(doc["summary"]["chance_error"], color="0.4", ls="--", lw=1, label="chance")
    ax.set_xlabel("label corruption")
    ax.set_ylabel("test error")
    ax.set_ylim(0, 1)
    ax.set_title("(c) generalization error growth")
    return _finish(plt, fig, ax, path)


def _num(x) -> str:
    return "undefined" if x is None else f"{x:.2f}"  # null: a constant side (e.g. every run diverged)


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.2f}"


def table_markdown(doc: dict) -> str:
    d = doc["data"]
    lines = [f"# Table 1 (randomization experiment) — {d['name']}, {d['n_train']} train / {d['n_test']} test",
             "",
             "| model | # params (this input) | # params (CIFAR-10, Table 1) | random crop | weight decay | "
             "train accuracy | test accuracy | steps |",
             "|---|---:|---:|---|---|---:|---:|---:|"]
    last = None
    for r in doc["summary"]["table"]:
        first = r["model"] != last
        last = r["model"]
        name = MODEL_NAMES.get(r["model"], r["model"]) if first else ""
        if r["labels"] == "random":
            name = "(fitting random labels)"
        lines.append(f"| {name} | {r['params']:,} | {r['params_cifar']:,} | {'yes' if r['crop'] else 'no'} | "
                     f"{'yes' if r['weight_decay'] else 'no'} ({r['weight_decay']:g}) | {_pct(r['train_acc'])} | "
                     f"{_pct(r['test_acc'])} | {r['steps']} |")
    lines.append("")
    lines.append("Accuracies in %, at the end of training (training accuracy 100% or the step budget of "
                 f"{doc['config']['max_steps']} steps).")
    return "\n".join(lines) + "\n"


def write_all(doc: dict, out: Path) -> list[str]:
    """Figures into out/figures, the table as markdown and JSON; returns the paths relative to out."""
    import json

    out = Path(out)
    figs = out / "figures"
    written = [fig1a(doc, figs / "fig1a_learning_curves.png"), fig1b(doc, figs / "fig1b_relative_time.png"),
               fig1c(doc, figs / "fig1c_test_error.png")]
    write_text(out / "table1.md", table_markdown(doc))
    write_text(out / "table1.json", json.dumps(doc["summary"]["table"], indent=1, allow_nan=False))
    return [str(p.relative_to(out)) for p in written] + ["table1.md", "table1.json"]


def claim_figure(out: dict, levels: list[float], seeds: list[int], ds, path: Path) -> Path:
    """The claim's picture: learning curves of the variants (first seed), the time to fit and the test
    error vs label corruption (every seed)."""
    from vacuity.sims.randomization import sweep_name

    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
    s0 = seeds[0]
    curves = {"true_labels": out[sweep_name(0.0, s0)], "random_labels": out[sweep_name(1.0, s0)],
              **{v: out[v] for v in ("shuffled_pixels", "random_pixels", "gaussian", "random_labels+wd")}}
    ax = axes[0]
    for i, (v, r) in enumerate(curves.items()):
        h = r.history
        label = VARIANT_NAMES.get(v, "random labels, weight decay")
        ax.plot(np.asarray(h["step"], dtype=float) / 1000, h["loss"], lw=1.5, ls=STYLES[i % len(STYLES)],
                label=label)
    ax.set_xlabel("thousand steps")
    ax.set_ylabel("average training loss")
    ax.set_title(f"(a) MLP 1x512 on {ds.name} ({len(ds.y_train)} training points)")
    ax.legend(fontsize=8)
    for sd in seeds:
        fit = [out[sweep_name(x, sd)].fit_step for x in levels]
        base = fit[0]
        rel = [np.nan if (f is None or not base) else f / base for f in fit]
        axes[1].plot(levels, rel, "o-", lw=1, alpha=0.7, label=f"seed {sd}")
        axes[2].plot(levels, [1 - out[sweep_name(x, sd)].test_acc for x in levels], "o-", lw=1, alpha=0.7,
                     label=f"seed {sd}")
    ax = axes[1]
    ax.set_xlabel("label corruption p")
    ax.set_ylabel("steps to fit / steps with true labels")
    ax.set_title("(b) relative convergence time")
    ax.legend(fontsize=8)
    ax = axes[2]
    ax.axhline(1 - 1 / ds.n_classes, color="0.4", ls="--", lw=1, label="chance")
    ax.set_ylim(0, 1)
    ax.set_xlabel("label corruption p")
    ax.set_ylabel("test error (training error 0)")
    ax.set_title("(c) test error vs label corruption")
    return _finish(plt, fig, ax, path)
