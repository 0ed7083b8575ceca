"""Claim hoeffding: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param

DELTA = Param("delta", float, "failure probability of the bound, in (0, 1)", 0.05, 0.05, V.open_unit)
REPLICATES = "independent samples per size (Monte Carlo replicates)"

SUMMARY = (
    "sympy: Hoeffding's lemma for a Bernoulli loss, the Chernoff optimum, the tail `2 exp(-2 n eps^2)` "
    'and its root `sqrt(log(2/delta)/(2n))`; exact: the binomial tail is below it for every n <= 30 and '
    'every eps (rationals vs intervals); numeric: binomial counts and brute-force Bernoulli losses agree '
    'with the exact law, the `(1-delta)`-quantile of `|R_hat - R|` stays under the bound, its log-log '
    'slope matches `-1/2` (6 SE)'
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
    params=(
        DELTA,
        Param("p", float, "true risk R of the hypothesis (its Bernoulli loss rate), in (0, 1)", 0.3, 0.3,
              lambda v: None if 0 < v < 1 else "must lie in (0, 1) (at 0 or 1 every deviation is 0: no rate to fit)"),
        Param("n_min", int, "smallest sample size of the sweep", 100, 100, V.positive),
        Param("n_max", int, "largest sample size of the sweep", 1_000_000, 1_000_000_000, V.at_least(2)),
        Param("sizes", int, "number of sample sizes (log-spaced) in the sweep", 5, 8, V.at_least(3)),
        Param("replicates", int, REPLICATES, 20_000, 1_000_000, V.at_least(100)),
        Param("brute_n_max", int, "largest n for the brute-force Bernoulli path", 10_000, 1_000_000, V.positive),
        Param("brute_replicates", int, "replicates of the brute-force comparison", 2_000, 20_000, V.at_least(100)),
        Param("exact_n_max", int, "exact rational tail check for every n up to this", 30, 60, V.positive),
    ),
)
