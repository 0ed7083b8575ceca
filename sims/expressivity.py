"""The public memorizer (``vacuity.memorize``) and its torch form.

``Memorizer`` wraps the array-level construction of ``vacuity.kernels.expressivity``; torch is
imported only when ``to_torch`` is called, so building and verifying on NumPy stays light.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from vacuity.kernels import expressivity as _k


@dataclass
class Memorizer:
    """c(x) = sum_j w_j max(<a, x> - b_j, 0), fitted to (X, y); ``n_params == 2 n + d`` for n distinct
    points. Arrays live in the namespace of the inputs (NumPy, CuPy or torch)."""

    construction: _k.Construction

    @property
    def a(self):
        return self.construction.a

    @property
    def b(self):
        return self.construction.b

    @property
    def w(self):
        return self.construction.w

    @property
    def n_params(self) -> int:
        return self.construction.n_params

    @property
    def n(self) -> int:
        return self.construction.n

    @property
    def d(self) -> int:
        return self.construction.d

    def __call__(self, X):
        """float64 forward pass, accurate to the float64 network's exact value (see the kernel)."""
        return _k.evaluate(self.construction, X)

    def verify(self, X, y, *, classes: bool | None = None) -> dict:
        return _k.verify(self.construction, X, y, classes=classes)

    def to_torch(self, *, dtype=None, device=None):
        from vacuity.sims.memorizer_net import MemorizerNet

        return MemorizerNet.from_memorizer(self, dtype=dtype, device=device)


def _check_options(n_directions, seed, refine) -> None:  # theta: the kernel checks it
    for name, value in (("n_directions", n_directions), ("seed", seed), ("refine", refine)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValueError(f"{name} must be an integer; got {value!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed}")
    if refine < 0:
        raise ValueError(f"refine must be >= 0 (extra refinement passes); got {refine}")


def _why_not(report: dict) -> str:
    """The cause of a failed self-check, in one sentence."""
    if not all(math.isfinite(float(report[k])) for k in ("max_abs_residual", "max_abs_weight", "kappa")):
        return ("its outputs overflow float64 (weights or residuals are not finite): X or y is too large in "
                "magnitude to fit in float64; rescale them")
    if report["min_gap_relative"] < 1e-12:
        return (f"two points project closer than float64 can separate (relative gap "
                f"{report['min_gap_relative']:.3g}) while their labels differ; merge or move them")
    return (f"its residual {report['max_abs_residual']:.3g} exceeds the derived rounding bound "
            f"{report['tolerance']:.3g} (condition number {report['kappa']:.3g}); rescale X or y")


def memorize(X, y, *, theta: float = _k.DEFAULT_THETA, n_directions: int = _k.DEFAULT_DIRECTIONS,
             seed: int = 0, refine: int = 0, solver: str = "scan", check: bool = True) -> Memorizer:
    """Build the 2n + d ReLU memorizer of Zhang et al.'s Theorem 1 for points X (n, d), labels y (n,).

    The result is verified on (X, y) against bounds derived from its own rounding errors before it is
    returned (``check=False`` skips that). Raises ValueError, one sentence naming the cause, for
    malformed input, identical points with different labels, and a memorizer that would not fit (points
    closer than float64 can separate, outputs that overflow).
    """
    _check_options(n_directions, seed, refine)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            m = Memorizer(_k.construct(X, y, theta=theta, n_directions=n_directions, seed=seed,
                                       refine=refine, solver=solver))
            report = m.verify(X, y) if check else None
        except (ZeroDivisionError, OverflowError, FloatingPointError) as e:
            raise ValueError(f"X or y is too large or too small in magnitude for float64 arithmetic "
                             f"({type(e).__name__}: {e}); rescale them") from None
        if report is not None:
            if not report["passed"]:
                raise ValueError(f"the memorizer does not fit (X, y): {_why_not(report)} "
                                 "(memorize(..., check=False) returns it anyway)")
    return m
