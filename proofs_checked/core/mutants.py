"""Mutants: realistic wrong versions of the code a claim checks, declared with the claim, so that its
check proves it can fail. A mutant replaces one named object (a theory formula, a kernel sampler, a sims
construction, a symbolic proof step) by a wrong version built from the original; it never edits source
text. The contract test and ``vacuity check --mutants`` run the claim's check under each and record
whether the *check* failed (caught).

A mutant patches the object where the checked code looks it up: ``"vacuity.theory.hoeffding:tail_bound"``
patches the module attribute, which every ``T.tail_bound()`` call sees (a ``from ... import tail_bound``
copy elsewhere would not: target that module instead). Attribute paths may be dotted
(``"vacuity.sims.train:GroupTrainer.lr_at"``).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

KINDS = {
    "constant": "a constant changed in a closed form",
    "sampler": "a sampler drawing the wrong distribution",
    "construction": "a construction off by one or built wrongly",
    "loose-bound": "a bound that is valid but not the stated one",
    "ignored-setting": "a setting or regularizer silently ignored",
    "short-circuit": "a symbolic or proof step replaced by a constant answer",
}


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: str
    target: str  # "module:attribute.path" of the object replaced
    factory: str  # "module:function": called with the original object, returns its wrong version
    why: str = ""  # what realistic error it stands for

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"mutant {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        for spec in (self.target, self.factory):
            module, _, attr = spec.partition(":")
            if not module or not attr:
                raise ValueError(f"mutant {self.name!r}: {spec!r} is not 'module:attribute'")


def _resolve(spec: str) -> tuple[Any, str, Any]:
    """(the object holding the attribute, the attribute's name, its current value)."""
    module, _, path = spec.partition(":")
    owner: Any = importlib.import_module(module)
    *parents, last = path.split(".")
    for name in parents:
        owner = getattr(owner, name)
    return owner, last, getattr(owner, last)


def _stored(owner: Any, attr: str) -> Any:
    """The attribute as stored: a class's staticmethod or classmethod object, not the function that
    getattr hands out (restoring that would leave a broken method behind)."""
    return inspect.getattr_static(owner, attr) if isinstance(owner, type) else getattr(owner, attr)


def _clear_caches() -> None:
    # cached derivations (functools.lru_cache/cache) computed under a mutant must not outlive it, and
    # ones computed before must not hide it
    for name, module in list(sys.modules.items()):
        if not name.startswith("vacuity.") or module is None:
            continue
        for value in list(vars(module).values()):
            targets = [value] + ([v for v in vars(value).values()] if isinstance(value, type) else [])
            for obj in targets:
                clear = getattr(obj, "cache_clear", None)
                if callable(clear) and isinstance(obj, functools._lru_cache_wrapper):
                    clear()


@contextmanager
def applied(mutant: Mutant) -> Iterator[None]:
    """The mutant in place for the duration of the block; the original is always restored."""
    owner, attr, original = _resolve(mutant.target)
    stored = _stored(owner, attr)
    _, _, factory = _resolve(mutant.factory)
    wrong = factory(original)
    for kind in (staticmethod, classmethod):
        if isinstance(stored, kind) and not isinstance(wrong, kind):
            wrong = kind(wrong)
    _clear_caches()
    setattr(owner, attr, wrong)
    try:
        yield
    finally:
        setattr(owner, attr, stored)
        _clear_caches()


def run_mutants(claim, mutants: tuple[Mutant, ...] | None = None,
                progress: Callable[[str], None] | None = None, **run_kwargs) -> list[dict]:
    """Run the claim's check under each mutant (stopping at the first failure) and record whether it
    was caught: the check failed, or could not run to the end."""
    out = []
    for m in claim.mutants if mutants is None else mutants:
        if progress:
            progress(f"{claim.id}: mutant {m.name}")
        # a wrong formula may overflow or divide by zero on its way to failing: that is expected, not news
        with applied(m), warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = claim.run(fail_fast=True, **run_kwargs)
        # any verdict but pass: the check did not vouch for the mutant (failed, or its premise was refused)
        out.append({"name": m.name, "kind": m.kind, "caught": result.verdict != "pass",
                    "where": _first_failure(result)})
    return out


def _first_failure(result) -> str:
    for s in result.steps:
        if s.verdict != "pass":
            return s.name
    for q in result.quantities:
        if q.verdict not in ("pass", "reported"):
            return q.name
    return ""
