"""Run every benchmark and gather the figures into one markdown report.

Quick by default; ``--full`` runs the full versions (5 folds, all data sets
on the learning curve, up to 200k rows). Each benchmark runs in its own
process, single-threaded, and writes its JSON (and PNG) under
``benchmarks/results/``; the report goes to
``benchmarks/results/report[_quick].md``. ``bench_weighting.py`` runs too
when present (it prints its own table, not part of the report).

Usage::

    python benchmarks/run_all.py            # quick
    python benchmarks/run_all.py --full
    python benchmarks/run_all.py --report-only [--full]   # re-render from the JSON
"""

import argparse
import json
import os
import subprocess
import sys
import time

from _common import HERE, RESULTS, format_table

ACCURACY, CURVE, SCALING = "bench_accuracy.py", "bench_learning_curve.py", "bench_scaling.py"
# Speed benchmarks: script -> JSON name; run when present in this checkout.
SPEED = {"bench_neural_speed.py": "neural_speed", "bench_tree.py": "tree_speed"}
# Other benchmarks with their own tables (printed, not in the report), when present.
OTHERS = ("bench_weighting.py",)


def run(script, args):
    """Run one benchmark script, single-threaded, echoing its output."""
    root = os.path.dirname(HERE)  # benchmark the package of this checkout
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    print(f"$ python benchmarks/{script} {' '.join(args)}", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(HERE, script), *args], env=env, check=True)
    print(f"({script}: {time.perf_counter() - start:.0f} s)\n", flush=True)


def _load(name):
    path = os.path.join(RESULTS, name)
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        return json.load(fh)


def accuracy_section(data):
    from bench_accuracy import table

    lines = ["## Accuracy", ""]
    for name, res in data["datasets"].items():
        lines.append(table(name, res))
    return lines


def curve_section(data, png):
    lines = ["## Learning curve: Delta_m as the training set shrinks", "",
             f"![learning curve](results/{png})", ""]
    rows = []
    for name, curves in data["datasets"].items():
        for pair, pts in curves.items():
            for p in pts:
                rows.append([name, pair, p["n_train"], f"{p['mtl_accuracy']:.3f}",
                             f"{p['stl_accuracy']:.3f}",
                             f"{p['delta_m_percent']:+.2f} % ± {p['std']:.2f}"])
    lines += [format_table(["data set", "models", "training rows", "MTL accuracy",
                            "single-task accuracy", "Delta_m"], rows), ""]
    return lines


def scaling_section(data, png):
    s = data["settings"]
    lines = ["## Scaling: fit time and peak memory", "",
             f"Synthetic data, 50 features, 3 classes per task; nets: 1 hidden layer of 100, "
             f"{s['epochs']} epochs, batch 200; forests: {s['trees']} trees; single-threaded.", "",
             f"![scaling](results/{png})", ""]
    for axis, key in (("rows", "n_samples"), ("tasks", "n_tasks")):
        kinds = list(data[axis])
        values = [p[key] for p in data[axis][kinds[0]]]
        rows = [[f"{v:,}", *(f"{data[axis][k][i]['fit_s']:.2f} s / {data[axis][k][i]['peak_mb']:.0f} MB"
                             for k in kinds)] for i, v in enumerate(values)]
        label = "rows (4 tasks)" if axis == "rows" else f"tasks ({data['tasks_rows']:,} rows)"
        lines += [format_table([label, *kinds], rows), ""]
    ratios = data["ratio_32_over_1_task"]
    lines.append("Fit time at 32 tasks over fit time at 1 task: " + ", ".join(
        f"{k} **{v:.2f}x**" for k, v in ratios.items())
        + f". Goal for the MTL net: <= 1.5x ({'met' if ratios['MTL net'] <= 1.5 else 'not met'}).")
    return lines + [""]


def speed_section(speeds):
    lines = ["## Speed against the limit", ""]
    rows = [[bench, key, f"{value:.3f}"] for bench, figures in speeds.items()
            for key, value in figures.items() if isinstance(value, (int, float))]
    return lines + [format_table(["benchmark", "measure", "value"], rows), ""]


def report(suffix):
    """Render the markdown report from the JSON files of one run."""
    lines = ["# Benchmark results" + (" (quick)" if suffix else ""), ""]
    first = None
    for name, render in ((f"accuracy{suffix}.json", accuracy_section),
                         (f"learning_curve{suffix}.json",
                          lambda d: curve_section(d, f"learning_curve{suffix}.png")),
                         (f"scaling{suffix}.json",
                          lambda d: scaling_section(d, f"scaling{suffix}.png"))):
        data = _load(name)
        if data is not None:
            first = first or data["machine"]
            lines += render(data)
    speeds = {stem: _load(f"{stem}{suffix}.json") for stem in SPEED.values()}
    speeds = {k: v for k, v in speeds.items() if v is not None}
    if speeds:
        lines += speed_section(speeds)
    if first:
        lines[1:1] = [f"Machine: {first['platform']}, {first['cpu_count']} CPUs "
                      f"({first['processor']}); Python {first['python']}, torch {first['torch']}, "
                      f"scikit-learn {first['scikit-learn']}. Date: {first['date']}.", ""]
    path = os.path.join(RESULTS, f"report{suffix}.md")
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
    print(f"wrote {path}")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full versions (long)")
    parser.add_argument("--report-only", action="store_true", help="only re-render the report")
    args = parser.parse_args(argv)
    suffix = "" if args.full else "_quick"
    flags = [] if args.full else ["--quick"]
    if not args.report_only:
        start = time.perf_counter()
        for script in (ACCURACY, CURVE, SCALING):
            run(script, flags)
        for script in OTHERS:
            if os.path.exists(os.path.join(HERE, script)):
                run(script, flags)
        for script, stem in SPEED.items():
            if os.path.exists(os.path.join(HERE, script)):
                run(script, [*flags, "--json", os.path.join(RESULTS, f"{stem}{suffix}.json")])
        print(f"all benchmarks: {time.perf_counter() - start:.0f} s")
    print(open(report(suffix)).read())


if __name__ == "__main__":
    main()
