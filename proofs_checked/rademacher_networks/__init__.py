"""Claim rademacher-networks: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param
from vacuity.proofs_checked.core.mutants import Mutant

_M = "vacuity.proofs_checked.rademacher_networks.mutants"  # the factories
_TH = "vacuity.theory.rademacher"
_SI = "vacuity.sims.rademacher_networks"

SUMMARY = (
    'sympy: the Thm 3.5 bound and the vacuity threshold `R_S(H) >= 1 - 3 sqrt(log(2/delta)/(2n))` (the bound '
    'is exactly 1 there, spot-checked), the prover refuses every near miss; numeric: a ReLU MLP trained by '
    'SGD on K random sign vectors (K networks at once) reaches that threshold (mean - 6 SE) at every n, so '
    'the bound is >= 1, with the K signs checked as Rademacher draws (balanced, pairwise different), the '
    'networks scoring ~0 (exact SE) on signs they never saw, and the declared architecture and SGD budget; '
    'torch: the same network on the true labels (digits, MNIST-1D, or real MNIST with `--set dataset=mnist` '
    'and `VACUITY_DATA`; binary task: digit >= 5) has a test error + 6 SE below chance (the majority-class '
    'error), while the bound is >= 1'
)

CLAIM = Claim(
    id="rademacher-networks",
    title="A ReLU MLP trained by SGD fits random signs: empirical Rademacher complexity about 1, a vacuous bound",
    source="Zhang et al. 2017, Sec. 2.2; Mohri et al. Thm 3.5",
    summary=SUMMARY,
    uses=('rademacher-linear',),
    theory=('rademacher',),
    kernels=('rademacher',),
    sims=('rademacher_networks', 'train'),
    benchmarks=('benchmarks/rademacher.py',),
    docs=('rademacher.md', 'derivations/rademacher.md'),
    params=(
        Param("dataset", str, "'digits' (sklearn), 'mnist1d' (generated) or 'mnist' (needs $VACUITY_DATA)",
              "digits", "mnist1d",
              lambda v: None if v in ("digits", "mnist1d", "mnist") else "must be 'digits', 'mnist1d' or 'mnist'"),
        Param("sizes", str, "training-set sizes n, comma-separated, increasing", "100,200,400,800",
              "500,1000,2000,4000", V.increasing_sizes),
        Param("draws", int, "random sign vectors sigma (networks trained at once)", 8, 16, V.at_least(2)),
        Param("width", int, "hidden units per ReLU layer", 256, 512, V.positive),
        Param("depth", int, "number of hidden ReLU layers", 1, 2, V.positive),
        Param("epochs", int, "SGD epochs over the n points", 120, 100, V.positive),
        Param("batch", int, "SGD minibatch size", 64, 128, V.positive),
        Param("lr", float, "SGD learning rate (momentum 0.9)", 0.05, 0.05, V.positive_real),
        Param("delta", float, "confidence delta in (0, 1)", 0.05, 0.05, V.open_unit),
        Param("threads", int, "torch CPU threads while training (0: torch's default)", 1, 0,
              lambda v: None if v >= 0 else "must be at least 0"),
    ),
    mutants=(
        Mutant("signs-high-exclusive", "sampler", f"{_SI}:random_signs",
               f"{_M}:signs_high_exclusive",
               "integers(0, 1): every sign -1, a constant any network fits"),
        Mutant("one-sign-vector-for-all-draws", "sampler", f"{_SI}:random_signs",
               f"{_M}:one_sign_vector_for_all_draws",
               "one sign vector reused for every draw: K networks fit the same signs"),
        Mutant("trained-on-true-labels", "construction", f"{_SI}:fit_random_signs",
               f"{_M}:trained_on_true_labels",
               "the networks trained on the true labels instead of the random signs"),
        Mutant("depth-off-by-one", "construction", f"{_SI}:TrainConfig.trainer_config",
               f"{_M}:depth_off_by_one", "one hidden layer more than depth says"),
        Mutant("epochs-ignored", "ignored-setting", f"{_SI}:TrainConfig.trainer_config",
               f"{_M}:epochs_ignored", "the step budget from the default epochs, not the claim's"),
        Mutant("thm33-log-1-over-delta", "constant", f"{_TH}:bound_empirical",
               f"{_M}:confidence_log_one_over_delta", "log(1/delta) in place of log(2/delta) in Thm 3.3 (ii)"),
        Mutant("vacuity-threshold-2", "constant", f"{_TH}:vacuity_threshold_stated",
               f"{_M}:vacuity_threshold_with_2", "the threshold's 3 sqrt(...) written 2 sqrt(...)"),
        Mutant("binary-bound-factor-2", "loose-bound", f"{_TH}:bound_binary",
               f"{_M}:binary_bound_factor_2", "2 Rhat(H): valid but not Thm 3.5 (Lemma 3.4's halving lost)"),
        Mutant("same-expression-true", "short-circuit", f"{_TH}:same_expression",
               f"{_M}:same_expression_always", "the symbolic comparison replaced by True"),
    ),
)
