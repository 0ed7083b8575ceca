"""The registry is discovered, not kept: every subpackage of ``vacuity.proofs_checked`` (other than
``core``) is a claim package whose ``__init__`` declares ``CLAIM``. Plugin modules named in
``$VACUITY_PLUGINS`` add claims with ``register``. Order: a claim comes after the claims it ``uses``;
otherwise by package name, so the order never depends on the file system."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

from vacuity.errors import BadInput
from vacuity.proofs_checked.core.claim import Claim

CORE = "core"


def claim_packages() -> list[str]:
    """Dotted names of the claim packages shipped with vacuity."""
    import vacuity.proofs_checked as root

    return sorted(f"{root.__name__}.{m.name}" for m in pkgutil.iter_modules(root.__path__)
                  if m.ispkg and m.name != CORE)


def _declared(package: str) -> Claim:
    claim = getattr(importlib.import_module(package), "CLAIM", None)
    if not isinstance(claim, Claim):
        raise TypeError(f"claim package {package} declares no CLAIM = Claim(...)")
    if claim.id.replace("-", "_") != package.rsplit(".", 1)[1]:
        raise ValueError(f"claim package {package} declares id {claim.id!r}: the package is named for the id")
    return claim if claim.proof else dataclasses.replace(claim, proof=f"{package}.proof")


def _in_dependency_order(claims: list[Claim]) -> list[Claim]:
    by_id = {c.id: c for c in claims}
    out: list[Claim] = []
    state: dict[str, str] = {}

    def visit(c: Claim) -> None:
        if state.get(c.id) == "done":
            return
        if state.get(c.id) == "open":
            raise ValueError(f"claims use each other in a cycle through {c.id}")
        state[c.id] = "open"
        for u in c.uses:
            if u not in by_id:
                raise ValueError(f"claim {c.id} uses unknown claim {u!r}")
            visit(by_id[u])
        state[c.id] = "done"
        out.append(c)

    for c in sorted(claims, key=lambda c: c.id):
        visit(c)
    return out


def discover() -> dict[str, Claim]:
    claims = [_declared(p) for p in claim_packages()]
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate claim ids among {ids}")
    return {c.id: c for c in _in_dependency_order(claims)}


CLAIMS: dict[str, Claim] = discover()


def register(claim: Claim) -> Claim:
    """Add a claim from outside the package (a ``$VACUITY_PLUGINS`` module); it names its ``proof``."""
    if claim.id in CLAIMS:
        raise ValueError(f"duplicate claim id {claim.id}")
    if not claim.proof:
        raise ValueError(f"claim {claim.id}: a registered claim names its proof module")
    CLAIMS[claim.id] = claim
    return claim


def get(claim_id: str) -> Claim:
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise BadInput(f"unknown claim {claim_id!r}; run 'vacuity list' to see the claims") from None
