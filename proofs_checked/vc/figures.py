"""The VC figure: the growth function of halfspaces, the VC bound for thresholds, a Radon certificate."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vacuity.proofs_checked.core.plotting import pyplot, rate_panel, save

RADON_EXAMPLE = ((0, 0), (6, 1), (5, 6), (1, 4))  # a convex quadrilateral: the diagonals cross


def draw(out_dir: Path, *, growth, growth_d, ns, summaries, exact_means, delta, radon=None) -> Path:
    from vacuity.theory import vc as T

    plt = pyplot()
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

    rate_panel(axes[1], ns, summaries, lambda m: T.bound(m, 1, delta),
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
    return save(fig, plt, out_dir, "vc", "VC theory: Sauer's lemma turns VCdim into a polynomial growth function "
                 "and a $\\sqrt{\\log n / n}$ bound")
