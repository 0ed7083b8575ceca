"""How a network that fits random signs makes the Rademacher bound vacuous."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.atomic import save_figure
from vacuity.proofs_checked.core.plotting import log_x, pyplot


def draw(out_dir: Path, rows: list[dict], *, dataset: str, delta: float) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 4.6))
    ns = np.array([row["n"] for row in rows], dtype=float)
    ax.axhline(1.0, color="crimson", ls="--", lw=1.2, label="vacuity line (error 1)")
    ax.plot(ns, [row["bound"] for row in rows], "s-",
            color="k", label=r"Rademacher bound (Thm 3.5, $\hat{\mathfrak{R}}_S$ at mean $-$ 6 SE)")
    ax.errorbar(ns, [row["rad_mean"] for row in rows], yerr=[6 * row["rad_se"] for row in rows], fmt="o-",
                color="C0", label=r"$\hat{\mathfrak{R}}_S(H)$ from fitting random signs ($\pm$6 SE)")
    ax.errorbar(ns, [row["test_error"] for row in rows], yerr=[6 * row["test_se"] for row in rows], fmt="^-",
                color="C2", label=r"test error, same network on true labels ($\pm$6 SE)")
    log_x(ax, ns)
    ax.set_ylim(0, max(1.6, max(row["bound"] for row in rows) * 1.1))
    ax.set_xlabel(f"n (training points, {dataset}, binary task)")
    ax.set_ylabel("error / complexity")
    ax.set_title(f"ReLU MLP trained by SGD: the Rademacher bound is vacuous (delta = {delta:g})", fontsize=10)
    ax.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    path = Path(out_dir) / "rademacher-networks.png"
    save_figure(fig, path)
    plt.close(fig)
    return path
