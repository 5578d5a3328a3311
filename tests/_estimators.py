"""The shared test settings: one small network, and every public estimator
with small fast settings for the test batteries (tests/test_robustness.py,
test_persistence.py, test_properties.py, test_parallel.py). A new estimator
joins all of them with one line here."""

import numpy as np
from sklearn.base import clone

from sklearn_mtl import (
    MultiTaskClassifier,
    SharedForestClassifier,
    SharedForestRegressor,
    SharedTreeClassifier,
    SharedTreeRegressor,
    TaskGroupingClassifier,
)

SMALL_NET = dict(hidden_layer_sizes=(8,), max_epochs=5, lr=0.05, batch_size=32, random_state=0)
"""The small network of every neural test; a test needing more training
overrides a key, e.g. ``dict(SMALL_NET, max_epochs=15)``."""
# The plain MLP's training (no numeric embeddings, no early stopping, no
# regularisation), for tests of mechanics that the tabular defaults would
# only slow down or blur (exact step counts, layer structure).
PLAIN_MLP = dict(num_embeddings=None, dropout=0.0, weight_decay=0.0, early_stopping=False)

ESTIMATORS = [
    MultiTaskClassifier(**dict(SMALL_NET, max_epochs=3, batch_size=16)),
    SharedTreeClassifier(max_depth=4, random_state=0),
    SharedForestClassifier(n_estimators=4, max_depth=4, random_state=0),
    TaskGroupingClassifier(SharedTreeClassifier(max_depth=4), random_state=0),
]


def task_weights_key(estimator):
    """The parameter holding the task weights: ``task_weights``, or the inner
    estimator's (``estimator__task_weights``) for a meta-estimator."""
    params = estimator.get_params()
    return "task_weights" if "task_weights" in params else "estimator__task_weights"


def with_task_weights(estimator, weights):
    """A clone of ``estimator`` trained with ``weights`` as task weights."""
    return clone(estimator).set_params(**{task_weights_key(estimator): weights})


REGRESSION_NET = dict(SMALL_NET, hidden_layer_sizes=(16,), max_epochs=40, lr=0.02,
                      early_stopping=False)
"""The small network of the regression tests: enough epochs to learn
:func:`make_regression_tasks`."""


def make_regression_tasks(n=240, seed=0, missing=True):
    """Three related continuous tasks over 6 features, in very different
    units, with some targets missing (NaN) when ``missing``."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    s = X[:, 0] + X[:, 1]
    Y = np.column_stack([
        2.0 * s + 0.1 * rng.normal(size=n),
        1e4 * (s - X[:, 2]) + 100 * rng.normal(size=n),
        1e-3 * (np.abs(s) + 0.5 * X[:, 3]) + 1e-5 * rng.normal(size=n),
    ])
    if missing:
        Y[::9, 0] = np.nan
        Y[3::11, 2] = np.nan
    return X, Y


def estimator_id(estimator):
    """Test id of an estimator: its class name."""
    return type(estimator).__name__


def make_tasks(n=240, seed=0):
    """Three related tasks of different label types over 6 features."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    s = X[:, 0] + X[:, 1]
    Y = np.empty((n, 3), dtype=object)
    Y[:, 0] = (s > 0).astype(int)
    Y[:, 1] = np.where(s > 0.7, "high", np.where(s < -0.7, "low", "mid"))
    Y[:, 2] = X[:, 0] - X[:, 2] > 0
    return X, Y


REGRESSORS = [
    SharedTreeRegressor(max_depth=5, random_state=0),
    SharedForestRegressor(n_estimators=4, max_depth=5, random_state=0),
]
"""Every multi-task regressor with small fast settings, for the regression
tests (:func:`make_regression_tasks` data)."""
