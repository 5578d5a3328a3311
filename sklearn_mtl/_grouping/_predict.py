"""The prediction side of the grouping meta-estimators: each task's
predictions and probabilities come from the estimator of its group (its
``predict`` and its ``predict_proba``), in the order of Y.
:class:`GroupPredictionMixin` serves :class:`TaskGroupingClassifier`, whose
``predict``, ``predict_proba`` and ``score`` are the package's shared ones
(:class:`~sklearn_mtl._base.MultiTaskClassifierMixin`);
:class:`KindsPredictionMixin` serves the estimators whose tasks have kinds
(``score`` and ``task_scores`` from
:class:`~sklearn_mtl._base_tasks.TaskKindsMixin`)."""

import numpy as np
from sklearn.utils._available_if import available_if

from .._dask import is_dask_collection


def _estimator_has_predict_proba(model):
    """Whether the inner estimator has ``predict_proba``; the AttributeError
    names it when not."""
    estimator = model.estimator  # None: the default MultiTaskClassifier
    if estimator is not None and not hasattr(estimator, "predict_proba"):
        raise AttributeError(
            f"the estimator {estimator!r} has no predict_proba; "
            "predict and score use its predict."
        )
    return True


class GroupPredictionMixin:
    """The hooks of the shared mixin for one fitted estimator per group
    (``estimators_`` over the task indices ``_group_indices``): the
    predictions of each group are its estimator's ``predict`` (not the
    argmax of its probabilities, which may differ, e.g. for an SVC), and
    ``predict_proba`` exists only when the estimator has one."""

    @available_if(_estimator_has_predict_proba)
    def predict_proba(self, X):
        """Probability estimates of every task, from its group's estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of ndarray
            One array per task (a single array for a 1D training target),
            columns in the order of ``classes_``.
        """
        return super().predict_proba(X)

    def _predict_codes(self, X):
        """Class index of every task, from the ``predict`` of its group's
        estimator, shape (n_samples, n_tasks)."""
        columns = self._predict_columns(self._validate_predict_X(X))
        codes = np.empty((columns[0].shape[0], self.n_tasks_), dtype=np.int64)
        for t, column in enumerate(columns):
            lookup = {label: i for i, label in enumerate(self._classes_list[t])}
            codes[:, t] = [lookup[label] for label in column]
        return codes

    def _predict_proba_tasks(self, X):
        """Probabilities of every task, in the order of Y, from its group's
        estimator (a one-task group's estimator may return one array)."""
        outputs = [None] * self.n_tasks_
        for group, estimator in zip(self._group_indices, self.estimators_):
            result = estimator.predict_proba(X)
            if not isinstance(result, list):
                result = [result]
            for t, output in zip(group, result):
                outputs[t] = np.asarray(output)
        return outputs


class KindsPredictionMixin:
    """``predict`` and the probabilities of the grouping meta-estimators
    whose tasks have kinds (:class:`~sklearn_mtl._base_tasks.TaskKindsMixin`,
    tasks in ``_task_set``): each task's column is its group estimator's
    ``predict``, as it is (floats in the target's units, or labels), not
    re-encoded."""

    def predict(self, X):
        """Predict every task with its group's estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or dask array or DataFrame
            Input samples. A dask collection gives a dask array, computed
            block by block when computed.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Each task's column is its group estimator's ``predict``, in the
            order of Y: floats (the target's units) for a regression task,
            labels for a classification task; an object array when they
            mix; 1D for a 1D training target.
        """
        if is_dask_collection(X):  # the shared path, which maps this predict over blocks
            return super().predict(X)
        columns = self._predict_columns(self._validate_predict_X(X))
        tasks = self._task_set
        columns = [column.astype(np.float64) if task.kind == "regression"
                   else task.classes_[task.encode(column, input_name="the predictions")]
                   for task, column in zip(tasks, columns)]
        if tasks.is_1d_:
            return columns[0]
        same = len({(task.kind, column.dtype.kind) for task, column in zip(tasks, columns)}) == 1
        out = np.empty((columns[0].shape[0], len(columns)),
                       dtype=np.result_type(*columns) if same else object)
        for t, column in enumerate(columns):
            out[:, t] = column
        return out

    def _predict_proba_tasks(self, X):
        """``{name: probabilities}`` of the classification tasks, in the
        order of Y, from their groups' estimators: a dict of a mixed
        estimator (its classification tasks in order), a list or a single
        array of a classifier."""
        tasks = self._task_set
        found = {}
        for group, estimator in zip(self._group_indices, self.estimators_):
            wanted = [k for k, t in enumerate(group) if tasks[t].kind == "classification"]
            if not wanted:
                continue
            if not hasattr(estimator, "predict_proba"):
                raise AttributeError(
                    f"the estimator {estimator!r} has no predict_proba; predict and "
                    "score use its predict."
                )
            result = estimator.predict_proba(X)
            if isinstance(result, dict):
                outputs = list(result.values())
            else:
                outputs = result if isinstance(result, list) else [result]
                outputs = [outputs[k] for k in wanted]
            for k, output in zip(wanted, outputs):
                found[tasks[group[k]].name] = np.asarray(output)
        return {t.name: found[t.name] for t in tasks if t.name in found}
