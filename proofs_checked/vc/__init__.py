"""Claim vc: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param
from vacuity.proofs_checked.core.mutants import Mutant
from vacuity.proofs_checked.hoeffding import DELTA, REPLICATES

_M = "vacuity.proofs_checked.vc.mutants"

SUMMARY = (
    'sympy: `sum_{i<=d} C(n,i) <= (en/d)^d` for all n >= d (the prover refuses `(2n/d)^d`), the VC bound '
    "from Massart's; exact: Sauer (nearly attained at n = d = 1), Pascal, Cover for every n, d <= 60, "
    "simplex and Radon certificates; numeric: the stated bound equals Massart's at `(en/d)^d` for several "
    'd and deltas, LP shattering shows VCdim(halfspaces in R^d) = d + 1, the measured growth function '
    "equals Cover's count under Sauer's, and the thresholds' uniform deviation (the KS statistic) follows "
    'its exact law and mean, its tail at the VC bound matches the exact one (<= delta), slope following '
    'the exact curve'
)

CLAIM = Claim(
    id="vc",
    title="VC: Sauer-Shelah, the VC bound, and VCdim(halfspaces in R^d) = d + 1",
    source="Mohri, Rostamizadeh & Talwalkar, Foundations of ML (2nd ed.), Thm 3.17, Cor. 3.18, 3.19; Radon",
    summary=SUMMARY,
    uses=('hoeffding',),
    theory=('vc',),
    kernels=('vc', 'shattering'),
    rated_bounds=('vc',),
    benchmarks=('benchmarks/classical_bounds.py',),
    docs=('classical_bounds.md', 'derivations/classical_bounds.md'),
    mutants=(
        Mutant("sauer-sum-to-d-minus-1", "construction", "vacuity.theory.vc:sauer_sum", f"{_M}:sauer_sum_to_d_minus_1",
               why="Sauer's sum with range(d): one term short"),
        Mutant("vc-bound-d-plus-1", "constant", "vacuity.theory.vc:deviation_bound", f"{_M}:vc_bound_d_plus_1",
               why="the VC bound with d + 1 (the halfspaces' VC dimension in R^d) where the class's d belongs"),
        Mutant("bound-direct-alternative", "loose-bound", "vacuity.theory.vc:bound", f"{_M}:bound_direct_alternative",
               why="the textbook's other VC bound sqrt((8d log(2en/d) + 8 log(4/delta))/n) typed for the stated "
                   "one: valid, several times looser, and the thresholds' deviation stays far below either"),
        Mutant("dimension-ignored", "ignored-setting", "vacuity.theory.vc:bound", f"{_M}:dimension_ignored",
               why="the numeric bound evaluated at the default d = 1 whatever dimension it is given"),
        Mutant("lp-shattered-short-circuit", "short-circuit", "vacuity.kernels.shattering:shattered",
               f"{_M}:shattered_short_circuit", why="the LP shattering test replaced by a constant 'shattered'"),
        Mutant("ks-index-off-by-one", "construction", "vacuity.kernels.vc:sups_from_uniforms",
               f"{_M}:ks_index_off_by_one", why="D_n^+ = max_k ((k - 1)/n - U_(k)): the ranks off by one"),
        Mutant("data-moment-matched-normal", "sampler", "vacuity.kernels.vc:threshold_sups",
               f"{_M}:data_moment_matched_normal",
               why="the data drawn from N(1/2, 1/12), matching the uniform's mean and variance only"),
    ),
    params=(
        DELTA,
        Param("sauer_n_max", int, "exact Sauer checks for every 0 <= d, n up to this", 60, 150, V.positive),
        # every d up to d_max costs (3 random_sets + 1) 2^(d+1) LPs (each labeling of d + 1 and d + 2
        # points): d_max 8 and 16 sets is at most 25,000 LPs (measured: 45 s for the claim with a small
        # sweep); d_max 20 would be 3 million
        Param("d_max", int, "shattering checks for halfspaces in R^d, d = 1..d_max", 3, 4,
              lambda v: None if 1 <= v <= 8 else "must lie in 1..8 (2^(d+1) labelings, one LP each, per point set "
                                                 "and d)"),
        Param("growth_d", int, "dimension of the halfspaces whose growth function is counted", 2, 3, V.positive),
        Param("growth_n_max", int, "count realizable labelings of n = 1..growth_n_max points (2^(n-1) LPs)",
              9, 11, lambda v: None if 1 <= v <= 16 else "must lie in 1..16 (2^(n-1) LPs each)"),
        Param("random_sets", int, "random point sets per shattering check", 3, 10,
              lambda v: None if 1 <= v <= 16 else "must lie in 1..16 (each set costs up to 3 x 2^(d_max+1) LPs)"),
        Param("n_min", int, "smallest sample size of the threshold sweep", 64, 64, V.positive),
        Param("n_max", int, "largest sample size of the threshold sweep", 4096, 1_048_576, V.at_least(2)),
        Param("sizes", int, "number of sample sizes (log-spaced) in the sweep", 4, 6, V.at_least(3)),
        Param("replicates", int, REPLICATES, 2000, 20_000, V.at_least(100)),
    ),
)
