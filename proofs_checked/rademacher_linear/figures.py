"""The linear class's 1/sqrt(n) law, and what is lost to Jensen."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.atomic import save_figure
from vacuity.proofs_checked.core.plotting import log_x, pyplot


def draw(out_dir: Path, sweep: list[dict], *, r: float, lam: float, d: int) -> Path:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.4))
    ns = np.array([row["n"] for row in sweep], dtype=float)
    means = np.array([row["mean"] for row in sweep])
    ses = np.array([row["se"] for row in sweep])
    bound = r * lam / np.sqrt(ns)

    ax = axes[0]
    fine = np.geomspace(ns.min(), ns.max(), 100)
    ax.plot(fine, r * lam / np.sqrt(fine), color="k", lw=1.5, label=r"bound $r\Lambda/\sqrt{n}$")
    ax.errorbar(ns, means, yerr=6 * ses, fmt="o", color="C0", ms=5,
                label=r"Monte Carlo $\hat{\mathfrak{R}}_S(H)$ ($\pm$6 SE)")
    ax.set_yscale("log")
    log_x(ax, ns)
    ax.set_xlabel(f"n (points on the sphere of radius r = {r:g} in $R^{{{d}}}$)")
    ax.set_ylabel(r"$\hat{\mathfrak{R}}_S(H)$")
    ax.set_title(r"(a) linear class $\|w\|\leq\Lambda$: slope $-1/2$ on log-log axes", fontsize=10)
    ax.legend(fontsize=8)

    ax = axes[1]
    ax.axhline(1.0, color="k", lw=1.2, label="the bound")
    ax.errorbar(ns, means / bound, yerr=6 * ses / bound, fmt="o", color="C0", ms=5,
                label=r"$\hat{\mathfrak{R}}_S(H)\,/\,(r\Lambda/\sqrt{n})$ ($\pm$6 SE)")
    log_x(ax, ns)
    low, high = (means - 6 * ses) / bound, (means + 6 * ses) / bound
    ax.set_ylim(float(low.min()) - 0.005, max(1.01, float(high.max()) + 0.005))
    ax.set_xlabel("n")
    ax.set_title(r"(b) what is lost is only Jensen's $E\|s\| \leq \sqrt{E\|s\|^2}$, flat in n", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")

    fig.suptitle(r"Mohri et al. Thm 5.10: $\hat{\mathfrak{R}}_S(H) \leq r\Lambda/\sqrt{n}$", fontsize=11)
    fig.tight_layout()
    path = Path(out_dir) / "rademacher-linear.png"
    save_figure(fig, path)
    plt.close(fig)
    return path
