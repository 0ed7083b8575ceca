"""vacuity.memorize never hands back a model that does not fit, and every input problem is one clear
ValueError naming its cause (each case returned a non-fitting model or raised something else before)."""

from __future__ import annotations

import numpy as np
import pytest

import vacuity

RNG = np.random.default_rng(0)
X = RNG.standard_normal((50, 4))
Y = RNG.integers(0, 10, 50).astype(float)


def _ulp_twin():
    # a copy of one point moved by one ulp, with another label: float64 cannot separate the pair
    return np.vstack([X, np.nextafter(X[:1], np.inf)]), np.append(Y, Y[0] + 3)


def _huge_x():
    Xb = X.copy()
    Xb[0, 0] = 1e308
    return Xb, Y


@pytest.mark.parametrize("make, cause", [
    (_ulp_twin, "closer than float64 can separate"),
    (_huge_x, "too large or too small"),
    (lambda: (X, Y * 1e300), "overflow"),
    (lambda: (X, Y * 1e-320), "too large or too small"),
    (lambda: (X + 1j, Y), "X is complex"),
    (lambda: (X.tolist(), Y.tolist()), "must be arrays"),
])
def test_input_problems_are_one_clear_value_error(make, cause):
    Xi, yi = make()
    with pytest.raises(ValueError, match=cause) as err:
        vacuity.memorize(Xi, yi)
    assert "\n" not in str(err.value)


def test_mixed_libraries_are_a_value_error():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="one library"):
        vacuity.memorize(torch.as_tensor(X), Y)


@pytest.mark.parametrize("kw, name", [({"refine": -1}, "refine"), ({"seed": -1}, "seed"),
                                      ({"theta": 0.7}, "theta"), ({"seed": 1.5}, "seed"),
                                      ({"n_directions": 0}, "n_directions")])
def test_bad_options_name_the_option(kw, name):
    with pytest.raises(ValueError, match=name):
        vacuity.memorize(X, Y, **kw)


def test_the_escape_hatch_returns_the_unverified_model():
    Xi, yi = _ulp_twin()
    m = vacuity.memorize(Xi, yi, check=False)
    assert m.verify(Xi, yi)["passed"] is False


def test_a_fitting_model_is_returned_and_verified():
    m = vacuity.memorize(X, Y)
    assert m.verify(X, Y)["passed"] and m.n_params == 2 * 50 + 4
