"""The strategies build what they promise (distinct points, duplicates exactly where declared, ...)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import (
    MAX_D,
    MAX_N,
    class_labels,
    datasets,
    distinct_rows,
    duplicated_datasets,
    interleavable,
    point_sets,
    real_labels,
    sizes,
    wide_sizes,
)


@given(sizes())
def test_sizes_in_range(size):
    n, d = size
    assert 1 <= n <= MAX_N and 1 <= d <= MAX_D


@given(wide_sizes())
def test_wide_sizes(size):
    n, d = size
    assert 2 <= n <= d


@given(st.data())
def test_point_sets_are_distinct(data):
    n, d = data.draw(sizes())
    X = data.draw(point_sets(n, d))
    assert X.shape == (n, d) and X.dtype == np.float64
    assert np.all(np.isfinite(X))
    assert distinct_rows(X) == n


@given(st.data())
def test_labels(data):
    n = data.draw(st.integers(1, 500))
    y = data.draw(real_labels(n))
    assert y.shape == (n,) and y.dtype == np.float64 and np.all(np.isfinite(y))
    assert np.max(np.abs(y)) <= 1e4
    nz = np.abs(y[y != 0])
    if nz.size:
        assert nz.max() / nz.min() < 1e20
    c = data.draw(class_labels(n))
    assert np.all(c == np.round(c)) and 1 <= np.unique(c).size <= 10


@given(datasets(max_n=300))
def test_datasets(data):
    X, y = data
    assert X.shape[0] == y.shape[0] and distinct_rows(X) == X.shape[0]


@given(duplicated_datasets(same_label=True))
def test_duplicated_same_label(data):
    X, y, n_distinct, conflict = data
    assert conflict is None
    assert X.shape[0] > n_distinct == distinct_rows(X)
    _, inverse = np.unique(X, axis=0, return_inverse=True)
    for g in np.unique(inverse):
        assert np.unique(y[inverse.ravel() == g]).size == 1


@given(duplicated_datasets(same_label=False))
def test_duplicated_one_conflict(data):
    X, y, n_distinct, (p, q) = data
    assert distinct_rows(X) == n_distinct and p < q
    assert np.array_equal(X[p], X[q]) and y[p] != y[q]
    _, inverse = np.unique(X, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    for g in np.unique(inverse):
        members = np.nonzero(inverse == g)[0]
        if g == inverse[p]:
            assert sorted(members.tolist()) == [p, q]
        else:
            assert np.unique(y[members]).size == 1


@given(interleavable())
def test_interleavable(problem):
    z, theta = problem
    assert 0.05 <= theta <= 0.95
    gaps = np.diff(z)
    assert np.all(gaps > 0)
    if gaps.size:
        assert gaps.min() >= 2.0**-30 * np.max(np.abs(z))
