"""Validation of the parameters shared by the classical bounds: one clear ValueError per bad value.

The checked proofs' registry turns the same conditions into one-line BadInput messages; library code
raises ValueError so that callers outside the CLI get the reason too.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _real(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number; got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return v


def check_delta(delta) -> float:
    """delta is a failure probability: 0 < delta < 1."""
    v = _real("delta", delta)
    if not 0.0 < v < 1.0:
        raise ValueError(f"delta must lie in (0, 1); got {delta!r}")
    return v


def check_count(name: str, value, minimum: int) -> int:
    """An integer count (sample size, class size, dimension) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value!r}")
    return int(value)


def check_n(n) -> int:
    return check_count("n", n, 1)


def check_class_size(size) -> int:
    return check_count("|H|", size, 1)


def check_dimension(d, minimum: int = 0) -> int:
    return check_count("d", d, minimum)


def check_probability(name: str, p) -> float:
    v = _real(name, p)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1]; got {p!r}")
    return v


def check_sizes(ns, minimum: float = 1.0) -> np.ndarray:
    """Sample sizes at which to evaluate a bound: finite reals >= ``minimum`` (a bound's formula is
    defined between integers too, which plots use), returned as float64."""
    try:
        arr = np.asarray(ns, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"sample sizes must be numbers; got {ns!r}") from None
    if arr.size == 0:
        raise ValueError("no sample sizes given")
    bad = ~np.isfinite(arr) | (arr < minimum)
    if bad.any():
        raise ValueError(f"sample size n must be finite and at least {minimum:g}; got {arr[bad].flat[0]!r}")
    return arr
