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
