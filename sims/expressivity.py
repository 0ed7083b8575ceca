"""The public memorizer (``vacuity.memorize``) and its torch form.

``Memorizer`` wraps the array-level construction of ``vacuity.kernels.expressivity``; torch is
imported only when ``to_torch`` is called, so building and verifying on NumPy stays light.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def memorize(X, y, *, theta: float = _k.DEFAULT_THETA, n_directions: int = _k.DEFAULT_DIRECTIONS,
             seed: int = 0, refine: int = 0, solver: str = "scan") -> Memorizer:
    """Build the 2n + d ReLU memorizer of Zhang et al.'s Theorem 1 for points X (n, d), labels y (n,).

    Raises ValueError for malformed input and for identical points with different labels.
    """
    return Memorizer(_k.construct(X, y, theta=theta, n_directions=n_directions, seed=seed,
                                  refine=refine, solver=solver))
