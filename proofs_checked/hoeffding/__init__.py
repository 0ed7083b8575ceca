"""Claim hoeffding: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param
from vacuity.proofs_checked.core.mutants import Mutant

DELTA = Param("delta", float, "failure probability of the bound, in (0, 1)", 0.05, 0.05, V.open_unit)
REPLICATES = "independent samples per size (Monte Carlo replicates)"
_M = "vacuity.proofs_checked.hoeffding.mutants"

SUMMARY = (
    "sympy: Hoeffding's lemma (1/8 sharp: the prover refuses 7/64), the Chernoff optimum, the tail `2 "
    'exp(-2 n eps^2)` and its root `sqrt(log(2/delta)/(2n))`; exact: the binomial tail is below it for '
    'every n <= 30 and every eps, nearly attained at n = 1; numeric: the stated bound equals the root of '
    'the derived tail at every n and three deltas (rounding only), binomial counts and brute-force '
    'Bernoulli losses follow the exact law of `|R_hat - R|` (Kolmogorov distance, mean, variance; also at '
    'n = 10), the exceedance at the bound matches the exact tail (itself <= delta), the log-log slope '
    "follows the exact curve's (6 SE)"
)

CLAIM = Claim(
    id="hoeffding",
    title="Hoeffding: one hypothesis deviates by more than sqrt(log(2/delta)/(2n)) with probability at most delta",
    source="Mohri, Rostamizadeh & Talwalkar, Foundations of ML (2nd ed.), Thm D.2 and Cor. 2.11",
    summary=SUMMARY,
    theory=('hoeffding', 'rates'),
    kernels=('hoeffding', 'deviation_stats'),
    rated_bounds=('hoeffding',),
    benchmarks=('benchmarks/classical_bounds.py',),
    docs=('classical_bounds.md', 'derivations/classical_bounds.md'),
    mutants=(
        Mutant("one-sided-tail", "constant", "vacuity.theory.hoeffding:tail_bound", f"{_M}:one_sided_tail",
               why="the tail of one side, exp(-2n eps^2): the two sides' factor 2 dropped"),
        Mutant("tail-exponent-halved", "constant", "vacuity.theory.hoeffding:tail_bound", f"{_M}:tail_exponent_halved",
               why="2 exp(-n eps^2): a wrong Chernoff optimum"),
        Mutant("bound-log-4-over-delta", "loose-bound", "vacuity.theory.hoeffding:bound",
               f"{_M}:bound_log_4_over_delta", why="sqrt(log(4/delta)/(2n)) typed for the numeric bound: valid, "
               "about 10% looser than the stated one at delta = 0.05, so every quantile stays below it"),
        Mutant("delta-ignored", "ignored-setting", "vacuity.theory.hoeffding:bound", f"{_M}:delta_ignored",
               why="the numeric bound evaluated at the default delta whatever delta it is given"),
        Mutant("binomial-n-minus-one-trials", "construction", "vacuity.kernels.hoeffding:binomial_deviations",
               f"{_M}:binomial_n_minus_one_trials", why="error counts drawn as Binomial(n - 1, p), divided by n"),
        Mutant("bernoulli-reseeded-per-chunk", "sampler", "vacuity.kernels.hoeffding:bernoulli_deviations",
               f"{_M}:bernoulli_reseeded_per_chunk",
               why="the brute-force generator re-created per chunk: chunks repeat the same losses"),
        Mutant("lemma-proof-short-circuit", "short-circuit", "vacuity.theory.hoeffding:prove_lemma_bernoulli",
               f"{_M}:lemma_proof_short_circuit", why="the lemma's sympy proof replaced by a constant 'proved'"),
    ),
    params=(
        DELTA,
        Param("p", float, "true risk R of the hypothesis (its Bernoulli loss rate), in (0, 1)", 0.3, 0.3,
              lambda v: None if 0 < v < 1 else "must lie in (0, 1) (at 0 or 1 every deviation is 0: no rate to fit)"),
        Param("n_min", int, "smallest sample size of the sweep", 100, 100, V.positive),
        Param("n_max", int, "largest sample size of the sweep", 1_000_000, 1_000_000_000, V.at_least(2)),
        Param("sizes", int, "number of sample sizes (log-spaced) in the sweep", 5, 8, V.at_least(3)),
        Param("replicates", int, REPLICATES, 20_000, 1_000_000, V.at_least(100)),
        Param("brute_n_max", int, "largest n for the brute-force Bernoulli path", 10_000, 1_000_000, V.positive),
        Param("law_n", int, "a small n at which every atom of the law is visible (exact-law check of both paths)",
              10, 10, V.positive),
        Param("brute_replicates", int, "replicates of the exact-law comparison of both paths", 20_000, 100_000,
              V.at_least(100)),
        Param("exact_n_max", int, "exact rational tail check for every n up to this", 30, 60, V.positive),
    ),
)
