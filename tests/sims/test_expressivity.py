"""The memorizer as a torch nn.Module (vacuity.sims): parameter count, float64 fit, gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given

import vacuity
from tests.conftest import to_numpy
from tests.helpers import point_tolerance
from tests.strategies import datasets
from vacuity.kernels.expressivity import torch_tolerance
from vacuity.sims import memorizer_net
from vacuity.sims.expressivity import Memorizer, memorize
from vacuity.sims.memorizer_net import MemorizerNet


def _net_outputs(m: Memorizer, X: np.ndarray):
    net = m.to_torch(dtype=torch.float64)
    with torch.no_grad():
        out = net(torch.as_tensor(X, dtype=torch.float64)).numpy()
    return net, out


def _torch_bound(m: Memorizer, X: np.ndarray) -> np.ndarray:
    c = m.construction
    k = np.searchsorted(to_numpy(c.b), X @ to_numpy(c.a), side="left")
    return torch_tolerance(c, X, k)


@given(datasets(max_n=2000, max_d=64, label_kind="any"))
def test_module_has_2n_plus_d_parameters_and_fits(data):
    X, y = data
    n, d = X.shape
    m = memorize(X, y)
    net, out = _net_outputs(m, X)
    params = list(net.parameters())
    assert sum(p.numel() for p in params) == 2 * n + d == m.n_params
    assert [tuple(p.shape) for p in params] == [(d,), (n,), (n,)]
    assert all(p.dtype == torch.float64 and p.requires_grad for p in params)
    resid = np.abs(out - y)
    tol = _torch_bound(m, X)
    assert np.all(resid <= tol), f"max residual / bound = {np.max(resid / np.maximum(tol, 1e-300)):.3g}"
    if np.all(y == np.round(y)):
        labels = np.unique(y)
        pred = labels[np.argmin(np.abs(out[:, None] - labels[None, :]), axis=1)]
        assert np.array_equal(pred, y)


@given(datasets(max_n=2000, max_d=64, label_kind="classes"))
def test_module_classifies_class_labels_exactly(data):
    X, y = data
    _, out = _net_outputs(memorize(X, y), X)
    labels = np.unique(y)
    pred = labels[np.argmin(np.abs(out[:, None] - labels[None, :]), axis=1)]
    assert np.array_equal(pred, y)


@given(datasets(max_n=1000, max_d=32, label_kind="any"))
def test_numpy_and_torch_outputs_agree_within_their_bounds(data):
    """Memorizer.__call__ (extended-precision evaluation) and the module (direct relu(z - b) @ w) are
    each within their own per-point bound of y, hence within the sum of the bounds of each other."""
    X, y = data
    m = memorize(X, y)
    _, out_t = _net_outputs(m, X)
    out_n = m(X)
    tol_n = point_tolerance(m.construction, X)
    tol_t = _torch_bound(m, X)
    assert np.all(np.abs(out_n - y) <= tol_n)
    assert np.all(np.abs(out_n - out_t) <= tol_n + tol_t)


def test_gradients_flow():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((50, 4)), rng.standard_normal(50)
    net = memorize(X, y).to_torch()
    Xt = torch.as_tensor(X)
    out = net(Xt)
    loss = ((out - torch.as_tensor(y)) ** 2).sum() + out.sum()
    loss.backward()
    for p in net.parameters():
        assert p.grad is not None and p.grad.shape == p.shape and torch.all(torch.isfinite(p.grad))
    # d(sum out)/d w_j = sum_x relu(<a, x> - b_j), and the squared-error part adds 2 r_x relu(...)
    with torch.no_grad():
        h = torch.relu((Xt @ net.a)[:, None] - net.b[None, :])
        r = net(Xt) - torch.as_tensor(y)
        expected = (h * (1 + 2 * r[:, None])).sum(0)
    assert torch.allclose(net.w.grad, expected, rtol=1e-9, atol=1e-9 * float(expected.abs().max()))
    assert float(net.b.grad.abs().max()) > 0 and float(net.a.grad.abs().max()) > 0


def test_module_construction_and_chunking(monkeypatch):
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((300, 5)), rng.integers(0, 10, 300).astype(np.float64)
    m = memorize(X, y)
    net, out = _net_outputs(m, X)
    for name in ("a", "b", "w"):
        assert np.array_equal(getattr(net, name).detach().numpy(), getattr(m, name))
    # a single point as a 1-D tensor
    with torch.no_grad():
        one = net(torch.as_tensor(X[7]))
    assert one.shape == (1,)
    # chunked evaluation of the hidden layer gives results within the same bound
    monkeypatch.setattr(memorizer_net, "_CHUNK_ELEMENTS", 1000)
    with torch.no_grad():
        chunked = net(torch.as_tensor(X)).numpy()
    assert np.all(np.abs(chunked - y) <= _torch_bound(m, X))
    # float32 modules are a requested conversion, not float64: dtypes follow the request
    net32 = m.to_torch(dtype=torch.float32)
    assert all(p.dtype == torch.float32 for p in net32.parameters())


def test_module_from_torch_built_memorizer():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((100, 3)), rng.standard_normal(100)
    m = vacuity.memorize(torch.as_tensor(X), torch.as_tensor(y))
    net = m.to_torch()
    assert isinstance(net, MemorizerNet)
    with torch.no_grad():
        out = net(torch.as_tensor(X)).numpy()
    assert np.all(np.abs(out - y) <= _torch_bound(m, X))


def test_public_api():
    assert vacuity.Memorizer is Memorizer
    with pytest.raises(AttributeError):
        vacuity.no_such_name  # noqa: B018
