"""Claim finite-class: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param
from vacuity.proofs_checked.core.mutants import Mutant
from vacuity.proofs_checked.hoeffding import DELTA, REPLICATES

_M = "vacuity.proofs_checked.finite_class.mutants"

SUMMARY = (
    'sympy: the union of `|H|` Hoeffding tails and its root `sqrt((log|H| + log(2/delta))/(2n))` (not '
    "Hoeffding's), `|H| = 1` is Hoeffding; numeric: the stated bound equals the derived root for `|H|` in "
    '{1, |H|, |H|^2} and three deltas, random classifiers on a finite domain with exact risks whose '
    'empirical risks are unbiased and of exact binomial variance (also at n = 10), `sup_h |R_hat - R|` by '
    'matrix products equal to the point-by-point sup, its quantile under the bound, its tail under the '
    'union of exact tails and its mean between exact brackets, slope `-1/2` (6 SE)'
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
    mutants=(
        Mutant("union-tail-without-class", "construction", "vacuity.theory.finite_class:union_tail",
               f"{_M}:union_tail_without_class", why="the union over H written as one Hoeffding tail (|H| dropped)"),
        Mutant("bound-log-4-over-delta", "loose-bound", "vacuity.theory.finite_class:bound",
               f"{_M}:bound_log_4_over_delta", why="log(4/delta) typed in the numeric bound: valid, looser, and "
               "far above the simulated quantile, so no quantile check sees it"),
        Mutant("class-size-ignored", "ignored-setting", "vacuity.theory.finite_class:bound",
               f"{_M}:class_size_ignored", why="the numeric bound evaluated at the default |H| = 1000 whatever |H|"),
        Mutant("sup-without-abs", "construction", "vacuity.kernels.finite_class:sups_from_counts",
               f"{_M}:sup_without_abs", why="the uniform deviation as max_h (R_hat - R): one side only"),
        Mutant("multinomial-unconditional", "sampler", "vacuity.kernels.finite_class:Draws",
               f"{_M}:multinomial_unconditional",
               why="cell counts by the chain rule with unconditional probabilities (the rest not renormalised)"),
        Mutant("bound-inverts-short-circuit", "short-circuit", "vacuity.theory.finite_class:bound_inverts_tail",
               f"{_M}:bound_inverts_short_circuit", why="the root-of-the-tail proof replaced by a constant 'proved'"),
    ),
    params=(
        DELTA,
        Param("class_size", int, "|H|: number of random classifiers", 1000, 10_000, V.positive),
        Param("domain", int, "m: size of the finite input domain (2m cells with the label)", 16, 64, V.positive),
        Param("n_min", int, "smallest sample size of the sweep", 1000, 1000, V.positive),
        Param("n_max", int, "largest sample size of the sweep", 1_000_000, 100_000_000, V.at_least(2)),
        Param("sizes", int, "number of sample sizes (log-spaced) in the sweep", 4, 6, V.at_least(3)),
        Param("replicates", int, REPLICATES, 4000, 100_000, V.at_least(100)),
        Param("law_n", int, "a small n at which the multinomial path's risks are checked for bias and variance",
              10, 10, V.positive),
        Param("brute_n", int, "sample size of the point-by-point comparison", 1000, 10_000, V.positive),
        Param("brute_replicates", int, "replicates of the point-by-point comparison", 200, 1000, V.at_least(10)),
    ),
)
