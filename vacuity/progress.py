"""Progress for logs: when stderr is not a terminal (CI, nohup, a cluster job), a one-line report at most
every ``VACUITY_PROGRESS_SECONDS`` seconds (default 15) instead of a live bar that a log never shows. A
leaf: standard library only, so every layer may use it."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

DEFAULT_SECONDS = 15.0


def interval() -> float:
    try:
        return max(0.0, float(os.environ.get("VACUITY_PROGRESS_SECONDS", DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


def is_terminal(stream: TextIO | None = None) -> bool:
    stream = sys.stderr if stream is None else stream
    return bool(getattr(stream, "isatty", lambda: False)())


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class LogLines:
    """``update(done, note)`` prints ``what: done/total (rate/s, ETA ...) note`` once ``interval`` seconds
    passed since the start or the last line (a final update always prints); ``say(text)`` prints free text
    under the same rule. Nothing is printed for work that ends within the first interval: a quick command
    in a log stays one line of result, or one line of error."""

    def __init__(self, what: str, total: int | None = None, *, start: int = 0, unit: str = "steps",
                 every: float | None = None, stream: TextIO | None = None, clock=time.monotonic):
        self.what, self.total, self.unit = what, total, unit
        self.every = interval() if every is None else every
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.t0 = self.last = clock()
        self.start = start
        self.printed = False

    def _due(self, final: bool) -> bool:
        return final or self.clock() - self.last >= self.every

    def _emit(self, text: str) -> None:
        self.last = self.clock()
        self.printed = True
        print(f"[{_duration(self.last - self.t0)}] {text}", file=self.stream, flush=True)

    def update(self, done: int, note: str = "", *, final: bool = False) -> None:
        if not self._due(final):
            return
        elapsed = self.clock() - self.t0
        rate = (done - self.start) / elapsed if elapsed > 0 else 0.0
        parts = [f"{self.what}: {done}" + (f"/{self.total}" if self.total else "") + f" {self.unit}"]
        if rate > 0:
            parts.append(f"({rate:.3g} {self.unit}/s"
                         + (f", ETA {_duration((self.total - done) / rate)})" if self.total and done < self.total
                            else ")"))
        if note:
            parts.append(note)
        self._emit(" ".join(parts))

    def say(self, text: str, *, final: bool = False) -> None:
        if self._due(final):
            self._emit(text)
