"""A claim's declaration: its parameters per scale, the modules that state, simulate and run it, and how
to run its checked proof. Every list of claims in the project (the registry, rated bounds, simulated
deviations, experiments, benchmarks, the README table, the docs pages) is derived from these."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vacuity.errors import BadInput, shorten
from vacuity.proofs_checked.core.mutants import Mutant

if TYPE_CHECKING:
    from vacuity.proofs_checked.core.result import CheckResult

SCALES = ("small", "paper")
BACKENDS = ("numpy", "cupy", "torch")
LAYERS = ("theory", "kernels", "sims")


class CheckFailed(BaseException):
    """Raised by the Recorder at the first failure of a run with ``fail_fast`` (a mutant is caught as soon
    as the check fails); it carries the recorder. A BaseException, so a step's crash handling does not
    swallow it."""

    def __init__(self, recorder):
        super().__init__("check failed")
        self.recorder = recorder


@dataclass(frozen=True)
class Param:
    name: str
    type: type | Callable[[str], Any]
    help: str
    small: Any
    paper: Any
    check: Callable[[Any], str | None] = lambda v: None  # returns an error message or None

    @property
    def type_name(self) -> str:
        name = getattr(self.type, "__name__", "value")
        return "int (1e9 allowed)" if name == "count" else name

    @property
    def rule(self) -> str:
        """What values the check accepts, in words (validators carry it; an inline check has none)."""
        return getattr(self.check, "rule", "") or "see meaning"

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
            kind = getattr(self.type, "__name__", "a value")
            raise BadInput(f"parameter {self.name}: cannot read {shorten(text)} as {kind}") from None
        return value


@dataclass(frozen=True)
class Claim:
    """One statement from a paper and everything that checks it.

    ``theory``/``kernels``/``sims`` name the topic modules of each layer (``"hoeffding"`` is
    ``vacuity.theory.hoeffding``); ``rated_bounds`` the ``RatedBound`` names its theory modules register
    (their kernel modules register the matching deviation simulators); ``experiment`` a
    ``"module:function"`` for ``vacuity run <id>``; ``benchmarks`` scripts under ``benchmarks/``; ``docs``
    pages under ``docs/``; ``summary`` the README row; ``mutants`` realistic wrong versions of the code the
    claim checks (``core/mutants.py``), each of which its check must catch. ``proof`` is the module with
    ``run(ctx)`` and ``math()``; a claim package leaves it to the registry, which fills in ``<package>.proof``.
    """

    id: str
    title: str
    source: str
    params: tuple[Param, ...] = ()
    summary: str = ""
    uses: tuple[str, ...] = ()
    theory: tuple[str, ...] = ()
    kernels: tuple[str, ...] = ()
    sims: tuple[str, ...] = ()
    rated_bounds: tuple[str, ...] = ()
    experiment: str | None = None
    benchmarks: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    mutants: tuple[Mutant, ...] = ()
    proof: str = ""

    def __post_init__(self):
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"claim {self.id}: duplicate parameter names in {names}")

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
                raise BadInput(f"claim {self.id} has no parameter {shorten(key)} (parameters: {known}; "
                               f"'vacuity params {self.id}' lists them)")
            values[key] = by_name[key].parse(text)
        for p in self.params:
            msg = p.check(values[p.name])
            if msg:
                raise BadInput(f"parameter {p.name}={shorten(values[p.name])}: {msg}")
        return values

    def run(self, *, scale: str = "small", backend: str = "numpy", seed: int = 0,
            overrides: dict[str, str] | None = None, figures_dir: Path | None = None,
            progress: Any = None, fail_fast: bool = False) -> CheckResult:
        """Run the checked proof. With ``fail_fast`` the run ends at its first failed step or quantity
        (what a mutant run needs: whether the check fails, not everything it would say)."""
        if backend not in BACKENDS:
            raise BadInput(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        params = self.resolve(scale, overrides)
        ctx = RunContext(self, scale, backend, seed, params, figures_dir, progress, fail_fast)
        try:
            return self.proof_module().run(ctx)
        except CheckFailed as stop:
            return stop.recorder.result(dict(params))

    def math(self) -> list[tuple[str, str]]:
        """(caption, MathML) pairs: the statement and derivation, for the report."""
        return self.proof_module().math()

    def proof_module(self):
        if not self.proof:
            raise ValueError(f"claim {self.id} names no proof module")
        return importlib.import_module(self.proof)

    def modules(self, layer: str) -> list[str]:
        """Dotted names of the claim's topic modules in ``layer`` (theory, kernels or sims)."""
        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}")
        return [f"vacuity.{layer}.{m}" for m in getattr(self, layer)]

    def experiment_function(self) -> Callable[..., int]:
        module, _, function = (self.experiment or "").partition(":")
        if not module or not function:
            raise ValueError(f"claim {self.id} declares no experiment")
        return getattr(importlib.import_module(module), function)


@dataclass
class RunContext:
    claim: Claim
    scale: str
    backend: str
    seed: int
    params: dict[str, Any]
    figures_dir: Path | None = None
    progress: Any = None  # optional callable(str) for status lines
    fail_fast: bool = False  # stop at the first failure (Recorder raises CheckFailed)


def count(text: str) -> int:
    """An integer that may be written like 1e9."""
    try:
        return int(text)
    except ValueError:
        v = float(text)
        if not v.is_integer():
            raise ValueError(text) from None
        return int(v)


