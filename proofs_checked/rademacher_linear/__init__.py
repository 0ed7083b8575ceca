"""Claim rademacher-linear: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param

SUMMARY = (
    "sympy: the linear class's sup (Cauchy–Schwarz, d <= 4), `E||sum sigma_i x_i||^2 = sum ||x_i||^2` "
    "(all 2^n signs for n <= 6, and general n), Jensen to `r Lambda / sqrt(n)`, Massart's `max||a|| "
    'sqrt(2 log|A|)/n` (optimal t), both forms of Thm 3.3 derived from McDiarmid and Thm 3.5 from Lemma '
    '3.4, declared rates = derived; numeric: Monte Carlo `R_S` vs exact enumeration of 2^n signs, the '
    '`E||.||^2` identity, `R_S <= r Lambda/sqrt(n)` and Massart (6 SE), fitted log-log slope -1/2 within '
    '6 SE, Thm 3.3 failure frequency <= delta in simulation'
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
        Param("r", float, "radius of the data, ||x|| <= r", 1.0, 1.0, V.positive_real),
        Param("Lambda", float, "radius of the weights, ||w|| <= Lambda", 1.0, 1.0, V.positive_real),
        Param("draws", int, "Monte Carlo sign vectors per estimate", 2000, 20000, V.at_least(2)),
        Param("n_exact", int, "sample size enumerated exactly (2^n sign vectors)", 12, 20,
              lambda v: None if 1 <= v <= 22 else "must lie in 1..22"),
        Param("n_classifiers", int, "size |A| of the finite class (Massart)", 256, 4096, V.positive),
        Param("massart_n", int, "sample size of the Massart Monte Carlo check", 256, 4096, V.positive),
        Param("sweep_min", int, "smallest n of the rate sweep", 64, 64, V.at_least(2)),
        Param("sweep_max", int, "largest n of the rate sweep (sizes 4x apart)", 16384, 262144, V.at_least(2)),
        Param("coverage_n", int, "sample size of the Thm 3.3 failure-frequency simulation", 256, 1024, V.positive),
        Param("delta", float, "confidence delta in (0, 1)", 0.05, 0.05, V.open_unit),
    ),
)
