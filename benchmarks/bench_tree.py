"""Speed and accuracy of the shared trees against scikit-learn's own.

Measured in the same run, on the same data (medians of several repeats,
contenders interleaved round-robin so that load from other processes hits
them alike; ratios are what matter on a shared, noisy machine). Everything
runs single-threaded, so the CPU time of this process (``time.process_time``)
is reported next to the wall-clock time: on a machine shared with other jobs
it is the steadier measure of the work each estimator does.

* fit and predict_proba time of ``SharedTreeClassifier`` /
  ``SharedForestClassifier`` with equal and with unequal task weights,
  against the native multi-output ``DecisionTreeClassifier`` /
  ``RandomForestClassifier`` and against ``MultiOutputClassifier`` of the
  same (one model per task);
* per-task test accuracy of each;
* the regression case: fit and predict time of ``SharedTreeRegressor`` /
  ``SharedForestRegressor`` (equal and unequal weights) against the native
  multi-output ``DecisionTreeRegressor`` / ``RandomForestRegressor`` on the
  raw targets and ``MultiOutputRegressor``, with per-task test R²;
* missing targets (10% NaN): the exact masked builder against the same
  estimator on the complete targets (scikit-learn's builder) and against
  the approximation of earlier versions (scikit-learn's builder, a missing
  target counted as its task's mean), fit time and per-task test R², for a
  fully grown tree, a tree of depth 8 and a small forest;
* a task-count sweep of the forests: fit time against
  ``MultiOutputClassifier`` as the number of tasks grows.

Goals: fit <= 1.1x the native multi-output estimator with equal weights,
<= 1.3x with unequal weights (classification and regression); >= 2x faster than MultiOutputClassifier at 3
tasks, growing with the task count; accuracy within noise of the native one.

Usage::

    python benchmarks/bench_tree.py            # 50k x 20, 3 tasks, 100 trees; sweep 1-16 tasks
    python benchmarks/bench_tree.py --quick    # 5k x 20, 20 trees, about a minute
"""

import argparse
import json
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import r2_score
from sklearn.multioutput import MultiOutputClassifier, MultiOutputRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from sklearn_mtl import (
    SharedForestClassifier,
    SharedForestRegressor,
    SharedTreeClassifier,
    SharedTreeRegressor,
)
from sklearn_mtl._tree._criterion import variance_targets

CLASS_CYCLE = (4, 2, 3, 5)


UNITS = (1.0, 1e3, 1e-2, 10.0)
"""Units of the regression tasks, cycled (the shared regressors standardise)."""


def make_data(n_samples, n_features, n_tasks, seed=0, regression=False):
    """Tasks on a few features each: a shared direction of 4 features plus 2
    of their own and an interaction, binned into classes with 5% label noise
    (or, for ``regression``, in their own units with Gaussian noise)."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    shared = rng.normal(size=4)
    columns = []
    for j in range(n_tasks):
        k = CLASS_CYCLE[j % len(CLASS_CYCLE)]
        own = rng.choice(np.arange(4, n_features), size=2, replace=False)
        score = X[:, :4] @ shared + X[:, own] @ rng.normal(size=2) + X[:, own[0]] * X[:, 0]
        if regression:
            columns.append(UNITS[j % len(UNITS)] * (score + rng.normal(size=n_samples)))
            continue
        labels = np.digitize(score, np.quantile(score, np.linspace(0, 1, k + 1)[1:-1]))
        flip = rng.uniform(size=n_samples) < 0.05
        labels[flip] = rng.randint(0, k, size=flip.sum())
        columns.append(labels)
    return X, np.column_stack(columns)


def unequal_weights(n_tasks):
    return np.resize([1.0, 0.5, 2.0, 0.3], n_tasks)


# (family, structure) -> (native scikit-learn class, shared class, one model per task)
CLASSES = {
    ("classification", "tree"): (DecisionTreeClassifier, SharedTreeClassifier,
                                 MultiOutputClassifier),
    ("classification", "forest"): (RandomForestClassifier, SharedForestClassifier,
                                   MultiOutputClassifier),
    ("regression", "tree"): (DecisionTreeRegressor, SharedTreeRegressor, MultiOutputRegressor),
    ("regression", "forest"): (RandomForestRegressor, SharedForestRegressor,
                               MultiOutputRegressor),
}


def contenders(kind, n_tasks, n_estimators, family="classification"):
    """name -> unfitted estimator, all single-threaded with the same seed."""
    native_cls, shared, per_task = CLASSES[family, kind]
    ours = {"random_state": 0}
    if kind == "forest":
        ours.update(n_estimators=n_estimators, n_jobs=1)
    native = native_cls(**ours)
    return {
        "native": native,
        "shared_equal": shared(**ours),
        "shared_unequal": shared(**{**ours, "task_weights": unequal_weights(n_tasks)}),
        "multioutput": per_task(native),
    }


class _Approximate:
    """The split criterion of earlier versions: scikit-learn's builder on the
    standardised targets, a missing target counted as its task's mean (0)."""

    def _criterion_targets(self, encoded, sample_weight):
        return variance_targets(np.column_stack(encoded.encoded), self.task_names_,
                                self.task_weights_, route="regressor")


