"""GPU-only check: a MultiTaskClassifier fitted with device="cuda" and
pickled loads on a CPU-only process and predicts the same probabilities.

    python benchmarks/check_gpu_persistence.py

Run it on a machine with CUDA (the test suite simulates this path on CPU in
tests/test_persistence.py). Exits non-zero on a mismatch.
"""

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOAD_ON_CPU = """
import pickle, sys, warnings
import numpy as np, torch
assert not torch.cuda.is_available()
with warnings.catch_warnings(record=True):
    model = pickle.load(open(sys.argv[1], "rb"))
X = np.load(sys.argv[2])
proba = model.predict_proba(X)
np.save(sys.argv[3], np.concatenate(proba, axis=1))
print("loaded on", model.net_.device)
"""


def main():
    import torch

    from sklearn_mtl import MultiTaskClassifier

    if not torch.cuda.is_available():
        sys.exit("CUDA is not available: run this on a GPU machine.")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 10)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)
    model = MultiTaskClassifier(hidden_layer_sizes=(32,), max_epochs=5, device="cuda",
                                random_state=0).fit(X, Y)
    assert next(model.net_.module_.parameters()).is_cuda
    expected = np.concatenate(model.predict_proba(X), axis=1)
    with tempfile.TemporaryDirectory() as tmp:
        paths = [os.path.join(tmp, name) for name in ("model.pkl", "X.npy", "proba.npy")]
        with open(paths[0], "wb") as f:
            pickle.dump(model, f)
        np.save(paths[1], X)
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": "",
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        subprocess.run([sys.executable, "-c", LOAD_ON_CPU, *paths], env=env, check=True)
        on_cpu = np.load(paths[2])
    # GPU and CPU kernels may round differently in the last bits.
    np.testing.assert_allclose(on_cpu, expected, rtol=1e-5, atol=1e-6)
    print("OK: the CUDA-fitted model loads and predicts on the CPU; max abs diff",
          float(np.abs(on_cpu - expected).max()))


if __name__ == "__main__":
    main()
