"""Loaders (on small files written here in the real formats) and the six randomization variants."""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import struct
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vacuity.sims import data as D


def idx_bytes(a: np.ndarray, magic: int) -> bytes:
    return struct.pack(f">i{a.ndim}i", magic, *a.shape) + a.astype(np.uint8).tobytes()


def write_mnist(root: Path, n_train=12, n_test=5, seed=0) -> dict:
    rng = np.random.default_rng(seed)
    folder = root / "mnist"
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        x = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        y = rng.integers(0, 10, n, dtype=np.uint8)
        (folder / f"{split}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(x, 2051)))
        (folder / f"{split}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(y, 2049)))
        arrays[split] = (x, y)
    return arrays


def md5_table(folder: Path) -> dict:
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def write_cifar(root: Path, n=4, seed=0, nested=True) -> dict:
    rng = np.random.default_rng(seed)
    folder = root / "cifar10" / ("cifar-10-batches-py" if nested else "")
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        x = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        y = [int(v) for v in rng.integers(0, 10, n)]
        with open(folder / name, "wb") as fh:
            pickle.dump({b"batch_label": name.encode(), b"labels": y, b"data": x, b"filenames": []}, fh)
        out[name] = (x, y)
    return out


# ------------------------------------------------------------------------------------------ MNIST


def test_mnist_idx_round_trip(tmp_path):
    arrays = write_mnist(tmp_path)
    x, y, xt, yt = D.load_mnist_raw(tmp_path, md5=md5_table(tmp_path / "mnist"))
    np.testing.assert_array_equal(x, arrays["train"][0])
    np.testing.assert_array_equal(y, arrays["train"][1])
    np.testing.assert_array_equal(xt, arrays["t10k"][0])
    np.testing.assert_array_equal(yt, arrays["t10k"][1])
    ds = D.load("mnist", root=tmp_path, verify=False)
    assert ds.shape == (1, 28, 28) and ds.x_train.shape == (12, 1, 28, 28) and ds.x_train.dtype == np.float32
    flat = ds.x_train.reshape(12, -1).astype(np.float64)
    np.testing.assert_allclose(flat.mean(1), 0, atol=1e-5)  # per-image whitening
    np.testing.assert_allclose(flat.std(1), 1, atol=1e-4)


def test_mnist_official_md5_rejects_other_files(tmp_path):
    write_mnist(tmp_path)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz: md5 .* does not match"):
        D.load("mnist", root=tmp_path)


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[: len(b) // 2], "not a valid gzip file"),
    (lambda b: b"garbage" + b[7:], "not a valid gzip file"),
    (lambda b: gzip.compress(gzip.decompress(b)[:-100]), "IDX payload has"),
    (lambda b: gzip.compress(struct.pack(">i", 2049) + gzip.decompress(b)[4:]), "IDX magic number 2049"),
    (lambda b: gzip.compress(gzip.decompress(b)[:10]), "truncated IDX header"),
])
def test_mnist_damaged_file_names_the_file(tmp_path, damage, message):
    write_mnist(tmp_path)
    f = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    f.write_bytes(damage(f.read_bytes()))
    with pytest.raises(ValueError, match=message) as e:
        D.load("mnist", root=tmp_path, verify=False)
    assert "t10k-images-idx3-ubyte.gz" in str(e.value) and "\n" not in str(e.value)


def test_mnist_missing_file_and_label_count_mismatch(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "mnist" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz: file not found"):
        D.load("mnist", root=tmp_path, verify=False)
    y = np.zeros(11, np.uint8)
    (tmp_path / "mnist" / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(y, 2049)))
    with pytest.raises(ValueError, match="12 images but 11 labels"):
        D.load("mnist", root=tmp_path, verify=False)


def test_data_root_from_environment(tmp_path, monkeypatch):
    write_mnist(tmp_path)
    monkeypatch.delenv(D.DATA_ENV, raising=False)
    with pytest.raises(ValueError, match="no data root"):
        D.load("mnist", verify=False)
    monkeypatch.setenv(D.DATA_ENV, str(tmp_path))
    assert D.load("mnist", verify=False).x_test.shape == (5, 1, 28, 28)
    with pytest.raises(ValueError, match="is not a folder"):
        D.load("mnist", root=tmp_path / "nowhere", verify=False)


# --------------------------------------------------------------------------------------- CIFAR-10


@pytest.mark.parametrize("nested", [True, False])
def test_cifar_batches_and_paper_preprocessing(tmp_path, nested):
    batches = write_cifar(tmp_path, nested=nested)
    folder = tmp_path / "cifar10" / ("cifar-10-batches-py" if nested else "")
    x, y, xt, yt = D.load_cifar10_raw(tmp_path, md5=md5_table(folder))
    assert x.shape == (20, 3, 32, 32) and xt.shape == (4, 3, 32, 32)
    np.testing.assert_array_equal(x[:4].reshape(4, -1), batches["data_batch_1"][0])
    assert list(yt) == batches["test_batch"][1]
    ds = D.load("cifar10", root=tmp_path, verify=False)
    assert ds.shape == (3, 28, 28)
    # /255, centre crop rows/cols 2..29, then per-image whitening (TensorFlow's adjusted std)
    raw = batches["test_batch"][0].reshape(4, 3, 32, 32)[:, :, 2:30, 2:30].astype(np.float64) / 255
    flat = raw.reshape(4, -1)
    want = (flat - flat.mean(1, keepdims=True)) / np.maximum(flat.std(1, keepdims=True), 1 / np.sqrt(2352))
    np.testing.assert_allclose(ds.x_test.reshape(4, -1), want, atol=1e-5)


def test_cifar_damaged_batches(tmp_path):
    write_cifar(tmp_path)
    folder = tmp_path / "cifar10" / "cifar-10-batches-py"
    with pytest.raises(ValueError, match=r"data_batch_1: md5 .* does not match"):
        D.load("cifar10", root=tmp_path)
    f = folder / "data_batch_3"
    f.write_bytes(f.read_bytes()[:200])
    with pytest.raises(ValueError, match="data_batch_3: not a readable CIFAR-10 pickle batch"):
        D.load("cifar10", root=tmp_path, verify=False)
    with open(f, "wb") as fh:
        pickle.dump({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, fh)
    with pytest.raises(ValueError, match=r"data_batch_3: data uint8 \(2, 100\)"):
        D.load("cifar10", root=tmp_path, verify=False)


# ------------------------------------------------------------------------------------ embedded


def test_embedded_datasets():
    d = D.load("digits", seed=0)
    assert d.shape == (1, 8, 8) and len(d.y_train) == 1297 and len(d.y_test) == D.DIGITS_TEST
    assert D.load("digits", seed=1).y_train.tolist() != d.y_train.tolist()  # the split comes from the seed
    m = D.load("mnist1d", n_train=100, n_test=50)
    assert m.shape == (40,) and m.x_train.shape == (100, 40) and m.n_classes == 10
    with pytest.raises(ValueError, match="unknown dataset"):
        D.load("imagenet")


def test_real_mnist_if_available():
    root = os.environ.get(D.DATA_ENV)
    if not root or not (Path(root) / "mnist" / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip("real MNIST not available (set VACUITY_DATA to a folder holding mnist/)")
    ds = D.load("mnist")  # md5-verified against the published checksums
    assert ds.x_train.shape == (60000, 1, 28, 28) and ds.x_test.shape == (10000, 1, 28, 28)
    assert np.bincount(ds.y_test, minlength=10).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028,
                                                              974, 1009]


# ------------------------------------------------------------------------------------- variants


@pytest.fixture(scope="module")
def small():
    return D.load("digits", seed=0, n_train=300, n_test=100)


def _probe(ds):
    # pixel values name their position, so a permuted image shows its permutation
    c, P = D._pixel_axes(ds.shape)
    make = lambda n: np.tile(np.arange(P, dtype=np.float32), (n, c, 1)).reshape(n, *ds.shape)  # noqa
    return replace(ds, x_train=make(len(ds.y_train)), x_test=make(len(ds.y_test)))


@given(seed=st.integers(0, 2**31 - 1), p=st.floats(0, 1))
def test_partial_corruption_properties(small, seed, p):
    v = D.make_variant(small, "partial_labels", seed, p=p)
    again = D.make_variant(small, "partial_labels", seed, p=p)
    np.testing.assert_array_equal(v.y_train, again.y_train)  # a fixed draw
    np.testing.assert_array_equal(v.x_train, small.x_train)
    np.testing.assert_array_equal(v.y_test, small.y_test)  # test labels stay true
    assert v.y_train.min() >= 0 and v.y_train.max() < 10
    if p == 0:
        np.testing.assert_array_equal(v.y_train, small.y_train)


def test_corruption_may_keep_the_true_class():
    y = np.zeros(100_000, np.int64)
    out = D.corrupt_labels(y, 1.0, 10, np.random.default_rng(0))
    # uniform over all 10 classes, the true one included: about 10% stay 0
    assert abs(np.mean(out == 0) - 0.1) < 6 * np.sqrt(0.09 / 1e5)
    with pytest.raises(ValueError, match="corruption probability"):
        D.corrupt_labels(y, 1.5, 10, np.random.default_rng(0))


@pytest.mark.parametrize("name", ["digits", "mnist1d"])
def test_pixel_variants(name):
    ds = D.load(name, seed=0, n_train=60, n_test=20)
    probe = _probe(ds)
    positions = D._pixel_axes(ds.shape)[1]
    sh = D.make_variant(probe, "shuffled_pixels", 3)
    perms = np.concatenate([sh.x_train, sh.x_test]).reshape(80, -1)
    assert (perms == perms[0]).all() and sorted(perms[0]) == list(range(positions))
    assert not (perms[0] == np.arange(positions)).all()
    rp = D.make_variant(probe, "random_pixels", 3)
    perms = np.concatenate([rp.x_train, rp.x_test]).reshape(80, -1)
    assert (np.sort(perms, 1) == np.arange(positions)).all()
    assert len(np.unique(perms, axis=0)) == 80
    # real images: each image keeps its own pixel values
    real = D.make_variant(ds, "random_pixels", 3)
    np.testing.assert_array_equal(np.sort(real.x_train.reshape(60, -1), 1), np.sort(ds.x_train.reshape(60, -1), 1))
    np.testing.assert_array_equal(real.y_train, ds.y_train)


def test_pixel_permutation_keeps_channels_together():
    x = np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2)
    out = D.permute_pixels(x, np.array([3, 2, 1, 0]))
    np.testing.assert_array_equal(out, x[:, :, ::-1, ::-1])


def test_gaussian_matches_mean_and_variance(small):
    g = D.make_variant(small, "gaussian", 0)
    x = small.x_train.astype(np.float64)
    n = g.x_train.size
    assert abs(g.x_train.mean() - x.mean()) < 6 * x.std() / np.sqrt(n)
    assert abs(g.x_train.var() - x.var()) < 6 * x.var() * np.sqrt(2 / n)
    np.testing.assert_array_equal(g.y_train, small.y_train)
    with pytest.raises(ValueError, match="unknown variant"):
        D.make_variant(small, "flipped", 0)


def test_dataset_checks_its_shapes():
    with pytest.raises(ValueError, match="do not match shape"):
        D.Dataset(np.zeros((3, 4)), np.zeros(3, np.int64), np.zeros((2, 4)), np.zeros(2, np.int64), 10, (5,))
    with pytest.raises(ValueError, match="labels outside"):
        D.Dataset(np.zeros((3, 4)), np.full(3, 10), np.zeros((2, 4)), np.zeros(2, np.int64), 10, (4,))
