"""Array plumbing shared by the kernels: host copies, devices, and chunked passes over a large X."""

from __future__ import annotations

import numpy as np
from array_api_compat import array_namespace, is_numpy_namespace
from array_api_compat import device as array_device

_CPU_CHUNK_BYTES = 4 << 20  # a chunk of rows stays in cache while every direction reads it
_DEVICE_CHUNK_BYTES = 512 << 20  # on a GPU, few large chunks: each launch has a fixed cost


def chunk_rows(X, xp) -> int:
    """Rows per chunk for a pass over X (n, d) in float64."""
    budget = _CPU_CHUNK_BYTES if on_cpu(X, xp) else _DEVICE_CHUNK_BYTES
    return max(1, budget // (8 * X.shape[1]))


def project(X, A, xp=None, *, with_max_abs: bool = False):
    """Projections X @ A in float64, one matrix-vector product per column and row chunk.

    The same routine serves construction and evaluation so that, on a deterministic backend, the
    network sees exactly the projections its weights were solved for. With ``with_max_abs`` it also
    returns max |X_ij|, read while each chunk is in cache (it bounds the projection's rounding).
    """
    xp = xp or array_namespace(X, A)
    vector = A.ndim == 1
    A2 = xp.reshape(A, (A.shape[0], 1)) if vector else A
    n, d = X.shape
    k = A2.shape[1]
    rows = chunk_rows(X, xp)
    cols = [A2[:, j] for j in range(k)]
    blocks = []
    max_abs = 0.0
    for start in range(0, n, rows):
        Xc = X[start : start + rows, :]
        if Xc.dtype != xp.float64:
            Xc = xp.astype(Xc, xp.float64)
        blocks.append(xp.stack([Xc @ c for c in cols], axis=1))
        if with_max_abs:
            m = max(float(xp.max(Xc)), -float(xp.min(Xc)))  # no |Xc| temporary
            max_abs = m if not m <= max_abs else max_abs  # NaN propagates
    Z = blocks[0] if len(blocks) == 1 else xp.concat(blocks, axis=0)
    Z = Z[:, 0] if vector else Z
    return (Z, max_abs) if with_max_abs else Z


def row_norms(X, xp):
    """Euclidean norm of every row, chunked so no n x d temporary is made."""
    n, d = X.shape
    rows = chunk_rows(X, xp)
    out = []
    for start in range(0, n, rows):
        Xc = xp.astype(X[start : start + rows, :], xp.float64)
        out.append(xp.sqrt(xp.sum(Xc * Xc, axis=1)))
    return out[0] if len(out) == 1 else xp.concat(out)


def on_cpu(x, xp) -> bool:
    if is_numpy_namespace(xp):
        return True
    return "cpu" in str(array_device(x)).lower()


def to_numpy(x) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "get"):  # CuPy
        return x.get()
    if hasattr(x, "detach"):  # torch
        return x.detach().cpu().numpy()
    return np.asarray(x)


