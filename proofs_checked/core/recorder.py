"""What every checked proof shares: step and quantity recording into a CheckResult, backend arrays."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from vacuity.errors import BadInput
from vacuity.kernels.arrays import to_numpy  # noqa: F401  (re-exported for the checked proofs)
from vacuity.proofs_checked.core.claim import CheckFailed, RunContext
from vacuity.proofs_checked.core.result import CheckResult, Quantity, Step, overall_verdict
from vacuity.proofs_checked.core.versions import versions


def backend_arrays(backend: str, *arrays: np.ndarray):
    """The arrays on the requested backend; kernels then run there through array-api-compat."""
    if backend == "numpy":
        return arrays
    if backend == "torch":
        import torch

        return tuple(torch.as_tensor(a) for a in arrays)
    if backend == "cupy":
        try:
            import cupy

            if cupy.cuda.runtime.getDeviceCount() < 1:
                raise RuntimeError("no CUDA device")
        except Exception as exc:  # ImportError, CUDA driver errors: all mean "not here"
            raise BadInput(f"backend cupy needs CuPy and a CUDA GPU ({type(exc).__name__}: {exc})") from None
        return tuple(cupy.asarray(a) for a in arrays)
    raise BadInput(f"unknown backend {backend!r}")


@dataclass
class _Open:
    ok: bool = False
    detail: str = ""
    premise: str | None = None

    def premise_unmet(self, why: str) -> None:
        """The theorem's premise fails at these parameters: the step is not checked (verdict
        premise-unmet), which is not a refutation of the theorem."""
        self.premise = why
        self.detail = f"premise not met: {why}"


class Recorder:
    """Collects the steps and quantities of one run into a CheckResult."""

    def __init__(self, ctx: RunContext):
        self.ctx = ctx
        self.steps: list[Step] = []
        self.quantities: list[Quantity] = []
        self.figures: list[str] = []
        self.progress = ctx.progress
        self._t0 = time.perf_counter()

    def note(self, message: str) -> None:
        if self.progress:
            self.progress(message)

    @contextmanager
    def step(self, name: str, kind: str):
        s = _Open()
        t = time.perf_counter()
        self.note(f"{self.ctx.claim.id}: {name}")
        try:
            yield s
        except BadInput:
            raise
        except Exception as exc:  # a crash inside a check is a failed step, reported, not a traceback
            s.ok = False
            s.detail = f"{type(exc).__name__}: {exc}"
        finally:
            verdict = "premise-unmet" if s.premise else ("pass" if s.ok else "fail")
            self.steps.append(Step(name, kind, verdict == "pass", s.detail, time.perf_counter() - t, verdict))
        if verdict == "fail":
            self._failed()

    def _failed(self) -> None:
        if getattr(self.ctx, "fail_fast", False):
            raise CheckFailed(self)

    def _add(self, q: Quantity) -> Quantity:
        self.quantities.append(q)
        if q.verdict == "fail":
            self._failed()
        return q

    def quantity_compare(self, name, measured, predicted, tolerance, note=""):
        return self._add(Quantity.compare(name, float(measured), float(predicted), float(tolerance), note))

    def quantity_at_most(self, name, measured, bound, note=""):
        return self._add(Quantity.at_most(name, float(measured), float(bound), note))

    def quantity_at_least(self, name, measured, bound, note=""):
        return self._add(Quantity.at_least(name, float(measured), float(bound), note))

    def quantity_report(self, name, measured, note=""):
        return self._add(Quantity.report(name, float(measured), note))

    def result(self, params: dict) -> CheckResult:
        verdict = overall_verdict(self.steps, self.quantities)
        c = self.ctx.claim
        return CheckResult(
            claim=c.id, title=c.title, source=c.source, passed=verdict == "pass", verdict=verdict,
            scale=self.ctx.scale,
            backend=self.ctx.backend, seed=self.ctx.seed, params=params, steps=self.steps,
            quantities=self.quantities, figures=self.figures,
            seconds=time.perf_counter() - self._t0, versions=versions(),
        )
