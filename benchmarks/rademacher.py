"""Timing benchmark for the Rademacher claims. A timing script, never a test: it prints two tables and
writes JSON.

1. ``mc_linear`` (``vacuity.kernels.rademacher``): Monte Carlo R̂_S of the linear class, 1000 sign draws,
   d = 64, n in {1e3, 1e4, 1e5} on NumPy; reported as seconds and sign-coordinate products per second
   (draws * n * d / s), next to one bare ``sigma @ X`` product of the same size (the floor).
2. The trainer behind ``rademacher-networks`` (``rademacher_networks.train_networks`` on the group
   trainer of ``vacuity.sims.train``, logistic loss): K MLPs trained as one group against the same K
   networks trained as K groups of one, K in {1, 4, 8, 16}, on n = 400 digits points (width 256, one
   hidden layer, 20 epochs, batch 64, one torch thread; each includes the per-epoch evaluation on the
   training set).

Each time is the best of a few repeats after one warm-up call.

Usage::

    python benchmarks/rademacher.py            # about a minute on 2 cores
    python benchmarks/rademacher.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy as np
from timing import best_of  # benchmarks/timing.py, beside this script

from vacuity.atomic import write_json
from vacuity.kernels import rademacher as K
from vacuity.sims import rademacher_networks as S

OUT_DEFAULT = Path(__file__).resolve().parent / "results" / "rademacher.json"


def bench_mc(sizes, draws: int, d: int, repeats: int) -> list[dict]:
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        X = K.sphere_points(n, d, 1.0, rng)
        sigma = 2.0 * rng.integers(0, 2, (draws, n)) - 1.0
        mc = best_of(lambda: K.mc_linear(X, draws=draws, seed=1), repeats)
        floor = best_of(lambda: sigma @ X, repeats)
        rows.append({"n": n, "d": d, "draws": draws, "mc_s": mc, "matmul_s": floor,
                     "products_per_s": draws * n * d / mc, "overhead": mc / floor})
    return rows


def bench_training(ks, n: int, epochs: int, repeats: int) -> list[dict]:
    split = S._dataset("digits", 0)
    X = split.X_train[:n]
    cfg = S.TrainConfig(width=256, depth=1, epochs=epochs, batch=64, lr=0.05, threads=1)
    rows = []
    for k in ks:
        targets = 2.0 * np.random.default_rng(k).integers(0, 2, (k, n)) - 1.0
        seeds = list(range(k))
        batched = best_of(lambda: S.train_networks(X, targets, cfg, seeds=seeds), repeats)
        sequential = best_of(lambda: [S.train_networks(X, targets[i:i + 1], cfg, seeds=seeds[i:i + 1])
                                      for i in range(k)], repeats)
        rows.append({"K": k, "n": n, "epochs": epochs, "batched_s": batched, "sequential_s": sequential,
                     "speedup": sequential / batched, "networks_per_s": k / batched})
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke run: small sizes, one repeat")
    p.add_argument("--out", type=Path, default=OUT_DEFAULT, help="JSON output path")
    a = p.parse_args(argv)
    repeats = 1 if a.quick else 3
    mc = bench_mc([1000, 10000] if a.quick else [1000, 10000, 100000], 200 if a.quick else 1000, 64, repeats)
    train = bench_training([1, 4] if a.quick else [1, 4, 8, 16], 400, 5 if a.quick else 20, repeats)

    print("Monte Carlo R̂_S, linear class (NumPy)")
    print(f"{'n':>8} {'draws':>6} {'mc_linear s':>12} {'sigma@X s':>10} {'overhead':>9} {'products/s':>12}")
    for r in mc:
        print(f"{r['n']:>8} {r['draws']:>6} {r['mc_s']:>12.4f} {r['matmul_s']:>10.4f} {r['overhead']:>9.2f} "
              f"{r['products_per_s']:>12.3g}")
    print("\nK MLPs on random signs: batched vs one after another (torch CPU, 1 thread)")
    print(f"{'K':>4} {'batched s':>10} {'sequential s':>13} {'speedup':>8} {'networks/s':>11}")
    for r in train:
        print(f"{r['K']:>4} {r['batched_s']:>10.3f} {r['sequential_s']:>13.3f} {r['speedup']:>8.2f} "
              f"{r['networks_per_s']:>11.2f}")
    payload = {"machine": platform.platform(), "python": platform.python_version(),
               "monte_carlo": mc, "training": train}
    write_json(a.out, payload)
    print(f"\nwrote {a.out}")


if __name__ == "__main__":
    main()
