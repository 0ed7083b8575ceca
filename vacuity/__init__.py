"""vacuity: generalization theory for deep networks as checked claims.

Importing the package is light: the heavy modules (sympy, torch) load on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "memorize", "Memorizer", "check", "claims"]


def memorize(X, y, **kwargs):
    """Zhang et al.'s 2n + d ReLU memorizer of (X, y); see ``vacuity.sims.expressivity.memorize``."""
    from vacuity.sims.expressivity import memorize as _memorize

    return _memorize(X, y, **kwargs)


def claims():
    """The registered claims, by id."""
    from vacuity.proofs_checked.core.registry import CLAIMS

    return dict(CLAIMS)


def check(claim_id: str, **kwargs):
    """Run one claim's checked proof and return its CheckResult."""
    from vacuity.proofs_checked.core.registry import get

    return get(claim_id).run(**kwargs)


def __getattr__(name):
    if name == "Memorizer":
        from vacuity.sims.expressivity import Memorizer

        return Memorizer
    raise AttributeError(f"module 'vacuity' has no attribute {name!r}")
