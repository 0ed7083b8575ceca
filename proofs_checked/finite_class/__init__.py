"""Claim finite-class: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param
from vacuity.proofs_checked.hoeffding import DELTA, REPLICATES

SUMMARY = (
    'sympy: the union of `|H|` Hoeffding tails and its root `sqrt((log|H| + log(2/delta))/(2n))`, `|H| = '
    '1` is Hoeffding; numeric: random classifiers on a finite domain with exact risks, `sup_h |R_hat - '
    'R|` by matrix products equal to the point-by-point sup, its quantile under the bound, slope `-1/2`'
)

CLAIM = Claim(
    id="finite-class",
    title="Finite class: every h in H deviates by at most sqrt((log|H| + log(2/delta))/(2n)) w.p. 1 - delta",
    source="Mohri, Rostamizadeh & Talwalkar, Foundations of ML (2nd ed.), Thm 2.13 (union bound)",
    summary=SUMMARY,
    uses=('hoeffding',),
    theory=('finite_class',),
    kernels=('finite_class',),
    rated_bounds=('finite-class',),
    benchmarks=('benchmarks/classical_bounds.py',),
    docs=('classical_bounds.md', 'derivations/classical_bounds.md'),
    params=(
        DELTA,
        Param("class_size", int, "|H|: number of random classifiers", 1000, 10_000, V.positive),
        Param("domain", int, "m: size of the finite input domain (2m cells with the label)", 16, 64, V.positive),
        Param("n_min", int, "smallest sample size of the sweep", 1000, 1000, V.positive),
        Param("n_max", int, "largest sample size of the sweep", 1_000_000, 100_000_000, V.at_least(2)),
        Param("sizes", int, "number of sample sizes (log-spaced) in the sweep", 4, 6, V.at_least(3)),
        Param("replicates", int, REPLICATES, 4000, 100_000, V.at_least(100)),
        Param("brute_n", int, "sample size of the point-by-point comparison", 1000, 10_000, V.positive),
        Param("brute_replicates", int, "replicates of the point-by-point comparison", 200, 1000, V.at_least(10)),
    ),
)
