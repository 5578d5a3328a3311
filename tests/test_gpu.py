"""device="cuda": the whole network (numeric embeddings and their bins, the
trunk, the task heads) trains and predicts on the GPU; mixed precision
through the accelerator. Skipped where no GPU exists; a GPU machine runs
them through benchmarks/device_check.sh."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from _estimators import SMALL_NET

from sklearn_mtl import MultiTaskClassifier, MultiTaskRegressor

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.fixture(scope="module")
def on_gpu(tasks):
    X, Y = tasks
    return MultiTaskClassifier(**dict(SMALL_NET, max_epochs=20), device="cuda").fit(X, Y)


def test_whole_network_on_the_gpu(on_gpu):
    module = on_gpu.net_.module_
    tensors = dict(module.named_parameters()) | dict(module.named_buffers())
    assert tensors and all(t.device.type == "cuda" for t in tensors.values()), [
        name for name, t in tensors.items() if t.device.type != "cuda"]
    # the numeric embeddings (the default) are among them, bins included
    assert any("embeddings" in name for name in tensors)


def test_gpu_model_predicts_and_learns(on_gpu, tasks):
    X, Y = tasks
    proba = on_gpu.predict_proba(X)
    assert all(p.dtype == np.float32 and np.allclose(p.sum(axis=1), 1, atol=1e-5)
               for p in proba)
    assert on_gpu.score(X, Y) > 0.7


def test_gpu_model_predicts_over_dask_as_in_memory(on_gpu, tasks):
    da = pytest.importorskip("dask.array")
    X, _ = tasks
    got = on_gpu.predict(da.from_array(X, chunks=(100, 6))).compute()
    np.testing.assert_array_equal(got, on_gpu.predict(X))


def test_regressor_on_the_gpu():
    from _estimators import REGRESSION_NET, make_regression_tasks

    X, Y = make_regression_tasks()
    reg = MultiTaskRegressor(**REGRESSION_NET, device="cuda").fit(X, Y)
    assert next(reg.net_.module_.parameters()).device.type == "cuda"
    assert np.isfinite(reg.predict(X)).all()


def test_bf16_through_the_accelerator():
    pytest.importorskip("accelerate")
    script = Path(__file__).with_name("_precision_check.py")
    run = subprocess.run([sys.executable, str(script), "cuda"], capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["torch.bfloat16", "torch.float32", "float32"]
