"""The rate machinery itself: derived exponents, declared-vs-derived mismatch, slope fitting.

The generic per-bound test below runs over every bound the theory modules register.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from vacuity.theory import rates
from vacuity.theory.rates import RatedBound, derived_exponent, fit_loglog_slope, n

delta = sp.Symbol("delta", positive=True)
dim = sp.Symbol("d", positive=True)


def test_derived_exponent_ignores_log_factors():
    assert derived_exponent(sp.sqrt(sp.log(n) / n)) == sp.Rational(-1, 2)
    assert derived_exponent(sp.log(n) ** 3 / n) == -1
    assert derived_exponent(sp.sqrt(2 * dim * sp.log(sp.E * n / dim) / n)) == sp.Rational(-1, 2)


def test_wrong_declared_rate_is_refused():
    with pytest.raises(ValueError, match="scales as n"):
        RatedBound("wrong", sp.log(2 / delta) / (2 * n), sp.Rational(-1, 2), {delta: 0.05})


def test_missing_default_is_refused():
    with pytest.raises(ValueError, match="no default"):
        RatedBound("nodefault", sp.sqrt(sp.log(2 / delta) / n), sp.Rational(-1, 2))


@given(st.floats(-3, 1), st.floats(0.1, 10), st.integers(0, 2**32 - 1))
def test_fitted_slope_recovers_a_power_law_with_noise(r, c, seed):
    rng = np.random.default_rng(seed)
    ns = np.geomspace(10, 1e6, 12)
    sigma = 0.01
    ys = c * ns**r * np.exp(sigma * rng.standard_normal(ns.size))
    slope, se = fit_loglog_slope(ns, ys)
    assert abs(slope - r) <= 6 * sigma / np.sqrt(np.sum((np.log(ns) - np.log(ns).mean()) ** 2)) + 1e-12
    assert se >= 0


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError):
        fit_loglog_slope([1, 2], [1, 2])
    with pytest.raises(ValueError):
        fit_loglog_slope([1, 2, 3], [1, -2, 3])


# The rated bounds and their simulators come from the claim declarations: every claim that declares
# rated bounds has its theory modules register them and its kernel modules simulate their deviations.
from vacuity.proofs_checked.core.registry import CLAIMS  # noqa: E402

RATED_CLAIMS = [c for c in CLAIMS.values() if c.rated_bounds]
for _claim in RATED_CLAIMS:
    for _name in _claim.modules("theory") + _claim.modules("kernels"):
        importlib.import_module(_name)


def test_declared_rated_bounds_are_registered_and_simulated():
    from vacuity.kernels import deviation_sims

    assert RATED_CLAIMS, "no claim declares a rated bound"
    for c in RATED_CLAIMS:
        for name in c.rated_bounds:
            assert name in rates.BOUNDS, f"claim {c.id} declares bound {name!r}; its theory modules register none"
            assert name in deviation_sims.SIMULATORS, f"claim {c.id}: no kernel module simulates {name!r}"


@pytest.mark.parametrize("name", sorted(rates.BOUNDS) or [pytest.param(None, marks=pytest.mark.skip("no bounds"))])
def test_bound_slope_matches_its_elasticity(name):
    """The fitted slope of the bound over a decade range equals the mean exact elasticity there."""
    b = rates.BOUNDS[name]
    ns = np.geomspace(1e3, 1e7, 9)
    slope, _ = fit_loglog_slope(ns, b(ns))
    local = b.local_slope(ns)
    assert local.min() - 1e-9 <= slope <= local.max() + 1e-9
    assert abs(local[-1] - float(b.rate_exponent)) <= abs(local[0] - float(b.rate_exponent)) + 1e-12


# ------------------------------------------------------- simulated deviations (data-driven)
# Each rated bound may have a simulator of the deviation it bounds, registered by bound name in
# vacuity.kernels.deviation_sims. The fitted log-log slope of the simulated mean deviation must match
# the exact curve's slope (where the exact mean is known) within 6 Monte Carlo standard errors, and the
# declared exponent: the exact curve's elasticity at the largest sizes within 6 SE of it, departing less there
# than at the smallest sizes (kernels/deviation_stats.py); without an exact curve, the slope within 6 SE.

from vacuity.kernels import deviation_sims  # noqa: E402
from vacuity.kernels.deviation_stats import slope_check  # noqa: E402


@pytest.mark.parametrize("name", sorted(rates.BOUNDS) or [pytest.param(None, marks=pytest.mark.skip("no bounds"))])
def test_simulated_deviation_slope_matches_declared_exponent(name):
    sim = deviation_sims.SIMULATORS.get(name)
    if sim is None:
        pytest.skip(f"no deviation simulator registered for bound {name}")
    b = rates.BOUNDS[name]
    ns = np.asarray(sim.ns, dtype=np.float64)
    means, ses = sim.simulate(ns, 0)
    exact = None if sim.exact_mean is None else sim.exact_mean(ns)
    sc = slope_check(ns, means, ses, float(b.rate_exponent), exact)
    detail = (f"{name}: slope {sc.slope:.4f} +- {sc.se:.2g}, reference {sc.reference:.4f}, declared "
              f"{float(b.rate_exponent)}, exact elasticity departure {sc.start_departure:.2g} -> "
              f"{sc.end_departure:.2g}, band {sc.band:.3g} ({sim.what})")
    assert sc.passed, detail
    assert sc.matches_declared, detail
    # the bound and the deviation share the rate: the bound's own elasticity over these sizes heads to
    # the declared exponent (log factors bend it, never past the exponent's neighbourhood)
    local = b.local_slope(ns)
    assert abs(local[-1] - float(b.rate_exponent)) <= abs(local[0] - float(b.rate_exponent)) + 1e-12


def test_every_simulator_names_a_rated_bound():
    assert set(deviation_sims.SIMULATORS) <= set(rates.BOUNDS)
