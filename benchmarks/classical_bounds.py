"""Timing benchmark for the classical-bound kernels (hoeffding, finite-class, vc). A timing script,
never a test: it prints a table and writes JSON to benchmarks/results/classical_bounds.json.

What is timed (NumPy on CPU; ``--backend cupy`` on a GPU):

* ``hoeffding binomial``  -- R deviations |X/n - p| with X drawn as Binomial(n, p): cost independent of n;
* ``hoeffding bernoulli`` -- the same by brute force, R x n uniforms summed in chunks (the reference);
* ``finite-class matrix`` -- R sups over |H| classifiers via multinomial counts and one product;
* ``finite-class points`` -- the same statistic point by point (n draws per replicate, |H| x n gathers);
* ``thresholds sort``     -- R one-sided KS statistics D_n^+ (one sort per replicate).

Each entry is the best of three runs after a warm-up, with throughput in deviations per second and, for
the two paths of one statistic, their ratio.

Usage::

    python benchmarks/classical_bounds.py            # about a minute on 2 cores
    python benchmarks/classical_bounds.py --quick
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import timing  # benchmarks/timing.py, beside this script

from vacuity.atomic import write_text
from vacuity.kernels import finite_class as KF
from vacuity.kernels import hoeffding as KH
from vacuity.kernels import vc as KV

OUT_DEFAULT = Path(__file__).resolve().parent / "results" / "classical_bounds.json"


SYNC = [lambda: None]  # a GPU run replaces this with a device synchronize: kernels launch asynchronously


def best_of(fn, repeats=3):
    return timing.best_of(fn, repeats, sync=lambda: SYNC[0]())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--backend", default="numpy", choices=["numpy", "cupy"])
    ap.add_argument("--out", type=Path, default=OUT_DEFAULT)
    args = ap.parse_args(argv)
    if args.backend == "cupy":
        import cupy
        from array_api_compat import array_namespace

        xp = array_namespace(cupy.zeros(1))
        SYNC[0] = cupy.cuda.Device().synchronize
    else:
        xp = np
    rows = []
    R = 2000 if args.quick else 10000
    for n in ([1000, 10000] if args.quick else [1000, 10000, 100000]):
        tb = best_of(lambda: KH.binomial_deviations(n, 0.3, R, 0, xp))
        tf = best_of(lambda: KH.bernoulli_deviations(n, 0.3, R, 0, xp), repeats=1 if n >= 100000 else 3)
        rows.append({"what": "hoeffding", "n": n, "replicates": R, "fast_s": tb, "reference_s": tf,
                     "fast": "binomial", "reference": "bernoulli"})
    problem = KF.random_problem(16, 1000, 0)
    Rf = 1000 if args.quick else 4000
    for n in ([1000] if args.quick else [1000, 10000]):
        tm = best_of(lambda: KF.sup_deviations(problem, n, Rf, 0, xp))
        rp = 50 if args.quick else 200
        tp = best_of(lambda: KF.brute_force_sups(problem, n, rp, 0, xp), repeats=1) * Rf / rp
        rows.append({"what": "finite-class |H|=1000", "n": n, "replicates": Rf, "fast_s": tm, "reference_s": tp,
                     "fast": "matrix", "reference": f"points (timed on {rp}, scaled)"})
    for n in ([1024] if args.quick else [1024, 16384]):
        Rt = 1000 if args.quick else 2000
        ts = best_of(lambda: KV.threshold_sups(n, Rt, 0, xp))
        rows.append({"what": "thresholds", "n": n, "replicates": Rt, "fast_s": ts, "reference_s": None,
                     "fast": "sort", "reference": ""})
    print(f"{'statistic':<24}{'n':>9}{'R':>8}{'fast (s)':>11}{'per s':>12}{'reference (s)':>15}{'speed-up':>10}")
    for r in rows:
        ref = r["reference_s"]
        ref_s = "" if ref is None else f"{ref:.4f}"
        speed = "" if ref is None else f"{ref / r['fast_s']:.0f}x"
        r["speedup"] = None if ref is None else ref / r["fast_s"]
        print(f"{r['what']:<24}{r['n']:>9}{r['replicates']:>8}{r['fast_s']:>11.4f}"
              f"{r['replicates'] / r['fast_s']:>12.3g}{ref_s:>15}{speed:>10}")
    write_text(args.out, json.dumps({"backend": args.backend, "rows": rows}, indent=2))  # atomic, makes the folder
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
