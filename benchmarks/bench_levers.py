"""Levers for the default MultiTaskClassifier: paired replicates, by group of data sets.

Each lever (a dict of ``MultiTaskClassifier`` parameters) and the default
are fitted with the protocol of ``bench_tabular.py`` (the net alone, each
model in its scaling Pipeline; the seeded row sample, 20 % label mask,
folds and model seeds of replicate ``seed``) on every data set, both
regimes (all labels, 20 %) and every fold, for ``--replicates``
independent replicates (seeds 0, 1, ...). Replicate 0 reproduces
``bench_tabular.py``'s figures for the net.

A lever's figure for a cell (data set and regime) is its mean accuracy over
tasks and folds minus the default's in the same replicate, in points,
averaged over the replicates (paired: the same rows, masks and folds). The
data sets come in three groups, so that a lever is chosen on some and
confirmed on others (issue 19):

* ``pick``: where a lever is looked for (by default yeast and digits, the
  sets where the default trailed CatBoost in every replicate);
* ``confirm``: the other sets that earlier rounds chose defaults on;
* ``held-out``: sets no default was chosen on (NMES1988, DoctorVisits).

Printed per lever and group: the mean over the group's cells, the worst
cell and the count of cells below ``-threshold`` (the adoption rule: a
lever must help on the pick and the confirm sets and lose no more than
~0.3 points on any cell), the fit time and the epochs over the default's
(summed over every fit; only meaningful on a quiet machine), then each
lever's cells. A seed change of the network alone (``random_state``,
another lever in effect) moves single cells by up to ~1.7 points over
three replicates: use ten.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_levers.py \\
        --levers '{"plain MLP": {"num_embeddings": null}, "dropout 0.2": {"dropout": 0.2}}'
    OMP_NUM_THREADS=1 python benchmarks/bench_levers.py --replicates 3 --rows 4000 \\
        --pick --confirm wage hmda digits yeast cps1988 --levers '{"plain MLP": {"num_embeddings": null}}'
"""

import argparse
import json
import os

import numpy as np
from _common import RESULTS, write_json
from _datasets import load
from bench_tabular import REGIMES, run_job, warm_up
from joblib import Parallel, delayed

GROUPS = {
    "pick": ["yeast", "digits"],
    "confirm": ["penguins", "wage", "cps1985", "hmda", "cps1988"],
    "held-out": ["nmes1988", "doctorvisits"],
}
DEFAULT_LEVERS = {"plain MLP": {"num_embeddings": None}, "dropout 0.2": {"dropout": 0.2}}
BASE = "default"


def _fits(groups, levers, replicates, rows, n_splits):
    """Every (lever or the default, replicate, data set, regime, fold) fit."""
    for seed in range(replicates):
        for name in (n for names in groups.values() for n in names):
            for regime in REGIMES:
                for fold in range(n_splits):
                    for lever, params in levers.items():
                        yield (lever, seed, name, regime, fold), delayed(run_job)(
                            name, regime, n_splits, fold, "net", None, params, rows, seed)


def run(groups, levers, replicates=10, rows=800, n_splits=3, n_jobs=1):
    """``{lever: {seed: {data set: {regime: {"accuracy", "fit_s", "epochs"}}}}}``:
    the mean accuracy over tasks and folds (points), the summed fit seconds
    and epochs of the folds, for the default (``BASE``) and each lever."""
    levers = {BASE: {}, **levers}
    keys, calls = zip(*_fits(groups, levers, replicates, rows, n_splits))
    records = Parallel(n_jobs=n_jobs)(calls)
    folds = {}
    for (lever, seed, name, regime, _), record in zip(keys, records):
        folds.setdefault((lever, seed, name, regime), []).append(record)
    out = {}
    for (lever, seed, name, regime), recs in folds.items():
        out.setdefault(lever, {}).setdefault(str(seed), {}).setdefault(name, {})[regime] = {
            "accuracy": float(100 * np.mean([np.mean(list(r["accuracy"].values())) for r in recs])),
            "fit_s": float(sum(r["fit_s"] for r in recs)),
            "epochs": int(sum(r["n_iter"] for r in recs)),
        }
    return out


