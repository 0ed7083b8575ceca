"""The CIFAR-10 architectures of Zhang et al. (2017), Table 1, built for any input shape.

- ``mlp1x512``, ``mlp3x512``: fully connected ReLU networks with one / three hidden layers of 512 units.
- ``alexnet``: the small AlexNet of App. A: two modules of (5x5 conv, 64 channels, ReLU -> 3x3 max-pool,
  stride 2 -> local response normalization), then fully connected 384 and 192 (ReLU) and a linear
  10-way layer.
- ``inception`` (with BatchNorm) and ``inception_nobn``: the small Inception of App. A, Fig. 3 (conv
  module = conv + BN + ReLU; inception module = 1x1 conv || 3x3 conv; downsample module = 3x3 stride-2
  conv || 3x3 stride-2 max-pool), ending in a global mean pool and a linear 10-way layer.

- ``cnn`` (not in the paper): a small CNN, two 3x3 'same' convs (8 and 16 channels, ReLU), a 2x2 max-pool
  (ceil mode), a hidden layer of 32 and the output layer. It runs the shuffled-pixels test at small
  scale: a fixed pixel permutation P is a symmetry of an MLP (training on P x from weights W is training
  on x from W P, and W P has W's law under the default initialization), so an MLP's shuffled-pixels run
  is its true-labels run in distribution; a convolution sees neighbourhoods, which P destroys.

At the paper's input shape (3, 28, 28) the counts of Table 1 come out exactly (``table1_count``): convs
and linear layers carry biases; BatchNorm's scale and shift are not counted, which is why Inception with
and without BatchNorm has the same count. Padding keeps spatial sizes ('SAME'), so the AlexNet's 28 x 28
input is 7 x 7 after its two stride-2 pools (7 * 7 * 64 inputs to the 384-unit layer).

Inputs of shape (C, H, W) are images; a vector shape (L,) is fed to the conv nets as a (1, 1, L) image.
"""

from __future__ import annotations

import torch
from torch import nn

MODELS = ("mlp1x512", "mlp3x512", "alexnet", "inception", "inception_nobn", "cnn")
TABLE1_COUNTS = {"inception": 1_649_402, "inception_nobn": 1_649_402, "alexnet": 1_387_786,
                 "mlp3x512": 1_735_178, "mlp1x512": 1_209_866}
CIFAR_SHAPE = (3, 28, 28)
# App. A: 0.1 for the small Inception, 0.01 for the small AlexNet and the MLPs
LEARNING_RATES = {"mlp1x512": 0.01, "mlp3x512": 0.01, "alexnet": 0.01, "inception": 0.1,
                  "inception_nobn": 0.1, "cnn": 0.01}  # the small CNN: the AlexNet's rate

# Fig. 3 of App. A: ("conv", c, k), ("inc", c1, c3), ("down", c3)
INCEPTION_PLAN = (("conv", 96, 3), ("inc", 32, 32), ("inc", 32, 48), ("down", 80), ("inc", 112, 48),
                  ("inc", 96, 64), ("inc", 80, 80), ("inc", 48, 96), ("down", 96), ("inc", 176, 160),
                  ("inc", 176, 160))
ALEXNET_CHANNELS = 64
ALEXNET_HIDDEN = (384, 192)
MLP_WIDTH = 512
CNN_CHANNELS = (8, 16)
CNN_HIDDEN = 32


def image_shape(shape: tuple[int, ...]) -> tuple[int, int, int]:
    if len(shape) == 3:
        return tuple(shape)
    if len(shape) == 1:
        return (1, 1, shape[0])
    raise ValueError(f"input shape must be (C, H, W) or (L,), got {shape}")


class MLP(nn.Module):
    """Flatten, then ``depth`` hidden ReLU layers of ``width`` units, then a linear output layer."""

    def __init__(self, shape, n_classes=10, depth=1, width=MLP_WIDTH, dropout=0.0):
        super().__init__()
        d = 1
        for s in shape:
            d *= int(s)
        sizes = [d] + [width] * depth + [n_classes]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropout = float(dropout)

    def forward(self, x):
        x = x.flatten(1)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
                if self.dropout and self.training:
                    x = nn.functional.dropout(x, self.dropout)
        return x


def _pool_out(s: int) -> int:
    return (s + 2 - 3) // 2 + 1  # 3x3 window, stride 2, padding 1


