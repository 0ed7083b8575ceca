"""Table 1 architectures (and the small CNN): exact parameter counts at CIFAR-10's shape, the derived
counts at any shape, and why the shuffled-pixels test needs a model other than an MLP."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vacuity.sims import models as M
from vacuity.theory import randomization as T


@pytest.mark.parametrize("name", list(M.TABLE1_COUNTS))
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


def test_the_small_cnn_is_not_in_table_1_and_counts_as_derived():
    assert "cnn" in M.MODELS and "cnn" not in M.TABLE1_COUNTS
    model = M.build("cnn", (1, 8, 8))
    # 3x3 convs 1 -> 8 -> 16, pooled to 4 x 4, then 256 -> 32 -> 10
    assert M.table1_count(model) == (9 * 8 + 8) + (9 * 8 * 16 + 16) + (16 * 16 * 32 + 32) + (32 * 10 + 10)
    assert M.table1_count(model) == T.count_at("cnn", (1, 8, 8))


def _sgd_steps(model, x, y, steps=5):
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model


def test_a_pixel_permutation_is_a_symmetry_of_the_mlp():
    """Training an MLP on shuffled pixels P x from weights W is training it on x from W P (first-layer
    columns permuted): the same function at every step. So an MLP's shuffled-pixels run is a true-labels
    run from another (equally likely) initialization, and the claim runs shuffled pixels on a CNN too."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(32, 1, 8, 8, generator=g)
    y = torch.randint(0, 10, (32,), generator=g)
    perm = torch.randperm(64, generator=g)
    px = x.flatten(1)[:, perm].reshape(x.shape)
    torch.manual_seed(1)
    mlp = M.build("mlp1x512", (1, 8, 8))
    twin = M.build("mlp1x512", (1, 8, 8))
    twin.load_state_dict(mlp.state_dict())
    with torch.no_grad():  # twin sees x where mlp sees P x: its first layer reads column perm[j] as j
        inverse = torch.argsort(perm)
        twin.layers[0].weight.copy_(mlp.layers[0].weight[:, inverse])
    _sgd_steps(mlp, px, y)
    _sgd_steps(twin, x, y)
    torch.testing.assert_close(mlp(px), twin(x), atol=1e-5, rtol=1e-5)
    # (a CNN's W P is no longer a convolution: local 3x3 kernels shared over positions)
