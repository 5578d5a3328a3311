"""Learning curve of the multi-task gain: Delta_m as the training set shrinks.

Multi-task learning is expected to help most when each task has few labelled
rows. For every data set, ``repeats`` random 70/30 splits (fixed seeds); the
training part is subsampled to a fraction of its rows, the same subsample for
the multi-task model and its single-task twin, and both are scored on the
full 30 % test part. The figure plots Delta_m (mean relative accuracy gain
over the tasks, in percent) against the number of training rows, with the
standard deviation over the repeats.

Usage::

    python benchmarks/bench_learning_curve.py --quick   # penguins, digits, Wage; 3 sizes
    python benchmarks/bench_learning_curve.py           # all data sets; 5 sizes
"""

import argparse
import os

import numpy as np
from _common import RESULTS, SEED, savefig, single_threaded, write_json
from _datasets import LOADERS, load
from bench_accuracy import PAIRS, fold_delta_m
from sklearn.model_selection import ShuffleSplit

from sklearn_mtl.model_selection import compare_with_single_task

MIN_TRAIN = 20


def subsampled_splits(n_samples, fraction, repeats):
    """The same 70/30 splits for every fraction, the training part subsampled."""
    splitter = ShuffleSplit(n_splits=repeats, test_size=0.3, random_state=SEED)
    rng = np.random.RandomState(SEED)
    splits = []
    for train, test in splitter.split(np.zeros(n_samples)):
        n_train = min(len(train), max(MIN_TRAIN, round(fraction * len(train))))
        splits.append((np.sort(rng.permutation(train)[:n_train]), test))
    return splits


def run_dataset(dataset, fractions, repeats, quick):
    curves = {}
    for mtl_name, stl_name, factory in PAIRS:
        model = factory(dataset, quick)
        if model is None:
            continue
        points = []
        for fraction in fractions:
            splits = subsampled_splits(len(dataset.X), fraction, repeats)
            result = compare_with_single_task(model, dataset.X, dataset.Y, cv=splits,
                                              single_task_estimator=factory(dataset, quick))
            mean, std = fold_delta_m(result.mtl_scores, result.stl_scores)
            points.append({"fraction": fraction, "n_train": len(splits[0][0]),
                           "delta_m_percent": mean, "std": std,
                           "mtl_accuracy": float(np.mean(result.mtl_scores)),
                           "stl_accuracy": float(np.mean(result.stl_scores))})
            print(f"  {mtl_name:14s} n_train={points[-1]['n_train']:5d}  "
                  f"Delta_m {mean:+6.2f} % ± {std:.2f}  (accuracy {points[-1]['mtl_accuracy']:.3f}"
                  f" vs {points[-1]['stl_accuracy']:.3f})")
        curves[f"{mtl_name} vs {stl_name}"] = points
    return curves


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    pairs = sorted({pair for curves in results.values() for pair in curves})
    fig, axes = plt.subplots(1, len(pairs), figsize=(5.2 * len(pairs), 3.8), squeeze=False)
    for ax, pair in zip(axes[0], pairs):
        for name, curves in results.items():
            if pair in curves:
                pts = curves[pair]
                ax.errorbar([p["n_train"] for p in pts], [p["delta_m_percent"] for p in pts],
                            yerr=[p["std"] for p in pts], marker="o", capsize=3, label=name)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel("training rows")
        ax.set_ylabel("Delta_m (%): multi-task vs single-task")
        ax.set_title(pair)
        ax.legend(fontsize=8)
    savefig(fig, path)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 data sets, 3 sizes, 2 repeats")
    parser.add_argument("--datasets", nargs="+", choices=list(LOADERS), default=None)
    parser.add_argument("--out", default=RESULTS, help="folder of the JSON and PNG")
    args = parser.parse_args(argv)
    single_threaded()
    if args.quick:
        datasets, fractions, repeats = ["penguins", "digits", "wage"], (0.1, 0.3, 1.0), 2
    else:
        datasets, fractions, repeats = list(LOADERS), (0.05, 0.1, 0.25, 0.5, 1.0), 3
    datasets = args.datasets or datasets
    results = {}
    for name in datasets:
        print(f"{name}:")
        results[name] = run_dataset(load(name), fractions, repeats, args.quick)
    suffix = "_quick" if args.quick else ""
    write_json(os.path.join(args.out, f"learning_curve{suffix}.json"),
               {"quick": args.quick, "repeats": repeats, "fractions": list(fractions),
                "datasets": results})
    plot(results, os.path.join(args.out, f"learning_curve{suffix}.png"))
    return results


if __name__ == "__main__":
    main()
