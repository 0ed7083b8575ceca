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
- The Gaussian variant's law: the normal's standardized third and fourth moments are 0 and 3, and the
  sample skewness / excess kurtosis of N draws have asymptotic variances 6/N and 24/N (derived below by
  the delta method from the normal's raw moments); a Kolmogorov-Smirnov distance to the normal exceeds
  sqrt(ln(2/alpha) / (2N)) with probability at most alpha (Dvoretzky-Kiefer-Wolfowitz with Massart's
  constant, every N).
- Weight decay alone (no loss gradient) under heavy-ball SGD scales the weights by the product of the
  2x2 recursion v <- mu v + lambda p, p <- p - eta_t v (``decay_only_factor``): what a decayed model's
  norm is compared with.
- The exact null law of the trend statistics of Fig. 1b (``concordance_law``): the number of concordant
  (level, time) pairs of a uniformly random order of k levels has the Mahonian distribution.
"""

from __future__ import annotations

import functools
import math

import sympy as sp

c, h, w, K = sp.symbols("c h w K", integer=True, positive=True)
p = sp.Symbol("p", nonnegative=True)
n = sp.Symbol("n", integer=True, positive=True)

TABLE1 = {"mlp1x512": 1_209_866, "mlp3x512": 1_735_178, "alexnet": 1_387_786, "inception": 1_649_402}
CIFAR = {c: 3, h: 28, w: 28, K: 10}
MLP_WIDTH = 512
ALEXNET = {"channels": 64, "hidden": (384, 192), "kernel": 5}
# not in the paper: a small CNN for the shuffled-pixels test, on which a fixed pixel permutation is not a
# symmetry (as it is for an MLP); two 'same' k x k convs, a 2x2 max-pool (ceil mode), a hidden layer
CNN = {"channels": (8, 16), "hidden": 32, "kernel": 3}
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


def cnn_count(channels=CNN["channels"], hidden: int = CNN["hidden"], k: int = CNN["kernel"]):
    """The small CNN: k x k convs c -> a -> b ('same' padding), a 2x2 max-pool with ceil mode (ceil(s/2)
    per side), then linear layers to ``hidden`` and to K."""
    a, b = channels
    flat = b * sp.ceiling(h / 2) * sp.ceiling(w / 2)
    return conv(k, c, a) + conv(k, a, b) + linear(flat, hidden) + linear(hidden, K)


@functools.cache
def _derived_counts() -> tuple:
    return (("mlp1x512", mlp_count(1)), ("mlp3x512", mlp_count(3)), ("alexnet", alexnet_count()),
            ("inception", inception_count()), ("cnn", cnn_count()))


def counts():
    """Model name -> count as a sympy expression in c, h, w, K (Table 1's four, and the small CNN); derived
    once (a fresh dict each call)."""
    return dict(_derived_counts())


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


def label_agreement():
    """P(two independent corrupted draws of one label agree): each keeps the true label w.p.
    1 - p + p/K and takes each of the K - 1 other classes w.p. p/K (1/K at p = 1)."""
    keep, other = 1 - p + p / K, p / K
    return sp.simplify(keep**2 + (K - 1) * other**2)


def changed_fraction_variance():
    q = changed_fraction()
    return sp.simplify(q * (1 - q) / n)


def chance_error():
    return 1 - 1 / K


# --------------------------------------------------------------------------- the Gaussian variant


@functools.cache
def normal_raw_moments(order: int = 8) -> tuple:
    """E[z^j], j = 0..order, of a standard normal, integrated against its density."""
    z = sp.Symbol("z", real=True)
    density = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    return tuple(sp.integrate(z**j * density, (z, -sp.oo, sp.oo)) for j in range(order + 1))


def sample_shape_statistics():
    """(skewness, excess kurtosis) as functions of the raw moment averages a1..a4 of a sample."""
    a1, a2, a3, a4 = sp.symbols("a1:5", real=True)
    m2 = a2 - a1**2
    m3 = a3 - 3 * a1 * a2 + 2 * a1**3
    m4 = a4 - 4 * a1 * a3 + 6 * a1**2 * a2 - 3 * a1**4
    return (a1, a2, a3, a4), m3 / m2**sp.Rational(3, 2), m4 / m2**2 - 3


@functools.cache
def normal_shape_variances() -> tuple:
    """(N Var(skewness), N Var(excess kurtosis)) of N normal draws as N -> infinity, by the delta method:
    grad^T Sigma grad at the normal's raw moments, Sigma_ij = E z^(i+j) - E z^i E z^j (i, j = 1..4).
    Comes out as (6, 24); the statistics' limits are (0, 0)."""
    mu = normal_raw_moments(8)
    a, skew, kurt = sample_shape_statistics()
    at = {a[j]: mu[j + 1] for j in range(4)}
    sigma = sp.Matrix(4, 4, lambda i, j: mu[i + j + 2] - mu[i + 1] * mu[j + 1])
    out = []
    for stat in (skew, kurt):
        g = sp.Matrix([sp.diff(stat, x) for x in a]).subs(at)
        out.append(sp.simplify((g.T * sigma * g)[0, 0]))
    return tuple(out)


def normal_shape_limits() -> tuple:
    """(skewness, excess kurtosis) of the normal law itself: the statistics at the normal's moments."""
    mu = normal_raw_moments(8)
    a, skew, kurt = sample_shape_statistics()
    at = {a[j]: mu[j + 1] for j in range(4)}
    return sp.simplify(skew.subs(at)), sp.simplify(kurt.subs(at))


def dkw_epsilon(n: int, alpha: float) -> float:
    """P[sup |F_N - F| > eps] <= 2 exp(-2 N eps^2) for every N (Massart 1990): the eps of level alpha."""
    if n < 1 or not 0 < alpha < 1:
        raise ValueError(f"need n >= 1 and alpha in (0, 1); got {n}, {alpha}")
    return math.sqrt(math.log(2 / alpha) / (2 * n))


# ------------------------------------------------------------------------------ weight decay alone


eta, mu, lam = sp.symbols("eta mu lambda", positive=True)
t_step = sp.Symbol("t", integer=True, nonnegative=True)


@functools.cache
def decay_only_closed_form() -> sp.Expr:
    """Weight decay alone at a constant rate eta, in closed form in t: eliminating the momentum buffer
    (v_{t+1} = (p_t - p_{t+1}) / eta from the update) turns v <- mu v + lambda p, p <- p - eta v into
    p_{t+2} = (1 + mu - eta lambda) p_{t+1} - mu p_t with p_0 = 1, p_1 = 1 - eta lambda, solved by rsolve."""
    f = sp.Function("p")
    t = t_step
    recurrence = f(t + 2) - (1 + mu - eta * lam) * f(t + 1) + mu * f(t)
    return sp.rsolve(recurrence, f(t), {f(0): 1, f(1): 1 - eta * lam})


def decay_only_factor(steps: int, lr: float, momentum: float, weight_decay: float, lr_decay: float = 1.0,
                      decay_steps: int = 1) -> float:
    """The factor by which SGD with momentum (torch.optim.SGD's update, no dampening) scales a weight under
    weight decay alone, from p = 1 and an empty momentum buffer: v <- mu v + lambda p, p <- p - eta_t v,
    eta_t = lr * lr_decay^(t // decay_steps)."""
    p, v = 1.0, 0.0
    for t in range(int(steps)):
        v = momentum * v + weight_decay * p
        p = p - lr * lr_decay ** (t // decay_steps) * v
    return p


# --------------------------------------------------------------------------- Fig. 1b's trend test


@functools.cache
def concordance_law(k: int) -> tuple:
    """Counts of the permutations of k levels by their number of concordant pairs 0..k(k-1)/2 (the
    Mahonian numbers: the generating function prod_{j=1..k} (1 + q + ... + q^(j-1)))."""
    poly = [1]
    for j in range(1, k + 1):
        new = [0] * (len(poly) + j - 1)
        for i, c in enumerate(poly):
            for d in range(j):
                new[i + d] += c
        poly = new
    return tuple(poly)


def concordance_pvalue(total: float, k: int, seeds: int) -> float:
    """P[sum over ``seeds`` independent uniformly random orders of k levels of the concordant pairs >= total]:
    the exact p-value of a rise with the level when, in truth, the level does not matter."""
    one = concordance_law(k)
    law = [1]
    for _ in range(seeds):
        new = [0] * (len(law) + len(one) - 1)
        for i, a in enumerate(law):
            for j, b in enumerate(one):
                new[i + j] += a * b
        law = new
    tail = sum(c for i, c in enumerate(law) if i >= total - 1e-9)
    return float(sp.Rational(tail, math.factorial(k) ** seeds))
