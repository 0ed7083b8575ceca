"""The expressivity figure: how 2n + d ReLU weights fit the labels, and what it costs numerically."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.atomic import save_figure
from vacuity.kernels import expressivity as K


def _toy(theta: float, seed: int):
    # a fixed, varied toy sample: the point is the picture, not the draw
    z = np.array([0.8, 2.1, 3.9, 5.2, 7.0, 8.6])
    y = np.array([1.0, 3.0, 0.0, 2.0, 3.0, 1.0])
    c = K.construct(z[:, None], y, theta=theta, n_directions=1, seed=seed)
    sign = float(c.a[0])  # the 1-D direction is +-1; plot along the projection
    return c, c.z, c.y, sign


def _log_axes(ax, ns) -> None:
    """Log-log axes ticked at the sweep's sizes, with a legend."""
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ns, [f"{int(v)}" for v in ns])
    ax.legend(fontsize=8)


def draw(out_dir: Path, sweep: list[dict], *, theta: float, seed: int) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c, z, y, _ = _toy(theta, seed)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))

    ax = axes[0]
    grid = np.linspace(float(c.b[0]) - 0.5, float(z[-1]) + 0.8, 800)
    total = np.zeros_like(grid)
    for j in range(c.n):
        piece = float(c.w[j]) * np.maximum(grid - float(c.b[j]), 0.0)
        total += piece
        ax.plot(grid, piece, lw=0.9, alpha=0.7, label=f"$w_{j + 1}\\,(z-b_{j + 1})_+$")
        ax.axvline(float(c.b[j]), color="0.6", ls=":", lw=0.8)
    ax.plot(grid, total, color="k", lw=2.2, label="$c(z)=\\sum_j w_j (z-b_j)_+$")
    ax.scatter(z, y, s=45, color="crimson", zorder=5, label="$(z_i, y_i)$")
    span = float(y.max() - y.min()) or 1.0
    ax.set_ylim(float(y.min()) - 0.8 * span, float(y.max()) + 0.8 * span)
    ax.set_xlabel("projection $z=\\langle a,x\\rangle$ (dotted: kinks $b_j$)")
    ax.set_title("(a) interleaved kinks; ReLU pieces sum to the labels")
    ax.legend(fontsize=7, loc="upper left")

    ax = axes[1]
    ns = np.array([r["n"] for r in sweep], dtype=float)
    if len(ns):
        ax.errorbar(ns, [r["gap_mean"] for r in sweep], yerr=[6 * r["gap_se"] for r in sweep], fmt="o",
                    color="C0", label="measured mean $\\min_i(z_i-b_i)$ (6 SE)")
        fine = np.geomspace(ns.min(), ns.max(), 50)
        ax.plot(fine, (1 - theta) * 2 * np.sqrt(np.pi) / (fine * (fine - 1)), color="C0", lw=1,
                label="$(1-\\theta)\\,2\\sqrt{\\pi}/(n(n-1))$")
        _log_axes(ax, ns)
    ax.set_xlabel("n (Gaussian data, one random direction)")
    ax.set_title("(b) Lemma 1's smallest eigenvalue shrinks like $n^{-2}$")

    ax = axes[2]
    if len(ns):
        kap = np.array([r["kappa_median"] for r in sweep])
        ax.plot(ns, kap, "s-", color="C3", label="median $\\kappa$")
        ax.plot(ns, 2.0**-52 * kap, "^--", color="C2", label="$\\varepsilon\\,\\kappa$ (float64 accuracy floor)")
        ax.axhline(0.5, color="0.4", lw=0.8, ls="--")
        ax.text(ns[0], 0.55, "label spacing / 2", fontsize=8, color="0.3")
        _log_axes(ax, ns)
    ax.set_xlabel("n")
    ax.set_title("(c) condition $\\kappa=\\max_i\\sum_j|w_j|(z_i-b_j)_+/\\max|y|$")

    fig.suptitle("Zhang et al. 2017, Theorem 1: a 2n + d weight ReLU network fits any labels", fontsize=11)
    fig.tight_layout()
    path = Path(out_dir) / "expressivity.png"
    save_figure(fig, path)
    plt.close(fig)
    return path
