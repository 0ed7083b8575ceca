"""Helpers shared by the classical-bound checked-proof tests."""

from __future__ import annotations

from vacuity.proofs_checked.registry import get
from vacuity.proofs_checked.result import CheckResult


def run(claim_id: str, fast: dict, **kw) -> CheckResult:
    overrides = dict(fast, **kw.pop("overrides", {}))
    return get(claim_id).run(scale="small", backend="numpy", seed=0, overrides=overrides, **kw)


def failed_steps(result: CheckResult) -> set[str]:
    return {s.name for s in result.steps if not s.passed}


def failed_quantities(result: CheckResult) -> set[str]:
    return {q.name for q in result.quantities if not q.passed}


def step_named(result: CheckResult, start: str):
    (s,) = [s for s in result.steps if s.name.startswith(start)]
    return s
