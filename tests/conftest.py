import os

import numpy as np
import pytest

# The suite trains many tiny networks: one torch thread is faster for them
# than several, and keeps parallel test runs from oversubscribing the cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")  # for subprocesses (CLI tests)
try:
    import torch
except ImportError:  # pragma: no cover - torch is a hard dependency
    torch = None
else:
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same global numpy and torch seeds."""
    np.random.seed(0)  # noqa: NPY002 - code under test may use the global RNG
    if torch is not None:
        torch.manual_seed(0)


@pytest.fixture(scope="session")
def tasks():
    """``make_tasks()``: three related tasks of different label types, 240 rows.
    Shared by the test modules; never modify it in place."""
    from _estimators import make_tasks

    X, Y = make_tasks()
    X.flags.writeable = False
    Y.flags.writeable = False
    return X, Y
