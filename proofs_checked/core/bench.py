"""Run every benchmark script the claims declare (``make bench``), each once, in claim order.

    python -m vacuity.proofs_checked.core.bench [--list] [--root DIR]

Each script prints its table and writes its JSON to benchmarks/results/; this only runs them, so a
benchmark never imports the checked proofs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def scripts() -> list[str]:
    from vacuity.proofs_checked.core.registry import CLAIMS

    return list(dict.fromkeys(s for c in CLAIMS.values() for s in c.benchmarks))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--list", action="store_true", help="print the scripts and exit")
    ap.add_argument("--root", type=Path, default=Path("."), help="the repository root (benchmarks/ lives there)")
    args = ap.parse_args(argv)
    todo = scripts()
    if args.list:
        print("\n".join(todo))
        return 0
    failed = []
    for script in todo:
        print(f"== {script}", flush=True)
        if subprocess.run([sys.executable, str(args.root / script)], check=False).returncode != 0:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
