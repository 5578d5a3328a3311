"""Issue 19's accuracy goal over replicates, applied to the net and to each peer.

Reads ``bench_tabular.py`` result files (one per replicate ``--seed S``; a
replicate may be split over several files holding different data sets) and,
for each data set and regime (a *cell*) and each learner, the gap in points
between the learner's accuracy (mean over tasks and folds) and the best of
the per-task peers it is judged against, replicate by replicate:

* the net (``net``) against the best of every peer (``PEERS``: HGB with
  early stopping, LGBM-TD, CatBoost), the goal of issue 19;
* each peer against the best of the *other* peers: the same goal, met by a
  peer on the cells where it is the best of them.

Printed: per cell, each learner's mean gap and its standard deviation over
the replicates; then, per learner, the cells whose mean gap is >= 0 and the
replicate-cells whose gap is >= 0, and its median fit time over the summed
per-task HGB fits of the same runs (indicative: the replicates ran beside
each other). If no learner, not even the best per-task one, is at or above
the others on every cell, the goal is beyond what these replicates resolve.

Usage::

    python benchmarks/peer_goal.py              # results/tabular_peers_*seed*.json
    python benchmarks/peer_goal.py run_s0.json run_s1.json --json goal.json
"""

import argparse
import glob
import json
import os
from collections import defaultdict

import numpy as np
from _common import RESULTS, write_json
from bench_tabular import DATASETS, GOAL_COST, NET, PEERS, REGIMES

DEFAULT_FILES = ("tabular_peers_seed*.json", "tabular_peers_heldout_seed*.json")


def replicates(paths):
    """``{(data set, regime): {seed: result}}`` from ``bench_tabular.py`` files;
    two files giving the same cell of the same seed are refused."""
    cells = defaultdict(dict)
    for path in paths:
        with open(path) as f:
            run = json.load(f)
        for name, regimes in run["datasets"].items():
            for regime, res in regimes.items():
                if run["seed"] in cells[name, regime]:
                    raise ValueError(f"{path}: {name} {regime} of seed {run['seed']} is "
                                     "already in another file")
                cells[name, regime][run["seed"]] = res
    return dict(cells)


def learner_gaps(res, learners):
    """Per learner, its accuracy minus the best of the peers it is judged
    against (the net: every peer; a peer: the others), in points."""
    acc = {m: 100 * float(np.mean(res["accuracy"][m])) for m in res["accuracy"]}
    peers = [m for m in PEERS if m in acc]
    return {m: acc[m] - max(acc[p] for p in peers if p != m) for m in learners}


def summary(cells):
    """Per cell and learner the gaps over the replicates; per learner the
    goal counts."""
    learners = None
    per_cell = {}
    order = {(n, r): (DATASETS.index(n) if n in DATASETS else len(DATASETS), n, REGIMES.index(r))
             for n, r in cells}
    for (name, regime), seeds in sorted(cells.items(), key=lambda item: order[item[0]]):
        present = set.intersection(*(set(r["accuracy"]) for r in seeds.values()))
        judged = [m for m in (NET, *PEERS) if m in present]
        if sum(m in present for m in PEERS) < 2:
            continue  # a peer needs another to be judged against
        learners = judged if learners is None else [m for m in learners if m in judged]
        gaps = [learner_gaps(seeds[s], judged) for s in sorted(seeds)]
        cost = {m: float(np.median([seeds[s]["fit_vs_hgb"][m] for s in sorted(seeds)]))
                for m in judged if all("fit_vs_hgb" in r and m in r["fit_vs_hgb"]
                                       for r in seeds.values())}
        per_cell[f"{name} {regime}"] = {
            "replicates": len(gaps),
            "gaps": {m: [g[m] for g in gaps] for m in judged},
            "fit_vs_hgb": cost}
    totals = {}
    for m in learners or []:
        gaps = [c["gaps"][m] for c in per_cell.values()]
        costs = [c["fit_vs_hgb"][m] for c in per_cell.values() if m in c["fit_vs_hgb"]]
        totals[m] = {"cells": len(gaps),
                     "cells_at_or_above": int(sum(np.mean(g) >= 0 for g in gaps)),
                     "replicate_cells": int(sum(len(g) for g in gaps)),
                     "replicate_cells_at_or_above": int(sum(x >= 0 for g in gaps for x in g)),
                     "cells_fit_at_most_1_5x_hgb": int(sum(c <= GOAL_COST for c in costs)),
                     "cells_timed": len(costs)}
    return {"learners": learners or [], "cells": per_cell, "totals": totals}


def report(figures):
    learners = figures["learners"]
    lines = ["gap to the best of the peers it is judged against (the net: all of "
             f"{', '.join(PEERS)}; a peer: the others), points, mean (sd) over replicates", "",
             f"{'cell':20s} {'reps':>4s}  " + "  ".join(f"{m[:14]:>16s}" for m in learners)]
    for cell, c in figures["cells"].items():
        lines.append(f"{cell:20s} {c['replicates']:4d}  " + "  ".join(
            f"{np.mean(c['gaps'][m]):+7.2f} ({np.std(c['gaps'][m], ddof=1) if len(c['gaps'][m]) > 1 else 0:4.2f})"
            for m in learners))
    lines.append("")
    for m, t in figures["totals"].items():
        lines.append(
            f"{m:15s} at or above on {t['cells_at_or_above']:2d} of {t['cells']} cells "
            f"({t['replicate_cells_at_or_above']} of {t['replicate_cells']} replicate-cells); "
            f"fit <= {GOAL_COST}x per-task HGB on {t['cells_fit_at_most_1_5x_hgb']} of "
            f"{t['cells_timed']} cells (median over replicates)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="bench_tabular.py JSON files (default: "
                        + ", ".join(f"results/{p}" for p in DEFAULT_FILES) + ")")
    parser.add_argument("--json", help="where to write the figures")
    args = parser.parse_args(argv)
    paths = args.files or sorted(p for pattern in DEFAULT_FILES
                                 for p in glob.glob(os.path.join(RESULTS, pattern)))
    if not paths:
        parser.error("no bench_tabular.py result files given or found")
    figures = summary(replicates(paths))
    print(report(figures))
    if args.json:
        write_json(args.json, {"files": [os.path.basename(p) for p in paths], **figures})
    return figures


if __name__ == "__main__":
    main()
