"""Random draws on the array's own backend (NumPy or CuPy) from one seed.

The array API has no random module, so each backend's generator is wrapped here. CuPy is imported
only when a CuPy namespace is asked for.
"""

from __future__ import annotations

import numpy as np
from array_api_compat import is_cupy_namespace


def child_seed(seed: int, *tags: int) -> int:
    """An independent 32-bit seed for the stream named by ``tags`` under ``seed`` (NumPy's SeedSequence
    mixes all of them), so that adding a stream never shifts another one's draws."""
    return int(np.random.SeedSequence([seed, *tags]).generate_state(1)[0])


class Draws:
    """uniform / binomial / multinomial draws as arrays of namespace ``xp`` (float64 / int64)."""

    def __init__(self, xp, seed: int):
        self.xp = xp
        if is_cupy_namespace(xp):
            import cupy

            self._rng = cupy.random.RandomState(seed)
            self._cupy = True
        else:
            self._rng = np.random.default_rng(seed)
            self._cupy = False

    def uniform(self, shape):
        if self._cupy:
            return self._rng.random_sample(shape, dtype=self.xp.float64)
        return self.xp.asarray(self._rng.random(shape))

    def binomial(self, trials, p, size=None):
        """Binomial(trials, p); ``trials`` may be an integer array (broadcast with ``size``)."""
        out = self._rng.binomial(trials, p, size=size)
        return self.xp.asarray(out, dtype=self.xp.int64)

    def multinomial(self, trials: int, probs, replicates: int):
        """(replicates, k) counts ~ Multinomial(trials, probs) by conditional binomials:
        N_j ~ Binomial(trials - N_1 - ... - N_{j-1}, p_j / (p_j + ... + p_k)). Exact in distribution,
        vectorized over replicates, one pass per cell; suffix sums avoid 1 - cumsum cancellation."""
        probs = np.asarray(probs, dtype=np.float64)
        if probs.ndim != 1 or probs.size < 1 or np.any(probs < 0) or not np.isfinite(probs).all():
            raise ValueError("probs must be a 1-D array of nonnegative finite probabilities")
        if abs(probs.sum() - 1.0) > 1e-9:
            raise ValueError(f"probs must sum to 1; they sum to {probs.sum()!r}")
        rest = np.cumsum(probs[::-1])[::-1]
        left = self.xp.full((replicates,), trials, dtype=self.xp.int64)
        cols = []
        for j in range(probs.size - 1):
            q = 0.0 if rest[j] <= 0 else min(1.0, probs[j] / rest[j])
            c = self.binomial(left, q) if q > 0 else self.xp.zeros_like(left)
            cols.append(c)
            left = left - c
        cols.append(left)
        return self.xp.stack(cols, axis=1)
