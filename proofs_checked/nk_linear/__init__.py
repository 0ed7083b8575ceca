"""Claim nk-linear: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param, count
from vacuity.proofs_checked.core.mutants import Mutant

MAX_N = 32768  # Bartlett holds the n^2/2 lower-triangle numbers in float64: 4 n^2 bytes = 4 GiB here
MAX_N_TEST = 10**8  # exact samplers hold n_test float64 margins (0.8 GB here, twice while drawn)
MAX_BRUTE_N = 8192  # brute force accumulates the n x n Gram matrix in float64: 512 MiB here
MAX_SMALL_N = 4096  # per-replicate sizes (replicate n, torch n): O(n) to O(n D) per draw

SUMMARY = (
    "sympy: E‖w2‖² = n s², Var = 2n²s⁴/D, margin mean/variance/covariance derived from per-coordinate "
    "Gaussian moments against the stated forms (and from the rank-one reduction), the Gram reduction for "
    "every label pattern with n <= 3 (a wrong S' is rejected), the test error and ramp loss L^(γ) given w, "
    "ε_unif >= 1 − ε and ε_unif >= 1 − ε_gen (a wrong bound is rejected); numeric: Bartlett (O(n²)) and "
    "rank-one (O(n)) exact samplers and a streamed brute force at the main (n, D) (train error 0, S′ error 1, "
    "test error and ramp loss vs the exact values given w, Σ margins = ‖w2‖²), 64k independent training "
    "sets per sampler (norm mean and variance, per-point margin variance and covariance, test error and "
    "test-margin law, each detecting a 10% error with probability 0.99; KS between samplers), the derived "
    "sufficient D (minimal, bracketed, frequency of failure <= δ, within 2x); premise-unmet below it; "
    "torch: w = (c'u, Σ y_i x2_i) by one gradient step from zero with per-block step sizes c'/c and n "
    "(a shared step size does not give the construction)"
)

_M = "vacuity.proofs_checked.nk_linear.mutants:"
MUTANTS = (
    Mutant("norm-mean-over-D", "constant", "vacuity.theory.nk_linear:noise_norm_moments", _M + "norm_mean_over_D",
           "E||w2||^2 = n s^2/D: the per-coordinate variance s^2/D taken for the whole norm"),
    Mutant("norm-var-drops-2", "constant", "vacuity.theory.nk_linear:noise_norm_moments", _M + "norm_var_drops_2",
           "Var ||w2||^2 = n^2 s^4/D: the chi-square variance 2D written as D"),
    Mutant("test-error-no-sqrt", "constant", "vacuity.kernels.nk_linear:conditional_test_error",
           _M + "test_error_no_sqrt", "Phi(-c c' D/(s^2 ||w2||^2)): the square root of D/(s^2 ||w2||^2) dropped"),
    Mutant("bartlett-dof-plus-one", "sampler", "vacuity.kernels.nk_linear:bartlett_dofs", _M + "bartlett_dof_plus_one",
           "Bartlett diagonal chi^2 with D - i + 2 degrees of freedom (1-based i): an off-by-one in the dofs"),
    Mutant("chi2-by-its-mean", "sampler", "vacuity.kernels.nk_linear:chi2_deviation", _M + "chi2_by_its_mean",
           "chi^2_k replaced by its mean k (deviation 0): the samplers lose the norm's randomness"),
    Mutant("rank-one-uncentred", "sampler", "vacuity.kernels.nk_linear:rank_one_gram", _M + "rank_one_uncentred",
           "the rank-one reduction with g instead of g - gbar: the centring dropped"),
    Mutant("s-prime-no-flip", "construction", "vacuity.kernels.nk_linear:margins_from_gram", _M + "s_prime_no_flip",
           "S' built without negating the noise block: S' margins c c' + (G 1)_i"),
    Mutant("torch-shared-step", "construction", "vacuity.sims.nk_linear:train", _M + "torch_shared_step",
           "the torch learner with one shared step size n: w1 = n c u instead of c' u"),
    Mutant("gram-proof-short-circuit", "short-circuit", "vacuity.theory.nk_linear:prove_gram_reduction",
           _M + "gram_proof_short_circuit", "the Gram reduction prover answers 'holds' without proving"),
    Mutant("lemma-short-circuit", "short-circuit", "vacuity.theory.nk_linear:prove_eps_unif_lemma",
           _M + "lemma_short_circuit", "the eps_unif >= 1 - eps prover returns True for any bound"),
    Mutant("sufficient-D-2x", "loose-bound", "vacuity.theory.nk_linear:sufficient_D", _M + "sufficient_D_2x",
           "a valid but 2x looser sufficient D (e.g. a doubled safety factor) instead of the derived one"),
    Mutant("ramp-ignores-gamma", "ignored-setting", "vacuity.kernels.nk_linear:ramp_loss", _M + "ramp_ignores_gamma",
           "the ramp loss computed as the 0-1 loss whatever gamma: the margin gamma silently ignored"),
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
    mutants=MUTANTS,
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
        Param("gamma", float, "ramp-loss margin: the L^(gamma) clause is checked at gamma/2 and gamma (the "
              "theorem's range is [0, 1]; 0 checks the 0-1 loss only)", 1.0, 1.0, V.non_negative),
        Param("n_test", count, "fresh test points of the exact samplers", 4_000_000, 10_000_000,
              V.capped(MAX_N_TEST, "each sampler holds n_test float64 test margins (0.8 GB at 1e8)")),
        Param("brute_n", count, "brute-force training set size", 128, 256,
              V.capped(MAX_BRUTE_N, "the brute force accumulates the n x n float64 Gram matrix (8 n^2 bytes: "
                      "512 MiB at 8192) and costs O(n^2 D) time")),
        Param("brute_D", count, "brute-force noise dimension", 50_000, 200_000, V.positive),
        Param("brute_n_test", count, "brute-force fresh test points (reported: too few for power)", 128, 256,
              V.capped(MAX_BRUTE_N, "the brute force draws n_test x D test noise (O(n_test D) time)")),
        Param("rep_n", count, "n of the replicate statistics (independent training sets per sampler)", 16, 16,
              lambda v: "must be at least 2" if v < 2 else V.capped(
                  MAX_SMALL_N, "the brute force draws reps x n x D normals in chunks and the D-condition "
                  "Monte Carlo holds mc_reps x 4n float64 numbers")(v)),
        Param("rep_D", count, "D of the replicate statistics", 32, 32, V.positive),
        Param("reps", count, "independent training sets per sampler (power: docs/derivations/nk_linear.md "
              "section 11)", 64_000, 200_000, V.at_least(100)),
        Param("mc_reps", count, "Monte Carlo training sets (rank-one sampler): E_w test error, D condition",
              20_000, 200_000, lambda v: None if v >= 2 else "must be at least 2"),
        Param("torch_n", count, "torch training set size", 32, 64,
              V.capped(MAX_SMALL_N, "torch holds the n x (K + D) float64 data several times over")),
        Param("torch_D", count, "torch noise dimension", 8192, 65536, V.positive),
        Param("torch_steps", count, "continued-training steps", 5, 5, V.positive),
        Param("gram_n", count, "the Gram reduction is proved for every label pattern with n <= gram_n", 3, 3,
              V.in_range(1, 4, "2^n label patterns of n x 2 symbolic noise")),
    ),
)
