"""Streaming fit on a dask array: memory growth and throughput.

The data: ``n`` rows x 32 float32 features drawn lazily by
``dask.array.random`` in blocks of 100,000 rows (nothing exists before a
block is computed), and two tasks derived from the features blockwise, so
that a block of y is computed with its block of X: classification (a sum
threshold and one feature's half) or, with ``--kind regression``,
continuous targets (a sum and a product of features, in units far
apart; the survey pass then computes their exact mean and standard
deviation over every block).

Three measurements, each in a fresh single-threaded subprocess:

* **memory**: ``fit`` on the dask arrays of the full size (12M rows, 1.5 GB;
  ``--quick``: 1.2M rows), one epoch with early stopping on held-out blocks;
  the growth of the process's resident memory during the fit (peak VmHWM,
  reset before the fit, minus VmRSS before it). Goal: below half the data's
  size.
* **throughput** on a smaller size (1.2M rows; ``--quick``: 300k), two
  epochs, no early stopping: training rows per second of the whole ``fit``
  (survey pass included) streaming the dask arrays, against ``fit`` on the
  same rows already in memory as NumPy arrays (their computation not
  timed); the best of ``--repeats`` runs of each (2; alternating, since a
  shared machine's load varies). Goal: within 1.3x of in-memory.

The model is ``MultiTaskClassifier``'s (``--kind regression``:
``MultiTaskRegressor``'s) defaults with ``batch_size=1024``.

Usage::

    python benchmarks/bench_streaming.py --quick
    python benchmarks/bench_streaming.py
    python benchmarks/bench_streaming.py --quick --kind regression
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from _common import RESULTS, SEED, single_threaded, write_json
from bench_scaling import _release_memory, _status_kb

N_FEATURES, BLOCK_ROWS = 32, 100_000
SIZES = {True: {"memory_rows": 1_200_000, "throughput_rows": 300_000},
         False: {"memory_rows": 12_000_000, "throughput_rows": 1_200_000}}


def make_dask_data(n_rows, kind="classification"):
    """Lazy X (n_rows, 32) float32 and Y (n_rows, 2), int labels or float
    targets, block by block."""
    import dask.array as da

    X = da.random.default_rng(SEED).random((n_rows, N_FEATURES), dtype=np.float32,
                                           chunks=(BLOCK_ROWS, N_FEATURES))
    targets, dtype = TARGETS[kind]
    Y = X.map_blocks(targets, dtype=dtype, chunks=(X.chunks[0], (2,)))
    return X, Y


def _labels(block):
    return np.column_stack([block[:, :8].sum(axis=1) > 4.0, block[:, 8] > 0.5]).astype(np.int64)


def _values(block):
    block = block.astype(np.float64)
    return np.column_stack([1e3 * block[:, :8].sum(axis=1), 1e-3 * block[:, 8] * block[:, 9]])


TARGETS = {"classification": (_labels, np.int64), "regression": (_values, np.float64)}


def make_estimator(epochs, early_stopping, kind="classification"):
    from sklearn_mtl import MultiTaskClassifier, MultiTaskRegressor

    model = MultiTaskClassifier if kind == "classification" else MultiTaskRegressor
    return model(batch_size=1024, max_epochs=epochs, early_stopping=early_stopping,
                 random_state=SEED)


def measure(mode, n_rows, kind="classification"):
    """One fit in this process: seconds, memory growth (MB), training rows."""
    import dask

    dask.config.set(scheduler="threads", num_workers=1)
    X, Y = make_dask_data(n_rows, kind)
    epochs, early = (1, True) if mode == "memory" else (2, False)
    if mode == "in_memory":
        X, Y = X.compute(), Y.compute()
    make_estimator(1, False, kind).fit(*[a[:2000] for a in (X, Y)])  # warm-up
    _release_memory()
    with open("/proc/self/clear_refs", "w") as fh:  # Linux: reset VmHWM
        fh.write("5")
    base_kb = _status_kb("VmRSS")
    start = time.perf_counter()
    clf = make_estimator(epochs, early, kind).fit(X, Y)
    seconds = time.perf_counter() - start
    growth_mb = (_status_kb("VmHWM") - base_kb) / 1024
    n_train = n_rows - (clf.net_.train_split.n_valid(n_rows) if early else 0)
    return {"mode": mode, "n_rows": n_rows, "epochs": clf.n_iter_, "fit_s": seconds,
            "growth_mb": growth_mb, "rows_per_s": n_train * clf.n_iter_ / seconds,
            "data_mb": n_rows * N_FEATURES * 4 / 2**20}


def run(mode, n_rows, kind="classification"):
    worker = [sys.executable, os.path.abspath(__file__), "--worker", mode, str(n_rows), kind]
    out = subprocess.run(worker, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"worker {mode} failed:\n{out.stderr}")
    point = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {mode:10s} {n_rows:>11,} rows  {point['epochs']} epoch(s)  fit {point['fit_s']:8.1f} s"
          f"  {point['rows_per_s']:>9,.0f} rows/s  memory +{point['growth_mb']:7.1f} MB"
          f"  (data {point['data_mb']:,.0f} MB)", flush=True)
    return point


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1.2M rows for memory, 300k for speed")
    parser.add_argument("--out", default=RESULTS, help="folder of the JSON")
    parser.add_argument("--repeats", type=int, default=2,
                        help="throughput runs of each mode (the best counts)")
    parser.add_argument("--kind", choices=sorted(TARGETS), default="classification",
                        help="the tasks: MultiTaskClassifier or MultiTaskRegressor")
    parser.add_argument("--worker", nargs=3, metavar=("MODE", "N_ROWS", "KIND"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        single_threaded()
        print(json.dumps(measure(args.worker[0], int(args.worker[1]), args.worker[2])))
        return None
    sizes = SIZES[args.quick]
    results = {"sizes": sizes, "kind": args.kind}
    print(f"{args.kind} tasks")
    print(f"throughput (2 epochs, no early stopping; best of {args.repeats}, alternating):")
    runs = {"stream": [], "in_memory": []}
    for _ in range(args.repeats):  # alternating, so that a busy spell hits both
        for mode in runs:
            runs[mode].append(run(mode, sizes["throughput_rows"], args.kind))
    for mode, points in runs.items():
        results[mode] = max(points, key=lambda p: p["rows_per_s"])
        results[f"{mode}_runs"] = points
    ratio = results["in_memory"]["rows_per_s"] / results["stream"]["rows_per_s"]
    print("memory (1 epoch, early stopping on held-out blocks):")
    results["memory"] = run("memory", sizes["memory_rows"], args.kind)
    share = results["memory"]["growth_mb"] / results["memory"]["data_mb"]
    results.update(throughput_ratio=ratio, memory_share=share)
    print(f"goal: streaming throughput within 1.3x of in memory: {ratio:.2f}x "
          f"({'met' if ratio <= 1.3 else 'NOT met'})")
    print(f"goal: memory growth below half the data: {share:.1%} of "
          f"{results['memory']['data_mb']:,.0f} MB ({'met' if share < 0.5 else 'NOT met'})")
    suffix = ("_regression" if args.kind == "regression" else "") + ("_quick" if args.quick else "")
    write_json(os.path.join(args.out, f"streaming{suffix}.json"), {"quick": args.quick, **results})
    return results


if __name__ == "__main__":
    main()
