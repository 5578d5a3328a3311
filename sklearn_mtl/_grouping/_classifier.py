"""TaskGroupingClassifier: one clone of a multi-task classifier per group of tasks."""

from sklearn.base import _fit_context
from sklearn.utils.validation import _num_samples

from .._base import MultiTaskClassifierMixin
from .._labels import encode_targets
from .._targets import is_dataframe, task_labels
from ._base import BaseTaskGrouping
from ._docs import shared_doc
from ._predict import GroupPredictionMixin


def _default_estimator():
    from .._neural._classifier import MultiTaskClassifier

    return MultiTaskClassifier()


@shared_doc(score="accuracies", dependence="Cramér's V and the chi-square test",
            unit="correct predictions")
class TaskGroupingClassifier(GroupPredictionMixin, MultiTaskClassifierMixin, BaseTaskGrouping):
    """Train groups of tasks together, each group with its own clone of a
    multi-task estimator, and choose the groups automatically.

    Sharing a model helps some tasks and hurts others (negative transfer).
    This meta-estimator, in the style of scikit-learn's
    ``MultiOutputClassifier``, partitions the tasks (the columns of Y) into
    groups and fits one clone of ``estimator`` per group. ``task_groups="all"``
    is the estimator itself, ``task_groups="single"`` one model per task, and
    ``task_groups="auto"`` chooses the partition on the training data.

    Parameters
    ----------
    estimator : estimator, default=None
        A multi-task classifier of the package, any scikit-learn
        multi-output classifier (``MultiOutputClassifier(SVC())``), or a
        Pipeline ending in one, cloned once per group; None means
        ``MultiTaskClassifier()``. Each task's predictions are its group
        estimator's ``predict`` (so ``task_groups="all"`` predicts exactly
        what the estimator does), its probabilities that estimator's
        ``predict_proba``, available only when it has one. A classifier of
        one task at a time (``LogisticRegression()``) is refused at fit for
        groups of several tasks. Its ``task_weights``, by task name or by
        position over all the tasks of Y, are passed on to each group for
        that group's tasks.
    {parameters}

    Attributes
    ----------
    {attributes}
    classes_ : ndarray or list of ndarray
        Classes of each task; a plain array for a 1D training target.
    affinity_ : ndarray of shape (`n_tasks_`, `n_tasks_`) or None
        With ``task_groups="auto"``, the label dependence (Cramér's V) of each
        pair of tasks on the inner training rows; None otherwise.
    {search_attributes}

    See Also
    --------
    TaskGroupingRegressor : The same for regression tasks.
    TaskGroupingEstimator : The same for mixed targets.
    sklearn_mtl.model_selection.task_affinity : Pairwise affinities by
        cross-validation (quadratic cost).
    sklearn.multioutput.MultiOutputClassifier : One model per output.

    Notes
    -----
    {notes}

    References
    ----------
    {references}

    Examples
    --------
    >>> from sklearn_mtl import SharedTreeClassifier, TaskGroupingClassifier
    >>> from sklearn_mtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_samples=300, groups=[2, 2], n_noise_tasks=1, task_relatedness=0.9,
    ...     random_state=0)
    >>> clf = TaskGroupingClassifier(
    ...     SharedTreeClassifier(max_depth=4), random_state=0).fit(X, Y)
    >>> clf.groups_
    [['task_0', 'task_1'], ['task_2', 'task_3'], ['task_4']]
    >>> clf.predict(X[:2]).shape
    (2, 5)
    """

    _default_estimator = staticmethod(_default_estimator)

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Choose the groups (with ``task_groups="auto"``) and fit one clone of
        ``estimator`` per group.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or DataFrame
            Training inputs, passed as they are to the estimator of each group.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            The label matrix Y: one column of labels per task; NaN, None or
            pd.NA where a sample is not labelled for a task.

        Returns
        -------
        self : TaskGroupingClassifier
            The fitted estimator.
        """
        X = self._validate_X(X, reset=True)
        y = self._as_target(y)
        encoded = encode_targets(y, n_samples=_num_samples(X), input_name="y")
        tasks, _ = task_labels(y, input_name="y")
        self.task_names_ = encoded.task_names
        self._tasks_by_name = is_dataframe(y)
        self.n_tasks_ = len(tasks)
        self.classes_ = encoded.classes[0] if encoded.is_1d else list(encoded.classes)
        return self._fit_groups(X, y, tasks, ["classification"] * self.n_tasks_)
