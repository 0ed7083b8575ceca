"""Theorem 1 on real data: the 60000 MNIST training images (optional; needs VACUITY_DATA)."""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
from pathlib import Path

import numpy as np
import pytest

import vacuity

# md5 of the original files (the MNIST distribution's published checksums)
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
}


def _mnist_root() -> Path:
    root = os.environ.get("VACUITY_DATA")
    if not root or not (Path(root) / "mnist" / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip("real MNIST not available (set VACUITY_DATA to a folder holding mnist/)")
    return Path(root) / "mnist"


def _idx(path: Path, magic: int) -> np.ndarray:
    data = path.read_bytes()
    assert hashlib.md5(data).hexdigest() == MD5[path.name], f"{path.name}: md5 mismatch"
    raw = gzip.decompress(data)
    (got,) = struct.unpack(">i", raw[:4])
    assert got == magic, f"{path.name}: IDX magic {got}, expected {magic}"
    ndim = magic & 0xFF
    dims = struct.unpack(f">{ndim}i", raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def test_memorizes_mnist_train_true_and_random_labels():
    root = _mnist_root()
    X = _idx(root / "train-images-idx3-ubyte.gz", 2051).reshape(60000, 784).astype(np.float64) / 255.0
    y = _idx(root / "train-labels-idx1-ubyte.gz", 2049).astype(np.float64)
    random_y = np.random.default_rng(0).integers(0, 10, 60000).astype(np.float64)
    for labels in (y, random_y):
        m = vacuity.memorize(X, labels)
        v = m.verify(X, labels)
        assert v["passed"] and v["classes_ok"], v
        assert m.n_params == 2 * v["n_distinct"] + 784
