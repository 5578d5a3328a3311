"""Accuracy on real data: multi-task models against their single-task twins.

For every data set of ``_datasets.py`` and the same shuffled K folds (fixed
seeds), the cross-validated accuracy of each task for

* ``MultiTaskClassifier`` (one net, all tasks) and its single-task twin (the
  same pipeline and settings, one net per task),
* ``SharedForestClassifier`` and its single-task twin (when the trees are
  importable),
* ``HistGradientBoostingClassifier`` per task, the strong single-task reference;

then Delta_m (Maninis et al., 2019: the mean relative gain over tasks) of each
multi-task model against its twin and against the reference, as the mean and
standard deviation over the folds. Preprocessing sits inside each pipeline.

Usage::

    python benchmarks/bench_accuracy.py --quick           # 3 folds, short training
    python benchmarks/bench_accuracy.py                   # 5 folds
    python benchmarks/bench_accuracy.py --datasets digits penguins --json out.json
"""

import argparse
import os
import time

import numpy as np
from _common import (
    RESULTS,
    SEED,
    format_table,
    gradient_boosting,
    neural_net,
    shared_forest,
    single_threaded,
    write_json,
)
from _datasets import LOADERS, load
from sklearn.base import clone
from sklearn.model_selection import KFold

from sklearn_mtl.metrics import multitask_gain, per_task_score
from sklearn_mtl.model_selection import compare_with_single_task

# (multi-task label, single-task label, model factory)
PAIRS = [("MTL net", "single-task nets", neural_net),
         ("shared forest", "single-task forests", shared_forest)]
REFERENCE = "HGB per task"


def reference_scores(estimator, X, Y, cv):
    """Per-task test accuracy of a multi-output model on every fold, shape (n_splits, n_tasks)."""
    scores = []
    for train, test in cv.split(X):
        fitted = clone(estimator).fit(X.iloc[train], Y.iloc[train])
        scores.append(np.asarray(per_task_score(Y.iloc[test], fitted.predict(X.iloc[test]))))
    return np.array(scores)


def fold_delta_m(mtl_scores, stl_scores):
    """Delta_m on each fold, in percent: (mean, std) over the folds."""
    per_fold = [multitask_gain(m, s) for m, s in zip(mtl_scores, stl_scores)]
    return 100 * float(np.mean(per_fold)), 100 * float(np.std(per_fold))


def run_dataset(dataset, n_splits, quick):
    cv = KFold(n_splits=n_splits, shuffle=True, random_state=SEED)
    X, Y = dataset.X, dataset.Y
    scores, seconds = {}, {}
    for mtl_name, stl_name, factory in PAIRS:
        model = factory(dataset, quick)
        if model is None:
            print(f"  {mtl_name}: not importable in this checkout, skipped")
            continue
        start = time.perf_counter()
        result = compare_with_single_task(model, X, Y, cv=cv,
                                          single_task_estimator=factory(dataset, quick))
        seconds[mtl_name] = time.perf_counter() - start
        scores[mtl_name], scores[stl_name] = result.mtl_scores, result.stl_scores
        print(f"  {mtl_name} vs {stl_name}: {seconds[mtl_name]:.0f} s")
    start = time.perf_counter()
    scores[REFERENCE] = reference_scores(gradient_boosting(dataset, quick), X, Y, cv)
    seconds[REFERENCE] = time.perf_counter() - start
    print(f"  {REFERENCE}: {seconds[REFERENCE]:.0f} s")

    delta_m = {}
    for mtl_name, stl_name, _ in PAIRS:
        if mtl_name in scores:
            delta_m[f"{mtl_name} vs {stl_name}"] = fold_delta_m(scores[mtl_name], scores[stl_name])
            delta_m[f"{mtl_name} vs {REFERENCE}"] = fold_delta_m(scores[mtl_name], scores[REFERENCE])
    return {
        "description": dataset.description,
        "n_samples": len(X),
        "n_splits": n_splits,
        "tasks": list(map(str, Y.columns)),
        "fold_scores": {name: s.tolist() for name, s in scores.items()},
        "delta_m_percent": {k: {"mean": m, "std": s} for k, (m, s) in delta_m.items()},
        "seconds": seconds,
    }


def table(name, res):
    models = list(res["fold_scores"])
    rows = []
    for j, task in enumerate(res["tasks"]):
        cells = [f"{np.mean(s[j::len(res['tasks'])]):.3f} ± {np.std(s[j::len(res['tasks'])]):.3f}"
                 for s in (np.ravel(res["fold_scores"][m]) for m in models)]
        rows.append([task, *cells])
    means = [f"**{np.mean(res['fold_scores'][m]):.3f}**" for m in models]
    rows.append(["mean over tasks", *means])
    lines = [f"### {name} ({res['description']}; {res['n_splits']}-fold CV, accuracy mean ± std)",
             "", format_table(["task", *models], rows), ""]
    dm_rows = [[k, f"{v['mean']:+.2f} % ± {v['std']:.2f}"]
               for k, v in res["delta_m_percent"].items()]
    lines += [format_table(["Delta_m (mean relative gain over tasks, over folds)", "value"],
                           dm_rows), ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 folds, shorter training")
    parser.add_argument("--datasets", nargs="+", default=list(LOADERS), choices=list(LOADERS))
    parser.add_argument("--json", default=None, help="where to write the figures "
                        "(default benchmarks/results/accuracy[_quick].json)")
    args = parser.parse_args(argv)
    single_threaded()
    n_splits = 3 if args.quick else 5
    results = {}
    for name in args.datasets:
        print(f"{name}:")
        results[name] = run_dataset(load(name), n_splits, args.quick)
        print(table(name, results[name]))
    path = args.json or os.path.join(RESULTS, f"accuracy{'_quick' if args.quick else ''}.json")
    write_json(path, {"quick": args.quick, "datasets": results})
    return results


if __name__ == "__main__":
    main()
