import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same global numpy and torch seeds."""
    np.random.seed(0)  # noqa: NPY002 - code under test may use the global RNG
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a hard dependency
        return
    torch.manual_seed(0)
