"""Timing benchmark for the samplers of Nagarajan & Kolter's linear counterexample
(``vacuity.kernels.nk_linear``). A timing script, never a test: it prints a table and writes JSON.

What is timed, for n in {256, 4096} and D in {1e4, 1e5, 1e6, 1e7} (and the exact samplers at D = 1e9),
NumPy on the CPU, one training set per call, no test points (n_test = 0), paper constants:

* ``brute``     -- ``brute_force``: the literal n x D noise streamed in column chunks, O(nD). When
  n D > ``--brute-budget`` values, only the first chunks covering about that many values are run and the
  full time is EXTRAPOLATED linearly in the number of chunks (marked ``extrapolated`` in the table and
  the JSON); the per-chunk cost is constant, so this is a fair estimate, but it is not a measurement.
* ``bartlett``  -- ``bartlett``: Bartlett factor of the Wishart Gram matrix, O(n^2), independent of D.
* ``rank_one``  -- ``rank_one``: the rank-one reduction, O(n), independent of D.

Each exact-sampler time is the best of several repeats after a warm-up; brute force is timed once.
The issue's target: exact sampler time independent of D, and >= 1000x faster than brute force at
D = 1e6, n = 4096. Both costs are dominated by drawing normals: brute force draws n D, Bartlett about
n^2 / 2, so Bartlett's speedup is about 2 D / n (488 at n = 4096, D = 1e6) whatever the implementation;
the rank-one sampler (n + 1 numbers) is the one that meets the target.

Usage::

    nice -n 10 python benchmarks/nk_linear.py               # default budget 2e8 values per brute run
    python benchmarks/nk_linear.py --quick                  # n = 256 only, budget 2e7
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from timing import best_of  # benchmarks/timing.py, beside this script

from vacuity.kernels import nk_linear as K

OUT_DEFAULT = Path(__file__).resolve().parent / "results" / "nk_linear.json"
NS = (256, 4096)
DS = (10**4, 10**5, 10**6, 10**7)
D_HUGE = 10**9


def time_brute(n: int, D: int, budget: float) -> dict:
    cols = max(1, int(K._CHUNK_BYTES // (8 * n)))
    chunks = -(-D // cols)
    if n * D <= budget:
        t = time.perf_counter()
        K.brute_force(n, D, n_test=0, seed=1)
        return {"seconds": time.perf_counter() - t, "extrapolated": False, "chunks_run": chunks,
                "chunks_total": chunks}
    run = max(1, min(chunks, int(budget // (n * cols))))
    t = time.perf_counter()
    K.brute_force(n, D, n_test=0, seed=1, max_chunks=run)
    took = time.perf_counter() - t
    return {"seconds": took * chunks / run, "extrapolated": True, "chunks_run": run, "chunks_total": chunks,
            "measured_seconds": took}


def write_json_atomic(path: Path, payload) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        json.dump(payload, fh, indent=2, allow_nan=False)
        fh.write("\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--brute-budget", type=float, default=2e8, help="noise values per brute-force run")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT_DEFAULT)
    args = ap.parse_args(argv)
    ns = (256,) if args.quick else NS
    budget = 2e7 if args.quick else args.brute_budget
    rows = []
    for n in ns:
        for D in DS + (D_HUGE,):
            row = {"n": n, "D": D}
            row["bartlett_s"] = best_of(lambda: K.bartlett(n, D, n_test=0, seed=2), 3 if n > 1000 else 10)
            row["rank_one_s"] = best_of(lambda: K.rank_one(n, D, n_test=0, seed=3), 50)
            if D != D_HUGE:
                b = time_brute(n, D, budget)
                row.update({"brute_s": b["seconds"], "brute_extrapolated": b["extrapolated"],
                            "brute_chunks": f"{b['chunks_run']}/{b['chunks_total']}"})
                row["speedup_bartlett"] = row["brute_s"] / row["bartlett_s"]
                row["speedup_rank_one"] = row["brute_s"] / row["rank_one_s"]
            rows.append(row)
            print(f"  n={n} D={D:.0e} done", flush=True)
    print()
    print(f"{'n':>5} {'D':>6} | {'brute force (s)':>22} | {'Bartlett (s)':>12} {'x':>8} | "
          f"{'rank-one (s)':>12} {'x':>9}")
    print("-" * 86)
    for r in rows:
        if "brute_s" in r:
            bf = f"{r['brute_s']:.3g}" + (" (extrap. " + r["brute_chunks"] + ")" if r["brute_extrapolated"] else "")
            sb, sr = f"{r['speedup_bartlett']:.3g}", f"{r['speedup_rank_one']:.3g}"
        else:
            bf, sb, sr = "not run", "-", "-"
        print(f"{r['n']:>5} {r['D']:>6.0e} | {bf:>22} | {r['bartlett_s']:>12.3g} {sb:>8} | "
              f"{r['rank_one_s']:>12.3g} {sr:>9}")
    target = [r for r in rows if r["n"] == 4096 and r["D"] == 10**6]
    if target:
        t = target[0]
        print(f"\ntarget (>= 1000x at n = 4096, D = 1e6): Bartlett {t['speedup_bartlett']:.0f}x, "
              f"rank-one {t['speedup_rank_one']:.0f}x"
              + (" (brute force extrapolated)" if t["brute_extrapolated"] else ""))
        print(f"  random-number count ratio n D / (n^2 / 2) = {2 * 10**6 / 4096:.0f}: the bound on Bartlett's speedup")
    for n in ns:
        b = [r["bartlett_s"] for r in rows if r["n"] == n]
        print(f"n = {n}: Bartlett time over D = 1e4..1e9 spans {min(b):.3g}..{max(b):.3g} s (D-independent)")
    write_json_atomic(args.out, {"rows": rows, "budget": budget, "machine": platform.platform(),
                                 "processor": platform.processor(), "cpus": os.cpu_count()})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
