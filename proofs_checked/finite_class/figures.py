"""The finite-class figure: the union bound against the sup deviation, and the price of the union."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.proofs_checked.core.plotting import pyplot, rate_panel, save


def draw(out_dir: Path, *, ns, summaries, class_size, delta, prefix) -> Path:
    from vacuity.theory import finite_class as T
    from vacuity.theory import hoeffding as TH

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    rate_panel(axes[0], ns, summaries, lambda m: T.bound(m, class_size, delta),
                f"union bound, |H| = {class_size:,}", ylabel="$\\sup_h |\\hat R(h) - R(h)|$",
                title=f"(a) {class_size:,} random classifiers, $\\delta$ = {delta}",
                extra=(lambda m: TH.bound(m, delta), "Hoeffding, one h"))

    ax = axes[1]
    ks, scaled, m = prefix
    ks = np.asarray(ks, dtype=float)
    fine = np.geomspace(1, ks.max(), 60)
    ax.plot(fine, np.sqrt((np.log(fine) + np.log(2 / delta)) / 2), color="C3", lw=2,
            label="$\\sqrt{(\\log|H| + \\log(2/\\delta))/2}$")
    ax.plot(ks, scaled, "s-", color="C0", label="measured $\\sqrt{n}\\,\\times(1-\\delta)$-quantile of the sup")
    ax.set_xscale("log")
    ax.set_xlabel(f"|H| (the first k classifiers; n = {m:,})")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.25)
    ax.set_title("(b) the price of a union: $\\sqrt{\\log|H|}$")
    return save(fig, plt, out_dir, "finite-class", "Finite class: with probability $1-\\delta$, every $h$ has "
                 "$|\\hat R(h)-R(h)| \\leq \\sqrt{(\\log|H|+\\log(2/\\delta))/(2n)}$")
