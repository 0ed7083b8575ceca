"""Claim randomization: see ``CLAIM`` below; the checked proof is ``proof.py``, its figures ``figures.py``."""

from __future__ import annotations

from vacuity.errors import BadInput
from vacuity.proofs_checked.core import validators as V
from vacuity.proofs_checked.core.claim import Claim, Param


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
    'architectures, the changed-label fraction `p (1 - 1/K)`; numeric: corruption draws within 6 SE of '
    'it, variants are fixed draws (one pixel permutation for shuffled pixels, one per image for random '
    "pixels), Gaussian inputs match the data's mean and variance; torch: the models have the derived "
    'counts, and one batched group of MLP 1x512 runs on digits fits random labels, shuffled/random pixels '
    'and Gaussian inputs (>= 99.5%), with weight decay too; test error rises with corruption (Spearman >= '
    '0.9) to chance; the random-vs-true slowdown is reported'
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
        Param("lr", float, "initial learning rate of the MLP", 0.01, 0.01,
              lambda v: None if v > 0 else "must be positive"),
        Param("weight_decay", float, "weight decay of the random-label run with weight decay", 1e-4, 1e-4,
              lambda v: None if v > 0 else "must be positive"),
        Param("levels", str, "label-corruption levels in (0, 1), comma-separated", "0.2,0.4,0.6,0.8",
              "0.2,0.4,0.6,0.8", levels_error),
        Param("threads", int, "torch CPU threads (0: torch's default)", 1, 0,
              lambda v: None if v >= 0 else "must be >= 0"),
        Param("device", str, "torch device for the training step (cpu, cuda, cuda:N)", "cpu", "cpu",
              lambda v: None if v == "cpu" or v.startswith("cuda") else "must be cpu or cuda[:N]"),
    ),
)
