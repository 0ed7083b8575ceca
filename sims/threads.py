"""Torch's CPU thread count, set for a block and restored after it (torch's setting is process-wide:
a library call that changes it and leaves it changed slows its caller's later work)."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def torch_threads(count: int):
    """Run the block with ``count`` torch CPU threads (0: leave torch's setting alone), then restore."""
    import torch

    if count <= 0:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
