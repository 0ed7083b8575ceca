"""Figures for the Rademacher claims: the linear class's 1/sqrt(n) law, and how a network that fits
random signs makes the Rademacher bound vacuous."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.proofs_checked.atomic import save_figure


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _log_x(ax, ns) -> None:
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ns, [f"{int(v)}" for v in ns])


def draw_linear(out_dir: Path, sweep: list[dict], *, r: float, lam: float, d: int) -> Path:
    plt = _plt()
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
    _log_x(ax, ns)
    ax.set_xlabel(f"n (points on the sphere of radius r = {r:g} in $R^{{{d}}}$)")
    ax.set_ylabel(r"$\hat{\mathfrak{R}}_S(H)$")
    ax.set_title(r"(a) linear class $\|w\|\leq\Lambda$: slope $-1/2$ on log-log axes", fontsize=10)
    ax.legend(fontsize=8)

    ax = axes[1]
    ax.axhline(1.0, color="k", lw=1.2, label="the bound")
    ax.errorbar(ns, means / bound, yerr=6 * ses / bound, fmt="o", color="C0", ms=5,
                label=r"$\hat{\mathfrak{R}}_S(H)\,/\,(r\Lambda/\sqrt{n})$ ($\pm$6 SE)")
    _log_x(ax, ns)
    ax.set_ylim(float(((means - 6 * ses) / bound).min()) - 0.005, max(1.01, float(((means + 6 * ses) / bound).max()) + 0.005))
    ax.set_xlabel("n")
    ax.set_title(r"(b) what is lost is only Jensen's $E\|s\| \leq \sqrt{E\|s\|^2}$, flat in n", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")

    fig.suptitle(r"Mohri et al. Thm 5.10: $\hat{\mathfrak{R}}_S(H) \leq r\Lambda/\sqrt{n}$", fontsize=11)
    fig.tight_layout()
    path = Path(out_dir) / "rademacher-linear.png"
    save_figure(fig, path)
    plt.close(fig)
    return path


def draw_networks(out_dir: Path, rows: list[dict], *, dataset: str, delta: float) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.8, 4.6))
    ns = np.array([row["n"] for row in rows], dtype=float)
    ax.axhline(1.0, color="crimson", ls="--", lw=1.2, label="vacuity line (error 1)")
    ax.plot(ns, [row["bound"] for row in rows], "s-",
            color="k", label=r"Rademacher bound (Thm 3.5, $\hat{\mathfrak{R}}_S$ at mean $-$ 6 SE)")
    ax.errorbar(ns, [row["rad_mean"] for row in rows], yerr=[6 * row["rad_se"] for row in rows], fmt="o-",
                color="C0", label=r"$\hat{\mathfrak{R}}_S(H)$ from fitting random signs ($\pm$6 SE)")
    ax.errorbar(ns, [row["test_error"] for row in rows], yerr=[6 * row["test_se"] for row in rows], fmt="^-",
                color="C2", label=r"test error, same network on true labels ($\pm$6 SE)")
    _log_x(ax, ns)
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
