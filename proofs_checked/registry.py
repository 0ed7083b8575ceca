"""The claim registry: every checked claim, its parameters per scale, and how to run it."""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from vacuity.proofs_checked.result import CheckResult

SCALES = ("small", "paper")
BACKENDS = ("numpy", "cupy", "torch")


class BadInput(ValueError):
    """Invalid user input (parameters, data): the CLI prints the message and exits 2."""


@dataclass(frozen=True)
class Param:
    name: str
    type: type
    help: str
    small: Any
    paper: Any
    check: Callable[[Any], str | None] = lambda v: None  # returns an error message or None

    def parse(self, text: str) -> Any:
        try:
            if self.type is bool:
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            value = self.type(text)
        except ValueError:
            raise BadInput(f"parameter {self.name}: cannot read {text!r} as {self.type.__name__}") from None
        return value


@dataclass(frozen=True)
class Claim:
    id: str
    title: str
    source: str
    module: str  # "<name>" in vacuity.proofs_checked, or a dotted path; defines run(ctx) and math()
    params: tuple[Param, ...] = field(default_factory=tuple)

    def defaults(self, scale: str) -> dict[str, Any]:
        return {p.name: getattr(p, scale) for p in self.params}

    def resolve(self, scale: str, overrides: dict[str, str] | None = None) -> dict[str, Any]:
        """Parameters for a run: scale defaults, then ``key=value`` overrides, each validated."""
        if scale not in SCALES:
            raise BadInput(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
        values = self.defaults(scale)
        by_name = {p.name: p for p in self.params}
        for key, text in (overrides or {}).items():
            if key not in by_name:
                known = ", ".join(sorted(by_name)) or "none"
                raise BadInput(f"claim {self.id} has no parameter {key!r} (parameters: {known})")
            values[key] = by_name[key].parse(text)
        for p in self.params:
            msg = p.check(values[p.name])
            if msg:
                raise BadInput(f"parameter {p.name}={values[p.name]!r}: {msg}")
        return values

    def run(self, *, scale: str = "small", backend: str = "numpy", seed: int = 0,
            overrides: dict[str, str] | None = None, figures_dir: Path | None = None,
            progress: Any = None) -> CheckResult:
        if backend not in BACKENDS:
            raise BadInput(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        params = self.resolve(scale, overrides)
        return self._module().run(RunContext(self, scale, backend, seed, params, figures_dir, progress))

    def math(self) -> list[tuple[str, str]]:
        """(caption, MathML) pairs: the statement and derivation, for the report."""
        return self._module().math()

    def _module(self):
        name = self.module if "." in self.module else f"vacuity.proofs_checked.{self.module}"
        return importlib.import_module(name)


@dataclass
class RunContext:
    claim: Claim
    scale: str
    backend: str
    seed: int
    params: dict[str, Any]
    figures_dir: Path | None = None
    progress: Any = None  # optional callable(str) for status lines


def _positive(v):
    return None if v >= 1 else "must be at least 1"


def _at_least(k):
    return lambda v: None if v >= k else f"must be at least {k}"


def _open_unit(v):
    return None if 0 < v < 1 else "must lie in (0, 1)"


def _pos_real(v):
    return None if math.isfinite(v) and v > 0 else "must be a finite number > 0"


def count(text: str) -> int:
    """An integer that may be written like 1e9."""
    try:
        return int(text)
    except ValueError:
        v = float(text)
        if not v.is_integer():
            raise ValueError(text) from None
        return int(v)


CLAIMS: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    if claim.id in CLAIMS:
        raise ValueError(f"duplicate claim id {claim.id}")
    CLAIMS[claim.id] = claim
    return claim


register(Claim(
    id="expressivity",
    title="A two-layer ReLU network with 2n + d weights represents any function on n points",
    source="Zhang et al. 2017, Theorem 1 and Lemma 1",
    module="expressivity",
    params=(
        Param("n", int, "number of sample points", 1000, 50000, _positive),
        Param("d", int, "input dimension", 64, 3072, _positive),
        Param("labels", str, "'classes' (integers 0..n_classes-1) or 'real' (standard normal)",
              "classes", "classes",
              lambda v: None if v in ("classes", "real") else "must be 'classes' or 'real'"),
        Param("n_classes", int, "number of classes for class labels", 10, 10,
              lambda v: None if v >= 2 else "must be at least 2"),
        Param("n_directions", int, "random directions tried when d < n", 4, 4, _positive),
        Param("theta", float, "position of each kink inside its gap, in (0, 1/2]", 0.25, 0.25,
              lambda v: None if 0 < v <= 0.5 else "must lie in (0, 1/2]"),
        Param("sweep_max", int, "largest n of the conditioning sweep (kappa, min gap vs n)", 4096, 16384,
              lambda v: None if v >= 128 else "must be at least 128"),
    ),
))


# ------------------------------------------------------------------ classical bounds (issue #5)

_DELTA = Param("delta", float, "failure probability of the bound, in (0, 1)", 0.05, 0.05, _open_unit)
_REPLICATES = "independent samples per size (Monte Carlo replicates)"

register(Claim(
    id="hoeffding",
    title="Hoeffding: one hypothesis deviates by more than sqrt(log(2/delta)/(2n)) with probability at most delta",
    source="Mohri, Rostamizadeh & Talwalkar, Foundations of ML (2nd ed.), Thm D.2 and Cor. 2.11",
    module="hoeffding",
    params=(
        _DELTA,
        Param("p", float, "true risk R of the hypothesis (its Bernoulli loss rate), in (0, 1)", 0.3, 0.3,
              lambda v: None if 0 < v < 1 else "must lie in (0, 1) (at 0 or 1 every deviation is 0: no rate to fit)"),
        Param("n_min", int, "smallest sample size of the sweep", 100, 100, _positive),
        Param("n_max", int, "largest sample size of the sweep", 1_000_000, 1_000_000_000, _at_least(2)),
        Param("sizes", int, "number of sample sizes (log-spaced) in the sweep", 5, 8, _at_least(3)),
        Param("replicates", int, _REPLICATES, 20_000, 1_000_000, _at_least(100)),
        Param("brute_n_max", int, "largest n for the brute-force Bernoulli path", 10_000, 1_000_000, _positive),
        Param("brute_replicates", int, "replicates of the brute-force comparison", 2_000, 20_000, _at_least(100)),
        Param("exact_n_max", int, "exact rational tail check for every n up to this", 30, 60, _positive),
    ),
))

register(Claim(
    id="finite-class",
    title="Finite class: every h in H deviates by at most sqrt((log|H| + log(2/delta))/(2n)) w.p. 1 - delta",
    source="Mohri, Rostamizadeh & Talwalkar, Foundations of ML (2nd ed.), Thm 2.13 (union bound)",
    module="finite_class",
    params=(
        _DELTA,
        Param("class_size", int, "|H|: number of random classifiers", 1000, 10_000, _positive),
        Param("domain", int, "m: size of the finite input domain (2m cells with the label)", 16, 64, _positive),
        Param("n_min", int, "smallest sample size of the sweep", 1000, 1000, _positive),
        Param("n_max", int, "largest sample size of the sweep", 1_000_000, 100_000_000, _at_least(2)),
        Param("sizes", int, "number of sample sizes (log-spaced) in the sweep", 4, 6, _at_least(3)),
        Param("replicates", int, _REPLICATES, 4000, 100_000, _at_least(100)),
        Param("brute_n", int, "sample size of the point-by-point comparison", 1000, 10_000, _positive),
        Param("brute_replicates", int, "replicates of the point-by-point comparison", 200, 1000, _at_least(10)),
    ),
))

register(Claim(
    id="vc",
    title="VC: Sauer-Shelah, the VC bound, and VCdim(halfspaces in R^d) = d + 1",
    source="Mohri, Rostamizadeh & Talwalkar, Foundations of ML (2nd ed.), Thm 3.17, Cor. 3.18, 3.19; Radon",
    module="vc",
    params=(
        _DELTA,
        Param("sauer_n_max", int, "exact Sauer checks for every 0 <= d, n up to this", 60, 150, _positive),
        # every d up to d_max costs (3 random_sets + 1) 2^(d+1) LPs (each labeling of d + 1 and d + 2
        # points): d_max 8 and 16 sets is at most 25,000 LPs (measured: 45 s for the claim with a small
        # sweep); d_max 20 would be 3 million
        Param("d_max", int, "shattering checks for halfspaces in R^d, d = 1..d_max", 3, 4,
              lambda v: None if 1 <= v <= 8 else "must lie in 1..8 (2^(d+1) labelings, one LP each, per point set "
                                                 "and d)"),
        Param("growth_d", int, "dimension of the halfspaces whose growth function is counted", 2, 3, _positive),
        Param("growth_n_max", int, "count realizable labelings of n = 1..growth_n_max points (2^(n-1) LPs)",
              9, 11, lambda v: None if 1 <= v <= 16 else "must lie in 1..16 (2^(n-1) LPs each)"),
        Param("random_sets", int, "random point sets per shattering check", 3, 10,
              lambda v: None if 1 <= v <= 16 else "must lie in 1..16 (each set costs up to 3 x 2^(d_max+1) LPs)"),
        Param("n_min", int, "smallest sample size of the threshold sweep", 64, 64, _positive),
        Param("n_max", int, "largest sample size of the threshold sweep", 4096, 1_048_576, _at_least(2)),
        Param("sizes", int, "number of sample sizes (log-spaced) in the sweep", 4, 6, _at_least(3)),
        Param("replicates", int, _REPLICATES, 2000, 20_000, _at_least(100)),
    ),
))


# ---- nk-linear (Nagarajan & Kolter 2019, Sec. 3.1) ------------------------------------------------

_NK_MAX_N = 32768  # Bartlett holds the n^2/2 lower-triangle numbers in float64: 4 n^2 bytes = 4 GiB here
_NK_MAX_N_TEST = 10**8  # exact samplers hold n_test float64 margins (0.8 GB here, twice while drawn)
_NK_MAX_BRUTE_N = 8192  # brute force accumulates the n x n Gram matrix in float64: 512 MiB here
_NK_MAX_SMALL_N = 4096  # per-replicate sizes (KS/Monte Carlo n, torch n): O(n) to O(n D) per draw


def _nk_cap(cap, what):
    def check(v):
        if v < 1:
            return "must be at least 1"
        return None if v <= cap else f"must be at most {cap}: {what}"
    return check



register(Claim(
    id="nk-linear",
    title="An overparameterized linear classifier generalizes while two-sided uniform convergence is vacuous",
    source="Nagarajan & Kolter 2019, Sec. 3.1 (linear counterexample) and the eps_unif >= 1 - eps lemma",
    module="nk_linear",
    params=(
        Param("n", count, "training set size", 256, 4096,
              _nk_cap(_NK_MAX_N, "the Bartlett sampler holds n^2/2 float64 numbers (4 n^2 bytes: 4 GiB at "
                      "n = 32768, 64 GiB at 131072)")),
        Param("D", count, "noise dimension (the exact samplers are independent of D)", 200_000,
              1_000_000_000, _positive),
        Param("K", count, "signal dimension", 5, 5, _positive),
        Param("c", float, "signal scale: x1 = c y u (recalled 2, unverified)", 2.0, 2.0, _pos_real),
        Param("c_prime", float, "learned signal weight: w1 = c' u (recalled 2, unverified)", 2.0, 2.0, _pos_real),
        Param("s2", float, "noise variance s^2: x2 ~ N(0, s^2/D I) (recalled 32, unverified)", 32.0, 32.0,
              _pos_real),
        Param("eps", float, "target test error", 0.01, 0.01, _open_unit),
        Param("delta", float, "failure probability", 0.01, 0.01, _open_unit),
        Param("n_test", count, "fresh test points", 20_000, 100_000,
              _nk_cap(_NK_MAX_N_TEST, "each sampler holds n_test float64 test margins (0.8 GB at 1e8)")),
        Param("brute_n", count, "brute-force training set size", 128, 256,
              _nk_cap(_NK_MAX_BRUTE_N, "the brute force accumulates the n x n float64 Gram matrix (8 n^2 bytes: "
                      "512 MiB at 8192) and costs O(n^2 D) time")),
        Param("brute_D", count, "brute-force noise dimension", 50_000, 200_000, _positive),
        Param("brute_n_test", count, "brute-force fresh test points", 128, 256,
              _nk_cap(_NK_MAX_BRUTE_N, "the brute force draws n_test x D test noise (O(n_test D) time)")),
        Param("ks_n", count, "n of the KS and Monte Carlo comparisons", 16, 16,
              lambda v: "must be at least 2" if v < 2 else _nk_cap(
                  _NK_MAX_SMALL_N, "each of the thousands of replicates draws an n x D brute-force sample and "
                  "the Monte Carlo holds mc_reps x 4n float64 numbers")(v)),
        Param("ks_D", count, "D of the KS and Monte Carlo comparisons", 32, 32, _positive),
        Param("ks_reps", count, "draws per sampler for the KS tests", 600, 3000,
              lambda v: None if v >= 100 else "must be at least 100: the KS tests run at level 1e-7, and "
              "fewer draws per sampler leave them almost no power"),
        Param("var_reps", count, "training sets per sampler (Bartlett, brute force) for the per-point "
              "margin variance and covariance", 10_000, 50_000, _at_least(100)),
        Param("mc_reps", count, "Monte Carlo training sets (rank-one sampler)", 20_000, 200_000,
              lambda v: None if v >= 2 else "must be at least 2"),
        Param("torch_n", count, "torch training set size", 32, 64,
              _nk_cap(_NK_MAX_SMALL_N, "torch holds the n x (K + D) float64 data several times over")),
        Param("torch_D", count, "torch noise dimension", 8192, 65536, _positive),
        Param("torch_steps", count, "continued-training steps", 5, 5, _positive),
    ),
))


# ------------------------------------------------------------------ Rademacher claims (issue #5)


def _sizes_list(v):
    try:
        sizes = [int(t) for t in str(v).split(",") if t.strip()]
    except ValueError:
        return "must be comma-separated integers, e.g. 100,200,400"
    if len(sizes) < 3 or any(m < 2 for m in sizes) or sorted(set(sizes)) != sizes:
        return "must list at least three increasing sizes, each at least 2"
    return None


register(Claim(
    id="rademacher-linear",
    title="Rademacher complexity of the linear class is at most r Lambda / sqrt(n); Massart; the Rademacher bounds",
    source="Mohri, Rostamizadeh & Talwalkar, Foundations of ML (2nd ed.), Thm 3.3, 3.5, 3.7, 5.10",
    module="rademacher_linear",
    params=(
        Param("n", int, "sample size of the second-moment and bound check", 4096, 262144, _positive),
        Param("d", int, "dimension of the points", 16, 64, _positive),
        Param("r", float, "radius of the data, ||x|| <= r", 1.0, 1.0, _pos_real),
        Param("Lambda", float, "radius of the weights, ||w|| <= Lambda", 1.0, 1.0, _pos_real),
        Param("draws", int, "Monte Carlo sign vectors per estimate", 2000, 20000, _at_least(2)),
        Param("n_exact", int, "sample size enumerated exactly (2^n sign vectors)", 12, 20,
              lambda v: None if 1 <= v <= 22 else "must lie in 1..22"),
        Param("n_classifiers", int, "size |A| of the finite class (Massart)", 256, 4096, _positive),
        Param("massart_n", int, "sample size of the Massart Monte Carlo check", 256, 4096, _positive),
        Param("sweep_min", int, "smallest n of the rate sweep", 64, 64, _at_least(2)),
        Param("sweep_max", int, "largest n of the rate sweep (sizes 4x apart)", 16384, 262144, _at_least(2)),
        Param("coverage_n", int, "sample size of the Thm 3.3 failure-frequency simulation", 256, 1024, _positive),
        Param("delta", float, "confidence delta in (0, 1)", 0.05, 0.05, _open_unit),
    ),
))

register(Claim(
    id="rademacher-networks",
    title="A ReLU MLP trained by SGD fits random signs: empirical Rademacher complexity about 1, a vacuous bound",
    source="Zhang et al. 2017, Sec. 2.2; Mohri et al. Thm 3.5",
    module="rademacher_networks",
    params=(
        Param("dataset", str, "'digits' (sklearn), 'mnist1d' (generated) or 'mnist' (needs $VACUITY_DATA)",
              "digits", "mnist1d",
              lambda v: None if v in ("digits", "mnist1d", "mnist") else "must be 'digits', 'mnist1d' or 'mnist'"),
        Param("sizes", str, "training-set sizes n, comma-separated, increasing", "100,200,400,800",
              "500,1000,2000,4000", _sizes_list),
        Param("draws", int, "random sign vectors sigma (networks trained at once)", 8, 16, _at_least(2)),
        Param("width", int, "hidden units per ReLU layer", 256, 512, _positive),
        Param("depth", int, "number of hidden ReLU layers", 1, 2, _positive),
        Param("epochs", int, "SGD epochs over the n points", 120, 100, _positive),
        Param("batch", int, "SGD minibatch size", 64, 128, _positive),
        Param("lr", float, "SGD learning rate (momentum 0.9)", 0.05, 0.05, _pos_real),
        Param("delta", float, "confidence delta in (0, 1)", 0.05, 0.05, _open_unit),
        Param("threads", int, "torch CPU threads while training (0: torch's default)", 1, 0,
              lambda v: None if v >= 0 else "must be at least 0"),
    ),
))


def get(claim_id: str) -> Claim:
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise BadInput(f"unknown claim {claim_id!r}; run 'vacuity list' to see the claims") from None


def _levels(v):
    from vacuity.proofs_checked.randomization import levels_error

    return levels_error(v)


register(Claim(
    id="randomization",
    title="Networks fit random labels and random pixels; test error rises with label corruption to chance",
    source="Zhang et al. 2017, Sec. 2 (Figure 1, Table 1)",
    module="randomization",
    params=(
        Param("dataset", str, "digits or mnist1d (embedded), mnist or cifar10 (needs $VACUITY_DATA)",
              "digits", "mnist",
              lambda v: None if v in ("digits", "mnist1d", "mnist", "cifar10") else
              "must be digits, mnist1d, mnist or cifar10"),
        Param("n_train", int, "training points (0: the whole split)", 0, 0,
              lambda v: None if v >= 0 else "must be >= 0"),
        Param("n_test", int, "test points (0: the whole split)", 0, 0,
              lambda v: None if v >= 0 else "must be >= 0"),
        Param("batch_size", int, "SGD minibatch size", 32, 128, _positive),
        Param("max_steps", int, "step budget per model", 12000, 60000, _positive),
        Param("decay_steps", int, "steps per 0.95 learning-rate decay (0: one epoch)", 400, 0,
              lambda v: None if v >= 0 else "must be >= 0"),
        Param("lr", float, "initial learning rate of the MLP", 0.01, 0.01,
              lambda v: None if v > 0 else "must be positive"),
        Param("weight_decay", float, "weight decay of the random-label run with weight decay", 1e-4, 1e-4,
              lambda v: None if v > 0 else "must be positive"),
        Param("levels", str, "label-corruption levels in (0, 1), comma-separated", "0.2,0.4,0.6,0.8",
              "0.2,0.4,0.6,0.8", _levels),
        Param("threads", int, "torch CPU threads (0: torch's default)", 1, 0,
              lambda v: None if v >= 0 else "must be >= 0"),
        Param("device", str, "torch device for the training step (cpu, cuda, cuda:N)", "cpu", "cpu",
              lambda v: None if v == "cpu" or v.startswith("cuda") else "must be cpu or cuda[:N]"),
    ),
))
