"""Claim rademacher-linear: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param
from vacuity.proofs_checked.core.mutants import Mutant

_M = "vacuity.proofs_checked.rademacher_linear.mutants"  # the factories
_TH = "vacuity.theory.rademacher"
_KE = "vacuity.kernels.rademacher"

SUMMARY = (
    "sympy: the linear class's sup (Cauchy–Schwarz, d <= 4), `E||sum sigma_i x_i||^2 = sum ||x_i||^2` and "
    "its variance `2 sum_(i != j) <x_i, x_j>^2` (all 2^n signs; wrong right-hand sides refused), Jensen to "
    "`r Lambda / sqrt(n)` and the sandwich `1 - v/(2m^2) <= ratio <= 1`, Massart's `max||a|| sqrt(2 log|A|)/n` "
    "(optimal t; tightness 1/sqrt(2 log 2) on the cube), Thm 3.3 from McDiarmid, Thm 3.5 from Lemma 3.4, "
    "declared rates = rates of the derivations, the prover refuses every near miss; numeric: the sign "
    "sampler's law (support, balance, independence), Monte Carlo `R_S` mean and variance vs exact enumeration "
    "of 2^n signs, the bound's tightness inside Jensen's sandwich (exact and Monte Carlo), Massart's on the "
    "cube, `E||.||^2`, fitted log-log slope vs the bound's exact elasticity (6 SE), Thm 3.3 failure "
    "frequency <= delta with the simulated deviation's `E phi^2 = 1/(4n)`"
)

CLAIM = Claim(
    id="rademacher-linear",
    title="Rademacher complexity of the linear class is at most r Lambda / sqrt(n); Massart; the Rademacher bounds",
    source="Mohri, Rostamizadeh & Talwalkar, Foundations of ML (2nd ed.), Thm 3.3, 3.5, 3.7, 5.10",
    summary=SUMMARY,
    theory=('rademacher',),
    kernels=('rademacher',),
    rated_bounds=('rademacher_linear',),
    benchmarks=('benchmarks/rademacher.py',),
    docs=('rademacher.md', 'derivations/rademacher.md'),
    params=(
        Param("n", int, "sample size of the second-moment and bound check", 4096, 262144, V.positive),
        Param("d", int, "dimension of the points", 16, 64, V.positive),
        # r Lambda = 3, r != Lambda, neither 1: a dropped or swapped scale changes every number
        Param("r", float, "radius of the data, ||x|| <= r", 2.0, 2.0, V.positive_real),
        Param("Lambda", float, "radius of the weights, ||w|| <= Lambda", 1.5, 1.5, V.positive_real),
        Param("draws", int, "Monte Carlo sign vectors per estimate", 2000, 20000, V.at_least(2)),
        # 20000 draws on the 2^n_exact-sign comparison (cheap at n <= 22): a 10% error in the sup's variance
        # is caught with probability >= 0.99 at the 6-SE band (docs/derivations/rademacher.md)
        Param("draws_exact", int, "Monte Carlo sign vectors compared with exact enumeration", 20000, 200000,
              V.at_least(2)),
        Param("n_exact", int, "sample size enumerated exactly (2^n sign vectors)", 12, 20,
              lambda v: None if 1 <= v <= 22 else "must lie in 1..22"),
        Param("n_classifiers", int, "size |A| of the finite class (Massart)", 256, 4096, V.positive),
        Param("massart_n", int, "sample size of the Massart Monte Carlo check", 256, 4096, V.positive),
        Param("sweep_min", int, "smallest n of the rate sweep", 64, 64, V.at_least(2)),
        Param("sweep_max", int, "largest n of the rate sweep (sizes 4x apart)", 16384, 262144, V.at_least(2)),
        Param("coverage_n", int, "sample size of the Thm 3.3 failure-frequency simulation", 256, 1024, V.positive),
        Param("delta", float, "confidence delta in (0, 1)", 0.05, 0.05, V.open_unit),
    ),
    mutants=(
        Mutant("signs-zero-one", "sampler", f"{_KE}:_signs", f"{_M}:signs_zero_one",
               "signs drawn from {0, 1} instead of {-1, +1}"),
        Mutant("signs-gaussian", "sampler", f"{_KE}:_signs", f"{_M}:signs_gaussian",
               "standard normal 'signs': the same two moments, another law"),
        Mutant("jensen-over-n", "constant", f"{_TH}:linear_bound", f"{_M}:jensen_over_n",
               "r Lambda / n in place of r Lambda / sqrt(n)"),
        Mutant("linear-bound-sqrt2-loose", "loose-bound", f"{_TH}:linear_bound", f"{_M}:linear_bound_loose_sqrt2",
               "r Lambda sqrt(2/n): valid, but not the stated (and attained up to Jensen's gap) bound"),
        Mutant("massart-without-2", "constant", f"{_TH}:massart_bound", f"{_M}:massart_without_2",
               "sqrt(log |A|) in place of sqrt(2 log |A|)"),
        Mutant("massart-log-2N", "loose-bound", f"{_TH}:massart_bound", f"{_M}:massart_log_2n",
               "sqrt(2 log(2|A|)): valid, looser than Thm 3.7"),
        Mutant("thm33-log-1-over-delta", "constant", f"{_TH}:bound_empirical", f"{_M}:confidence_log_one_over_delta",
               "log(1/delta) in place of log(2/delta) in Thm 3.3 (ii)"),
        Mutant("thm33-3-becomes-2", "constant", f"{_TH}:bound_empirical", f"{_M}:confidence_3_becomes_2",
               "2 sqrt(log(2/delta)/(2n)) in place of 3 sqrt(...)"),
        Mutant("mc-ignores-lambda", "ignored-setting", f"{_KE}:mc_linear", f"{_M}:mc_ignores_lambda",
               "the Monte Carlo estimate computed for the unit ball whatever Lambda is"),
        Mutant("exact-half-cube-count", "construction", f"{_KE}:exact_linear_moments", f"{_M}:exact_linear_half_count",
               "half the cube enumerated, divided by 2^n"),
        Mutant("coverage-sup-without-half", "construction", f"{_KE}:random_label_sup_deviations",
               f"{_M}:coverage_sup_without_half", "the simulated sup deviation without the 1/2 of the loss class"),
        Mutant("same-expression-true", "short-circuit", f"{_TH}:same_expression", f"{_M}:same_expression_always",
               "the symbolic comparison replaced by True"),
    ),
)
