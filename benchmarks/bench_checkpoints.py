"""Which epoch to keep: early stopping's choice against per-task choices and weight averages.

The default ``MultiTaskClassifier`` stops when the validation loss summed
over the tasks (``sum_j w_j * L_j``) has not improved for
``n_iter_no_change`` epochs and keeps the best epoch's weights. On the 20 %
cells the validation rows hold ~10 labels per task, and a task that is
still improving can be cut off when the others overfit (issue 19). This
script measures the alternatives that need no change to the training
itself, emulated exactly from one longer run per fold: the network is
trained with a patience of ``--window`` epochs (the same run as the
default's up to the default's stop: the same rows, seeds and steps) and its
weights are kept at every epoch. Rules, each task scored as in
``bench_tabular.py`` (its test rows labelled for it):

* ``default``: the summed loss, the default's patience, its best epoch (it
  reproduces the default fit);
* ``per-task best``: each task predicted by the weights of the epoch where
  its own validation loss was lowest, within the default's run (no more
  training);
* ``per-task stop``: each task stops on its own validation loss with the
  default's patience; the run lasts until the last task stops (the epochs
  ratio says how much longer);
* ``average after best``, ``average best +-2``, ``average best +-5``: the
  uniform average of the weights of those epochs of the default's run
  (checkpoint averaging);
* ``best error``: the epoch of the default's run with the lowest validation
  error (mean over the tasks of each task's error rate on its labelled
  validation rows; the first of equals), as RealMLP-TD chooses its epoch;
* ``stop on error``: early stopping on that error instead of the loss (the
  default's patience, any decrease an improvement).

Printed per rule: its accuracy minus the default's, in points, averaged over
the replicates, by group of data sets (``bench_levers.py``'s groups), then
cell by cell.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_checkpoints.py --replicates 3 --n-jobs 2
"""

import argparse

import numpy as np
import torch
from _common import RESULTS, write_json
from bench_levers import GROUPS
from bench_tabular import REGIMES, labelled_data, single_threaded, warm_up
from joblib import Parallel, delayed
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback
from skorch.dataset import unpack_data

from sklearn_mtl import MultiTaskClassifier

RULES = ("default", "per-task best", "per-task stop", "average after best",
         "average best +-2", "average best +-5", "best error", "stop on error")


class _EveryEpoch(Callback):
    """Keeps a copy of the module's weights at the end of every epoch, and
    each task's error rate on the validation rows labelled for it."""

    def initialize(self):
        self.states_, self.errors_ = [], []
        return self

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        self.states_.append({k: v.detach().clone() for k, v in net.module_.state_dict().items()})
        wrong = labelled = 0
        with torch.no_grad():  # the module is in eval mode after the validation epoch
            for batch in net.get_iterator(dataset_valid, training=False):
                Xi, yi = unpack_data(batch)
                y = torch.as_tensor(yi).long()
                predicted = net.infer(Xi).argmax(dim=-1)
                wrong = wrong + ((predicted != y) & (y >= 0)).sum(dim=0)
                labelled = labelled + (y >= 0).sum(dim=0)
        labelled = labelled.numpy()
        self.errors_.append(np.where(labelled > 0, wrong.numpy() / np.maximum(labelled, 1),
                                     np.nan))


def stop_rule(losses, patience, tol):
    """``(stop, best)`` epochs (0-based) of early stopping on ``losses``: the
    first epoch ``patience`` epochs after the last improvement by more than
    ``tol`` (``BestEpochStopping``'s rule), or the last epoch."""
    best, best_epoch = np.inf, 0
    for epoch, loss in enumerate(losses):
        if loss < best - tol:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(losses) - 1, best_epoch


def run_fold(name, regime, seed, fold, rows=800, n_splits=3, window=60):
    """Per rule, the test accuracy per task of one fold, and the epochs the
    rule trains."""
    single_threaded()
    dataset, Y = labelled_data(name, regime, rows, seed)
    train, test = list(KFold(n_splits, shuffle=True, random_state=seed).split(dataset.X))[fold]
    default = MultiTaskClassifier(random_state=seed)
    patience, tol = default.n_iter_no_change, default.tol
    net = default.set_params(n_iter_no_change=window, callbacks=[("every_epoch", _EveryEpoch())])
    pipeline = make_pipeline(dataset.preprocessor(scale=True), net)
    pipeline.fit(dataset.X.iloc[train], Y.iloc[train])
    every_epoch = dict(net.net_.callbacks_)["every_epoch"]
    states = every_epoch.states_
    error = np.nanmean(np.array(every_epoch.errors_), axis=1)
    tasks = list(Y.columns)
    history = net.history_
    summed = np.array([e["valid_loss"] for e in history])
    per_task = np.array([[e.get(f"valid_loss_{t}", np.nan) for t in tasks] for e in history])
    X_test = pipeline[:-1].transform(dataset.X.iloc[test])
    truth = Y.iloc[test]

    def predict(state):
        net.net_.module_.load_state_dict(state)
        return np.asarray(net.predict(X_test)).reshape(len(test), -1)

    def accuracy(predictions):  # predictions per task
        out = []
        for j, t in enumerate(tasks):
            scored = truth[t].notna().to_numpy()
            out.append(float(np.mean(predictions[j][scored, j].astype(str)
                                     == truth[t][scored].astype(str).to_numpy())))
        return out

    def averaged(lo, hi):
        return {k: torch.stack([states[e][k].double() for e in range(lo, hi + 1)])
                .mean(0).to(states[0][k].dtype) for k in states[0]}

    stop, best = stop_rule(summed, patience, tol)
    cache = {}

    def at(epoch):
        if epoch not in cache:
            cache[epoch] = predict(states[epoch])
        return cache[epoch]

    own = [stop_rule(np.nan_to_num(per_task[:, j], nan=np.inf), patience, tol)
           if np.isfinite(per_task[:, j]).any() else (stop, best) for j in range(len(tasks))]
    best_within = [int(np.nanargmin(per_task[:stop + 1, j]))
                   if np.isfinite(per_task[:stop + 1, j]).any() else best
                   for j in range(len(tasks))]
    figures = {
        "default": (accuracy([at(best)] * len(tasks)), stop + 1),
        "per-task best": (accuracy([at(e) for e in best_within]), stop + 1),
        "per-task stop": (accuracy([at(b) for _, b in own]), max(s for s, _ in own) + 1),
    }
    error_stop, error_best = stop_rule(error, patience, 0.0)
    figures["best error"] = (accuracy([at(int(np.argmin(error[:stop + 1])))] * len(tasks)),
                             stop + 1)
    figures["stop on error"] = (accuracy([at(error_best)] * len(tasks)), error_stop + 1)
    for rule, (lo, hi) in (("average after best", (best, stop)),
                           ("average best +-2", (best - 2, best + 2)),
                           ("average best +-5", (best - 5, best + 5))):
        figures[rule] = (accuracy([predict(averaged(max(lo, 0), min(hi, stop)))] * len(tasks)),
                         stop + 1)
    truncated = any(s == len(history) - 1 for s, _ in own)  # a task still improving at the end
    return {"tasks": tasks, "accuracy": {r: a for r, (a, _) in figures.items()},
            "epochs": {r: e for r, (_, e) in figures.items()},
            "run_epochs": len(history), "per_task_stop_truncated": bool(truncated)}


