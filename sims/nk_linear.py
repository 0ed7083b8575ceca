"""Nagarajan & Kolter's linear learner as an actual torch training step.

A linear model f(x) = <w1, x1> + <w2, x2> starts at zero and takes one SGD step on the linear loss
L(w) = -(1/n) sum_i y_i f(x_i). Its gradient is constant, -(1/n) sum_i y_i x_i. The step uses PER-BLOCK
step sizes chosen to land exactly on the construction's w = (c' u, sum_i y_i x2_i): eta1 = c'/c on the
signal block (two parameter groups of torch.optim.SGD), eta2 = n on the noise block; block 1 is
eta1 (1/n) sum_i y_i c y_i u = c' u. This is not a plain gradient step with one step size: a shared
eta gives w1 = eta c u, and with eta = n (needed for w2) the signal margin n c^2 exceeds s^2 once n is
moderate, so S' is classified correctly and the counterexample disappears (the checked proof reports
the shared step's S' error). Continued training on the same loss only rescales w (w_T = T w_1), so
every prediction and every sign of a margin is unchanged.
"""

from __future__ import annotations

import math

import numpy as np


def make_data(n: int, D: int, *, K: int = 1, c: float = 2.0, c_prime: float = 2.0, s2: float = 32.0,
              seed: int = 0):
    """(X (n, K + D), y (n,), u (K,)) as float64 NumPy arrays: x = (c y u, N(0, (s^2/D) I_D))."""
    from vacuity.kernels.nk_linear import check_params

    check_params(n, D, K, c, c_prime, s2)
    rng = np.random.default_rng(seed)
    y = rng.choice(np.array([-1.0, 1.0]), size=n)
    u = rng.standard_normal(K)
    u /= np.linalg.norm(u)
    X = np.empty((n, K + D))
    X[:, :K] = c * y[:, None] * u[None, :]
    X[:, K:] = rng.standard_normal((n, D)) * math.sqrt(s2 / D)
    return X, y, u


def linear_model(K: int, D: int, dtype=None, device="cpu"):
    import torch

    class Linear(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w1 = torch.nn.Parameter(torch.zeros(K, dtype=dtype or torch.float64, device=device))
            self.w2 = torch.nn.Parameter(torch.zeros(D, dtype=dtype or torch.float64, device=device))

        def forward(self, x):
            return x[:, :K] @ self.w1 + x[:, K:] @ self.w2

    return Linear()


def train(X: np.ndarray, y: np.ndarray, *, K: int, c: float = 2.0, c_prime: float = 2.0, steps: int = 1,
          device: str = "cpu"):
    """Gradient steps from zero on the linear loss (autograd, torch.optim.SGD with two groups).
    Returns (w1, w2) as float64 NumPy arrays after ``steps`` steps."""
    import torch

    if steps < 1:
        raise ValueError(f"steps must be >= 1 (got {steps})")
    n, width = X.shape
    model = linear_model(K, width - K, device=device)
    Xt = torch.as_tensor(X, dtype=torch.float64, device=device)
    yt = torch.as_tensor(y, dtype=torch.float64, device=device)
    opt = torch.optim.SGD([{"params": [model.w1], "lr": c_prime / c},
                           {"params": [model.w2], "lr": float(n)}], lr=1.0)
    for _ in range(steps):
        opt.zero_grad()
        loss = -(yt * model(Xt)).mean()
        loss.backward()
        opt.step()
    return model.w1.detach().cpu().numpy(), model.w2.detach().cpu().numpy()


def margins(X: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray, K: int):
    """(train margins, S' margins) of w on (X, y): S' negates the noise block."""
    sig = X[:, :K] @ w1
    noise = X[:, K:] @ w2
    return y * (sig + noise), y * (sig - noise)
