"""Claim rademacher-networks: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param

SUMMARY = (
    'sympy: the Thm 3.5 bound and the vacuity threshold `R_S(H) >= 1 - 3 sqrt(log(2/delta)/(2n))`; '
    'numeric: a ReLU MLP trained by SGD on K random sign vectors (K networks at once) reaches that '
    'threshold (mean - 6 SE) at every n, so the bound is >= 1; torch: the same network on the true labels '
    '(digits, MNIST-1D, or real MNIST with `--set dataset=mnist` and `VACUITY_DATA`; binary task: digit '
    '>= 5) has a test error + 6 SE below chance (the majority-class error), while the bound is >= 1'
)

CLAIM = Claim(
    id="rademacher-networks",
    title="A ReLU MLP trained by SGD fits random signs: empirical Rademacher complexity about 1, a vacuous bound",
    source="Zhang et al. 2017, Sec. 2.2; Mohri et al. Thm 3.5",
    summary=SUMMARY,
    uses=('rademacher-linear',),
    theory=('rademacher',),
    sims=('rademacher_networks', 'train'),
    benchmarks=('benchmarks/rademacher.py',),
    docs=('rademacher.md', 'derivations/rademacher.md'),
    params=(
        Param("dataset", str, "'digits' (sklearn), 'mnist1d' (generated) or 'mnist' (needs $VACUITY_DATA)",
              "digits", "mnist1d",
              lambda v: None if v in ("digits", "mnist1d", "mnist") else "must be 'digits', 'mnist1d' or 'mnist'"),
        Param("sizes", str, "training-set sizes n, comma-separated, increasing", "100,200,400,800",
              "500,1000,2000,4000", V.increasing_sizes),
        Param("draws", int, "random sign vectors sigma (networks trained at once)", 8, 16, V.at_least(2)),
        Param("width", int, "hidden units per ReLU layer", 256, 512, V.positive),
        Param("depth", int, "number of hidden ReLU layers", 1, 2, V.positive),
        Param("epochs", int, "SGD epochs over the n points", 120, 100, V.positive),
        Param("batch", int, "SGD minibatch size", 64, 128, V.positive),
        Param("lr", float, "SGD learning rate (momentum 0.9)", 0.05, 0.05, V.positive_real),
        Param("delta", float, "confidence delta in (0, 1)", 0.05, 0.05, V.open_unit),
        Param("threads", int, "torch CPU threads while training (0: torch's default)", 1, 0,
              lambda v: None if v >= 0 else "must be at least 0"),
    ),
)
