"""The prediction side of :class:`TaskGroupingClassifier`: each task's
probabilities come from the estimator of its group, in the order of Y.
``predict``, ``predict_proba`` and ``score`` themselves are the package's
shared ones (:class:`~sklearn_mtl._base.MultiTaskClassifierMixin`)."""

import numpy as np
from sklearn.utils.validation import validate_data

from .._targets import is_dataframe


class GroupPredictionMixin:
    """The two hooks of the shared mixin for one fitted estimator per group
    (``estimators_`` over the task indices ``_group_indices``)."""

    def _validate_X(self, X, reset):
        """Validate X as the inner estimator would (2D or more, sparse only
        if it accepts sparse input), but leave a DataFrame as it is so that
        a Pipeline inside can select columns by name."""
        checked = validate_data(
            self, X, reset=reset,
            accept_sparse=["csr", "csc"] if self.__sklearn_tags__().input_tags.sparse else False,
            dtype=None, ensure_all_finite=False, allow_nd=True,
        )
        return X if is_dataframe(X) else checked

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
