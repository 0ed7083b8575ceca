"""The memorizer as a torch module with exactly 2n + d parameters."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

_CHUNK_ELEMENTS = 1 << 24  # hidden activations materialized per chunk (128 MiB in float64)


def _tensor(x, dtype, device):
    if isinstance(x, torch.Tensor):
        return x.detach().to(dtype=dtype, device=device).clone()
    if hasattr(x, "get"):  # CuPy
        x = x.get()
    return torch.as_tensor(np.asarray(x), dtype=dtype, device=device)


class MemorizerNet(nn.Module):
    """x -> sum_j w_j relu(<a, x> - b_j): a (d,), b (n,), w (n,) are its only parameters."""

    def __init__(self, a: torch.Tensor, b: torch.Tensor, w: torch.Tensor):
        super().__init__()
        self.a = nn.Parameter(a)
        self.b = nn.Parameter(b)
        self.w = nn.Parameter(w)

    @classmethod
    def from_memorizer(cls, m, *, dtype=None, device=None) -> MemorizerNet:
        dtype = dtype or torch.float64
        device = device or "cpu"
        return cls(*(_tensor(v, dtype, device) for v in (m.a, m.b, m.w)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 1:
            x = x.unsqueeze(0)
        z = x.to(self.a.dtype) @ self.a
        rows = max(1, _CHUNK_ELEMENTS // max(1, self.b.shape[0]))
        # the hidden layer is m x n; chunk the rows so paper-scale n never materializes it whole
        outs = [torch.relu(zc[:, None] - self.b[None, :]) @ self.w for zc in torch.split(z, rows)]
        return torch.cat(outs)
