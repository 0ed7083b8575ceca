"""Table 1 architectures: exact parameter counts at CIFAR-10's shape, the derived counts at any shape."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vacuity.sims import models as M
from vacuity.theory import randomization as T


@pytest.mark.parametrize("name", M.MODELS)
def test_table1_counts_at_cifar_shape(name):
    model = M.build(name, M.CIFAR_SHAPE)
    assert M.table1_count(model) == M.TABLE1_COUNTS[name]
    assert model(torch.zeros(2, *M.CIFAR_SHAPE)).shape == (2, 10)


def test_table1_counts_are_the_papers():
    assert M.TABLE1_COUNTS == {"inception": 1_649_402, "inception_nobn": 1_649_402, "alexnet": 1_387_786,
                               "mlp3x512": 1_735_178, "mlp1x512": 1_209_866}
    # BatchNorm's scale and shift exist but are not counted
    bn = M.build("inception", M.CIFAR_SHAPE)
    assert sum(p.numel() for p in bn.parameters()) > M.table1_count(bn)


shapes = st.one_of(
    st.tuples(st.integers(1, 3), st.integers(1, 12), st.integers(1, 12)),
    st.tuples(st.integers(1, 50)),
)


@settings(max_examples=12, deadline=None)
@given(shape=shapes, name=st.sampled_from(M.MODELS), classes=st.integers(2, 12))
def test_counts_match_the_derivation_at_any_shape(shape, name, classes):
    model = M.build(name, shape, classes)
    assert M.table1_count(model) == T.count_at(name, shape, classes)
    assert model(torch.zeros(3, *shape)).shape == (3, classes)


def test_bad_model_and_options():
    with pytest.raises(ValueError, match="unknown model"):
        M.build("resnet", (3, 28, 28))
    with pytest.raises(ValueError, match="dropout is supported for the MLPs only"):
        M.build("alexnet", (3, 28, 28), dropout=0.5)
    with pytest.raises(ValueError, match="input shape must be"):
        M.build("alexnet", (3, 28))
