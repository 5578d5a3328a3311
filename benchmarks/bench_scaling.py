"""How fit time and peak memory grow with the rows and with the tasks.

Two sweeps on synthetic data (``make_data`` of ``bench_neural_speed.py``: 50
Gaussian features, 3 classes per task from quantiles of random projections):

* rows: n_samples from 1k to 200k at 4 tasks;
* tasks: 1 to 32 tasks at a fixed number of rows;

each for one ``MultiTaskClassifier`` against T single-task nets (the same
settings, one per task, all kept), and one ``SharedForestClassifier`` against
T single-task forests (when the trees are importable). Every measurement
of a model runs in one fresh subprocess per sweep, in increasing size,
single-threaded, after a warm-up fit on 100 rows and with freed memory handed
back to the OS in between:
the fit time, and the fit's peak memory as the rise of the process's peak
resident set size (VmHWM, reset before the fit: it counts torch's and the
trees' native allocations, which tracemalloc does not see).

Goal: the multi-task net's fit time at 32 tasks is at most 1.5x its time at
one task, while T single-task nets grow linearly.

``--devices`` measures instead the training speed (training rows times
epochs per second of a ``fit``, 4 tasks, ``batch_size=256`` per process,
early stopping with patience 5) on each device
available: the CPU (one process), one GPU, and two processes of
data-parallel training through ``accelerator=`` (``torch.distributed.run``:
two GPUs when there are, else two CPU processes on gloo), each process
single-threaded on CPU. The two processes report their speed-up over one,
and the accuracy of both on held-out rows.

Usage::

    python benchmarks/bench_scaling.py --quick   # up to 20k rows; 1-32 tasks at 5k rows
    python benchmarks/bench_scaling.py           # 1k-200k rows; 1-32 tasks at 20k rows
    python benchmarks/bench_scaling.py --devices [--quick]
"""

import argparse
import ctypes
import gc
import json
import os
import resource
import subprocess
import sys
import time

from _common import RESULTS, SEED, savefig, shared_forest_class, single_threaded, write_json
from sklearn.base import clone

N_FEATURES, N_CLASSES, N_TASKS_ROWS_SWEEP = 50, 3, 4
KINDS = ("MTL net", "single-task nets", "shared forest", "single-task forests")
SETTINGS = {
    True: {"rows": (1_000, 5_000, 20_000), "tasks": (1, 2, 4, 8, 16, 32),
           "tasks_rows": 5_000, "epochs": 3, "trees": 10},
    False: {"rows": (1_000, 5_000, 20_000, 50_000, 100_000, 200_000),
            "tasks": (1, 2, 4, 8, 16, 32), "tasks_rows": 20_000, "epochs": 5, "trees": 20},
}


def make_estimator(kind, epochs, trees):
    if "net" in kind:
        from sklearn_mtl import MultiTaskClassifier

        return MultiTaskClassifier(hidden_layer_sizes=(100,), max_epochs=epochs, batch_size=200,
                                   lr=1e-3, random_state=SEED)
    return shared_forest_class()(n_estimators=trees, random_state=SEED, n_jobs=1)


def fit(kind, estimator, X, Y):
    """Fit the multi-task model, or one single-task model per task (all kept)."""
    if kind.startswith("single"):
        return [clone(estimator).fit(X, Y[:, j]) for j in range(Y.shape[1])]
    return clone(estimator).fit(X, Y)


