"""MultiTaskRegressor: the neural estimator whose tasks are all regression
tasks. Its parameters are in :mod:`._params`, what it does with them in
:mod:`._base_estimator`."""

import numpy as np
from sklearn.base import BaseEstimator

from .._base_tasks import MultiTaskRegressorMixin
from ._base_estimator import TaskKindsNetwork
from ._derive import document, make_init, parameter_constraints
from ._params import REGRESSION_LOSS, SHARED_PARAMS

PARAMS = (*SHARED_PARAMS, REGRESSION_LOSS)

_DOC = """Multi-task neural network regressor with a shared trunk and one head
    per task.

    Hard parameter sharing (Caruana, 1997), as :class:`MultiTaskClassifier`
    with continuous targets: every task's one-output head sits on the same
    trunk, and the network minimises ``L = sum_j w_j * L_j`` where ``L_j``
    is the mean squared error (or Huber loss, see ``regression_loss``) of
    task j over the samples where its target is observed. Each target is
    standardised inside by its training mean and standard deviation, so a
    task's loss, and so its weight, mean the same whatever the target's
    units; predictions come back in the original units. Missing targets
    (NaN, None, pd.NA) are masked out of their task's loss and score.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    n_tasks_ : int
        Number of tasks.
    task_names_ : ndarray of str, shape (`n_tasks_`,)
        Column names of a DataFrame target, else ``task_0``, ``task_1``, ...
    loc_ : ndarray of shape (`n_tasks_`,)
        Mean of each task's observed training targets.
    scale_ : ndarray of shape (`n_tasks_`,)
        Their standard deviation (1 for a constant target): the network
        predicts ``(y - loc_) / scale_``.
    {network_attributes}

    Notes
    -----
    The network computes in float32; predictions are float64 arrays in the
    targets' units.

    See Also
    --------
    MultiTaskClassifier : The same network for classification tasks.
    MultiTaskEstimator : The same network for a mix of both kinds.
    sklearn.neural_network.MLPRegressor : The single-task network.
    sklearn.multioutput.MultiOutputRegressor : One independent model per task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_mtl import MultiTaskRegressor
    >>> X, Y = make_regression(n_samples=300, n_features=5, n_targets=3,
    ...                        noise=1.0, random_state=0)
    >>> Y[::10, 0] = np.nan  # a missing target is left out of its task's loss
    >>> reg = MultiTaskRegressor(hidden_layer_sizes=(32,), lr=0.01, max_epochs=50,
    ...                          random_state=0).fit(X, Y)
    >>> reg.predict(X[:2]).shape
    (2, 3)
    >>> reg.score(X, Y) > 0.9
    True
    """


class MultiTaskRegressor(TaskKindsNetwork, MultiTaskRegressorMixin, BaseEstimator):
    __doc__ = document(_DOC, PARAMS)

    _parameter_constraints: dict = parameter_constraints(PARAMS)
    __init__ = make_init(PARAMS)

    def _fit_targets(self, y, n_samples, continuing=False, tasks=None):
        targets = super()._fit_targets(y, n_samples, continuing, tasks)
        if not continuing:
            self.loc_ = np.array([task.loc_ for task in targets.tasks])
            self.scale_ = np.array([task.scale_ for task in targets.tasks])
        return targets
