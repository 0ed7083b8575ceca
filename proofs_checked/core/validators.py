"""Parameter validators for claim declarations: each takes the parsed value and returns an error message
(the CLI prints ``parameter NAME=VALUE: <message>``) or None."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], "str | None"]


def described(rule: str, check: Check) -> Check:
    """``check`` with ``rule`` (the accepted values in words) attached, for ``vacuity params``."""
    check.rule = rule
    return check


def positive(v) -> str | None:
    return None if v >= 1 else "must be at least 1"


positive.rule = ">= 1"


def at_least(k) -> Check:
    return described(f">= {k}", lambda v: None if v >= k else f"must be at least {k}")


def non_negative(v) -> str | None:
    return None if v >= 0 else "must be >= 0"


non_negative.rule = ">= 0"


def open_unit(v) -> str | None:
    return None if 0 < v < 1 else "must lie in (0, 1)"


open_unit.rule = "in (0, 1)"


def positive_real(v) -> str | None:
    return None if math.isfinite(v) and v > 0 else "must be a finite number > 0"


positive_real.rule = "finite, > 0"


def in_range(lo, hi, why: str = "") -> Check:
    """lo <= v <= hi (both inclusive), with the reason for the limits."""
    tail = f" ({why})" if why else ""
    return described(f"{lo}..{hi}", lambda v: None if lo <= v <= hi else f"must lie in {lo}..{hi}{tail}")


def capped(cap: int, what: str) -> Check:
    """1 <= v <= cap, where ``what`` says which memory or time the cap protects."""
    def check(v):
        if v < 1:
            return "must be at least 1"
        return None if v <= cap else f"must be at most {cap}: {what}"
    return described(f"1..{cap}", check)


def one_of(*choices: str) -> Check:
    quoted = [f"'{c}'" for c in choices]
    listed = ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    return described(", ".join(choices), lambda v: None if v in choices else f"must be {listed}")


def increasing_sizes(v) -> str | None:
    """A comma-separated list of at least three increasing sizes, each at least 2."""
    try:
        sizes = [int(t) for t in str(v).split(",") if t.strip()]
    except ValueError:
        return "must be comma-separated integers, e.g. 100,200,400"
    if len(sizes) < 3 or any(m < 2 for m in sizes) or sorted(set(sizes)) != sizes:
        return "must list at least three increasing sizes, each at least 2"
    return None


def all_of(*checks: Check) -> Check:
    """The first failing check's message."""
    def check(v):
        for c in checks:
            msg = c(v)
            if msg:
                return msg
        return None
    return described("; ".join(getattr(c, "rule", "") for c in checks if getattr(c, "rule", "")), check)


increasing_sizes.rule = ">= 3 increasing sizes >= 2, comma-separated"