def _status_kb(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _release_memory():
    """Collect garbage and hand freed heap back to the OS (glibc), so that the
    next measurement's peak is not hidden inside memory kept from the last."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def measure(kind, n_samples, n_tasks, epochs, trees):
    """One measurement in this process: fit seconds and the fit's peak MB."""
    from bench_neural_speed import make_data

    X, Y = make_data(n_samples, N_FEATURES, [N_CLASSES] * n_tasks, seed=SEED)
    estimator = make_estimator(kind, epochs, trees)
    fit(kind, estimator, X[:100], Y[:100])  # warm-up: imports, torch's first-call costs
    _release_memory()
    try:  # Linux: reset the peak resident set size (VmHWM) to the current size
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        base_kb = _status_kb("VmRSS")
        start = time.perf_counter()
        models = fit(kind, estimator, X, Y)
        seconds = time.perf_counter() - start
        peak_kb = _status_kb("VmHWM")
    except OSError:  # elsewhere: the peak since the process started
        base_kb = 0
        start = time.perf_counter()
        models = fit(kind, estimator, X, Y)
        seconds = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del models, X, Y
    _release_memory()
    return {"fit_s": seconds, "peak_mb": (peak_kb - base_kb) / 1024}


def sweep(kinds, axis, values, fixed, settings):
    """Each kind's measurements, in increasing size, in one fresh subprocess."""
    points = {}
    for kind in kinds:
        configs = [(v, fixed) if axis == "rows" else (fixed, v) for v in values]
        worker = [sys.executable, os.path.abspath(__file__), "--worker", kind,
                  json.dumps([[n, t, settings["epochs"], settings["trees"]] for n, t in configs])]
        out = subprocess.run(worker, capture_output=True, text=True, check=False)
        if out.returncode:
            raise RuntimeError(f"worker {kind} failed:\n{out.stderr}")
        points[kind] = json.loads(out.stdout.strip().splitlines()[-1])
        for p in points[kind]:
            print(f"  {kind:20s} n={p['n_samples']:7d} T={p['n_tasks']:2d}  fit {p['fit_s']:8.2f} s"
                  f"  peak +{p['peak_mb']:7.1f} MB", flush=True)
    return points


def summary(results):
    """The 32-task goal of the nets, and the same ratio for every model."""
    lines = []
    for kind, pts in results["tasks"].items():
        by_t = {p["n_tasks"]: p["fit_s"] for p in pts}
        lo, hi = min(by_t), max(by_t)
        lines.append((kind, lo, hi, by_t[hi] / by_t[lo]))
    return lines


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    for col, (axis, xkey, xlabel) in enumerate((("rows", "n_samples", "training rows"),
                                                ("tasks", "n_tasks", "tasks"))):
        for row, (ykey, ylabel) in enumerate((("fit_s", "fit time (s)"),
                                              ("peak_mb", "fit peak memory over the data (MB)"))):
            ax = axes[row, col]
            for kind, pts in results[axis].items():
                ax.plot([p[xkey] for p in pts], [max(p[ykey], 0.1) for p in pts], marker="o",
                        label=kind, ls="--" if kind.startswith("single") else "-")
            ax.set_xscale("log", base=2 if axis == "tasks" else 10)
            ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:g}"))
            if ykey == "fit_s":
                ax.set_yscale("log")
                ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:g}"))
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.grid(alpha=0.3)
        axes[0, col].set_title(f"vs {xlabel} (" + (f"{N_TASKS_ROWS_SWEEP} tasks)" if axis == "rows"
                               else f"{results['tasks_rows']:,} rows)"))
    axes[0, 0].legend(fontsize=8)
    savefig(fig, path)
    plt.close(fig)


DEVICE_ROWS = {True: 20_000, False: 100_000}


def device_fit(device, n_rows, accelerator=None):
    """Rows per second of one fit on ``device`` (or the accelerator's), and
    the mean task accuracy on 5,000 held-out rows."""
    from bench_neural_speed import make_data

    from sklearn_mtl import MultiTaskClassifier

    X, Y = make_data(n_rows + 5_000, N_FEATURES, [N_CLASSES] * N_TASKS_ROWS_SWEEP, seed=SEED)
    # trained to convergence (early stopping): two processes take half the
    # optimizer steps of one per epoch (each step sees twice the rows)
    params = dict(max_epochs=30, batch_size=256, n_iter_no_change=5, random_state=SEED,
                  device=device, accelerator=accelerator)
    MultiTaskClassifier(**dict(params, max_epochs=1)).fit(X[:1000], Y[:1000])  # warm-up
    start = time.perf_counter()
    clf = MultiTaskClassifier(**params).fit(X[:n_rows], Y[:n_rows])
    seconds = time.perf_counter() - start
    n_train = n_rows - clf.net_.train_split.n_valid(n_rows)
    return {"rows_per_s": n_train * clf.n_iter_ / seconds, "fit_s": seconds,
            "epochs": clf.n_iter_, "accuracy": clf.score(X[n_rows:], Y[n_rows:])}


