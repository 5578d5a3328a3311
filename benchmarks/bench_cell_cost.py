"""The net's fit time over per-task HGB, cell by cell, in one warm process.

For each data set and regime of ``bench_tabular.py`` (the same seeded rows,
20 % label mask and first fold), the default ``MultiTaskClassifier`` is
fitted on the preprocessed training rows, then one
``HistGradientBoostingClassifier`` per task on the rows labelled for it;
the figure is the median over ``--repeats`` of the paired ratios. Both
fit the same already-preprocessed rows, so the ratio is the learners' own
cost, without ``bench_tabular.py``'s pipelines and job overhead; run it on
two commits back to back to compare them (issue 19's cost steps).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_cell_cost.py            # 9 sets x 2 regimes, ~2 min
    OMP_NUM_THREADS=1 python benchmarks/bench_cell_cost.py --net-params '{"lr": 0.002}'
"""

import argparse
import json
import statistics
import time

from _common import SEED, single_threaded, write_json
from bench_tabular import DATASETS, REGIMES, labelled_data, warm_up
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import KFold

from sklearn_mtl import MultiTaskClassifier


def cell_cost(name, regime, rows=800, repeats=3, net_params=None, seed=SEED):
    """``(net fit / summed per-task HGB fit, net epochs)`` on the first of
    3 folds of one cell, the median ratio over ``repeats`` paired fits."""
    dataset, Y = labelled_data(name, regime, rows, seed)
    train, _ = next(KFold(3, shuffle=True, random_state=seed).split(dataset.X))
    X_train = dataset.preprocessor(scale=True).fit_transform(dataset.X.iloc[train])
    Y_train = Y.iloc[train]
    ratios = []
    for _ in range(repeats):
        start = time.perf_counter()
        net = MultiTaskClassifier(random_state=seed, **(net_params or {})).fit(X_train, Y_train)
        net_s = time.perf_counter() - start
        hgb_s = 0.0
        for task in Y_train.columns:
            labelled = Y_train[task].notna().to_numpy()
            start = time.perf_counter()
            HistGradientBoostingClassifier(random_state=seed).fit(
                X_train[labelled], Y_train[task][labelled].astype(str))
            hgb_s += time.perf_counter() - start
        ratios.append(net_s / hgb_s)
    return statistics.median(ratios), int(net.n_iter_)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=DATASETS)
    parser.add_argument("--rows", type=int, default=800)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--net-params", type=json.loads, default={})
    parser.add_argument("--json", help="where to write the figures")
    args = parser.parse_args(argv)
    single_threaded()
    warm_up()
    figures = {}
    for name in args.datasets:
        for regime in REGIMES:
            ratio, epochs = cell_cost(name, regime, args.rows, args.repeats, args.net_params)
            figures[f"{name} {regime}"] = {"net_fit_over_hgb": ratio, "net_epochs": epochs}
            print(f"{name:9s} {regime:4s} epochs {epochs:3d}  net fit / per-task HGB {ratio:.2f}x",
                  flush=True)
    if args.json:
        write_json(args.json, {"rows": args.rows, "repeats": args.repeats,
                               "net_params": args.net_params, "cells": figures})
    return figures


if __name__ == "__main__":
    main()