class ApproximateTreeRegressor(_Approximate, SharedTreeRegressor):
    pass


class ApproximateForestRegressor(_Approximate, SharedForestRegressor):
    pass


def missing_contenders(kind, n_estimators, max_depth=None):
    """The masked builder, its reference on complete targets, the approximation."""
    params = {"random_state": 0, "max_depth": max_depth}
    if kind == "forest":
        params.update(n_estimators=n_estimators, n_jobs=1)
    shared, approximate = ((SharedTreeRegressor, ApproximateTreeRegressor) if kind == "tree"
                           else (SharedForestRegressor, ApproximateForestRegressor))
    return {"complete_sklearn": shared(**params), "old_approx": approximate(**params),
            "masked_exact": shared(**params)}


def print_missing_table(title, results):
    ref, old = results["complete_sklearn"], results["old_approx"]
    print(f"\n{title}  (x: ratio to complete_sklearn, /old: ratio to old_approx)")
    print(f"{'model':17s} {'fit s':>8s} {'x':>6s} {'/old':>6s} {'fit cpu':>8s} {'x':>6s} "
          f"{'/old':>6s}  per-task r2")
    for name, r in results.items():
        print(f"{name:17s} {r['fit_s']:8.3f} {r['fit_s'] / ref['fit_s']:6.2f} "
              f"{r['fit_s'] / old['fit_s']:6.2f} {r['fit_cpu_s']:8.3f} "
              f"{r['fit_cpu_s'] / ref['fit_cpu_s']:6.2f} {r['fit_cpu_s'] / old['fit_cpu_s']:6.2f}"
              f"  {r['r2']}")


def per_task_accuracy(model, X, Y):
    return np.mean(model.predict(X) == Y, axis=0)


def per_task_r2(model, X, Y):
    pred = model.predict(X)
    return np.array([r2_score(Y[:, j], pred[:, j]) for j in range(Y.shape[1])])


