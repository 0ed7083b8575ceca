"""Claim expressivity: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param
from vacuity.proofs_checked.core.mutants import Mutant

_M = "vacuity.proofs_checked.expressivity.mutants"
_K = "vacuity.kernels.expressivity"
_T = "vacuity.theory.expressivity"

SUMMARY = (
    'sympy: the weight count `2n + d` (from the parameter shapes), Lemma 1 (lower-triangular `A`, '
    'eigenvalues `z_i - b_i`) and the O(n) recurrence (equal to the triangular solve) for every n <= 8, '
    'both provers refuting kinks placed past their points; numeric: the float64 memorizer of n random '
    'points fits their labels within rounding-error bounds derived from its own arithmetic, with its kinks '
    'at `theta` and the best of `n_directions` directions; its exact-until-rounded residual agrees with '
    'mpmath within a derived range `[L, 1]` of its bound; the admissible bound is sharp (an adversarial '
    "recurrence reaches the derived 0.495 of it); Lemma 1's smallest eigenvalue follows "
    '`(1-theta) 2 sqrt(pi) / (n(n-1))` (6 SE, 7759 replicates: a 10 % error is caught with probability '
    '0.99); torch: an `nn.Module` with exactly `2n + d` parameters reproduces the labels'
)

CLAIM = Claim(
    id="expressivity",
    title="A two-layer ReLU network with 2n + d weights represents any function on n points",
    source="Zhang et al. 2017, Theorem 1 and Lemma 1",
    summary=SUMMARY,
    theory=('expressivity',),
    kernels=('expressivity', 'extended'),
    sims=('expressivity', 'memorizer_net'),
    benchmarks=('benchmarks/expressivity.py',),
    docs=('expressivity.md', 'derivations/expressivity.md'),
    params=(
        Param("n", int, "number of sample points", 1000, 50000, V.positive),
        Param("d", int, "input dimension", 64, 3072, V.positive),
        Param("labels", str, "'classes' (integers 0..n_classes-1) or 'real' (standard normal)",
              "classes", "classes",
              lambda v: None if v in ("classes", "real") else "must be 'classes' or 'real'"),
        Param("n_classes", int, "number of classes for class labels", 10, 10,
              lambda v: None if v >= 2 else "must be at least 2"),
        Param("n_directions", int, "random directions tried when d < n", 4, 4, V.positive),
        Param("theta", float, "position of each kink inside its gap, in (0, 1/2]", 0.25, 0.25,
              lambda v: None if 0 < v <= 0.5 else "must lie in (0, 1/2]"),
        Param("sweep_max", int, "largest n of the conditioning sweep (kappa, min gap vs n)", 4096, 16384,
              lambda v: None if v >= 512 else "must be at least 512"),
        Param("symbolic_max_n", int, "the symbolic identities are proved for every n up to this", 8, 8,
              lambda v: None if 1 <= v <= 10 else "must lie in 1..10"),
    ),
    mutants=(
        Mutant("kinks_one_gap_late", "construction", f"{_K}:interleave", f"{_M}:kinks_one_gap_late",
               "each kink b_i shifted into the next gap (z_i, z_{i+1}): not interleaved"),
        Mutant("recurrence_two_rows_back", "construction", f"{_K}:recurrence_coefficients",
               f"{_M}:recurrence_two_rows_back", "beta_i from y_i - y_{i-2}: the scan's recurrence off by one"),
        Mutant("sequential_gap_index_shift", "construction", f"{_K}:solve_sequential",
               f"{_M}:sequential_gap_index_shift", "the textbook recurrence divides by z_i - b_{i-1}"),
        Mutant("torch_extra_bias", "construction", "vacuity.sims.memorizer_net:MemorizerNet",
               f"{_M}:torch_extra_bias", "the torch module with an output bias: 2n + d + 1 parameters"),
        Mutant("weight_count_plus_one", "constant", f"{_T}:weight_count", f"{_M}:weight_count_plus_one",
               "the derived weight count written 2n + d + 1"),
        Mutant("spacing_constant_pi", "constant", f"{_T}:gaussian_min_spacing_mean",
               f"{_M}:spacing_constant_pi", "the spacing law's 2 sqrt(pi) written pi (11 % off)"),
        Mutant("gamma_quarter", "constant", f"{_K}:gamma", f"{_M}:gamma_quarter",
               "gamma_k replaced by gamma_{k/4}: the rounding bounds 4x too optimistic"),
        Mutant("admissible_ten_times", "loose-bound", f"{_K}:admissible_residual",
               f"{_M}:admissible_ten_times", "the admissible residual 10x looser than derived"),
        Mutant("directions_not_normalized", "sampler", f"{_K}:random_directions",
               f"{_M}:directions_not_normalized", "random directions drawn N(0, I_d) but never normalized"),
        Mutant("theta_ignored", "ignored-setting", f"{_K}:construct", f"{_M}:theta_ignored",
               "construct places the kinks at the default theta whatever it is given"),
        Mutant("n_directions_ignored", "ignored-setting", f"{_K}:construct", f"{_M}:n_directions_ignored",
               "construct tries the default number of random directions whatever it is given"),
        Mutant("lemma1_always_holds", "short-circuit", f"{_T}:prove_lemma1", f"{_M}:lemma1_always_holds",
               "the symbolic Lemma 1 proof replaced by its expected answer"),
    ),
)
