"""One process of the data-parallel test (tests/test_distributed.py), run by
``python -m torch.distributed.run --nproc_per_node 2 tests/_distributed_worker.py OUT``
on the gloo backend: every process fits the same data; each writes what it
learned to OUT/rank<r>.json, and rank 0 pickles its model to OUT/model.pkl."""

import json
import os
import pickle
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from accelerate import Accelerator  # noqa: E402
from sklearn.base import clone  # noqa: E402

from sklearn_mtl import MultiTaskClassifier  # noqa: E402

PARAMS = dict(hidden_layer_sizes=(32,), max_epochs=40, batch_size=64, lr=3e-3,
              n_iter_no_change=5, weighting="dwa", random_state=0)
"""The fit compared with one process: early stopping (on by default), and a
strategy whose weights follow the epochs' per-task losses."""


def make_data(n=3000, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 8)).astype(np.float32)
    s = X[:, 0] + X[:, 1] - X[:, 2]
    Y = np.column_stack([s > 0, np.digitize(s + 0.5 * X[:, 3], [-1.0, 1.0]),
                         X[:, 4] * X[:, 5] > 0]).astype(int)
    return X, Y


def _checksum(clf):
    return float(sum(p.detach().double().sum() for p in clf.net_.module_.parameters()))


def main(out):
    torch.set_num_threads(1)
    accelerator = Accelerator(cpu=True)
    rank = accelerator.process_index
    X, Y = make_data()
    clf = MultiTaskClassifier(**PARAMS, accelerator=accelerator).fit(X[:2000], Y[:2000])
    history = clf.history_
    record = {
        "world_size": accelerator.num_processes,
        "n_iter": clf.n_iter_,
        "valid_loss": list(history[:, "valid_loss"]),
        "train_loss_tasks": [list(history[:, f"train_loss_{t}"]) for t in clf.task_names_],
        "task_weights": list(history[:, "task_weights"]),
        "train_batches": list(history[:, "train_batch_count"]),
        "checksum": _checksum(clf),
        "clone_keeps_accelerator": clone(clf).accelerator is accelerator,
    }
    # random_state=None: the processes agree on rank 0's seeds
    unseeded = MultiTaskClassifier(**dict(PARAMS, max_epochs=2, random_state=None),
                                   accelerator=accelerator).fit(X[:400], Y[:400])
    record["unseeded_checksum"] = _checksum(unseeded)
    try:
        MultiTaskClassifier(**dict(PARAMS, weighting="pcgrad"),
                            accelerator=accelerator).fit(X[:200], Y[:200])
    except ValueError as exc:
        record["pcgrad_refused"] = str(exc)
    with open(os.path.join(out, f"rank{rank}.json"), "w") as fh:
        json.dump(record, fh)
    if rank == 0:
        with open(os.path.join(out, "model.pkl"), "wb") as fh:
            pickle.dump(clf, fh)
    accelerator.wait_for_everyone()


if __name__ == "__main__":
    main(sys.argv[1])
