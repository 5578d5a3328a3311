"""MultiTaskEstimator: the neural estimator of mixed targets, classification
and regression tasks side by side. Its parameters are in :mod:`._params`,
what it does with them in :mod:`._base_estimator`."""

import copy

import numpy as np
from sklearn.base import BaseEstimator, _fit_context

from .._base_tasks import MixedTasksMixin
from ._base_estimator import TaskKindsNetwork, refuse_dask_partial_fit
from ._derive import document, make_init, parameter_constraints
from ._feed import target_matrix
from ._params import LABEL_SMOOTHING, REGRESSION_LOSS, SHARED_PARAMS, TASK_KINDS

PARAMS = (*SHARED_PARAMS, TASK_KINDS, REGRESSION_LOSS, LABEL_SMOOTHING)

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

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch on a batch of data.

        The first call builds the network and fits the tasks on its batch:
        each task's kind (``task_kinds``, else inferred from this batch),
        the classes of each classification task (or ``classes``), and the
        mean and standard deviation that standardise each regression
        target. Later calls continue training and need the same features
        and tasks, with labels among the classes of the first call.

        Every row of the batch is trained on: early stopping (and its
        ``validation_fraction`` hold-out) applies to ``fit`` only, as in
        scikit-learn's ``partial_fit`` of ``MLPClassifier``/``MLPRegressor``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs of this batch.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            Targets of this batch; NaN, None or pd.NA where missing.
        classes : dict or list, default=None
            Every class of the classification tasks, for streams whose first
            batch lacks some: ``{task name: classes}`` (by name), or a list
            with one entry per task (None for a regression task). Only
            needed on the first call; later calls must give the same
            classes or None. None takes the classes of the first batch.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from sklearn_mtl import MultiTaskEstimator
        >>> X = np.arange(8, dtype=float).reshape(4, 2)
        >>> first = pd.DataFrame({"price": [1.0, 2.5, 3.0, 4.5],
        ...                       "cut": ["fair", "fair", "good", "good"]})
        >>> est = MultiTaskEstimator(task_kinds={"price": "regression"},
        ...                          random_state=0)
        >>> est = est.partial_fit(X, first, classes={"cut": ["fair", "good", "ideal"]})
        >>> est.classes_["cut"].tolist()
        ['fair', 'good', 'ideal']
        """
        refuse_dask_partial_fit(X, y)
        continuing = hasattr(self, "net_")
        X = self._network_X(X, reset=not continuing)
        tasks, encoded = self._fit_targets(y, X.shape[0], continuing)
        if classes is not None:
            before = {t.name: t.classes_ for t in tasks if t.kind == "classification"}
            if continuing:  # declare on copies: the fitted tasks must not change
                tasks = type(tasks)([copy.deepcopy(t) for t in tasks], is_1d=tasks.is_1d_)
            encoded = tasks.declare_classes(classes, encoded)
            if continuing and any(not np.array_equal(t.classes_, before[t.name])
                                  for t in tasks if t.kind == "classification"):
                raise ValueError(
                    "classes must be the classes of the first call to partial_fit, "
                    f"{ {name: c.tolist() for name, c in before.items()} }; got {classes!r}."
                )
            if not continuing:
                self.classes_ = {t.name: t.classes_ for t in tasks
                                 if t.kind == "classification"}
        return self._train(X, (tasks, target_matrix(tasks, encoded)), continuing,
                           epochs=1, early_stopping=False)
