"""CheckResult: the public JSON contract of a checked claim (see DESIGN.md)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

StepKind = Literal["symbolic", "numeric", "torch"]
# judged and met, judged and missed, shown only (never coloured PASS), or not checked because the
# theorem's premise does not hold at these parameters (never FAIL: the theorem was not refuted)
VERDICTS = ("pass", "fail", "reported", "premise-unmet")


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
    verdict: str = ""

    def __post_init__(self):
        if not self.verdict:
            self.verdict = "pass" if self.passed else "fail"


@dataclass
class Quantity:
    name: str
    measured: float | None
    predicted: float | None = None
    tolerance: float | None = None
    passed: bool = True
    note: str = ""
    verdict: str = ""

    def __post_init__(self):
        if not self.verdict:
            self.verdict = "pass" if self.passed else "fail"

    @classmethod
    def compare(cls, name: str, measured: float, predicted: float, tolerance: float, note: str = ""):
        """measured within tolerance of predicted (absolute, two-sided); NaN never passes."""
        ok = math.isfinite(measured) and abs(measured - predicted) <= tolerance
        return cls(name, measured, predicted, tolerance, bool(ok), note)

    @classmethod
    def at_most(cls, name: str, measured: float, bound: float, note: str = ""):
        """measured <= bound (a one-sided bound, reported with predicted = bound)."""
        ok = math.isfinite(measured) and measured <= bound
        return cls(name, measured, bound, None, bool(ok), note or "one-sided: measured <= predicted")

    @classmethod
    def at_least(cls, name: str, measured: float, bound: float, note: str = ""):
        """measured >= bound (a one-sided bound from below, reported with predicted = bound)."""
        ok = math.isfinite(measured) and measured >= bound
        return cls(name, measured, bound, None, bool(ok), note or "one-sided: measured >= predicted")

    @classmethod
    def report(cls, name: str, measured: float, note: str = ""):
        """A measured quantity with no prediction: shown with verdict "reported", never PASS. ``passed``
        stays true unless the number is not finite (NaN is a failure, never silently shown)."""
        finite = bool(math.isfinite(measured))
        return cls(name, measured, None, None, finite, note, "reported" if finite else "fail")


def overall_verdict(steps: list[Step], quantities: list[Quantity]) -> str:
    """fail if anything judged failed; else premise-unmet if a step could not be checked; else pass."""
    verdicts = [s.verdict for s in steps] + [q.verdict for q in quantities]
    if not steps or "fail" in verdicts:
        return "fail"
    return "premise-unmet" if "premise-unmet" in verdicts else "pass"


def combined_verdict(results) -> str:
    """The verdict of several claims' results: fail if any failed (or none ran), else premise-unmet if
    any premise was unmet, else pass."""
    verdicts = {r.verdict for r in results}
    if "fail" in verdicts or not verdicts:
        return "fail"
    return "premise-unmet" if "premise-unmet" in verdicts else "pass"


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
    mutants: list[dict[str, Any]] = field(default_factory=list)  # {"name", "kind", "caught"} when run
    verdict: str = ""

    def __post_init__(self):
        if not self.verdict:
            self.verdict = overall_verdict(self.steps, self.quantities)

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
