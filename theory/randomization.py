"""Zhang et al. (2017), Sec. 2: the randomization tests' closed forms.

- Parameter counts of the Table 1 architectures as polynomials in the input shape (channels c, height
  h, width w) and the class count K, derived layer by layer from the weight shapes (a k x k conv from
  a to b channels has k^2 a b + b parameters, a linear layer a b + b); at CIFAR-10's (3, 28, 28) and
  K = 10 they must give Table 1's 1,209,866 / 1,735,178 / 1,387,786 / 1,649,402.
- Label corruption with probability p (a uniform random class, which may be the true one) changes a
  label with probability p (1 - 1/K); the fraction over n labels has variance q (1 - q) / n, q = p (1 - 1/K).
- Training on labels independent of the inputs, every class is equally likely to be predicted for a test
  point (the label distribution is invariant under relabeling the classes), so the expected test error
  is 1 - 1/K: chance.
"""

from __future__ import annotations

import sympy as sp

c, h, w, K = sp.symbols("c h w K", integer=True, positive=True)
p = sp.Symbol("p", nonnegative=True)
n = sp.Symbol("n", integer=True, positive=True)

TABLE1 = {"mlp1x512": 1_209_866, "mlp3x512": 1_735_178, "alexnet": 1_387_786, "inception": 1_649_402}
CIFAR = {c: 3, h: 28, w: 28, K: 10}
MLP_WIDTH = 512
ALEXNET = {"channels": 64, "hidden": (384, 192), "kernel": 5}
INCEPTION_PLAN = (("conv", 96, 3), ("inc", 32, 32), ("inc", 32, 48), ("down", 80), ("inc", 112, 48),
                  ("inc", 96, 64), ("inc", 80, 80), ("inc", 48, 96), ("down", 96), ("inc", 176, 160),
                  ("inc", 176, 160))


def linear(a, b):
    return a * b + b


def conv(k, a, b):
    return k * k * a * b + b


def pooled(s):
    """Side after a 3x3, stride-2, padding-1 max-pool: floor((s - 1)/2) + 1."""
    return sp.floor((s - 1) / 2) + 1


def mlp_count(depth: int, width: int = MLP_WIDTH):
    sizes = [c * h * w] + [width] * depth + [K]
    return sp.expand(sum(linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])))


def alexnet_count(channels: int = ALEXNET["channels"], hidden=ALEXNET["hidden"], k: int = ALEXNET["kernel"]):
    flat = channels * pooled(pooled(h)) * pooled(pooled(w))
    sizes = [flat, *hidden, K]
    return (conv(k, c, channels) + conv(k, channels, channels)
            + sum(linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])))


def inception_count(plan=INCEPTION_PLAN):
    """Convs with biases; BatchNorm's scale and shift are not counted (Table 1 gives the same count
    with and without BatchNorm). Global mean pooling: no dependence on h, w."""
    total, ch = 0, c
    for kind, *args in plan:
        if kind == "conv":
            total += conv(args[1], ch, args[0])
            ch = args[0]
        elif kind == "inc":
            total += conv(1, ch, args[0]) + conv(3, ch, args[1])
            ch = args[0] + args[1]
        else:  # downsample: stride-2 conv alongside a max-pool that keeps the channels
            total += conv(3, ch, args[0])
            ch = ch + args[0]
    return sp.expand(total + linear(ch, K))


def counts():
    """Model name -> count as a sympy expression in c, h, w, K."""
    return {"mlp1x512": mlp_count(1), "mlp3x512": mlp_count(3), "alexnet": alexnet_count(),
            "inception": inception_count()}


def count_at(model: str, shape, n_classes: int = 10) -> int:
    """The derived count at an input shape (C, H, W) or (L,) (a (1, 1, L) image for the conv nets)."""
    cc, hh, ww = (shape if len(shape) == 3 else (1, 1, shape[0]))
    expr = counts()["inception" if model.startswith("inception") else model]
    return int(expr.subs({c: cc, h: hh, w: ww, K: n_classes}))


def changed_fraction():
    """P(label changes) = P(corrupted) P(new class != old) = p (K - 1)/K, derived from the two draws."""
    j = sp.Symbol("j", integer=True)
    # the replacement is uniform on K classes; exactly K - 1 of them differ from the true label
    p_differs = sp.summation(sp.Rational(1, 1) / K, (j, 1, K - 1))
    return sp.simplify(p * p_differs)


def changed_fraction_variance():
    q = changed_fraction()
    return sp.simplify(q * (1 - q) / n)


def chance_error():
    return 1 - 1 / K