class SmallAlexNet(nn.Module):
    def __init__(self, shape, n_classes=10, channels=ALEXNET_CHANNELS, hidden=ALEXNET_HIDDEN):
        super().__init__()
        self.shape = image_shape(shape)
        c, h, w = self.shape
        # TensorFlow's cifar10 LRN (depth radius 4, alpha 0.001/9, beta 0.75, bias 1) in torch's form,
        # whose alpha is divided by the window size 2*4+1
        lrn = dict(size=9, alpha=0.001, beta=0.75, k=1.0)
        self.features = nn.Sequential(
            nn.Conv2d(c, channels, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2, 1), nn.LocalResponseNorm(**lrn),
            nn.Conv2d(channels, channels, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2, 1),
            nn.LocalResponseNorm(**lrn),
        )
        flat = channels * _pool_out(_pool_out(h)) * _pool_out(_pool_out(w))
        sizes = [flat, *hidden]
        layers: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        self.classifier = nn.Sequential(*layers, nn.Linear(sizes[-1], n_classes))

    def forward(self, x):
        x = x.reshape(x.shape[0], *self.shape)
        return self.classifier(self.features(x).flatten(1))


class ConvModule(nn.Module):
    def __init__(self, cin, cout, k, stride=1, batchnorm=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)
        self.bn = nn.BatchNorm2d(cout) if batchnorm else nn.Identity()

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class InceptionModule(nn.Module):
    def __init__(self, cin, c1, c3, batchnorm=True):
        super().__init__()
        self.b1 = ConvModule(cin, c1, 1, batchnorm=batchnorm)
        self.b3 = ConvModule(cin, c3, 3, batchnorm=batchnorm)

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x)], dim=1)


class DownsampleModule(nn.Module):
    def __init__(self, cin, c3, batchnorm=True):
        super().__init__()
        self.conv = ConvModule(cin, c3, 3, stride=2, batchnorm=batchnorm)
        self.pool = nn.MaxPool2d(3, 2, 1)

    def forward(self, x):
        return torch.cat([self.conv(x), self.pool(x)], dim=1)


class SmallInception(nn.Module):
    def __init__(self, shape, n_classes=10, batchnorm=True, plan=INCEPTION_PLAN):
        super().__init__()
        self.shape = image_shape(shape)
        c = self.shape[0]
        blocks: list[nn.Module] = []
        for kind, *args in plan:
            if kind == "conv":
                blocks.append(ConvModule(c, args[0], args[1], batchnorm=batchnorm))
                c = args[0]
            elif kind == "inc":
                blocks.append(InceptionModule(c, *args, batchnorm=batchnorm))
                c = args[0] + args[1]
            else:
                blocks.append(DownsampleModule(c, args[0], batchnorm=batchnorm))
                c = c + args[0]
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(c, n_classes)

    def forward(self, x):
        x = self.blocks(x.reshape(x.shape[0], *self.shape))
        return self.fc(x.mean(dim=(2, 3)))


class SmallCNN(nn.Module):
    """Two 3x3 'same' convs with ReLU, a 2x2 max-pool (ceil mode, so 1-pixel-high inputs keep a row),
    a hidden ReLU layer and the output layer."""

    def __init__(self, shape, n_classes=10, channels=CNN_CHANNELS, hidden=CNN_HIDDEN):
        super().__init__()
        self.shape = image_shape(shape)
        c, h, w = self.shape
        a, b = channels
        self.features = nn.Sequential(nn.Conv2d(c, a, 3, padding=1), nn.ReLU(), nn.Conv2d(a, b, 3, padding=1),
                                      nn.ReLU(), nn.MaxPool2d(2, 2, ceil_mode=True))
        flat = b * -(-h // 2) * -(-w // 2)
        self.classifier = nn.Sequential(nn.Linear(flat, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x.reshape(x.shape[0], *self.shape)).flatten(1))


def build(name: str, shape, n_classes: int = 10, dropout: float = 0.0) -> nn.Module:
    """A freshly initialized model (torch's default initialization, from the global torch RNG)."""
    shape = tuple(int(s) for s in shape)
    if dropout and not name.startswith("mlp"):
        raise ValueError(f"dropout is supported for the MLPs only, not {name}")
    if name == "mlp1x512":
        return MLP(shape, n_classes, depth=1, dropout=dropout)
    if name == "mlp3x512":
        return MLP(shape, n_classes, depth=3, dropout=dropout)
    if name == "alexnet":
        return SmallAlexNet(shape, n_classes)
    if name == "inception":
        return SmallInception(shape, n_classes, batchnorm=True)
    if name == "inception_nobn":
        return SmallInception(shape, n_classes, batchnorm=False)
    if name == "cnn":
        return SmallCNN(shape, n_classes)
    raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")


def table1_count(model: nn.Module) -> int:
    """Parameters as Table 1 counts them: every weight and bias except BatchNorm's scale and shift."""
    skip = {id(p) for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
            for p in m.parameters(recurse=False)}
    return sum(p.numel() for p in model.parameters() if id(p) not in skip)
