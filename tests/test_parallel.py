"""Scale-out: grid searches on a dask.distributed cluster through joblib, and
torch threads bounded in parallel workers."""

import os
import re
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from _estimators import ESTIMATORS, SMALL_NET, estimator_id, task_weights_key
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from skorch.callbacks import Callback

from sklearn_mtl import MultiTaskClassifier

ROOT = str(Path(__file__).resolve().parents[1])


def make_data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 0] + X[:, 1] > 0.3]).astype(int)
    return X, Y


@pytest.fixture(scope="module")
def client():
    """A two-worker dask cluster on the loopback interface, for this module."""
    distributed = pytest.importorskip("distributed")
    # the worker processes import sklearn_mtl from this checkout
    paths = [ROOT, os.environ.get("PYTHONPATH", "")]
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, worker_dashboard_address=None, silence_logs=40)
    with distributed.Client(cluster, timeout="60s") as dask_client:
        yield dask_client
    cluster.close(timeout=30)


def _grid(estimator, n_jobs):
    return GridSearchCV(
        clone(estimator),
        {task_weights_key(estimator): [None, [1.0, 0.2], [0.2, 1.0], [1.0, 0.0]]},
        cv=KFold(2, shuffle=True, random_state=0),
        n_jobs=n_jobs,
    )


@pytest.mark.slow
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=estimator_id)
def test_grid_search_on_dask_matches_sequential(estimator, client):
    from distributed import get_task_stream

    X, Y = make_data()
    sequential = _grid(estimator, n_jobs=1).fit(X, Y)
    with get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        distributed = _grid(estimator, n_jobs=-1).fit(X, Y)
    # the 4 x 2 fits ran as dask tasks (joblib may batch fast fits together)
    calls = [re.search(r"batch_of_\w*?_(\d+)_calls", task["key"]) for task in stream.data]
    assert sum(int(m.group(1)) if m else 1 for m in calls) >= 8
    np.testing.assert_array_equal(sequential.cv_results_["mean_test_score"],
                                  distributed.cv_results_["mean_test_score"])
    assert sequential.best_params_ == distributed.best_params_
    np.testing.assert_array_equal(sequential.predict(X), distributed.predict(X))


class RecordTorchThreads(Callback):
    """Record ``torch.get_num_threads()`` in the history at every epoch."""

    def on_epoch_begin(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())


def _threads_used(seed):
    X, Y = make_data(seed=seed)
    clf = MultiTaskClassifier(**dict(SMALL_NET, max_epochs=2, random_state=seed),
                              callbacks=[RecordTorchThreads()])
    return max(clf.fit(X, Y).history_[:, "torch_threads"])


@pytest.mark.slow
def test_torch_threads_bounded_in_loky_workers():
    n_jobs = 2
    used = joblib.Parallel(n_jobs=n_jobs, backend="loky")(
        joblib.delayed(_threads_used)(seed) for seed in range(2))
    assert max(used) <= max(joblib.cpu_count() // n_jobs, 1)


@pytest.mark.slow
def test_torch_threads_bounded_in_dask_workers(client):
    assert max(client.gather(client.map(_threads_used, [0, 1]))) == 1


def test_fit_follows_omp_num_threads_and_restores_torch(monkeypatch):
    previous = torch.get_num_threads()
    torch.set_num_threads(2)  # the suite runs one thread (conftest.py)
    try:
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        assert _threads_used(0) == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)
