"""Data-parallel training through accelerate (sklearn_mtl/_neural/_distributed.py):
two CPU processes on the gloo backend, launched by torch.distributed.run,
agree on everything and match a one-process fit; rank 0's model pickles and
predicts here, in a plain process."""

import json
import os
import pickle
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _distributed_worker import PARAMS, make_data
from sklearn.base import clone

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl._neural._distributed import DataParallel

pytest.importorskip("accelerate")
TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(TESTS.parent))
    with socket.socket() as probe:  # a free port for the rendezvous
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
               "--master_addr", "127.0.0.1", "--master_port", str(port),
               str(TESTS / "_distributed_worker.py"), str(out)]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300,
                         check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    ranks = [json.loads((out / f"rank{r}.json").read_text()) for r in (0, 1)]
    with open(out / "model.pkl", "rb") as fh:
        model = pickle.load(fh)
    return ranks, model


@pytest.fixture(scope="module")
def one_process():
    X, Y = make_data()
    return MultiTaskClassifier(**PARAMS).fit(X[:2000], Y[:2000])


@pytest.mark.slow
def test_ranks_agree(two_processes):
    (rank0, rank1), _ = two_processes
    assert rank0["world_size"] == rank1["world_size"] == 2
    for key in ("n_iter", "valid_loss", "train_loss_tasks", "task_weights", "checksum",
                "unseeded_checksum"):
        assert rank0[key] == rank1[key], key
    # dwa's weights moved with the pooled per-task losses: the same on both ranks
    assert rank0["task_weights"][-1] != [1.0, 1.0, 1.0]


@pytest.mark.slow
def test_each_process_trains_on_its_share(two_processes, one_process):
    (rank0, _), _ = two_processes
    # 1,800 training rows, batches of 64: 29 per epoch alone, 15 on each of two
    assert set(one_process.history_[:, "train_batch_count"]) == {29}
    assert set(rank0["train_batches"]) == {15}


@pytest.mark.slow
def test_accuracy_level_with_one_process(two_processes, one_process):
    _, model = two_processes
    X, Y = make_data()
    one = one_process
    assert model.accelerator is None  # the pickle holds a plain model
    two_score, one_score = model.score(X[2000:], Y[2000:]), one.score(X[2000:], Y[2000:])
    assert two_score > 0.9
    assert abs(two_score - one_score) <= 0.01
    # it predicts and keeps training in this single process
    again = clone(model).set_params(max_epochs=2)
    assert again.fit(X[:500], Y[:500]).predict(X[:3]).shape == (3, 3)


@pytest.mark.slow
def test_per_task_gradient_strategies_refused(two_processes):
    (rank0, _), _ = two_processes
    assert "combines per-task gradients" in rank0["pcgrad_refused"]
    assert "2 processes" in rank0["pcgrad_refused"]


class _TwoProcesses:
    """What DataParallel reads of an Accelerator, for the checks that come
    before any communication."""

    num_processes, process_index, device = 2, 1, "cpu"

    def wait_for_everyone(self):  # the parameter's constraint asks for it
        pass


@pytest.mark.parametrize("weighting", ["gradnorm", "pcgrad", "mgda"])
def test_refusal_comes_before_any_communication(weighting):
    X, Y = make_data(100)
    clf = MultiTaskClassifier(**dict(PARAMS, weighting=weighting), accelerator=_TwoProcesses())
    with pytest.raises(ValueError, match="over 2 processes"):
        clf.fit(X, Y)


def test_shares_and_device():
    parallel = DataParallel(_TwoProcesses())
    assert parallel.distributed and str(parallel.device) == "cpu"
    params = parallel.net_params({"callbacks": []})
    assert params["iterator_train__shard"] == (1, 2)
    assert [name for name, _ in params["callbacks"]] == ["rank_sync"]


def test_shard_of_the_epoch_permutation():
    import torch

    from sklearn_mtl._neural._feed import BatchIterator, TensorDataset

    data = TensorDataset(torch.arange(11.0)[:, None], torch.zeros(11, 1, dtype=torch.long))
    rows = []
    for rank in (0, 1):
        iterator = BatchIterator(data, batch_size=2, shuffle=True, shard=(rank, 2))
        iterator.reseed(3)
        rows.append(torch.cat([X[:, 0] for X, _ in iterator]).long().tolist())
    assert len(rows[0]) == len(rows[1]) == 5  # equal shares, one row left out
    assert not set(rows[0]) & set(rows[1])


def test_dask_fit_refuses_an_accelerator():
    da = pytest.importorskip("dask.array")
    X, Y = make_data(100)
    clf = MultiTaskClassifier(**PARAMS, accelerator=_TwoProcesses())
    with pytest.raises(ValueError, match="does not combine with accelerator"):
        clf.fit(da.from_array(X, chunks=50), da.from_array(Y, chunks=50))


def test_unpickled_model_has_no_accelerator():
    X, Y = make_data(100)
    clf = MultiTaskClassifier(**dict(PARAMS, max_epochs=1), accelerator=_TwoProcesses())
    clf.set_params(accelerator=None).fit(X, Y).set_params(accelerator=_TwoProcesses())
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.accelerator is None
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))


@pytest.mark.slow
def test_bf16_mixed_precision_through_the_accelerator():
    """The accelerator's autocast runs the training passes in bfloat16 (here
    on CPU); parameters and predictions stay float32."""
    run = subprocess.run([sys.executable, str(TESTS / "_precision_check.py"), "cpu"],
                         capture_output=True, text=True, timeout=300, check=False,
                         env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["torch.bfloat16", "torch.float32", "float32"]