def timed(fn):
    """(wall seconds, CPU seconds of this process, result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def measure(models, X, Y, X_test, Y_test, repeats, targets=None):
    """Median fit and predict_proba (regressors: predict) seconds (wall and
    CPU) of every model, interleaved; ``targets`` maps a model's name to its
    own training Y (the one with missing targets)."""
    times = {name: {key: [] for key in ("fit_s", "fit_cpu_s", "predict_s", "predict_cpu_s")}
             for name in models}
    targets = targets or {}
    regression = np.issubdtype(Y.dtype, np.floating)
    score = per_task_r2 if regression else per_task_accuracy
    fitted = {}
    for _ in range(repeats):
        for name, model in models.items():
            y_fit = targets.get(name, Y)
            wall, cpu, fitted[name] = timed(lambda m=model, y=y_fit: m.fit(X, y))
            times[name]["fit_s"].append(wall)
            times[name]["fit_cpu_s"].append(cpu)
            predict = model.predict if regression else model.predict_proba
            wall, cpu, _ = timed(lambda p=predict: p(X_test))
            times[name]["predict_s"].append(wall)
            times[name]["predict_cpu_s"].append(cpu)
    return {
        name: {
            **{key: statistics.median(values) for key, values in times[name].items()},
            "r2" if regression else "accuracy":
                score(fitted[name], X_test, Y_test).round(4).tolist(),
        }
        for name in models
    }


def print_table(title, results):
    native = results["native"]
    metric = "r2" if "r2" in native else "accuracy"
    print(f"\n{title}  (ratios to native; cpu = CPU seconds of this process)")
    print(f"{'model':15s} {'fit s':>8s} {'x':>5s} {'fit cpu':>8s} {'x':>5s} "
          f"{'pred s':>7s} {'x':>5s} {'pred cpu':>8s} {'x':>5s}  per-task {metric}")
    for name, r in results.items():
        cells = []
        for key in ("fit_s", "fit_cpu_s", "predict_s", "predict_cpu_s"):
            width = 7 if key == "predict_s" else 8
            cells.append(f"{r[key]:{width}.3f} {r[key] / native[key]:5.2f}")
        print(f"{name:15s} {' '.join(cells)}  {r[metric]}")
    for key in ("fit_s", "fit_cpu_s"):
        moc = results["multioutput"][key]
        print(f"MultiOutput{'Regressor' if metric == 'r2' else 'Classifier'} "
              f"{key} / shared_equal: "
              f"{moc / results['shared_equal'][key]:.2f}x, / shared_unequal: "
              f"{moc / results['shared_unequal'][key]:.2f}x")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, few repeats")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    # the native forest warns about a one-column Y in the 1-task sweep
    warnings.simplefilter("ignore", DataConversionWarning)

    if args.quick:
        n_samples, n_estimators, repeats, sweep, sweep_trees = 5_000, 20, 3, (1, 3, 8), 10
    else:
        n_samples, n_estimators, repeats, sweep, sweep_trees = 50_000, 100, 3, (1, 3, 8, 16), 20
    n_features, n_tasks, n_test = 20, 3, 10_000
    X_all, Y_all = make_data(n_samples + n_test, n_features, max(n_tasks, *sweep))
    X, X_test = X_all[:n_samples], X_all[n_samples:]
    print(f"data {n_samples} x {n_features} (+{n_test} test rows), {n_tasks} tasks with "
          f"{list(CLASS_CYCLE[:n_tasks])} classes, unequal weights "
          f"{unequal_weights(n_tasks).tolist()}, single-threaded, median of {repeats}")

    figures = {}
    for kind in ("tree", "forest"):
        models = contenders(kind, n_tasks, n_estimators)
        results = measure(models, X, Y_all[:n_samples, :n_tasks], X_test,
                          Y_all[n_samples:, :n_tasks], repeats)
        label = kind if kind == "tree" else f"forest, {n_estimators} trees"
        print_table(f"== {label}", results)
        sys.stdout.flush()
        figures[kind] = results

    X_reg, Y_reg = make_data(n_samples + n_test, n_features, n_tasks, regression=True)
    Y_missing = Y_reg[:n_samples].copy()
    Y_missing[np.random.RandomState(1).uniform(size=Y_missing.shape) < 0.1] = np.nan
    for kind in ("tree", "forest"):
        models = contenders(kind, n_tasks, n_estimators, family="regression")
        results = measure(models, X_reg[:n_samples], Y_reg[:n_samples], X_reg[n_samples:],
                          Y_reg[n_samples:], repeats)
        label = "regression tree" if kind == "tree" else f"regression forest, {n_estimators} trees"
        print_table(f"== {label} (units {list(UNITS[:n_tasks])})", results)
        sys.stdout.flush()
        figures[f"regression_{kind}"] = results

    missing = {"masked_exact": Y_missing, "old_approx": Y_missing}
    missing_trees = 10  # the masked builder is ~6-7x slower than scikit-learn's on deep trees
    for kind, depth in (("tree", None), ("tree", 8), ("forest", None)):
        results = measure(missing_contenders(kind, missing_trees, depth), X_reg[:n_samples],
                          Y_reg[:n_samples], X_reg[n_samples:], Y_reg[n_samples:], repeats,
                          targets=missing)
        label = (f"forest of {missing_trees} trees" if kind == "forest" else
                 f"tree, max_depth={depth}")
        print_missing_table(f"== missing targets (10% NaN), regression {label}", results)
        sys.stdout.flush()
        figures[f"missing_{kind}_{depth}"] = results

    print(f"\n== task-count sweep, forest of {sweep_trees} trees, fit CPU seconds "
          "(wall-clock in the JSON)")
    print(f"{'tasks':>5s} {'native':>8s} {'shared_eq':>10s} {'shared_uneq':>12s} "
          f"{'multioutput':>12s} {'eq/native':>10s} {'MOC/eq':>7s} {'MOC/uneq':>9s}")
    figures["sweep"] = {}
    for t in sweep:
        models = contenders("forest", t, sweep_trees)
        r = measure(models, X, Y_all[:n_samples, :t], X_test, Y_all[n_samples:, :t],
                    repeats)
        figures["sweep"][t] = r
        fit = {name: r[name]["fit_cpu_s"] for name in r}
        print(f"{t:5d} {fit['native']:8.3f} {fit['shared_equal']:10.3f} "
              f"{fit['shared_unequal']:12.3f} {fit['multioutput']:12.3f} "
              f"{fit['shared_equal'] / fit['native']:10.2f} "
              f"{fit['multioutput'] / fit['shared_equal']:7.2f} "
              f"{fit['multioutput'] / fit['shared_unequal']:9.2f}", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=2)


if __name__ == "__main__":
    main()
