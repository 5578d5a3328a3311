"""Where adaptive task weighting and MMoE help: a benchmark.

For each scenario, fit MultiTaskClassifier with every weighting strategy
(hard sharing) and with the MMoE trunk (static weights), plus one
single-task model per task (the same network on one column), over several
seeds. Report per-task test accuracy, delta_m against the single-task
models (Maninis et al., 2019: mean over tasks of the relative accuracy gain,
in %), mean and spread (standard deviation) over seeds, the gain in
delta_m over static weights paired by seed (same data, same initial
seed), and the median fit time relative to the static strategy.

Usage::

    python benchmarks/bench_weighting.py --quick   # about 2 minutes
    python benchmarks/bench_weighting.py           # the full table

Scenarios: (a) related tasks, (b) weakly related tasks, (c) a 50-class task
with a binary one (losses of different scale), all from a synthetic
generator, and (d) tasks on the bundled digits.
"""

import argparse
import os
import platform
import time
from datetime import date

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from sklearn_mtl import MultiTaskClassifier

STRATEGIES = ["static", "uncertainty", "dwa", "gradnorm", "pcgrad", "mgda", "rlw"]


def make_multitask_classification(n_samples=1000, n_features=20, n_tasks=4, n_classes=2,
                                  task_relatedness=0.5, random_state=None):
    """Synthetic tasks whose relatedness is a knob (stand-in for
    ``sklearn_mtl.datasets.make_multitask_classification``, same signature).

    Every task is a random two-layer teacher ``argmax(tanh(X A_j) B_j)``
    whose first layer mixes shared latent directions with its own:
    ``A_j = r * A_shared + sqrt(1 - r^2) * A_own_j`` with
    ``r = task_relatedness``; 5% of the labels are then resampled at random.
    ``n_classes`` is an int or one int per task.
    """
    rng = check_random_state(random_state)
    classes = [n_classes] * n_tasks if np.isscalar(n_classes) else list(n_classes)
    n_latent = 8
    X = rng.normal(size=(n_samples, n_features))
    shared = rng.normal(size=(n_features, n_latent))
    r = task_relatedness
    columns = []
    for c in classes:
        first = r * shared + np.sqrt(1 - r ** 2) * rng.normal(size=(n_features, n_latent))
        hidden = np.tanh(X @ first / np.sqrt(n_features) * 2)
        y = np.argmax(hidden @ rng.normal(size=(n_latent, c)), axis=1)
        flip = rng.rand(n_samples) < 0.05
        y[flip] = rng.randint(c, size=flip.sum())
        columns.append(y)
    return X.astype(np.float32), np.column_stack(columns)


def _synthetic(n_train, **kwargs):
    def load(seed):
        X, Y = make_multitask_classification(n_samples=n_train + 2000, random_state=seed, **kwargs)
        return train_test_split(X, Y, train_size=n_train, random_state=seed)
    return load


def _digits(seed):
    X, d = load_digits(return_X_y=True)
    Y = np.column_stack([d, d % 2, d >= 5, np.isin(d, [0, 6, 8, 9])])  # digit, parity, >=5, loop
    return train_test_split((X / 16).astype(np.float32), Y, train_size=500, random_state=seed)


SCENARIOS = {
    "a_related": _synthetic(400, n_tasks=4, n_classes=3, task_relatedness=0.95),
    "b_weakly_related": _synthetic(400, n_tasks=4, n_classes=3, task_relatedness=0.3),
    "c_loss_scales": _synthetic(1500, n_tasks=2, n_classes=[50, 2], task_relatedness=0.7),
    "d_digits": _digits,
}


def _variants():
    rows = [(name, dict(weighting=name)) for name in STRATEGIES]
    rows.append(("mmoe+static", dict(architecture="mmoe", n_experts=4)))
    rows.append(("mmoe+uncertainty", dict(architecture="mmoe", n_experts=4,
                                          weighting="uncertainty")))
    return rows


def _accuracies(clf, X, Y):
    pred = clf.predict(X).reshape(len(X), -1)
    return np.mean(pred == Y.reshape(len(X), -1), axis=0)


def run(quick):
    seeds = range(2 if quick else 4)
    base = dict(hidden_layer_sizes=(64,), lr=0.01, batch_size=64,
                max_epochs=25 if quick else 40)
    scenarios = ["b_weakly_related", "c_loss_scales"] if quick else list(SCENARIOS)
    results = {}
    for scenario in scenarios:
        records = {}
        for seed in seeds:
            X_tr, X_te, Y_tr, Y_te = SCENARIOS[scenario](seed)
            single = [
                _accuracies(MultiTaskClassifier(random_state=seed, **base).fit(X_tr, Y_tr[:, j]),
                            X_te, Y_te[:, j])[0]
                for j in range(Y_tr.shape[1])
            ]
            records.setdefault("single-task", []).append((np.array(single), 0.0, np.nan))
            for name, params in _variants():
                start = time.perf_counter()
                clf = MultiTaskClassifier(random_state=seed, **base, **params).fit(X_tr, Y_tr)
                seconds = time.perf_counter() - start
                acc = _accuracies(clf, X_te, Y_te)
                delta = 100 * np.mean((acc - single) / np.array(single))
                records.setdefault(name, []).append((acc, delta, seconds))
        results[scenario] = records
        _print_table(scenario, records)
    return results


def _print_table(scenario, records):
    static_time = np.median([r[2] for r in records["static"]])
    n_tasks = len(records["static"][0][0])
    print(f"\n### {scenario}\n")
    header = " | ".join(f"task {j} acc" for j in range(n_tasks))
    print(f"| variant | {header} | delta_m % | delta_m - static (paired) | time vs static |")
    print("|---" * (n_tasks + 4) + "|")
    static_delta = np.array([r[1] for r in records["static"]])
    for name, runs in records.items():
        acc = np.array([r[0] for r in runs])
        delta = np.array([r[1] for r in runs])
        cells = " | ".join(f"{m:.3f} ± {s:.3f}" for m, s in zip(acc.mean(0), acc.std(0)))
        times = np.array([r[2] for r in runs])
        ratio = "" if np.all(np.isnan(times)) else f"{np.median(times) / static_time:.2f}x"
        if name == "single-task":
            dm = paired = ""
        else:
            dm = f"{delta.mean():+.2f} ± {delta.std():.2f}"
            gain = delta - static_delta
            paired = f"{gain.mean():+.2f} ± {gain.std():.2f}"
        print(f"| {name} | {cells} | {dm} | {paired} | {ratio} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="scenarios b and c only, 2 seeds, 25 epochs (full: 4 seeds, 40)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # stable timings on a shared machine
    print(f"# bench_weighting ({'quick' if args.quick else 'full'}), {date.today()}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"torch {torch.__version__}, 1 torch thread")
    run(args.quick)


if __name__ == "__main__":
    main()
