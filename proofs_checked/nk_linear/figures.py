"""The nk-linear figure: generalization without uniform convergence, in three panels."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from vacuity.atomic import save_figure
from vacuity.kernels import nk_linear as K
from vacuity.kernels.arrays import to_numpy
from vacuity.theory import nk_linear as T


def draw(out_dir: Path, data: dict, sample: K.NKSample | None, st: T.Setting) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    rows = data["rows"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    ax = axes[0]
    for j, r in enumerate(sorted({row["ratio"] for row in rows})):
        sel = [row for row in rows if row["ratio"] == r]
        ns = [row["n"] for row in sel]
        ax.plot(ns, [row["test_error"] for row in sel], "o", color=f"C{j}", label=f"test error, D/n = {r}")
        ax.plot(ns, [row["test_error_expected"] for row in sel], "-", color=f"C{j}", lw=1,
                label="closed form $E_w\\,\\Phi(-cc'\\sqrt{D}/(s\\|w_2\\|))$")
        ax.plot(ns, [row["s_prime_error"] for row in sel], "s--", color=f"C{j}", mfc="none", ms=10 - 4 * j,
                label=f"error on $S'$, D/n = {r}")
    ax.axhline(data["eps"], color="0.5", ls=":", lw=0.8)
    ax.text(rows[0]["n"], data["eps"] * 1.3, "$\\epsilon$", color="0.4")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_ylim(0, 3.0)
    ns_all = sorted({row["n"] for row in rows})
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ns_all, [str(v) for v in ns_all])
    ax.set_xlabel("training set size n")
    ax.set_title("(a) test error stays small, $S'$ error is 1")
    ax.legend(fontsize=7, loc="lower left", ncol=2)

    ax = axes[1]
    for j, r in enumerate(sorted({row["ratio"] for row in rows})):
        sel = [row for row in rows if row["ratio"] == r]
        ax.plot([row["n"] for row in sel], [row["w2_norm"] for row in sel], "o", color=f"C{j}",
                label=f"mean $\\|w_2\\|$, D/n = {r}")
    fine = np.geomspace(min(ns_all), max(ns_all), 50)
    ax.plot(fine, math.sqrt(st.s2) * np.sqrt(fine), "k-", lw=1, label="$s\\sqrt{n}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ns_all, [str(v) for v in ns_all])
    ax.set_xlabel("training set size n")
    ax.set_title("(b) the noise block grows: $\\|w_2\\| \\approx s\\sqrt{n}$")
    ax.legend(fontsize=8)

    ax = axes[2]
    if sample is not None:
        sets = [(to_numpy(sample.train_margins), "$S$ (train)", "C0"),
                (to_numpy(sample.s_prime_margins), "$S'$ (noise negated)", "C1"),
                (to_numpy(sample.test_margins), "fresh test points", "C2")]
        lo = min(float(m.min()) for m, _, _ in sets)
        hi = max(float(m.max()) for m, _, _ in sets)
        bins = np.linspace(lo, hi, 160)
        for k, (m, label, color) in enumerate(sets):
            ax.hist(m, bins=bins, alpha=0.65, density=True, color=color, label=label)
            # at large D each set is a spike: state its range and error rate in words
            ax.annotate(f"[{m.min():.3g}, {m.max():.3g}]\nerror {np.mean(m <= 0):.3g}",
                        xy=(float(np.median(m)), 0.02), xycoords=("data", "axes fraction"),
                        xytext=(float(np.median(m)), 0.45 + 0.15 * k), textcoords=("data", "axes fraction"),
                        ha="center", fontsize=7, color=color,
                        bbox={"fc": "white", "ec": "none", "alpha": 0.85},
                        arrowprops={"arrowstyle": "-", "color": color, "lw": 0.5})
        ax.axvline(0, color="k", lw=0.8)
        ax.set_title(f"(c) margins, n = {sample.n}, D = {sample.D:.3g}")
        ax.set_yscale("log")
    ax.set_xlabel("margin $y\\langle w, x\\rangle$ (error iff $\\leq 0$)")
    ax.legend(fontsize=8, loc="upper left")

    fig.suptitle(f"Nagarajan & Kolter 2019: linear classifier with c = {st.c:g}, c' = {st.c_prime:g}, "
                 f"s$^2$ = {st.s2:g} generalizes, yet misclassifies all of $S'$", fontsize=11)
    fig.tight_layout()
    path = Path(out_dir) / "nk-linear.png"
    save_figure(fig, path)
    plt.close(fig)
    return path