def run(groups, replicates=3, rows=800, n_splits=3, window=60, n_jobs=1):
    """``{seed: {data set: {regime: [fold results]}}}``."""
    cells = [(s, name, regime, fold) for s in range(replicates) for names in groups.values()
             for name in names for regime in REGIMES for fold in range(n_splits)]
    done = Parallel(n_jobs=n_jobs)(delayed(run_fold)(name, regime, s, fold, rows, n_splits,
                                                     window)
                                   for s, name, regime, fold in cells)
    results = {}
    for (s, name, regime, _), r in zip(cells, done):
        results.setdefault(str(s), {}).setdefault(name, {}).setdefault(regime, []).append(r)
    return results


def cell_gaps(results):
    """Per rule and cell, the rule's accuracy (mean over tasks and folds)
    minus the default's, in points, per replicate; and its epochs ratio."""
    gaps, epochs = {}, {}
    for seed in results.values():
        for name, regimes in seed.items():
            for regime, folds in regimes.items():
                base = np.mean([np.mean(f["accuracy"]["default"]) for f in folds])
                base_epochs = sum(f["epochs"]["default"] for f in folds)
                for rule in RULES:
                    acc = np.mean([np.mean(f["accuracy"][rule]) for f in folds])
                    gaps.setdefault(rule, {}).setdefault((name, regime), []).append(
                        100 * (acc - base))
                    epochs.setdefault(rule, {}).setdefault((name, regime), []).append(
                        sum(f["epochs"][rule] for f in folds) / base_epochs)
    return gaps, epochs


def summary(results, groups):
    gaps, epochs = cell_gaps(results)
    lines = ["| rule | " + " | ".join(groups) + " | worst cell | epochs ratio |",
             "| --- |" + " ---: |" * (len(groups) + 2)]
    for rule in RULES[1:]:
        by_group = []
        for names in groups.values():
            cells = [np.mean(g) for (n, _), g in gaps[rule].items() if n in names]
            by_group.append(f"{np.mean(cells):+.2f}" if cells else "")
        worst = min(gaps[rule].items(), key=lambda item: np.mean(item[1]))
        ratio = np.mean([np.mean(e) for e in epochs[rule].values()])
        lines.append(f"| {rule} | " + " | ".join(by_group)
                     + f" | {np.mean(worst[1]):+.2f} ({' '.join(worst[0])}) | {ratio:.2f} |")
    lines += ["", "| cell | " + " | ".join(RULES[1:]) + " |",
              "| --- |" + " ---: |" * (len(RULES) - 1)]
    for cell in gaps["default"]:
        lines.append(f"| {' '.join(cell)} | "
                     + " | ".join(f"{np.mean(gaps[r][cell]):+.2f}" for r in RULES[1:]) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for group, names in GROUPS.items():
        parser.add_argument(f"--{group}", nargs="*", default=names, metavar="SET",
                            help=f"the {group} sets (default: {' '.join(names)})")
    parser.add_argument("--replicates", type=int, default=3)
    parser.add_argument("--rows", type=int, default=800)
    parser.add_argument("--window", type=int, default=60,
                        help="the patience of the long run the rules are read from")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--json", default=f"{RESULTS}/checkpoints19.json")
    args = parser.parse_args(argv)
    groups = {g: getattr(args, g.replace("-", "_")) for g in GROUPS}
    groups = {g: names for g, names in groups.items() if names}
    warm_up()
    results = run(groups, args.replicates, args.rows, window=args.window, n_jobs=args.n_jobs)
    print(summary(results, groups))
    write_json(args.json, {"groups": groups, "replicates": args.replicates, "rows": args.rows,
                           "window": args.window, "results": results})
    return results


if __name__ == "__main__":
    main()
