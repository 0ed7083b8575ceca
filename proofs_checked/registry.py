"""The claim registry: every checked claim, its parameters per scale, and how to run it."""

from __future__ import annotations

import importlib
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


# ------------------------------------------------------------------ Rademacher claims (issue #5)


def _in_unit_interval(v):
    return None if 0 < v < 1 else "must lie strictly between 0 and 1"


def _positive_real(v):
    return None if v > 0 and v != float("inf") else "must be positive and finite"


def _at_least(k):
    return lambda v: None if v >= k else f"must be at least {k}"


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
        Param("r", float, "radius of the data, ||x|| <= r", 1.0, 1.0, _positive_real),
        Param("Lambda", float, "radius of the weights, ||w|| <= Lambda", 1.0, 1.0, _positive_real),
        Param("draws", int, "Monte Carlo sign vectors per estimate", 2000, 20000, _at_least(2)),
        Param("n_exact", int, "sample size enumerated exactly (2^n sign vectors)", 12, 20,
              lambda v: None if 1 <= v <= 22 else "must lie in 1..22"),
        Param("n_classifiers", int, "size |A| of the finite class (Massart)", 256, 4096, _positive),
        Param("massart_n", int, "sample size of the Massart Monte Carlo check", 256, 4096, _positive),
        Param("sweep_min", int, "smallest n of the rate sweep", 64, 64, _at_least(2)),
        Param("sweep_max", int, "largest n of the rate sweep (sizes 4x apart)", 16384, 262144, _at_least(2)),
        Param("coverage_n", int, "sample size of the Thm 3.3 failure-frequency simulation", 256, 1024, _positive),
        Param("delta", float, "confidence delta in (0, 1)", 0.05, 0.05, _in_unit_interval),
    ),
))

register(Claim(
    id="rademacher-networks",
    title="A ReLU MLP trained by SGD fits random signs: empirical Rademacher complexity about 1, a vacuous bound",
    source="Zhang et al. 2017, Sec. 2.2; Mohri et al. Thm 3.5",
    module="rademacher_networks",
    params=(
        Param("dataset", str, "'digits' (sklearn) or 'mnist1d' (generated)", "digits", "mnist1d",
              lambda v: None if v in ("digits", "mnist1d") else "must be 'digits' or 'mnist1d'"),
        Param("sizes", str, "training-set sizes n, comma-separated, increasing", "100,200,400,800",
              "500,1000,2000,4000", _sizes_list),
        Param("draws", int, "random sign vectors sigma (networks trained at once)", 8, 16, _at_least(2)),
        Param("width", int, "hidden units per ReLU layer", 256, 512, _positive),
        Param("depth", int, "number of hidden ReLU layers", 1, 2, _positive),
        Param("epochs", int, "SGD epochs over the n points", 60, 100, _positive),
        Param("batch", int, "SGD minibatch size", 64, 128, _positive),
        Param("lr", float, "SGD learning rate (momentum 0.9)", 0.05, 0.05, _positive_real),
        Param("delta", float, "confidence delta in (0, 1)", 0.05, 0.05, _in_unit_interval),
        Param("threads", int, "torch CPU threads while training (0: torch's default)", 1, 0,
              lambda v: None if v >= 0 else "must be at least 0"),
    ),
))


def get(claim_id: str) -> Claim:
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise BadInput(f"unknown claim {claim_id!r}; run 'vacuity list' to see the claims") from None
