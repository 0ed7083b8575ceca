"""Claim randomization: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.errors import BadInput
from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param
from vacuity.proofs_checked.core.mutants import Mutant


def parse_levels(text: str) -> tuple[float, ...]:
    try:
        levels = tuple(float(t) for t in str(text).split(",") if t.strip())
    except ValueError:
        raise BadInput(f"levels: cannot read {text!r} as comma-separated numbers") from None
    return levels


def levels_error(text: str) -> str | None:
    try:
        levels = parse_levels(text)
    except BadInput as e:
        return str(e)
    if len(levels) < 3 or any(not 0 < v < 1 for v in levels):
        return "needs at least 3 corruption levels strictly between 0 and 1 (0 and 1 are always run)"
    return None

SUMMARY = (
    "sympy: Table 1's parameter counts (1,209,866 / 1,735,178 / 1,387,786 / 1,649,402) derived from the "
    "architectures, the changed-label fraction `p (1 - 1/K)`, the normal's skewness/kurtosis SEs `sqrt(6/N)`, "
    "`sqrt(24/N)`; numeric: label variants change `p (1 - 1/K)` within 6 SE, random labels are uniform and "
    "independent of the true ones (chi-square), variants are fixed draws, shuffled pixels use one "
    "permutation and random pixels a uniform one per image, Gaussian inputs have the data's law (4 moments, KS "
    "within the DKW band, uncorrelated with the images); torch: one batched MLP 1x512 group on digits fits "
    "random labels, random pixels and Gaussian inputs (>= 99.5%); weight decay shrinks the norm (>= half of "
    "decay alone in the first lr period) without preventing the fit; test error rises with corruption "
    "(Spearman >= 0.9) to chance; every corrupted level is fitted later than the true labels in each of 4 "
    "seeds (the paper's gradual rise is reported: not reproduced at this scale); a small CNN fits shuffled "
    "pixels"
)

CLAIM = Claim(
    id="randomization",
    title="Networks fit random labels and random pixels; test error rises with label corruption to chance",
    source="Zhang et al. 2017, Sec. 2 (Figure 1, Table 1)",
    summary=SUMMARY,
    theory=('randomization',),
    sims=('randomization', 'data', 'models', 'train'),
    benchmarks=('benchmarks/randomization.py',),
    docs=('randomization.md',),
    experiment='vacuity.proofs_checked.randomization.experiment:main',
    mutants=(
        Mutant("corrupt-from-other-classes", "sampler", "vacuity.sims.data:corrupt_labels",
               "vacuity.proofs_checked.randomization.mutants:corrupt_from_other_classes",
               "the replacement class drawn from the K - 1 others: a fraction p changes, not p (1 - 1/K)"),
        Mutant("corruption-probability-corrected", "sampler", "vacuity.sims.data:make_variant",
               "vacuity.proofs_checked.randomization.mutants:corruption_probability_corrected",
               "partial corruption built with probability p (1 - 1/K): the (1 - 1/K) applied twice"),
        Mutant("random-labels-relabel-classes", "sampler", "vacuity.sims.data:make_variant",
               "vacuity.proofs_checked.randomization.mutants:random_labels_relabel_classes",
               "random labels as a random renaming of the classes: not independent of the images"),
        Mutant("random-pixels-one-permutation", "construction", "vacuity.sims.data:make_variant",
               "vacuity.proofs_checked.randomization.mutants:random_pixels_one_permutation",
               "random pixels reusing one permutation for every image"),
        Mutant("gaussian-variance-as-scale", "sampler", "vacuity.sims.data:make_variant",
               "vacuity.proofs_checked.randomization.mutants:gaussian_variance_as_scale",
               "Gaussian inputs drawn with the variance passed where numpy wants the standard deviation"),
        Mutant("weight-decay-dropped", "ignored-setting", "vacuity.sims.randomization:claim_runs",
               "vacuity.proofs_checked.randomization.mutants:weight_decay_dropped",
               "the claim's runs built without the weight decay it was given"),
        Mutant("changed-fraction-is-p", "constant", "vacuity.theory.randomization:changed_fraction",
               "vacuity.proofs_checked.randomization.mutants:changed_fraction_is_p",
               "the changed-label fraction stated as p instead of p (1 - 1/K)"),
        Mutant("mlp-count-without-biases", "constant", "vacuity.theory.randomization:mlp_count",
               "vacuity.proofs_checked.randomization.mutants:mlp_count_without_biases",
               "Table 1's MLP counts off by the biases"),
        Mutant("mlp-width-256", "construction", "vacuity.sims.models:build",
               "vacuity.proofs_checked.randomization.mutants:mlp_width_256",
               "MLP 1x512 built with the wrong hidden width"),
        Mutant("counts-stated-not-derived", "short-circuit", "vacuity.theory.randomization:counts",
               "vacuity.proofs_checked.randomization.mutants:counts_stated_not_derived",
               "the count derivation replaced by Table 1's numbers (right at CIFAR-10's shape only)"),
    ),
    params=(
        Param("dataset", str, "digits or mnist1d (embedded), mnist or cifar10 (needs $VACUITY_DATA)",
              "digits", "mnist",
              lambda v: None if v in ("digits", "mnist1d", "mnist", "cifar10") else
              "must be digits, mnist1d, mnist or cifar10"),
        Param("n_train", int, "training points (0: the whole split)", 0, 0,
              lambda v: None if v >= 0 else "must be >= 0"),
        Param("n_test", int, "test points (0: the whole split)", 0, 0,
              lambda v: None if v >= 0 else "must be >= 0"),
        Param("batch_size", int, "SGD minibatch size", 32, 128, V.positive),
        Param("max_steps", int, "step budget per model", 12000, 60000, V.positive),
        Param("decay_steps", int, "steps per 0.95 learning-rate decay (0: one epoch)", 400, 0,
              lambda v: None if v >= 0 else "must be >= 0"),
        Param("lr", float, "initial learning rate of the MLP", 0.01, 0.01, V.positive_real),
        Param("weight_decay", float, "weight decay of the random-label run with weight decay", 1e-4, 1e-4,
              V.positive_real),
        Param("seeds", int, "seeds of the corruption sweep (Fig. 1b/c: every level for each seed)", 4, 5,
              V.at_least(2)),
        Param("levels", str, "label-corruption levels in (0, 1), comma-separated", "0.2,0.4,0.6,0.8",
              "0.2,0.4,0.6,0.8", levels_error),
        Param("threads", int, "torch CPU threads (0: torch's default)", 1, 0,
              lambda v: None if v >= 0 else "must be >= 0"),
        Param("device", str, "torch device for the training step (cpu, cuda, cuda:N)", "cpu", "cpu",
              lambda v: None if v == "cpu" or v.startswith("cuda") else "must be cpu or cuda[:N]"),
    ),
)
