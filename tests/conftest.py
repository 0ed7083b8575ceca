"""Shared fixtures: hypothesis profiles, the array-namespace fixture, tolerances keyed by dtype."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _cupy_or_none():
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None
        return cupy
    except Exception:
        return None


@pytest.fixture(params=["numpy", "cupy"])
def xp(request):
    """Every kernel test runs on NumPy, and on CuPy where a GPU is present (skipped otherwise)."""
    if request.param == "numpy":
        return np
    cupy = _cupy_or_none()
    if cupy is None:
        pytest.skip("CuPy with a CUDA device is not available")
    return cupy


from vacuity.kernels.arrays import to_numpy  # noqa: E402,F401  (one definition, shared)
