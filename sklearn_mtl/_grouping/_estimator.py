"""TaskGroupingEstimator: one clone of an estimator of mixed targets per
group of tasks."""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import StrOptions

from .._base_tasks import MixedTasksMixin
from ._base import BaseTaskGrouping
from ._docs import shared_doc
from ._predict import KindsPredictionMixin


def _default_estimator():
    from .._neural._estimator import MultiTaskEstimator

    return MultiTaskEstimator()


@shared_doc(score="accuracies and R² scores, each task's default",
            dependence="Cramér's V, the absolute Spearman correlation or the rank "
                       "correlation ratio, by the pair's kinds, with their tests",
            unit="correct predictions and R² terms")
class TaskGroupingEstimator(KindsPredictionMixin, MixedTasksMixin, BaseTaskGrouping):
    """Train groups of tasks of mixed kinds together, each group with its own
    clone of an estimator of mixed targets, and choose the groups
    automatically.

    The mixed-target twin of :class:`TaskGroupingClassifier` and
    :class:`TaskGroupingRegressor`: each column of Y is a classification or
    a regression task, by :func:`~sklearn_mtl.infer_task_kind` or
    ``task_kinds``, as for :class:`MultiTaskEstimator`. The "auto" search
    measures each pair of tasks by their kinds and validates each task with
    its kind's default score (accuracy or R²); ``score`` is their mean.

    Parameters
    ----------
    estimator : estimator, default=None
        An estimator of mixed targets with a ``task_kinds`` parameter
        (``MultiTaskEstimator``, also at the end of a Pipeline), cloned once
        per group; None means ``MultiTaskEstimator()``. Each clone's
        ``task_kinds`` is set to the kinds of its group's tasks (those of
        ``task_kinds_``), so the inner estimators never infer a kind on
        fewer rows. Each task's predictions are its group estimator's
        ``predict``; its ``task_weights``, by task name or by position over
        all the tasks of Y, are passed on to each group for that group's
        tasks.
    task_kinds : dict, {"classification", "regression"} or None, default=None
        The kind of each task. None infers every column's kind with
        :func:`~sklearn_mtl.infer_task_kind`; a dict ``{task name: kind}``
        sets the kinds of the tasks it names and infers the others; a kind
        sets every task's. The kinds used are in ``task_kinds_``.
    {parameters}

    Attributes
    ----------
    {attributes}
    task_kinds_ : dict
        ``{task name: "classification" or "regression"}``, the kind used
        for each task.
    classes_ : dict
        ``{task name: ndarray of classes}`` of the classification tasks.
    affinity_ : ndarray of shape (`n_tasks_`, `n_tasks_`) or None
        With ``task_groups="auto"``, the dependence of the targets of each
        pair of tasks on the inner training rows, on [0, 1] whatever the
        kinds (``Task.dependence``); None otherwise.
    {search_attributes}

    See Also
    --------
    MultiTaskEstimator : One network for mixed targets.
    TaskGroupingClassifier : The same for classification tasks.
    TaskGroupingRegressor : The same for regression tasks.

    Notes
    -----
    {notes}

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_mtl import MultiTaskEstimator, TaskGroupingEstimator
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4))
    >>> Y = pd.DataFrame({"price": 3 * X[:, 0] + 0.1 * rng.normal(size=200),
    ...                   "cut": np.where(X[:, 0] > 0, "good", "fair"),
    ...                   "size": X[:, 2] + 0.1 * rng.normal(size=200)})
    >>> net = MultiTaskEstimator(hidden_layer_sizes=(16,), max_epochs=20, random_state=0)
    >>> est = TaskGroupingEstimator(net, task_groups=[["price", "cut"], ["size"]]).fit(X, Y)
    >>> est.task_kinds_
    {'price': 'regression', 'cut': 'classification', 'size': 'regression'}
    >>> est.predict(X[:2]).shape
    (2, 3)
    >>> list(est.predict_proba(X[:2]))
    ['cut']
    """

    _default_estimator = staticmethod(_default_estimator)
    _kind_wrapper = "MultiOutputRegressor or MultiOutputClassifier"

    _parameter_constraints: dict = {
        **BaseTaskGrouping._parameter_constraints,
        "task_kinds": [None, StrOptions({"classification", "regression"}), dict],
    }

    def __init__(self, estimator=None, *, task_kinds=None, task_groups="auto", max_groups=None,
                 max_candidates=None, validation_fraction=0.25, search_params=None,
                 n_jobs=None, random_state=None, groups="deprecated"):
        super().__init__(
            estimator, task_groups=task_groups, max_groups=max_groups,
            max_candidates=max_candidates, validation_fraction=validation_fraction,
            search_params=search_params, n_jobs=n_jobs, random_state=random_state,
            groups=groups,
        )
        self.task_kinds = task_kinds

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Find the tasks' kinds, choose the groups (with
        ``task_groups="auto"``) and fit one clone of ``estimator`` per group.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or DataFrame
            Training inputs, passed as they are to the estimator of each group.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            The targets: one column per task, labels or numbers; NaN, None
            or pd.NA where a sample has no target for a task.

        Returns
        -------
        self : TaskGroupingEstimator
            The fitted estimator.
        """
        return self._fit_task_set(X, y)
