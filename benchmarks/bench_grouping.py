"""Automatic task grouping: ``task_groups="auto"`` against "all" and "single".

For every data set (the public sets of ``_datasets.py`` and synthetic data
with planted groups: clusters of related tasks, an unrelated task and a
pure-noise task), on each fold of a shuffled, repeated K-fold split (quick: 2 folds
once; full: 5 folds twice; planted structures: 1 or 3 drawn data sets), fit
``TaskGroupingClassifier`` with ``task_groups="auto"``, ``"all"`` and
``"single"`` around the benchmarks' MultiTaskClassifier pipeline
(``_common.neural_net``: standardised inputs, one hidden layer, Adam, early
stopping; the search's fits with a patience of 3 epochs instead of 10 and
20 epochs at most).
Report per-task test accuracy, the mean over tasks, the groups
chosen by "auto", the adjusted Rand index of the planted groups, whether
the noise task was alone, and the fit time of each mode in units of the
"all" fit of the same fold (CPU time of single-threaded fits, measured one
after the other in one process).

Usage::

    python benchmarks/bench_grouping.py --quick            # ~5 minutes on 2 shared cores
    python benchmarks/bench_grouping.py --n-jobs 8         # the full run, 16 cores

The full run is 10 data sets x 10 folds = 100 single-threaded jobs; the
largest, a yeast fold, took 12-16 CPU seconds here (3-fold), so with
``--n-jobs 8`` it should end in a few minutes.

Goals (issue 13): mean accuracy of "auto" >= max("all", "single") - 0.3
points on every data set; planted groups recovered with ARI >= 0.9; the
noise task always alone; "auto" fit cost <= T "all" fits for T tasks.
"""

import argparse
import os
import time

import numpy as np
import pandas as pd
from _common import RESULTS, SEED, format_table, neural_net, single_threaded, write_json
from _datasets import LOADERS, BenchDataset, load
from joblib import Parallel, delayed
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import RepeatedKFold

MODES = ("auto", "all", "single")
# The search's fits stop after 3 epochs without improvement instead of 10,
# and after 20 epochs at most (the final fits: up to 100 quick, 300 full):
# they only rank groups (a low-fidelity evaluation, as in successive halving),
# and the goal is a whole "auto" fit within T "all" fits.
SEARCH_PARAMS = {"multitaskclassifier__n_iter_no_change": 3, "multitaskclassifier__max_epochs": 20}
PLANTED = {  # name: (cluster sizes, noise tasks, n_samples)
    "planted_3-2-1+noise": ([3, 2, 1], 1, 1500),
    "planted_2-2-2+noise": ([2, 2, 2], 1, 1500),
}


def load_planted(name, seed, quick):
    """Synthetic tasks with planted groups, drawn with ``seed``."""
    from sklearn_mtl.datasets import make_multitask_classification

    sizes, n_noise, n_samples = PLANTED[name]
    X, Y = make_multitask_classification(
        n_samples=n_samples // 2 if quick else n_samples, n_features=30, n_informative=24,
        groups=sizes, n_noise_tasks=n_noise, task_relatedness=0.9, flip_y=0.05,
        random_state=seed, as_frame=True,
    )
    return BenchDataset(f"{name}#{seed}", X, Y.astype(int), (), (64,),
                        f"clusters {sizes}, {n_noise} noise task(s), relatedness 0.9")


def planted_labels(name):
    """Cluster label of each task: one per cluster, one per noise task."""
    sizes, n_noise, _ = PLANTED[name.split("#")[0]]
    labels = [k for k, size in enumerate(sizes) for _ in range(size)]
    return labels + list(range(len(sizes), len(sizes) + n_noise))


def datasets(names, quick, n_draws):
    for name in names:
        if name in PLANTED:
            for seed in range(n_draws):
                yield load_planted(name, seed, quick)
            continue
        ds = load(name)
        if quick and len(ds.X) > 800:  # a stratum-free random subsample
            keep = np.random.RandomState(SEED).permutation(len(ds.X))[:800]
            ds = ds._replace(X=ds.X.iloc[keep].reset_index(drop=True),
                             Y=ds.Y.iloc[keep].reset_index(drop=True))
        yield ds


_WARM = []


def warm_up(ds):
    """Fit a one-epoch network once per process, untimed: the first fit of a
    process pays torch's start-up (about 1 s here, several "all" fits), which
    would otherwise inflate the unit of cost of that fold."""
    if not _WARM:
        neural_net(ds, quick=True).set_params(multitaskclassifier__max_epochs=1,
                                              multitaskclassifier__early_stopping=False
                                              ).fit(ds.X.iloc[:50], ds.Y.iloc[:50])
        _WARM.append(True)


def run_fold(ds, fold, train, test, quick):
    """Fit the three modes on one fold; return accuracies, groups, times."""
    from sklearn_mtl import TaskGroupingClassifier

    single_threaded()
    warm_up(ds)
    X_train, Y_train = ds.X.iloc[train], ds.Y.iloc[train]
    X_test, Y_test = ds.X.iloc[test], ds.Y.iloc[test]
    out = {"dataset": ds.name, "fold": fold}
    for mode in ("all", "single", "auto"):  # "all" first: the unit of cost
        model = TaskGroupingClassifier(neural_net(ds, quick), task_groups=mode,
                                       search_params=SEARCH_PARAMS, random_state=SEED)
        start = time.process_time()  # CPU time: robust to a loaded machine
        model.fit(X_train, Y_train)
        out[f"time_{mode}"] = time.process_time() - start
        pred = model.predict(X_test)
        out[f"accuracy_{mode}"] = [
            float(np.mean(pred[:, t] == Y_test.iloc[:, t].to_numpy()))
            for t in range(Y_test.shape[1])
        ]
        if mode == "auto":
            out["groups"] = model.groups_
            out["n_search_fits"] = len(model.search_history_)
    return out


