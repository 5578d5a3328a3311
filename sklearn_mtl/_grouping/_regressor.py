"""TaskGroupingRegressor: one clone of a multi-task regressor per group of tasks."""

from sklearn.base import _fit_context

from .._base_tasks import MultiTaskRegressorMixin
from ._base import BaseTaskGrouping
from ._docs import shared_doc
from ._predict import KindsPredictionMixin


def _default_estimator():
    from .._neural._regressor import MultiTaskRegressor

    return MultiTaskRegressor()


@shared_doc(score="R² scores", dependence="the absolute Spearman correlation and its test",
            unit="R² terms")
class TaskGroupingRegressor(KindsPredictionMixin, MultiTaskRegressorMixin, BaseTaskGrouping):
    """Train groups of regression tasks together, each group with its own
    clone of a multi-task regressor, and choose the groups automatically.

    The regression twin of :class:`TaskGroupingClassifier`, in the style of
    scikit-learn's ``MultiOutputRegressor``: it partitions the tasks (the
    continuous columns of Y) into groups and fits one clone of
    ``estimator`` per group. ``task_groups="all"`` is the estimator itself,
    ``task_groups="single"`` one model per task, and ``task_groups="auto"``
    chooses the partition on the training data, linking tasks whose
    targets are rank-correlated and keeping a group when the validation R²
    of its tasks does not drop.

    Parameters
    ----------
    estimator : estimator, default=None
        A multi-task regressor of the package, any scikit-learn
        multi-output regressor (``RandomForestRegressor()``,
        ``MultiOutputRegressor(SVR())``), or a Pipeline ending in one, cloned
        once per group; None means ``MultiTaskRegressor()``. Each task's
        predictions are its group estimator's ``predict`` (so
        ``task_groups="all"`` predicts exactly what the estimator does). A
        regressor of one task at a time (``SVR()``) is refused at fit for
        groups of several tasks. Its ``task_weights``, by task name or by
        position over all the tasks of Y, are passed on to each group for
        that group's tasks. Each group estimator gets the group's target
        columns as they are, NaN included (the package's regressors leave a
        NaN target out of its task's loss); a task alone gets its observed
        rows only.
    {parameters}

    Attributes
    ----------
    {attributes}
    affinity_ : ndarray of shape (`n_tasks_`, `n_tasks_`) or None
        With ``task_groups="auto"``, the dependence of the targets (absolute
        Spearman correlation) of each pair of tasks on the inner training
        rows; None otherwise.
    {search_attributes}

    See Also
    --------
    TaskGroupingClassifier : The same for classification tasks.
    sklearn_mtl.model_selection.task_affinity : Pairwise affinities by
        cross-validation (quadratic cost).
    sklearn.multioutput.MultiOutputRegressor : One model per output.

    Notes
    -----
    {notes}

    The validation score of a regression task is its R² on the validation
    rows, the mean of its per-row terms ``1 - (y - y_pred)**2 / var(y)``
    (the variance over the task's validation rows), as the accuracy is the
    mean of the per-row hits of a classification task: the rule of steps 2
    to 4 compares the sums of these terms per row.

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mtl import SharedTreeRegressor, TaskGroupingRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4))
    >>> a, b = X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]
    >>> Y = np.column_stack([a, 2 * a, b, 1e3 * b]) + 0.1 * rng.normal(size=(300, 4))
    >>> reg = TaskGroupingRegressor(
    ...     SharedTreeRegressor(max_depth=4), random_state=0).fit(X, Y)
    >>> reg.groups_
    [['task_0', 'task_1'], ['task_2', 'task_3']]
    >>> reg.predict(X[:2]).shape
    (2, 4)
    """

    _default_estimator = staticmethod(_default_estimator)
    _kind_wrapper = "MultiOutputRegressor"

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Choose the groups (with ``task_groups="auto"``) and fit one clone of
        ``estimator`` per group.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or DataFrame
            Training inputs, passed as they are to the estimator of each group.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            The targets: one numeric column per task; NaN, None or pd.NA
            where a sample has no target for a task.

        Returns
        -------
        self : TaskGroupingRegressor
            The fitted estimator.
        """
        return self._fit_task_set(X, y)
