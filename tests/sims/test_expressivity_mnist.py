"""Theorem 1 on real data: the 60000 MNIST training images (optional; needs VACUITY_DATA)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import vacuity
from vacuity.sims.data import load_mnist_raw


def mnist_root() -> Path:
    """The data root holding mnist/, or a clean skip."""
    root = os.environ.get("VACUITY_DATA")
    if not root or not (Path(root) / "mnist" / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip("real MNIST not available (set VACUITY_DATA to a folder holding mnist/)")
    return Path(root)


def test_memorizes_mnist_train_true_and_random_labels():
    x, y, _, _ = load_mnist_raw(mnist_root())  # md5-checked against the published checksums
    X = x.reshape(60000, 784).astype(np.float64) / 255.0
    y = y.astype(np.float64)
    random_y = np.random.default_rng(0).integers(0, 10, 60000).astype(np.float64)
    for labels in (y, random_y):
        m = vacuity.memorize(X, labels)
        v = m.verify(X, labels)
        assert v["passed"] and v["classes_ok"], v
        assert m.n_params == 2 * v["n_distinct"] + 784
