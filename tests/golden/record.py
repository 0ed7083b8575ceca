"""Record claims' results at their contract's fast overrides (seed 0) into tests/golden/<claim_id>.json,
which ``ClaimContract.test_same_numbers_as_recorded`` compares with every later run.

    python -m tests.golden.record CLAIM_ID [...]

Record only when a claim's check changes on purpose (a stronger check, a new step), and say so in the
commit: a refactoring must reproduce the recorded numbers exactly.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from tests.meta.test_claims import contract_classes
from vacuity.atomic import write_json

HERE = Path(__file__).parent


def contract_for(claim_id: str):
    (where,) = contract_classes()[claim_id]
    path, _, name = where.partition("::")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def record(claim_id: str) -> Path:
    cls = contract_for(claim_id)
    d = cls().run().to_json()
    for key in ("versions", "seconds", "mutants"):
        d.pop(key, None)
    for s in d["steps"]:
        s.pop("seconds")
    d["fast"] = dict(cls.fast)
    path = HERE / f"{claim_id}.json"
    write_json(path, d, indent=1)
    return path


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    for claim_id in argv:
        print(record(claim_id))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
