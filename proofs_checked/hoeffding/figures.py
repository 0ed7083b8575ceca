"""Hoeffding's figure: the deviation against the bound on log-log axes, and the tail the bound inverts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.proofs_checked.core.plotting import pyplot, rate_panel, save


def draw(out_dir: Path, *, ns, summaries, bounds, exact_means, sample, p, delta) -> Path:
    from vacuity.kernels import hoeffding as K
    from vacuity.theory import hoeffding as T

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    rate_panel(axes[0], ns, summaries, lambda m: T.bound(m, delta), "bound $\\sqrt{\\log(2/\\delta)/(2n)}$",
                ylabel="$|\\hat R - R|$", title=f"(a) one hypothesis, Bernoulli({p}) losses, $\\delta$ = {delta}",
                exact_means=exact_means)

    ax = axes[1]
    if sample is not None:
        m, dev = sample
        grid = np.linspace(0, max(float(np.max(dev)) * 1.3, float(T.bound([m], delta)[0]) * 1.4), 300)
        emp = np.array([np.mean(dev >= e) for e in grid])
        ax.step(grid, np.where(emp > 0, emp, np.nan), where="post", color="C0",
                label=f"measured $P[|\\hat R-R|\\geq\\epsilon]$ ({dev.size} replicates)")
        ax.plot(grid, [K.exact_tail(m, p, e) for e in grid], color="C2", lw=1, label="exact binomial tail")
        ax.plot(grid, np.minimum(1.0, [T.tail(m, e) for e in grid]), color="C3", lw=2,
                label="$2e^{-2n\\epsilon^2}$ (Hoeffding)")
        ax.axhline(delta, color="0.4", ls="--", lw=0.8)
        ax.axvline(float(T.bound([m], delta)[0]), color="C3", ls=":", lw=1)
        ax.text(grid[2], delta * 1.15, "$\\delta$", fontsize=9)
        ax.set_yscale("log")
        ax.set_ylim(max(1e-6, 0.3 / dev.size), 1.5)
        ax.set_xlabel(f"$\\epsilon$ (n = {m:,}); dotted: the bound at $\\delta$")
        ax.legend(fontsize=8)
    ax.set_title("(b) the tail the bound inverts")
    return save(fig, plt, out_dir, "hoeffding", "Hoeffding: $P[|\\hat R - R| \\geq \\epsilon] \\leq "
                 "2e^{-2n\\epsilon^2}$, so the deviation shrinks like $n^{-1/2}$")
