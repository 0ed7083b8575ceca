"""Claim nk-linear: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param, count

MAX_N = 32768  # Bartlett holds the n^2/2 lower-triangle numbers in float64: 4 n^2 bytes = 4 GiB here
MAX_N_TEST = 10**8  # exact samplers hold n_test float64 margins (0.8 GB here, twice while drawn)
MAX_BRUTE_N = 8192  # brute force accumulates the n x n Gram matrix in float64: 512 MiB here
MAX_SMALL_N = 4096  # per-replicate sizes (KS/Monte Carlo n, torch n): O(n) to O(n D) per draw

SUMMARY = (
    'sympy: E‖w2‖² = n s², Var = 2n²s⁴/D, margin mean/variance/covariance from per-coordinate Gaussian '
    'moments (and the same from the rank-one reduction), the Gram reduction for every label pattern with '
    'n <= 3, the test error given w and its ε-threshold, the ε_unif >= 1 − ε lemma; numeric: Bartlett '
    '(O(n²)) and rank-one (O(n)) exact samplers and a streamed brute force vs the closed forms (train '
    "error 0, S′ error 1, test error vs Φ(−cc'√D/(s‖w2‖)), ‖w2‖²/(ns²)), KS agreement of the three "
    'samplers, the derived sufficient D (frequency of failure <= δ); torch: one SGD step from zero gives '
    'w'
)

CLAIM = Claim(
    id="nk-linear",
    title="An overparameterized linear classifier generalizes while two-sided uniform convergence is vacuous",
    source="Nagarajan & Kolter 2019, Sec. 3.1 (linear counterexample) and the eps_unif >= 1 - eps lemma",
    summary=SUMMARY,
    theory=('nk_linear',),
    kernels=('nk_linear', 'nk_linear_tolerances'),
    sims=('nk_linear',),
    benchmarks=('benchmarks/nk_linear.py',),
    docs=('nk_linear.md', 'derivations/nk_linear.md'),
    params=(
        Param("n", count, "training set size", 256, 4096,
              V.capped(MAX_N, "the Bartlett sampler holds n^2/2 float64 numbers (4 n^2 bytes: 4 GiB at "
                      "n = 32768, 64 GiB at 131072)")),
        Param("D", count, "noise dimension (the exact samplers are independent of D)", 200_000,
              1_000_000_000, V.positive),
        Param("K", count, "signal dimension", 5, 5, V.positive),
        Param("c", float, "signal scale: x1 = c y u (recalled 2, unverified)", 2.0, 2.0, V.positive_real),
        Param("c_prime", float, "learned signal weight: w1 = c' u (recalled 2, unverified)", 2.0, 2.0, V.positive_real),
        Param("s2", float, "noise variance s^2: x2 ~ N(0, s^2/D I) (recalled 32, unverified)", 32.0, 32.0,
              V.positive_real),
        Param("eps", float, "target test error", 0.01, 0.01, V.open_unit),
        Param("delta", float, "failure probability", 0.01, 0.01, V.open_unit),
        Param("n_test", count, "fresh test points", 20_000, 100_000,
              V.capped(MAX_N_TEST, "each sampler holds n_test float64 test margins (0.8 GB at 1e8)")),
        Param("brute_n", count, "brute-force training set size", 128, 256,
              V.capped(MAX_BRUTE_N, "the brute force accumulates the n x n float64 Gram matrix (8 n^2 bytes: "
                      "512 MiB at 8192) and costs O(n^2 D) time")),
        Param("brute_D", count, "brute-force noise dimension", 50_000, 200_000, V.positive),
        Param("brute_n_test", count, "brute-force fresh test points", 128, 256,
              V.capped(MAX_BRUTE_N, "the brute force draws n_test x D test noise (O(n_test D) time)")),
        Param("ks_n", count, "n of the KS and Monte Carlo comparisons", 16, 16,
              lambda v: "must be at least 2" if v < 2 else V.capped(
                  MAX_SMALL_N, "each of the thousands of replicates draws an n x D brute-force sample and "
                  "the Monte Carlo holds mc_reps x 4n float64 numbers")(v)),
        Param("ks_D", count, "D of the KS and Monte Carlo comparisons", 32, 32, V.positive),
        Param("ks_reps", count, "draws per sampler for the KS tests", 600, 3000,
              lambda v: None if v >= 100 else "must be at least 100: the KS tests run at level 1e-7, and "
              "fewer draws per sampler leave them almost no power"),
        Param("var_reps", count, "training sets per sampler (Bartlett, brute force) for the per-point "
              "margin variance and covariance", 10_000, 50_000, V.at_least(100)),
        Param("mc_reps", count, "Monte Carlo training sets (rank-one sampler)", 20_000, 200_000,
              lambda v: None if v >= 2 else "must be at least 2"),
        Param("torch_n", count, "torch training set size", 32, 64,
              V.capped(MAX_SMALL_N, "torch holds the n x (K + D) float64 data several times over")),
        Param("torch_D", count, "torch noise dimension", 8192, 65536, V.positive),
        Param("torch_steps", count, "continued-training steps", 5, 5, V.positive),
    ),
)
