"""The one timing rule the benchmark scripts share: one untimed warm-up call, then the best of
``repeats`` timed calls (the minimum is the least disturbed by the other work on a shared machine).
``sync`` waits for queued device work (e.g. CuPy's stream) so that a GPU call is timed, not launched."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeats: int = 3, sync: Callable[[], object] = lambda: None) -> float:
    fn()
    sync()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - t)
    return best
