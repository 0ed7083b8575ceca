"""Atomic file writes, the one implementation every layer (benchmarks included) uses: the data goes to
a hidden temporary file in the target's folder, is flushed and fsync'ed, then renamed over the target,
so a crash at any point leaves the previous file intact and no temporary behind. A leaf module: it
imports nothing of the project, and nothing heavier than the standard library."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _mode_of_a_new_file() -> int:
    # mkstemp creates 0600 files; a result gets the permissions a plain open() would give it
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def process_alive(pid: int) -> bool:
    """Whether a process with this pid runs (someone else's counts): a temporary or staging folder named
    with a dead pid is a leftover."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_temporaries(path: Path | str) -> list[Path]:
    """Remove the temporaries of ``path`` left by writers that were killed (their pid is in the name and
    no longer runs); a live writer's temporary is left alone. Returns what was removed."""
    path = Path(path)
    removed = []
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        pid = tmp.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def write_bytes(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (parent folders are created); temporaries of ``path`` that a
    killed writer left behind are removed first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_of_a_new_file())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path | str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path | str, obj: Any, *, indent: int | None = 2,
               default: Callable[[Any], Any] | None = None) -> None:
    """JSON with no NaN or infinity (``allow_nan=False``: a caller maps them to null first), newline-ended."""
    text = json.dumps(obj, indent=indent, allow_nan=False, default=default)
    write_text(path, text + "\n")


def write_with(path: Path | str, save: Callable[[io.BytesIO], Any]) -> None:
    """Atomic write of whatever ``save(buffer)`` puts in a bytes buffer (``torch.save``, ``np.save``,
    ``fig.savefig``): the serializer never sees the real path."""
    buf = io.BytesIO()
    save(buf)
    write_bytes(path, buf.getvalue())


def save_figure(fig, path: Path | str, dpi: int = 110) -> None:
    write_with(path, lambda buf: fig.savefig(buf, format="png", dpi=dpi))
