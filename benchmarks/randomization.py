"""Timing benchmark for the randomization experiment's trainer (``vacuity.sims.train``). A timing
script, never a test: it prints a table and writes JSON to benchmarks/results/randomization.json.

What is timed (training steps only: no evaluation, no checkpoints), MLP 1x512, float32, CPU:

* ``plain``      -- a reference PyTorch loop: ``nn.Module`` (Linear-ReLU-Linear), ``x[idx]``,
  cross-entropy, ``zero_grad`` / ``backward`` / ``torch.optim.SGD(momentum=0.9).step()``;
* ``ours K=1``   -- ``GroupTrainer.train_step`` for one model on the same data, batches and batch size;
* ``sequential`` -- 16 runs one after the other (16 x ``ours K=1``), and 16 x ``plain``;
* ``batched``    -- ``GroupTrainer.train_step`` for K = 16 models (16 seeds) at once.

``batched/seq`` divides by our own single-model loop (the same hand-written step with k = 1: the honest
baseline, since anyone can run the 16 models one after another with it); ``batched/plain seq`` divides
by 16 runs of the plain loop, for reference.

Thread counts: every row states its torch thread count, and every loop of a row (plain, K=1, K=16, the
matmul reference) runs with it. The 1-thread rows are the main ones (the small scale runs that way).
The 2-thread rows (``--threads 1 2``, the default) give the batched and the sequential loops the same two
threads in one process. They need both cores idle: a busy core stalls every parallel region, the many
small ones of the single-model loop most, so the script warns when torch.mm did not scale. On two cores
one could instead run two 1-thread processes of 8 models each, so these rows also report
``vs 2x1-thread seq``: the batched 2-thread throughput over twice the 1-thread sequential throughput
(perfect scaling of two processes assumed: an upper bound on that alternative).

Throughput is training samples per second summed over models (K x batch per step). Achieved FLOP/s
counts the matrix products of one step exactly: forward 2B(DH + HC), weight gradients 2B(DH + HC),
hidden-layer input gradient 2BHC (the input layer needs none); the reference is ``torch.mm`` of
(4096 x 1024) @ (1024 x 1024) float32 timed in the same run, same thread count.

Targets (issue #6): batched >= 4x sequential throughput; ours K=1 >= 1.0x plain; >= 50% of the matmul
FLOP/s. Settings: digits (D = 64, the small scale's data) and MNIST-shaped (D = 784; real MNIST when
$VACUITY_DATA holds it, else 10000 Gaussian images of that shape), batch 32 and 128.

Usage::

    nice -n 10 python benchmarks/randomization.py            # rows for 1 and 2 torch threads
    python benchmarks/randomization.py --threads 1 --quick   # 1-thread rows only, fewer repeats
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch
from timing import best_of  # benchmarks/timing.py, beside this script

from vacuity.atomic import write_json
from vacuity.sims import data as D
from vacuity.sims import models as M
from vacuity.sims import train as T

OUT_DEFAULT = Path(__file__).resolve().parent / "results" / "randomization.json"
K = 16


def interleaved_best(fns, repeats: int) -> list[float]:
    for f in fns:
        f()  # warm-up
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, f in enumerate(fns):
            t = time.perf_counter()
            f()
            best[i] = min(best[i], time.perf_counter() - t)
    return best


def matmul_flops(repeats: int) -> float:
    a, b = torch.randn(4096, 1024), torch.randn(1024, 1024)
    t = best_of(lambda: torch.mm(a, b), repeats)
    return 2 * 4096 * 1024 * 1024 / t


def step_flops(B: int, D_: int, H: int = 512, C: int = 10) -> float:
    return 2 * B * (D_ * H + H * C) * 2 + 2 * B * H * C


def dataset(name: str, n: int = 10000) -> D.Dataset:
    if name == "digits":
        return D.load("digits", seed=0)
    try:
        return D.load("mnist", n_train=n, n_test=100)
    except ValueError:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, 1, 28, 28)).astype(np.float32)
        return D.Dataset(x, rng.integers(0, 10, n), x[:100], rng.integers(0, 10, 100), 10, (1, 28, 28),
                         "gaussian-mnist-shape")


def plain_loop(ds: D.Dataset, B: int, steps: int, seed: int = 0):
    torch.manual_seed(seed)
    model = M.build("mlp1x512", ds.shape)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.as_tensor(ds.x_train), torch.as_tensor(ds.y_train)
    g = torch.Generator().manual_seed(seed)
    idx = [torch.randint(0, len(y), (B,), generator=g) for _ in range(steps)]

    def run():
        for i in idx:
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x[i]), y[i]).backward()
            opt.step()

    return run


def our_loop(ds: D.Dataset, B: int, steps: int, k: int):
    cfg = T.TrainConfig(model="mlp1x512", batch_size=B, max_steps=10**9, stop_at_fit=False)
    t = T.GroupTrainer(cfg, [T.RunSpec(ds, seed=s) for s in range(k)])
    g = torch.Generator().manual_seed(0)
    idx = [torch.randint(0, t.n, (k, B), generator=g) for _ in range(steps)]

    def run():
        for i in idx:
            t.train_step(i, t.y_train)

    return run


def measure(name: str, B: int, steps: int, repeats: int, ref_flops: float, threads: int) -> dict:
    ds = dataset(name)
    D_ = int(np.prod(ds.shape))
    r = {"data": ds.name, "D": D_, "batch": B, "steps": steps, "threads": threads}
    # interleaved repeats, best of each: on a shared machine the load drifts during a run
    t_plain, t_ours, t_batched = interleaved_best(
        [plain_loop(ds, B, steps), our_loop(ds, B, steps, 1), our_loop(ds, B, steps // 4 or 1, K)], repeats)
    t_batched *= steps / (steps // 4 or 1)  # K = 16 times a quarter of the steps, scaled to `steps`
    # 16 sequential runs take 16 times one run: the runs are independent and equally long
    t_seq_ours, t_seq_plain = K * t_ours, K * t_plain
    samples = B * steps
    r.update({
        "plain_samples_s": samples / t_plain, "ours_samples_s": samples / t_ours,
        "sequential_ours_samples_s": K * samples / t_seq_ours,
        "sequential_plain_samples_s": K * samples / t_seq_plain,
        "batched_samples_s": K * samples / t_batched,
        "ours_vs_plain": t_plain / t_ours,
        "batched_vs_sequential_ours": t_seq_ours / t_batched,
        "batched_vs_sequential_plain": t_seq_plain / t_batched,
        "flops_per_step": step_flops(B, D_),
    })
    r["ours_flops"] = step_flops(B, D_) * steps / t_ours
    r["batched_flops"] = K * step_flops(B, D_) * steps / t_batched
    r["plain_flops"] = step_flops(B, D_) * steps / t_plain
    r["batched_fraction_of_matmul"] = r["batched_flops"] / ref_flops
    r["ours_fraction_of_matmul"] = r["ours_flops"] / ref_flops
    return r


def table(results: list[dict], ref: dict, ref_after: dict) -> str:
    head = ("threads", "data", "D", "B", "plain/s", "ours K=1/s", "ours/plain", "16 seq/s", "K=16 batched/s",
            "batched/seq", "batched/plain seq", "vs 2x1-thread seq", "GFLOP/s K=1", "GFLOP/s K=16",
            "K=16 % matmul")
    rows = [head]
    for r in results:
        two = r.get("batched_vs_two_1thread_sequential")
        rows.append((str(r["threads"]), r["data"], str(r["D"]), str(r["batch"]), f"{r['plain_samples_s']:.0f}",
                     f"{r['ours_samples_s']:.0f}", f"{r['ours_vs_plain']:.2f}x",
                     f"{r['sequential_ours_samples_s']:.0f}", f"{r['batched_samples_s']:.0f}",
                     f"{r['batched_vs_sequential_ours']:.2f}x", f"{r['batched_vs_sequential_plain']:.2f}x",
                     "-" if two is None else f"{two:.2f}x", f"{r['ours_flops'] / 1e9:.1f}",
                     f"{r['batched_flops'] / 1e9:.1f}", f"{100 * r['batched_fraction_of_matmul']:.0f}%"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for t, f in ref.items():
        lines.append(f"torch.mm reference, {t} thread(s): {f / 1e9:.1f} GFLOP/s before the rows, "
                     f"{ref_after[t] / 1e9:.1f} after (the faster one is the % matmul reference)")
    return "\n".join(lines)


def targets(results: list[dict]) -> list[dict]:
    out = []
    for r in results:
        tag = f"{r['data']} B={r['batch']}, {r['threads']} thread(s)"
        out += [{"target": f"batched >= 4x sequential ({tag})", "value": r["batched_vs_sequential_ours"],
                 "met": r["batched_vs_sequential_ours"] >= 4},
                {"target": f"ours K=1 >= 1.0x plain ({tag})", "value": r["ours_vs_plain"],
                 "met": r["ours_vs_plain"] >= 1.0},
                {"target": f"K=16 >= 50% of matmul FLOP/s ({tag})", "value": r["batched_fraction_of_matmul"],
                 "met": r["batched_fraction_of_matmul"] >= 0.5}]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                    help="torch thread counts, one set of rows each (default: 1 2)")
    ap.add_argument("--quick", action="store_true", help="fewer steps and repeats (smoke run)")
    ap.add_argument("--out", type=Path, default=OUT_DEFAULT)
    args = ap.parse_args()
    repeats = 2 if args.quick else 7
    ref, ref_after, results = {}, {}, []
    for threads in args.threads:
        torch.set_num_threads(threads)
        ref[threads] = matmul_flops(repeats)
        for name, B, steps in (("digits", 32, 400), ("digits", 128, 200), ("mnist", 128, 80)):
            results.append(measure(name, B, steps // (3 if args.quick else 1), repeats, ref[threads], threads))
        ref_after[threads] = matmul_flops(repeats)  # the machine may be shared: report the drift too
    for r in results:  # the faster of the two references: a disturbed one would flatter the fractions
        best = max(ref[r["threads"]], ref_after[r["threads"]])
        r["matmul_flops"] = best
        r["batched_fraction_of_matmul"] = r["batched_flops"] / best
        r["ours_fraction_of_matmul"] = r["ours_flops"] / best
    one = {(r["data"], r["batch"]): r for r in results if r["threads"] == 1}
    for r in results:
        base = one.get((r["data"], r["batch"]))
        if r["threads"] == 2 and base is not None:
            r["batched_vs_two_1thread_sequential"] = (r["batched_samples_s"]
                                                      / (2 * base["sequential_ours_samples_s"]))
    print(table(results, ref, ref_after))
    if 2 in ref and max(ref[2], ref_after[2]) < 1.5 * max(ref[1], ref_after[1]):
        print("note: torch.mm on 2 threads ran < 1.5x its 1-thread speed: a core was busy, so the "
              "2-thread rows are disturbed (small parallel products suffer most); rerun on an idle machine")
    tg = targets(results)
    for t in tg:
        print(f"{'MET ' if t['met'] else 'MISS'} {t['target']}: {t['value']:.3g}")
    payload = {"benchmark": "randomization", "date": _dt.datetime.now(_dt.timezone.utc).isoformat(),
               "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "threads": args.threads,
                           "torch": torch.__version__},
               "matmul_flops": {str(t): f for t, f in ref.items()},
               "matmul_flops_after": {str(t): f for t, f in ref_after.items()}, "results": results,
               "targets": tg}
    write_json(args.out, payload)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