def devices(quick, out):
    """The speed of one fit on each available device, and of two processes."""
    import torch

    n_rows = DEVICE_ROWS[quick]
    results = {"n_rows": n_rows, "cpu": device_fit("cpu", n_rows)}
    if torch.cuda.is_available():
        results["cuda"] = device_fit("cuda", n_rows)
    two_gpus = torch.cuda.device_count() >= 2
    worker = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
              "--master_addr", "127.0.0.1", "--master_port", "29533",
              os.path.abspath(__file__), "--devices-worker", str(n_rows)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    run = subprocess.run(worker, capture_output=True, text=True, check=False, env=env)
    if run.returncode:
        raise RuntimeError(f"two processes failed:\n{run.stderr[-3000:]}")
    key = "2 GPUs" if two_gpus else "2 CPU processes"
    results[key] = json.loads(run.stdout.strip().splitlines()[-1])
    one = results["cuda" if two_gpus else "cpu"]
    results["speedup_two_processes"] = results[key]["rows_per_s"] / one["rows_per_s"]
    for name in ("cpu", "cuda", key):
        if name in results:
            r = results[name]
            print(f"  {name:16s} {r['rows_per_s']:>10,.0f} rows/s  fit {r['fit_s']:7.1f} s  "
                  f"{r['epochs']} epochs  accuracy {r['accuracy']:.4f}")
    print(f"two processes against one: {results['speedup_two_processes']:.2f}x the rows/s, "
          f"accuracy {results[key]['accuracy'] - one['accuracy']:+.4f} "
          f"(goal: within 0.01: {'met' if abs(results[key]['accuracy'] - one['accuracy']) <= 0.01 else 'NOT met'})")
    write_json(os.path.join(out, f"devices{'_quick' if quick else ''}.json"),
               {"quick": quick, **results})
    return results


def devices_worker(n_rows):
    """One of the two processes of ``--devices``: rank 0 prints its figures."""
    import torch
    from accelerate import Accelerator

    accelerator = Accelerator(cpu=not torch.cuda.is_available())
    result = device_fit("cpu", n_rows, accelerator=accelerator)  # the accelerator picks
    if accelerator.is_main_process:
        print(json.dumps(result))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sweeps")
    parser.add_argument("--out", default=RESULTS, help="folder of the JSON and PNG")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "CONFIGS"), help=argparse.SUPPRESS)
    parser.add_argument("--devices", action="store_true",
                        help="rows/s on the CPU, one GPU and two processes, where available")
    parser.add_argument("--devices-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.devices_worker:
        single_threaded()
        return devices_worker(args.devices_worker)
    if args.devices:
        single_threaded()
        return devices(args.quick, args.out)
    if args.worker:
        kind, configs = args.worker[0], json.loads(args.worker[1])
        single_threaded()
        print(json.dumps([{"n_samples": n, "n_tasks": t, **measure(kind, n, t, e, trees)}
                          for n, t, e, trees in configs]))
        return None
    settings = SETTINGS[args.quick]
    kinds = KINDS if shared_forest_class() is not None else KINDS[:2]
    print(f"rows sweep ({N_TASKS_ROWS_SWEEP} tasks, {settings['epochs']} epochs, "
          f"{settings['trees']} trees):")
    results = {"settings": settings, "tasks_rows": settings["tasks_rows"]}
    results["rows"] = sweep(kinds, "rows", settings["rows"], N_TASKS_ROWS_SWEEP, settings)
    print(f"tasks sweep ({settings['tasks_rows']:,} rows):")
    results["tasks"] = sweep(kinds, "tasks", settings["tasks"], settings["tasks_rows"], settings)
    results["ratio_32_over_1_task"] = {}
    for kind, lo, hi, ratio in summary(results):
        results["ratio_32_over_1_task"][kind] = ratio
        print(f"{kind:20s} fit time at {hi} tasks / at {lo} task: {ratio:.2f}x")
    net_ratio = results["ratio_32_over_1_task"]["MTL net"]
    print(f"goal: MTL net at 32 tasks <= 1.5x one task: {net_ratio:.2f}x "
          f"({'met' if net_ratio <= 1.5 else 'NOT met'})")
    suffix = "_quick" if args.quick else ""
    write_json(os.path.join(args.out, f"scaling{suffix}.json"), {"quick": args.quick, **results})
    plot(results, os.path.join(args.out, f"scaling{suffix}.png"))
    return results


if __name__ == "__main__":
    main()
