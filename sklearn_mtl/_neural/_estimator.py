"""MultiTaskEstimator: the neural estimator of mixed targets, classification
and regression tasks side by side. Its parameters are in :mod:`._params`,
what it does with them in :mod:`._base_estimator`."""

from sklearn.base import BaseEstimator

from .._base_tasks import MixedTasksMixin
from ._base_estimator import TaskKindsNetwork
from ._params import (
    REGRESSION_LOSS,
    SHARED_PARAMS,
    TASK_KINDS,
    document,
    make_init,
    parameter_constraints,
)

PARAMS = (*SHARED_PARAMS, TASK_KINDS, REGRESSION_LOSS)

_DOC = """Multi-task neural network for mixed targets: classification and
    regression tasks on one shared trunk.

    Each column of ``y`` is a task whose kind is inferred by
    :func:`~sklearn_mtl.infer_task_kind` (or set by ``task_kinds``):
    a classification task gets a head with one logit per class and the
    cross-entropy, a regression task a one-output head and the squared
    error (or Huber loss) on its target standardised inside, as in
    :class:`MultiTaskClassifier` and :class:`MultiTaskRegressor`. The
    network minimises ``L = sum_j w_j * L_j`` over the observed entries of
    each task; missing entries (NaN, None, pd.NA) are masked out.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    task_kinds_ : dict
        ``{task name: "classification" or "regression"}``, the kind used
        for each task.
    classes_ : dict
        ``{task name: ndarray of classes}`` of the classification tasks.
    n_tasks_ : int
        Number of tasks.
    task_names_ : ndarray of str, shape (`n_tasks_`,)
        Column names of a DataFrame target, else ``task_0``, ``task_1``, ...
    {network_attributes}

    See Also
    --------
    MultiTaskClassifier : Every task a classification task.
    MultiTaskRegressor : Every task a regression task.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_mtl import MultiTaskEstimator
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4))
    >>> Y = pd.DataFrame({"price": 3 * X[:, 0] + X[:, 1] + 0.1 * rng.normal(size=300),
    ...                   "cut": np.where(X[:, 0] > 0, "good", "fair")})
    >>> est = MultiTaskEstimator(hidden_layer_sizes=(32,), lr=0.01, max_epochs=50,
    ...                          random_state=0).fit(X, Y)
    >>> est.task_kinds_
    {'price': 'regression', 'cut': 'classification'}
    >>> est.predict(X[:2]).dtype
    dtype('O')
    >>> est.predict_proba(X[:2])["cut"].shape
    (2, 2)
    >>> est.task_scores(X, Y).round(1).tolist()
    [1.0, 1.0]
    """


class MultiTaskEstimator(TaskKindsNetwork, MixedTasksMixin, BaseEstimator):
    __doc__ = document(_DOC, PARAMS)

    _parameter_constraints: dict = parameter_constraints(PARAMS)
    __init__ = make_init(PARAMS)
