"""The prediction side of :class:`TaskGroupingClassifier`: each task's
output comes from the estimator of its group, in the order of Y."""

import numpy as np
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data

from .._accuracy import check_score_weights, mean_task_accuracy
from .._labels import decode_labels, encode_with_classes
from .._targets import align_tasks, is_dataframe


class GroupPredictionMixin:
    """``predict``, ``predict_proba`` and ``score`` from one fitted estimator
    per group (``estimators_`` over the task indices ``_group_indices``)."""

    def _check_X(self, X, *, reset):
        """Validate X as the inner estimator would (2D or more, sparse only
        if it accepts sparse input), but leave a DataFrame as it is so that
        a Pipeline inside can select columns by name."""
        checked = validate_data(
            self, X, reset=reset,
            accept_sparse=["csr", "csc"] if self.__sklearn_tags__().input_tags.sparse else False,
            dtype=None, ensure_all_finite=False, allow_nd=True,
        )
        return X if is_dataframe(X) else checked

    def _group_outputs(self, X, method):
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        outputs = [None] * self.n_tasks_
        for group, estimator in zip(self._group_indices, self.estimators_):
            result = getattr(estimator, method)(X)
            if method == "predict":
                result = np.asarray(result).reshape(_num_samples(X), len(group))
                result = [result[:, k] for k in range(len(group))]
            elif len(group) == 1 and not isinstance(result, list):
                result = [result]
            for t, output in zip(group, result):
                outputs[t] = output
        return outputs

    @property
    def _classes_list(self):
        return self.classes_ if isinstance(self.classes_, list) else [self.classes_]

    def _predict_codes(self, X):
        predictions = self._group_outputs(X, "predict")
        return np.column_stack([
            np.searchsorted(classes, np.asarray(pred, dtype=classes.dtype))
            for classes, pred in zip(self._classes_list, predictions)
        ])

    def predict(self, X):
        """Predict the label of every task with its group's estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Original labels, columns in the order of Y; 1D for a 1D training
            target. Where tasks differ in label type, the array has object
            dtype.
        """
        codes = self._predict_codes(X)
        return decode_labels(codes, self._classes_list, not isinstance(self.classes_, list))

    def predict_proba(self, X):
        """Class probabilities of every task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such arrays
            For a 1D training target, one array whose columns follow
            ``classes_``; otherwise a list with one (n_samples, n_classes_j)
            array per task, in the order of Y, columns following
            ``classes_[j]``.
        """
        probas = self._group_outputs(X, "predict_proba")
        return probas if isinstance(self.classes_, list) else probas[0]

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of the per-task accuracy on labelled entries.

        Missing labels are left out of their task's accuracy and the tasks
        are averaged with equal weight, as for the package's other
        estimators.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            True labels; every label must have been seen during fit.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean per-task accuracy.
        """
        pred = self._predict_codes(X)
        n_samples = pred.shape[0]
        if getattr(self, "_tasks_by_name", False):  # names beat positions
            y = align_tasks(y, self.task_names_, input_name="y")
        true = encode_with_classes(y, self._classes_list, n_samples=n_samples, input_name="y")
        sample_weight = check_score_weights(sample_weight, n_samples)
        return mean_task_accuracy(true, pred, sample_weight)
