"""The one record of what a result was computed with: Python, the platform and the installed versions of
the packages results depend on (read from package metadata, so nothing is imported to ask)."""

from __future__ import annotations

import platform
from importlib import metadata

# distribution name -> key in the record
DISTRIBUTIONS = {"vacuity": "vacuity", "numpy": "numpy", "scipy": "scipy", "sympy": "sympy", "torch": "torch",
                 "matplotlib": "matplotlib", "array-api-compat": "array-api-compat", "cupy-cuda12x": "cupy"}


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for dist, key in DISTRIBUTIONS.items():
        try:
            out[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out