def cell_gaps(results, lever, groups):
    """``{group: {(data set, regime): lever - default}}``, in points,
    averaged over the replicates."""
    gaps = {}
    for group, names in groups.items():
        for name in names:
            # the replicates both ran (a lever may have been screened on some
            # groups only)
            seeds = [s for s in results[BASE] if name in results[lever].get(s, {})]
            for regime in REGIMES if seeds else ():
                gaps.setdefault(group, {})[(name, regime)] = float(np.mean(
                    [results[lever][s][name][regime]["accuracy"]
                     - results[BASE][s][name][regime]["accuracy"] for s in seeds]))
    return gaps


def _ratio(results, lever, key):
    """The lever's summed ``key`` over the default's, on the fits both made."""
    cells = [(s, name) for s, sets in results[lever].items() for name in sets]

    def total(which):
        return sum(c[key] for s, name in cells for c in results[which][s][name].values())
    return total(lever) / total(BASE)


def summary(results, groups, threshold=0.3):
    """The markdown tables: per lever and group, then per cell."""
    levers = [lever for lever in results if lever != BASE]
    lines = ["| lever | " + " | ".join(f"{g}: mean / worst / cells < -{threshold}"
                                       for g in groups) + " | fit time | epochs |",
             "| --- |" + " --- |" * len(groups) + " ---: | ---: |"]
    for lever in levers:
        gaps = cell_gaps(results, lever, groups)
        cells = [f"{np.mean(list(g.values())):+.2f} / {min(g.values()):+.2f} / "
                 f"{sum(v < -threshold for v in g.values())} of {len(g)}" if g else ""
                 for g in (gaps.get(group, {}) for group in groups)]
        lines.append(f"| {lever} | " + " | ".join(cells)
                     + f" | {_ratio(results, lever, 'fit_s'):.2f}x"
                     f" | {_ratio(results, lever, 'epochs'):.2f}x |")
    names = [(n, r) for ns in groups.values() for n in ns for r in REGIMES]
    lines += ["", "| lever | " + " | ".join(f"{n} {r}" for n, r in names) + " |",
              "| --- |" + " ---: |" * len(names)]
    first = next(iter(results[BASE].values()))
    lines.append(f"| {BASE} (accuracy, replicate 0) | "
                 + " | ".join(f"{first[n][r]['accuracy']:.2f}" if n in first else ""
                              for n, r in names) + " |")
    for lever in levers:
        gaps = {k: v for g in cell_gaps(results, lever, groups).values() for k, v in g.items()}
        lines.append(f"| {lever} | " + " | ".join(f"{gaps[k]:+.2f}" if k in gaps else ""
                                                  for k in names) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levers", type=json.loads, default=DEFAULT_LEVERS,
                        help="JSON object: a name for each lever and its MultiTaskClassifier "
                             "parameters")
    for group, names in GROUPS.items():
        parser.add_argument(f"--{group}", nargs="*", default=names,
                            help=f"data sets of the {group} group (default: {' '.join(names)})")
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--rows", type=int, default=800)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--threshold", type=float, default=0.3)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--json", default=os.path.join(RESULTS, "levers.json"))
    args = parser.parse_args(argv)
    if not (isinstance(args.levers, dict) and args.levers
            and all(isinstance(p, dict) for p in args.levers.values())):
        parser.error("--levers must be a non-empty JSON object of {name: {parameter: value}}; "
                     f"got {args.levers!r}")
    if BASE in args.levers:
        parser.error(f"--levers: {BASE!r} names the default itself; rename that lever")
    groups = {g: getattr(args, g.replace("-", "_")) for g in GROUPS}
    groups = {g: names for g, names in groups.items() if names}
    for name in (n for names in groups.values() for n in names):
        load(name)  # an unknown name fails here, before any fit
    if args.n_jobs == 1:
        warm_up()
    results = run(groups, args.levers, args.replicates, args.rows, args.folds, args.n_jobs)
    report = summary(results, groups, args.threshold)
    print(report)
    write_json(args.json, {"levers": {BASE: {}, **args.levers}, "groups": groups,
                           "replicates": args.replicates, "rows": args.rows,
                           "folds": args.folds, "results": results})
    return results


if __name__ == "__main__":
    import bench_levers  # run as a module, so that parallel workers import its jobs

    bench_levers.main()
