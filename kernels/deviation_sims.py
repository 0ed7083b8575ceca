"""Simulators of each rated bound's deviation, by bound name, for the generic rate test.

A theory module registers a ``RatedBound`` (vacuity.theory.rates); the kernel module that simulates
the quantity it bounds registers a ``DeviationSimulator`` under the same name. The generic test
(tests/theory/test_rates.py) fits the log-log slope of the simulated mean deviation over ``ns`` and
compares it with the bound's declared exponent, within a band from the Monte Carlo standard errors
(vacuity.kernels.deviation_stats.slope_check). A claim that declares the bound in its
``rated_bounds`` lists this kernel module among its ``kernels``; the module calls ``register_simulator`` at import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DeviationSimulator:
    bound: str  # name of the RatedBound whose deviation this simulates
    simulate: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]  # (ns, seed) -> (means, SEs)
    ns: tuple[int, ...]  # sizes for the test: spread over decades, each run in well under a second
    exact_mean: Callable[[np.ndarray], np.ndarray] | None = None  # E[deviation] at ns, where known
    what: str = ""


SIMULATORS: dict[str, DeviationSimulator] = {}

def register_simulator(sim: DeviationSimulator) -> DeviationSimulator:
    if sim.bound in SIMULATORS and SIMULATORS[sim.bound] != sim:
        raise ValueError(f"duplicate simulator for bound {sim.bound}")
    if len(sim.ns) < 3:
        raise ValueError(f"simulator for {sim.bound}: need at least three sizes to fit a slope")
    SIMULATORS[sim.bound] = sim
    return sim


def mean_and_se(ns, draw: Callable[[int, int], object]) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the deviations ``draw(i, n)`` (one array of replicates for the i-th size n) at each n,
    with its Monte Carlo standard error: the ``simulate`` of a ``DeviationSimulator``."""
    means, ses = [], []
    for i, n in enumerate(ns):
        dev = np.asarray(draw(i, int(n)))
        means.append(dev.mean())
        ses.append(dev.std(ddof=1) / np.sqrt(dev.size))
    return np.asarray(means), np.asarray(ses)
