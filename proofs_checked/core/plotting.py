"""What the claims' figures share: matplotlib without a display, log-log rate panels that put a bound next
to what it bounds (the rate is then a straight line), and one atomic save."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.atomic import save_figure


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def log_axes(ax, ns) -> None:
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ns, [f"{int(v):,}" if v < 1e5 else f"1e{np.log10(v):.0f}" if np.log10(v).is_integer()
                       else f"{v:.2g}" for v in ns])
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.25)


def rate_panel(ax, ns, summaries, bound_fn, label, *, ylabel, title, exact_means=None, extra=None):
    ns = np.asarray(ns, dtype=float)
    fine = np.geomspace(ns.min(), ns.max(), 60)
    ax.plot(fine, bound_fn(fine), color="C3", lw=2, label=label)
    if extra is not None:
        fn, lab = extra
        ax.plot(fine, fn(fine), color="C3", lw=1, ls="--", label=lab)
    ax.plot(ns, [s.quantile for s in summaries], "s", color="C0", ms=6, label="measured $(1-\\delta)$-quantile")
    ax.errorbar(ns, [s.mean for s in summaries], yerr=[6 * s.se for s in summaries], fmt="o", color="C2", ms=5,
                label="measured mean (6 SE bars)")
    if exact_means is not None:
        ax.plot(ns, exact_means, color="C2", lw=1, label="exact mean")
    ref = summaries[0].mean * np.sqrt(ns[0] / fine)
    ax.plot(fine, ref, color="0.5", lw=0.8, ls=":", label="slope $-1/2$")
    lo = min(min(s.mean for s in summaries), float(np.min(bound_fn(fine))))
    ax.set_ylim(bottom=lo / 6)
    log_axes(ax, ns)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_xlabel("sample size n")
    ax.set_ylabel(ylabel)
    ax.set_title(title)


def save(fig, plt, out_dir: Path, name: str, suptitle: str) -> Path:
    fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    path = Path(out_dir) / f"{name}.png"
    save_figure(fig, path)
    plt.close(fig)
    return path


def log_x(ax, ns) -> None:
    """A log x axis ticked at the sizes themselves."""
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ns, [f"{int(v)}" for v in ns])
