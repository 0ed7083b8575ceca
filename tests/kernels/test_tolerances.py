"""The one tolerance module (vacuity.kernels.tolerances): SIGMAS, the Monte Carlo standard errors, the
dtype-keyed agreement table and its lookup; the one log-log slope fit; derived seeds."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SIGMAS, TOLERANCES, Tol, tolerance
from vacuity.kernels import tolerances as TL
from vacuity.kernels.extended import UNIT_ROUNDOFF
from vacuity.kernels.sampling import child_seed
from vacuity.theory.rates import fit_loglog_slope

ROOT = Path(__file__).resolve().parents[2]

# ----------------------------------------------------------------------------------- SIGMAS



def test_sigmas_is_defined_once():
    assert SIGMAS == 6.0 and TL.SIGMAS is SIGMAS
    pattern = re.compile(r"^\s*SIGMAS\s*=", re.MULTILINE)
    defined = sorted(
        str(p.relative_to(ROOT)) for folder in ("theory", "kernels", "sims", "proofs_checked", "vacuity", "tests")
        for p in (ROOT / folder).rglob("*.py") if pattern.search(p.read_text(encoding="utf-8")))
    assert defined == ["kernels/tolerances.py"], defined


def test_six_sigma_is_a_one_in_a_billion_tail():
    from scipy.stats import norm

    assert 5e-10 < norm.sf(SIGMAS) < 2e-9  # the reason given for 6 in the module


# ---------------------------------------------------------------------------- standard errors


def test_mean_se_is_the_sample_formula():
    x = np.random.default_rng(0).standard_normal(1000) * 3 + 1
    m, se = TL.mean_se(x)
    assert m == float(x.mean()) and se == float(x.std(ddof=1) / np.sqrt(1000))
    with pytest.raises(ValueError, match="two replicates"):
        TL.mean_se([1.0])


def test_difference_se_equal_and_unequal_sizes():
    rng = np.random.default_rng(1)
    a, b, c = rng.standard_normal(400), 2 * rng.standard_normal(400), rng.standard_normal(100)
    # equal sizes: the hypot form, bit for bit
    assert TL.difference_se(a, b) == float(np.hypot(a.std(ddof=1), b.std(ddof=1)) / np.sqrt(400))
    expected = math.sqrt(a.var(ddof=1) / 400 + c.var(ddof=1) / 100)
    assert TL.difference_se(a, c) == pytest.approx(expected, rel=1e-14)


def test_monte_carlo_bands_are_calibrated():
    """The bands are the real standard deviations of what they bound: over many repetitions the
    standardized errors have unit spread (a wrong factor, e.g. sqrt(2 / N) for the variance, fails)."""
    rng = np.random.default_rng(2)
    N, reps = 50, 20000
    draws = rng.standard_normal((reps, N)) * 2.0  # variance 4
    var_se = TL.normal_variance_tolerance(4.0, N, sigmas=1.0)
    assert np.std(draws.var(axis=1, ddof=1)) == pytest.approx(var_se, rel=0.03)
    assert np.std(draws.mean(axis=1)) == pytest.approx(TL.normal_mean_se(4.0, N), rel=0.03)
    q = 0.3
    fractions = (rng.random((reps, N)) < q).mean(axis=1)
    assert np.std(fractions) == pytest.approx(TL.binomial_se(q, N), rel=0.03)
    assert TL.exceedance_slack(0.05, 10_000) == SIGMAS * math.sqrt(0.05 * 0.95 / 10_000)
    assert TL.mc_tolerance(0.5) == 3.0 and TL.lower_confidence_limit(10.0, 0.5) == 7.0
    with pytest.raises(ValueError):
        TL.binomial_se(1.5, 10)


def test_normal_variance_tolerance_keeps_its_rounding_order():
    # sigmas * v * sqrt(2 / (N - 1)) left to right: the recorded randomization results depend on it
    for v, n in ((0.0937, 313_600), (1.0, 2), (3.7e-3, 12345)):
        assert TL.normal_variance_tolerance(v, n) == SIGMAS * v * math.sqrt(2 / (n - 1))


def test_bonferroni_t_limit():
    from scipy.stats import norm, t

    assert TL.bonferroni_t_limit(1, 10**9) == pytest.approx(SIGMAS, rel=1e-6)  # t -> normal
    small, big = TL.bonferroni_t_limit(1, 50), TL.bonferroni_t_limit(1000, 50)
    assert SIGMAS < small < big  # heavier tails, more tests: a higher level
    assert 1000 * t.sf(big, 50) == pytest.approx(norm.sf(SIGMAS), rel=1e-6)


# ------------------------------------------------------------------------- tolerances by dtype


def test_lookup_accepts_every_spelling_of_a_dtype(xp):
    t64 = TOLERANCES[np.float64]
    assert tolerance(np.float64) is t64
    assert tolerance(np.dtype("float64")) is t64 and tolerance("float64") is t64
    assert tolerance(xp.float64) is t64 and tolerance(xp.zeros(3).dtype) is t64  # NumPy and CuPy
    assert tolerance(xp.zeros(3, dtype=xp.float32)) is TOLERANCES[np.float32]  # an array: its dtype
    assert tolerance(np.float16) is TOLERANCES[np.float16]


def test_lookup_of_torch_dtypes_by_name():
    torch = pytest.importorskip("torch")
    assert tolerance(torch.float64) is TOLERANCES[np.float64]
    assert tolerance(torch.float32) is TOLERANCES[np.float32]
    assert tolerance(torch.bfloat16) is TOLERANCES["bfloat16"]
    assert tolerance(torch.zeros(2, dtype=torch.float16)) is TOLERANCES[np.float16]


def test_unknown_dtypes_and_overrides_are_clear_errors():
    with pytest.raises(ValueError, match="no tolerance for dtype"):
        tolerance(np.int8)
    with pytest.raises(ValueError, match="no tolerance for dtype"):
        tolerance("not_a_dtype")
    with pytest.raises(ValueError, match="override"):
        tolerance(np.float64, override="no_such_override")


def test_overrides_are_named_and_fall_back_to_the_table():
    assert tolerance(np.float64, override="chunked_mean").rtol < TOLERANCES[np.float64].rtol  # tighter
    assert tolerance(np.float64, override="merged_se").rtol > TOLERANCES[np.float64].rtol  # looser
    assert tolerance(np.float32, override="chunked_mean") is TOLERANCES[np.float32]  # none declared


@pytest.mark.parametrize("key, name", [(np.float64, "float64"), (np.float32, "float32"),
                                       (np.float16, "float16"), ("bfloat16", "bfloat16")])
def test_table_is_above_rounding_and_below_one(key, name):
    t = TOLERANCES[key]
    assert 8 * UNIT_ROUNDOFF[name] <= t.rtol < 0.1 and 0 < t.atol < 0.1


def test_narrower_dtypes_get_looser_tolerances():
    order = [TOLERANCES[k].rtol for k in (np.float64, np.float32, np.float16, "bfloat16")]
    assert order == sorted(order) and len(set(order)) == 4


@given(st.integers(0, 2**32 - 1), st.integers(10, 3000))
def test_float64_tolerance_accepts_reordered_sums_and_rejects_real_differences(seed, n):
    x = np.random.default_rng(seed).random(n)
    t = tolerance(np.float64)
    exact = math.fsum(x)
    for other in (float(np.sum(x)), float(np.cumsum(x)[-1]), float(np.sum(x[::-1])), sum(x.tolist())):
        assert t.close(other, exact)
    assert not t.close(exact * (1 + 1e-9), exact)  # one part in 1e9 is not rounding


def test_float32_tolerance_accepts_a_float32_reduction_but_not_a_float16_one():
    x = np.random.default_rng(3).random(4096).astype(np.float32)
    exact = math.fsum(x.astype(np.float64))
    t32 = tolerance(np.float32)
    assert t32.close(float(np.sum(x)), exact) and t32.close(float(np.dot(x, x)), math.fsum(x.astype(float) ** 2))
    x16 = x[:256].astype(np.float16)
    assert tolerance(np.float16).close(float(np.sum(x16, dtype=np.float32)), math.fsum(x16.astype(float)))
    assert not t32.close(float(np.float16(1 / 3)), 1 / 3)  # a half-precision rounding exceeds float32's


def test_tol_close_and_bound():
    t = Tol(rtol=1e-3, atol=1e-6)
    assert t.close([1.0, 2.0], [1.0005, 2.001]) and not t.close([1.0, 2.0], [1.0, 2.01])
    assert t.close(0.0, 5e-7) and not t.close(0.0, 5e-6)
    assert t.bound([1.0, -4.0]) == pytest.approx(1e-6 + 4e-3)


# ------------------------------------------------------------------------------- the slope fit


def _old_expressivity_slope(x, y, se):
    """The formula the expressivity proof used before the fits were unified (kept as the reference)."""
    w = 1.0 / np.asarray(se) ** 2
    xm = np.sum(w * x) / np.sum(w)
    ym = np.sum(w * y) / np.sum(w)
    sxx = np.sum(w * (x - xm) ** 2)
    return float(np.sum(w * (x - xm) * (y - ym)) / sxx), float(np.sqrt(1.0 / sxx))


@given(st.lists(st.floats(1e-3, 1.0), min_size=2, max_size=6), st.integers(0, 2**32 - 1))
def test_weighted_fit_is_bit_identical_to_the_old_expressivity_fit(rel_se, seed):
    ns = [32 * 4**i for i in range(len(rel_se))]
    vals = np.random.default_rng(seed).uniform(0.5, 2.0, len(ns)) * np.asarray(ns, dtype=float) ** -2.0
    se = np.asarray(rel_se)
    assert fit_loglog_slope(ns, vals, weights=1.0 / se**2) == _old_expressivity_slope(
        np.log(ns), np.log(vals), se)


def test_weighted_fit_on_two_sizes_and_bad_weights():
    slope, se = fit_loglog_slope([10, 100], [1.0, 0.1], weights=[1.0, 1.0])
    assert slope == pytest.approx(-1.0) and se > 0
    with pytest.raises(ValueError, match="weights"):
        fit_loglog_slope([10, 100, 1000], [1.0, 0.1, 0.01], weights=[1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="distinct"):
        fit_loglog_slope([10, 10], [1.0, 0.1], weights=[1.0, 1.0])


def test_child_seed_is_stable_and_separates_streams():
    assert child_seed(0, 1) == int(np.random.SeedSequence([0, 1]).generate_state(1)[0])
    seeds = {child_seed(s, *tags) for s in range(3) for tags in ((1,), (2,), (6, 0), (6, 1), (7, 0))}
    assert len(seeds) == 15
