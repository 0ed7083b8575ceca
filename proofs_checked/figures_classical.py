"""Figures of the classical-bound claims: each puts the bound next to what it bounds, on the axes where
the rate is a straight line."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.proofs_checked.atomic import save_figure


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _log_axes(ax, ns) -> None:
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ns, [f"{int(v):,}" if v < 1e5 else f"1e{np.log10(v):.0f}" if np.log10(v).is_integer()
                       else f"{v:.2g}" for v in ns])
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.25)


def _rate_panel(ax, ns, summaries, bound_fn, label, *, ylabel, title, exact_means=None, extra=None):
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
    _log_axes(ax, ns)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_xlabel("sample size n")
    ax.set_ylabel(ylabel)
    ax.set_title(title)


def _save(fig, plt, out_dir: Path, name: str, suptitle: str) -> Path:
    fig.suptitle(suptitle, fontsize=11)
    fig.tight_layout()
    path = Path(out_dir) / f"{name}.png"
    save_figure(fig, path)
    plt.close(fig)
    return path


def draw_hoeffding(out_dir: Path, *, ns, summaries, bounds, exact_means, sample, p, delta) -> Path:
    from vacuity.kernels import hoeffding as K
    from vacuity.theory import hoeffding as T

    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    _rate_panel(axes[0], ns, summaries, lambda m: T.bound(m, delta), "bound $\\sqrt{\\log(2/\\delta)/(2n)}$",
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
    return _save(fig, plt, out_dir, "hoeffding", "Hoeffding: $P[|\\hat R - R| \\geq \\epsilon] \\leq "
                 "2e^{-2n\\epsilon^2}$, so the deviation shrinks like $n^{-1/2}$")


def draw_finite_class(out_dir: Path, *, ns, summaries, class_size, delta, prefix) -> Path:
    from vacuity.theory import finite_class as T
    from vacuity.theory import hoeffding as TH

    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    _rate_panel(axes[0], ns, summaries, lambda m: T.bound(m, class_size, delta),
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
    return _save(fig, plt, out_dir, "finite-class", "Finite class: with probability $1-\\delta$, every $h$ has "
                 "$|\\hat R(h)-R(h)| \\leq \\sqrt{(\\log|H|+\\log(2/\\delta))/(2n)}$")


RADON_EXAMPLE = ((0, 0), (6, 1), (5, 6), (1, 4))  # a convex quadrilateral: the diagonals cross


def draw_vc(out_dir: Path, *, growth, growth_d, ns, summaries, exact_means, delta, radon=None) -> Path:
    from vacuity.theory import vc as T

    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))

    ax = axes[0]
    gn = np.asarray(growth["n"], dtype=float)
    D = growth_d + 1
    ax.plot(gn, 2.0**gn, "k--", lw=1, label="$2^n$ (all labelings)")
    ax.plot(gn, growth["sauer"], "^-", color="C3", label=f"Sauer $\\sum_{{i\\leq {D}}}\\binom{{n}}{{i}}$")
    big = gn >= D
    ax.plot(gn[big], [T.sauer_exponential(int(v), D) for v in gn[big]], ":", color="C3",
            label=f"$(en/{D})^{D}$")
    ax.plot(gn, growth["cover"], "-", color="C2", lw=1, label="Cover: $2\\sum_{i\\leq d}\\binom{n-1}{i}$")
    ax.plot(gn, growth["measured"], "o", color="C0", label=f"measured (LP, random points in $R^{growth_d}$)")
    ax.axvline(D, color="0.6", lw=0.8)
    ax.text(D + 0.1, 1.5, f"VCdim = {D}", fontsize=8, color="0.3")
    ax.set_yscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel("labelings realized")
    ax.legend(fontsize=7)
    ax.set_title(f"(a) growth function of halfspaces in $R^{growth_d}$")

    _rate_panel(axes[1], ns, summaries, lambda m: T.bound(m, 1, delta),
                "VC bound, d = 1: $\\sqrt{2d\\log(en/d)/n}+\\sqrt{\\log(1/\\delta)/(2n)}$",
                ylabel="$\\sup_t (R(h_t) - \\hat R(h_t))$",
                title="(b) thresholds on [0, 1]: the sup is the KS statistic $D_n^+$", exact_means=exact_means)

    ax = axes[2]
    from vacuity.kernels.shattering import radon_certificate, radon_point

    Xi = np.asarray(RADON_EXAMPLE if radon is None else radon, dtype=np.int64)
    lam = radon_certificate(Xi)[0]
    rp = np.asarray([float(v) for v in radon_point(Xi, lam)])
    X = Xi.astype(float)
    lamf = np.asarray([float(v) for v in lam])
    pos, neg = X[lamf > 0], X[lamf <= 0]
    for pts, col, lab in ((pos, "C0", "+1 ($\\lambda_i > 0$)"), (neg, "C3", "-1 ($\\lambda_i < 0$)")):
        if len(pts) >= 2:
            from scipy.spatial import ConvexHull

            if len(pts) >= 3:
                hull = ConvexHull(pts)
                poly = pts[hull.vertices]
                ax.fill(poly[:, 0], poly[:, 1], color=col, alpha=0.15)
            else:
                ax.plot(pts[:, 0], pts[:, 1], color=col, lw=2)
        ax.scatter(pts[:, 0], pts[:, 1], s=70, color=col, zorder=5, label=lab)
    ax.scatter([rp[0]], [rp[1]], marker="*", s=200, color="k", zorder=6, label="Radon point")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=8)
    ax.set_title("(c) no 4 points in $R^2$ are shattered: this labeling\nneeds a line through both hulls")
    return _save(fig, plt, out_dir, "vc", "VC theory: Sauer's lemma turns VCdim into a polynomial growth function "
                 "and a $\\sqrt{\\log n / n}$ bound")
