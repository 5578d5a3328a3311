"""Wall time of a 12-candidate GridSearchCV over ``task_weights``:
sequential versus on a dask.distributed LocalCluster through joblib.

    python benchmarks/bench_search.py            # full run
    python benchmarks/bench_search.py --quick    # a smoke run
    python benchmarks/bench_search.py --workers 4

Needs ``dask[distributed]``. The cluster's workers are started and have
imported torch and sklearn_mtl before the clock starts, so the ratio measures
the search, not process start-up. Both searches use the same seeds; the
script checks that their scores are identical.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import GridSearchCV, KFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn_mtl import MultiTaskClassifier  # noqa: E402

WEIGHTS = [None, [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 0.5, 0.5], [0.5, 1, 0.5],
           [0.5, 0.5, 1], [2, 1, 1], [1, 2, 1], [1, 1, 2], [1, 0.1, 0.1], [0.1, 1, 1]]


def make_data(n, n_features=20, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    s = X[:, :3].sum(axis=1)
    Y = np.column_stack([s > 0, (X[:, 3] + s) > 0.5, np.digitize(X[:, 4] - s, [-1, 0, 1])])
    return X, Y.astype(int)


def search(X, Y, args, n_jobs):
    estimator = MultiTaskClassifier(hidden_layer_sizes=(args.hidden,), max_epochs=args.epochs,
                                    lr=0.01, batch_size=128, random_state=0)
    grid = GridSearchCV(estimator, {"task_weights": WEIGHTS},
                        cv=KFold(3, shuffle=True, random_state=0), n_jobs=n_jobs)
    start = time.perf_counter()
    grid.fit(X, Y)
    return time.perf_counter() - start, grid.cv_results_["mean_test_score"]


def _warm_worker():
    """Import and run everything a fit needs once; return torch's thread count."""
    import torch

    X, Y = make_data(50, seed=1)
    MultiTaskClassifier(hidden_layer_sizes=(4,), max_epochs=1).fit(X, Y)
    return torch.get_num_threads()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, few epochs")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.n = 600 if args.quick else 3000
    args.epochs = 3 if args.quick else 20
    args.hidden = 32 if args.quick else 64
    X, Y = make_data(args.n)

    from distributed import Client, LocalCluster

    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None, silence_logs=40) as cluster, \
            Client(cluster) as client:
        threads = client.run(_warm_worker)
        t_seq, scores_seq = search(X, Y, args, n_jobs=1)
        with joblib.parallel_backend("dask"):
            t_dask, scores_dask = search(X, Y, args, n_jobs=-1)

    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}")
    print(f"data: n={args.n}, 20 features, 3 tasks; MLP ({args.hidden},), "
          f"{args.epochs} epochs; 12 candidates x 3 folds = 36 fits")
    print(f"dask workers: {args.workers} x 1 thread (torch threads per worker: "
          f"{sorted(threads.values())})")
    print(f"sequential: {t_seq:.1f} s (torch threads in this process: "
          f"{_warm_worker()})")
    print(f"dask:       {t_dask:.1f} s")
    print(f"speed-up:   {t_seq / t_dask:.2f}x")
    print(f"identical mean_test_score: {np.array_equal(scores_seq, scores_dask)}")


if __name__ == "__main__":
    main()
