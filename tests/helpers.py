"""Shared test helpers: exact (Fraction) oracles, per-point tolerances, backend plumbing."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from array_api_compat import array_namespace
from hypothesis import HealthCheck, settings

from tests.conftest import to_numpy

# @given tests that also take the (stateless) `xp` fixture: the fixture returns a module, so reusing
# it across examples is safe. Keep the active profile's other suppressions.
xp_settings = settings(
    suppress_health_check=list(settings().suppress_health_check) + [HealthCheck.function_scoped_fixture]
)


def ns(xp):
    """The array-API namespace for a backend module (the kernels call e.g. ``xp.cumulative_sum``)."""
    return array_namespace(xp.asarray([0.0]))


def fr(x) -> Fraction:
    return Fraction(float(x))


def exact_prefix_sums(values) -> list[Fraction]:
    """[0, v_0, v_0 + v_1, ...] exactly."""
    out = [Fraction(0)]
    for v in values:
        out.append(out[-1] + fr(v))
    return out


def exact_residual(z, b, w, y) -> list[Fraction]:
    """r_i = y_i - sum_{j <= i} w_j (z_i - b_j), exactly (valid for interleaved b, where the ReLU of
    row i is active exactly for j <= i)."""
    z, b, w, y = (to_numpy(v) for v in (z, b, w, y))
    S = Fraction(0)
    T = Fraction(0)
    out = []
    for i in range(z.shape[0]):
        wi = fr(w[i])
        S += wi
        T += wi * fr(b[i])
        out.append(fr(y[i]) - (fr(z[i]) * S - T))
    return out


def exact_network_residual(z, b, w, y) -> list[Fraction]:
    """y_i - sum_j w_j max(z_i - b_j, 0) exactly, for any b (no interleaving assumed): O(n^2)."""
    z, b, w, y = (to_numpy(v) for v in (z, b, w, y))
    fb = [fr(v) for v in b]
    fw = [fr(v) for v in w]
    out = []
    for i in range(z.shape[0]):
        zi = fr(z[i])
        out.append(fr(y[i]) - sum((wj * (zi - bj) for wj, bj in zip(fw, fb) if zi > bj), Fraction(0)))
    return out


def assert_within(values: list[Fraction], bounds, what: str = "residual") -> None:
    """|values_i| <= bounds_i for every i, exactly."""
    bounds = to_numpy(bounds)
    bad = [i for i, (v, bd) in enumerate(zip(values, bounds)) if abs(v) > fr(bd)]
    assert not bad, (
        f"{what} exceeds its bound at {len(bad)} of {len(values)} rows; first {bad[0]}: "
        f"|{float(values[bad[0]])!r}| > {float(bounds[bad[0]])!r}"
    )


def point_tolerance(c, X, same: bool | None = None) -> np.ndarray:
    """verify()'s per-point bound on |Memorizer(X)_i - y_i| (NumPy construction): admissible backward
    residual of the row + evaluation error, + local slope * 2 gamma(d) ||x|| ||a|| if the
    projections of X may differ from the ones the weights were solved for."""
    from vacuity.kernels import expressivity as K
    from vacuity.kernels.extended import gamma

    X = np.asarray(to_numpy(X), dtype=np.float64)
    z = K.project(X, np.asarray(to_numpy(c.a)), np)
    ev_b = to_numpy(c.b)
    k = np.searchsorted(ev_b, z, side="left")
    _, err = K.evaluate(_numpy_construction(c), X, return_error=True)
    n = c.n
    row = np.clip(k - 1, 0, n - 1)
    tol = to_numpy(c.admissible)[row] + err
    zs = to_numpy(c.z)
    if same is None:
        zu = np.unique(z)
        same = zu.shape[0] == n and bool(np.all(zu == zs))
    if not same:
        slope = np.abs(to_numpy(c.evaluator.slope))
        local = slope[k]
        for step in (-1, 1):
            local = np.maximum(local, slope[np.clip(k + step, 0, n)])
        norms = np.linalg.norm(X, axis=1) * float(np.linalg.norm(to_numpy(c.a)))
        tol = tol + local * 2.0 * gamma(c.d) * norms
    return tol


def _numpy_construction(c):
    """The same network with every array on NumPy (evaluator and bounds rebuilt from a, b, w)."""
    if isinstance(c.w, np.ndarray):
        return c
    return numpy_construction_from(c.a, c.b, c.w, c.z, c.y, c.keep, theta=c.theta, direction=c.direction)


def numpy_construction_from(a, b, w, z, y, keep, *, theta=0.25, direction="random"):
    """A Construction on NumPy from the parameters (a, b, w) and the solved-for z, y."""
    from vacuity.kernels import expressivity as K

    a, b, w, z, y, keep = (np.asarray(to_numpy(v)) for v in (a, b, w, z, y, keep))
    a, b, w, z, y = (v.astype(np.float64) for v in (a, b, w, z, y))
    ev = K.Evaluator.build(z, b, y, w, np)
    Kr = K.absolute_rows(z, b, w, np)
    return K.Construction(a=a, b=b, w=w, z=z, y=y, keep=keep, evaluator=ev, abs_rows=Kr,
                          admissible=K.admissible_residual(z, b, y, Kr, np), theta=theta, direction=direction,
                          candidates=0)


class Interrupted(Exception):
    """Raised from a training callback: an interruption at a known point, as a kill would be."""


def train_until_interrupted(train_group, cfg, runs, checkpoint, epoch: int = 3) -> None:
    """Run ``train_group`` with checkpoints and stop it at the end of ``epoch``, leaving its checkpoint."""
    import pytest

    def interrupt(t):
        if t.epoch == epoch:
            raise Interrupted

    with pytest.raises(Interrupted):
        train_group(cfg, runs, checkpoint=checkpoint, on_epoch=interrupt)
