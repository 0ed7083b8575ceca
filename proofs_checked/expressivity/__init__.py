"""Claim expressivity: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param

SUMMARY = (
    'sympy: the weight count `2n + d` (from the parameter shapes), Lemma 1 (lower-triangular `A`, '
    'eigenvalues `z_i - b_i`) and the O(n) recurrence (equal to the triangular solve) for every n <= 8; '
    'numeric: the float64 memorizer of n random points fits their labels within rounding-error bounds '
    'derived from its own arithmetic, its extended-precision residual agrees with mpmath on every row, '
    "and Lemma 1's smallest eigenvalue follows the derived `(1-theta) 2 sqrt(pi) / (n(n-1))` law (6 "
    'standard errors); torch: an `nn.Module` with exactly `2n + d` parameters reproduces the labels'
)

CLAIM = Claim(
    id="expressivity",
    title="A two-layer ReLU network with 2n + d weights represents any function on n points",
    source="Zhang et al. 2017, Theorem 1 and Lemma 1",
    summary=SUMMARY,
    theory=('expressivity',),
    kernels=('expressivity', 'extended'),
    sims=('expressivity', 'memorizer_net'),
    benchmarks=('benchmarks/expressivity.py',),
    docs=('expressivity.md', 'derivations/expressivity.md'),
    params=(
        Param("n", int, "number of sample points", 1000, 50000, V.positive),
        Param("d", int, "input dimension", 64, 3072, V.positive),
        Param("labels", str, "'classes' (integers 0..n_classes-1) or 'real' (standard normal)",
              "classes", "classes",
              lambda v: None if v in ("classes", "real") else "must be 'classes' or 'real'"),
        Param("n_classes", int, "number of classes for class labels", 10, 10,
              lambda v: None if v >= 2 else "must be at least 2"),
        Param("n_directions", int, "random directions tried when d < n", 4, 4, V.positive),
        Param("theta", float, "position of each kink inside its gap, in (0, 1/2]", 0.25, 0.25,
              lambda v: None if 0 < v <= 0.5 else "must lie in (0, 1/2]"),
        Param("sweep_max", int, "largest n of the conditioning sweep (kappa, min gap vs n)", 4096, 16384,
              lambda v: None if v >= 128 else "must be at least 128"),
    ),
)