def summarise(ds, folds):
    """Per data set: mean accuracies, cost ratios, planted-group recovery."""
    tasks = list(ds.Y.columns)
    acc = {m: np.mean([f[f"accuracy_{m}"] for f in folds], axis=0) for m in MODES}
    summary = {
        "dataset": ds.name,
        "n_tasks": len(tasks),
        "n_samples": len(ds.X),
        "tasks": tasks,
        "per_task_accuracy": {m: acc[m].tolist() for m in MODES},
        "mean_accuracy": {m: float(acc[m].mean()) for m in MODES},
        "cost_in_all_fits": {m: float(np.mean([f[f"time_{m}"] / f["time_all"] for f in folds]))
                             for m in MODES},
        "max_cost_auto": float(max(f["time_auto"] / f["time_all"] for f in folds)),
        "cpu_seconds_per_fold": [sum(f[f"time_{m}"] for m in MODES) for f in folds],
        "groups_per_fold": [f["groups"] for f in folds],
        "n_search_fits": [f["n_search_fits"] for f in folds],
    }
    best = max(summary["mean_accuracy"]["all"], summary["mean_accuracy"]["single"])
    summary["auto_minus_best_points"] = 100 * (summary["mean_accuracy"]["auto"] - best)
    if ds.name.split("#")[0] in PLANTED:
        truth = planted_labels(ds.name)
        aris, alone = [], []
        for groups in summary["groups_per_fold"]:
            found = np.empty(len(tasks), dtype=int)
            for k, group in enumerate(groups):
                found[[tasks.index(name) for name in group]] = k
            aris.append(adjusted_rand_score(truth, found))
            alone.append([tasks[-1]] in groups)
        summary["ari_per_fold"] = aris
        summary["noise_alone_per_fold"] = alone
    return summary


def report(summaries):
    rows = []
    for s in summaries:
        acc, cost = s["mean_accuracy"], s["cost_in_all_fits"]
        rows.append([
            s["dataset"], s["n_tasks"],
            *(f"{100 * acc[m]:.2f}" for m in MODES),
            f"{s['auto_minus_best_points']:+.2f}",
            f"{cost['auto']:.2f} (max {s['max_cost_auto']:.2f})", f"{cost['single']:.2f}",
            f"{np.mean(s['ari_per_fold']):.2f}" if "ari_per_fold" in s else "-",
            (f"{sum(s['noise_alone_per_fold'])}/{len(s['noise_alone_per_fold'])}"
             if "noise_alone_per_fold" in s else "-"),
        ])
    print(format_table(
        ["data set", "T", "auto %", "all %", "single %", "auto - best (pts)",
         "auto cost (all fits)", "single cost", "ARI", "noise alone"], rows))
    for s in summaries:
        print(f"\n{s['dataset']}: auto groups per fold")
        for groups in s["groups_per_fold"]:
            print("   ", " | ".join(", ".join(g) for g in groups))
        per_task = pd.DataFrame({m: 100 * np.asarray(v) for m, v in
                                 s["per_task_accuracy"].items()}, index=s["tasks"])
        print(per_task.round(2).to_string())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="subsampled data, fewer epochs and folds (a few minutes)")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="folds run in parallel (joblib); every fit uses one thread")
    parser.add_argument("--datasets", nargs="+", default=list(PLANTED) + list(LOADERS),
                        choices=list(PLANTED) + list(LOADERS))
    parser.add_argument("--folds", type=int, default=None, help="K of the K-fold split")
    parser.add_argument("--repeats", type=int, default=None,
                        help="repetitions of the K-fold split (reshuffled)")
    parser.add_argument("--draws", type=int, default=None,
                        help="synthetic data sets drawn per planted structure")
    parser.add_argument("--output", default=None, help="JSON path")
    args = parser.parse_args()
    n_folds = args.folds or (2 if args.quick else 5)
    n_repeats = args.repeats or (1 if args.quick else 2)
    data = list(datasets(args.datasets, args.quick, args.draws or (1 if args.quick else 3)))
    cv = RepeatedKFold(n_splits=n_folds, n_repeats=n_repeats, random_state=SEED)
    jobs = [(ds, fold, train, test) for ds in data
            for fold, (train, test) in enumerate(cv.split(ds.X))]
    start = time.perf_counter()
    results = Parallel(n_jobs=args.n_jobs)(
        delayed(run_fold)(ds, fold, train, test, args.quick) for ds, fold, train, test in jobs
    )
    summaries = [summarise(ds, [r for r in results if r["dataset"] == ds.name]) for ds in data]
    report(summaries)
    print(f"\nwall time {time.perf_counter() - start:.0f}s")
    name = "grouping_quick.json" if args.quick else "grouping.json"
    write_json(args.output or os.path.join(RESULTS, name),
               {"quick": args.quick, "n_folds": n_folds, "n_repeats": n_repeats,
                "results": summaries})


if __name__ == "__main__":
    main()
