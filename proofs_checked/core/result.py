"""CheckResult: the public JSON contract of a checked claim (see DESIGN.md)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

StepKind = Literal["symbolic", "numeric", "torch"]


def _finite_or_none(x: Any) -> Any:
    # JSON has no NaN/inf: a non-finite measurement is reported as null and its quantity fails.
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


@dataclass
class Step:
    name: str
    kind: StepKind
    passed: bool
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Quantity:
    name: str
    measured: float | None
    predicted: float | None = None
    tolerance: float | None = None
    passed: bool = True
    note: str = ""

    @classmethod
    def compare(cls, name: str, measured: float, predicted: float, tolerance: float, note: str = ""):
        """measured within tolerance of predicted (absolute); NaN never passes."""
        ok = math.isfinite(measured) and abs(measured - predicted) <= tolerance
        return cls(name, measured, predicted, tolerance, bool(ok), note)

    @classmethod
    def at_most(cls, name: str, measured: float, bound: float, note: str = ""):
        """measured <= bound (a one-sided bound, reported with predicted = bound)."""
        ok = math.isfinite(measured) and measured <= bound
        return cls(name, measured, bound, None, bool(ok), note or "one-sided: measured <= predicted")

    @classmethod
    def report(cls, name: str, measured: float, note: str = ""):
        """A measured quantity with no prediction (shown, not judged); fails only if not finite."""
        return cls(name, measured, None, None, bool(math.isfinite(measured)), note)


@dataclass
class CheckResult:
    claim: str
    title: str
    source: str
    passed: bool
    scale: str
    backend: str
    seed: int
    params: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        for q in d["quantities"]:
            for key in ("measured", "predicted", "tolerance"):
                q[key] = _finite_or_none(q[key])
        d["seconds"] = round(float(d["seconds"]), 3)
        for s in d["steps"]:
            s["seconds"] = round(float(s["seconds"]), 3)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CheckResult:
        d = dict(d)
        d["steps"] = [Step(**s) for s in d.get("steps", [])]
        d["quantities"] = [Quantity(**q) for q in d.get("quantities", [])]
        return cls(**d)
