"""Shared fixtures: hypothesis profiles, the array-namespace fixture, tolerances keyed by dtype."""

from __future__ import annotations

import os
from pathlib import Path

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

# Tolerances keyed by dtype, and the Monte Carlo band: one table (vacuity.kernels.tolerances), shared by
# the claims and the tests. `tolerance(dtype)` takes NumPy/CuPy dtypes and torch dtypes by name;
# `tolerance(dtype, override="...")` the named, commented exceptions.
from vacuity.kernels.tolerances import SIGMAS, TOLERANCES, Tol, tolerance  # noqa: E402,F401


@pytest.fixture
def tol():
    """The dtype-keyed tolerance lookup: ``tol(np.float64)``, ``tol(xp.float32)``, ``tol(torch.float64)``,
    ``tol(x.dtype, override="chunked_mean")``; a ``Tol(rtol, atol)`` with ``.close(a, b)``."""
    return tolerance


from vacuity.proofs_checked.core.contract import ClaimContract  # noqa: E402

# results recorded from main before the claim-units redesign (same overrides, seed 0)
ClaimContract.recorded_dir = Path(__file__).parent / "golden"
