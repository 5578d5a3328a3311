"""Mixins of the estimators whose tasks may be of any kind: regression
(:class:`MultiTaskRegressorMixin`) and mixed targets
(:class:`MixedTasksMixin`).

The target's tasks are a fitted :class:`~sklearn_mtl._tasks.TaskSet`: each
task encodes its column (class codes, or standardised values) for
training, decodes the predictions and scores them. A subclass calls
:meth:`TaskKindsMixin._fit_targets` in ``fit`` and implements
``_predict_tasks(X)``, which returns one encoded prediction array per task
(class codes, standardised values) for an already validated ``X``.
"""

from typing import NamedTuple

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ._accuracy import check_score_weights
from ._base import MultiTaskMixin
from ._dask import dask_predict, dask_predict_proba, is_dask_collection
from ._targets import is_dataframe
from ._tasks import TaskSet


class TaskTargets(NamedTuple):
    """An encoded training target.

    Attributes
    ----------
    tasks : TaskSet
        The fitted tasks.
    encoded : list of ndarray
        One encoded column per task.
    """

    tasks: TaskSet
    encoded: list


class TaskKindsMixin(MultiTaskMixin):
    """Fitting the tasks of a target, predicting and scoring through them."""

    def _task_kinds(self):
        """The ``task_kinds`` given to :meth:`TaskSet.fit`."""
        raise NotImplementedError

    def _fit_targets(self, y, n_samples, continuing=False, tasks=None):
        """Fit the tasks on ``y`` and set ``n_tasks_`` and ``task_names_``;
        return the :class:`TaskTargets`. With ``tasks``, a :class:`TaskSet`
        already fitted (a dask fit surveys the whole target block by block),
        ``y`` is encoded with them instead.

        Continuing (warm start, later ``partial_fit`` batches), ``y`` is
        encoded with the fitted tasks: the same tasks (a DataFrame matched
        by name), class labels seen in the first fit, and the regression
        targets standardised as in the first fit.
        """
        if continuing:
            tasks = self._task_set
            encoded = tasks.encode(self._align_tasks(y), n_samples=n_samples)
            return TaskTargets(tasks, encoded)
        if tasks is None:
            tasks = TaskSet()
            encoded = tasks.fit_encode(y, self._task_kinds(), n_samples=n_samples)
        else:
            encoded = tasks.encode(y, n_samples=n_samples)
        self._task_set = tasks
        self.n_tasks_ = len(tasks)
        self.task_names_ = tasks.task_names_
        self._tasks_by_name = is_dataframe(y)
        return TaskTargets(tasks, encoded)

    def predict(self, X):
        """Predict every task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or dask array or DataFrame
            Input samples. A dask collection gives a dask array, computed
            block by block when computed.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            1D for a 1D training target. Regression tasks get floats in the
            target's units, classification tasks labels; the array has
            object dtype where the tasks' types differ.
        """
        if is_dask_collection(X):
            check_is_fitted(self)
            return dask_predict(self, X, self._task_set.decode(
                [np.zeros(0, dtype=np.int64 if kind == "classification" else np.float32)
                 for kind in self._task_set.kinds]))
        X = self._validate_predict_X(X)
        return self._task_set.decode(self._predict_tasks(X))

    def task_scores(self, X, y, sample_weight=None):
        """Each task's default score: accuracy or R².

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            True targets; missing entries (NaN, None, pd.NA) are left out of
            their task's score. After a fit on a DataFrame, a DataFrame is
            matched to the tasks by column name.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, finite sample weights.

        Returns
        -------
        scores : ndarray of shape (n_tasks,)
            NaN for a task with no observed entry in ``y``.
        """
        pred = self.predict(X)
        weights = check_score_weights(sample_weight, pred.shape[0])
        return self._task_set.score(self._align_tasks(y), pred, weights)

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of each task's default score (accuracy or R²).

        Missing entries of ``y`` are left out of their task's score; the
        tasks are averaged with equal weight, whatever ``task_weights`` the
        estimator was trained with. For a single regression task this is
        scikit-learn's R².

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            True targets (see :meth:`task_scores`).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, finite sample weights.

        Returns
        -------
        score : float
        """
        scores = self.task_scores(X, y, sample_weight)
        if np.all(np.isnan(scores)):
            raise ValueError("y has no observed entry to score against.")
        return float(np.nanmean(scores))


class MultiTaskRegressorMixin(TaskKindsMixin, RegressorMixin):
    """Multi-task regressors: every task a regression task."""

    def _task_kinds(self):
        return "regression"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


class MixedTasksMixin(TaskKindsMixin):
    """Multi-task estimators of mixed targets: the kinds come from
    ``task_kinds`` and the inference rule; ``task_kinds_`` records them."""

    _proba_dtype = np.float64  # declared for probabilities over dask

    def _task_kinds(self):
        return self.task_kinds

    def _fit_targets(self, y, n_samples, continuing=False, tasks=None):
        targets = super()._fit_targets(y, n_samples, continuing, tasks)
        if not continuing:
            tasks = targets.tasks
            self.task_kinds_ = dict(tasks.task_kinds_)
            self.classes_ = {t.name: t.classes_ for t in tasks if t.kind == "classification"}
        return targets

    def predict_proba(self, X):
        """Class probabilities of every classification task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or dask array or DataFrame
            Input samples. A dask collection gives dask arrays, computed
            block by block (all tasks in one pass) when computed.

        Returns
        -------
        proba : dict
            ``{task name: ndarray of shape (n_samples, n_classes)}`` for each
            classification task, columns following ``classes_[name]``.

        Raises
        ------
        AttributeError
            If no task is a classification task.
        """
        lazy = is_dask_collection(X)
        if lazy:
            check_is_fitted(self)
        else:
            X = self._validate_predict_X(X)
        if "classification" not in self._task_set.kinds:
            raise AttributeError(
                "predict_proba needs a classification task; every task of this "
                f"estimator is a regression task: {self.task_kinds_}."
            )
        if lazy:
            names = [name for name, kind in self.task_kinds_.items()
                     if kind == "classification"]
            arrays = dask_predict_proba(self, X, [len(self.classes_[n]) for n in names],
                                        self._proba_dtype, one_task=False)
            return dict(zip(names, arrays))
        return self._predict_proba_tasks(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
