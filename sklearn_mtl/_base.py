"""``MultiTaskMixin``, what every multi-task estimator of the package
shares (reading X, matching tasks by name, persistence, tags), and
``MultiTaskClassifierMixin``, the behaviour shared by every multi-task
classifier. Estimators with targets of other kinds build on
:mod:`sklearn_mtl._base_tasks`."""

import re
import warnings

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._accuracy import check_score_weights, mean_task_accuracy
from ._dask import dask_predict, dask_predict_proba, is_dask_collection
from ._exceptions import InconsistentVersionWarning
from ._labels import (
    EncodedTargets,
    declare_classes,
    decode_labels,
    encode_targets,
    encode_with_classes,
    same_classes,
)
from ._targets import align_tasks, is_dataframe
from ._version import __version__


class MultiTaskMixin:
    """Reading X, matching the tasks of ``y`` by name, persistence and the
    multi-output tags: what every multi-task estimator shares.

    A subclass implements ``_validate_X(X, reset)`` (its
    :meth:`_validate_X_data` call) and sets ``task_names_`` and
    ``_tasks_by_name`` (whether it was fitted on a DataFrame) in ``fit``.
    """

    def _align_tasks(self, y):
        """``y`` read against the fitted tasks: names beat positions.

        After a fit on a DataFrame, a DataFrame ``y`` is matched to
        ``task_names_`` by column name (reordered if permuted; a ValueError
        naming the columns if one is missing, unexpected or renamed). Any
        other ``y``, or any ``y`` after a fit on an array, is read by
        position, as scikit-learn reads X without feature names.
        """
        if getattr(self, "_tasks_by_name", False):
            return align_tasks(y, self.task_names_, input_name="y")
        return y

    def _validate_predict_X(self, X):
        check_is_fitted(self)
        return self._validate_X(X, reset=False)

    def _validate_X_data(self, X, *, reset, **kwargs):
        """``validate_data`` for X alone, whose errors always name X."""
        try:
            return validate_data(self, X, reset=reset, **kwargs)
        except ValueError as exc:
            if re.search(r"\bX\b", str(exc)):
                raise
            raise ValueError(f"Invalid X: {exc}") from exc

    def __getstate__(self):
        state = super().__getstate__()
        return {**state, "_sklearn_mtl_version": __version__}

    def __setstate__(self, state):
        state = dict(state)
        version = state.pop("_sklearn_mtl_version", None)
        if version != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=__version__,
                    original_version=version,
                ),
                stacklevel=2,
            )
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


class MultiTaskClassifierMixin(MultiTaskMixin, ClassifierMixin):
    """Targets, ``predict``, ``predict_proba`` and ``score`` for multi-task
    classifiers.

    A subclass calls :meth:`_fit_targets` in ``fit`` and implements
    ``_validate_X(X, reset)`` (its :meth:`_validate_X_data` call) and
    ``_predict_proba_tasks(X)``, which returns one probability array per
    task for an already validated ``X``. Everything else (decoding labels,
    the 1D single-task forms, the mean per-task accuracy of ``score``) is
    written once here. ``_proba_dtype`` is the dtype of the probabilities
    (declared for predictions over dask, which are not computed up front).
    """

    _proba_dtype = np.float64

    def _fit_targets(self, y, n_samples, previous_classes=None, classes=None):
        """Encode ``Y`` and set ``classes_``, ``n_classes_``, ``n_tasks_`` and
        ``task_names_`` from the target ``y``; return the :class:`EncodedTargets`.

        With ``previous_classes`` (continued training), Y must have exactly
        those tasks and classes; a DataFrame is matched to the fitted tasks by
        column name (see :meth:`_align_tasks`), and nothing is changed if it
        does not match. With ``classes`` (the first ``partial_fit`` of a
        stream), the tasks take these declared classes, which must include
        every label of ``y``.
        """
        continuing = previous_classes is not None
        if continuing:
            y = self._align_tasks(y)
        encoded = encode_targets(y, n_samples=n_samples, input_name="y")
        if classes is not None:
            encoded = declare_classes(encoded, classes)
        if continuing:
            if not same_classes(previous_classes, encoded.classes):
                raise ValueError(
                    "Continued training (warm_start) requires y to have the same "
                    "tasks and classes as the previous fit; got "
                    f"{[c.tolist() for c in encoded.classes]} instead of "
                    f"{[c.tolist() for c in previous_classes]}."
                )
            # the same tasks, whatever form (DataFrame or array) y takes now
            encoded = encoded._replace(task_names=self.task_names_)
        for name, task_classes in zip(encoded.task_names, encoded.classes):
            if len(task_classes) == 1:
                warnings.warn(
                    f"Task {name!r} has a single class ({task_classes[0].item()!r}) in "
                    "the training labels; it will always be predicted for this "
                    "task.",
                    UserWarning,
                    stacklevel=3,
                )
        if continuing:
            return encoded
        self.n_tasks_ = len(encoded.classes)
        self.task_names_ = encoded.task_names
        self._tasks_by_name = is_dataframe(y)
        if encoded.is_1d:
            self.classes_ = encoded.classes[0]
            self.n_classes_ = len(encoded.classes[0])
        else:
            self.classes_ = list(encoded.classes)
            self.n_classes_ = [len(c) for c in encoded.classes]
        return encoded

    def _continued_targets(self, y, n_samples):
        """Encode a later batch of a stream against the fitted tasks and
        classes (``partial_fit``); a batch may lack some classes or labels."""
        codes = encode_with_classes(
            self._align_tasks(y), self._classes_list, n_samples=n_samples, input_name="y"
        )
        return EncodedTargets(
            codes, self._classes_list, self.task_names_, not isinstance(self.classes_, list)
        )

    @property
    def _classes_list(self):
        return self.classes_ if isinstance(self.classes_, list) else [self.classes_]

    def predict_proba(self, X):
        """Class probabilities of every task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or dask array or DataFrame
            Input samples. A dask collection gives dask arrays, computed
            block by block when computed.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such arrays
            For a 1D training target, one array whose columns follow
            ``classes_``; otherwise a list with one
            (n_samples, n_classes_j) array per task, columns following
            ``classes_[j]``.
        """
        if is_dask_collection(X):
            check_is_fitted(self)
            return dask_predict_proba(self, X, [len(c) for c in self._classes_list],
                                      self._proba_dtype,
                                      one_task=not isinstance(self.classes_, list))
        probas = self._predict_proba_tasks(self._validate_predict_X(X))
        return probas if isinstance(self.classes_, list) else probas[0]

    def predict(self, X):
        """Predict the label of every task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or dask array or DataFrame
            Input samples. A dask collection gives a dask array, computed
            block by block when computed.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Original labels, 1D for a 1D training target. Where tasks differ
            in label type, the array has object dtype.
        """
        if is_dask_collection(X):
            check_is_fitted(self)
            empty = np.zeros((0, self.n_tasks_), dtype=np.int64)
            return dask_predict(self, X, decode_labels(
                empty, self._classes_list, not isinstance(self.classes_, list)))
        return decode_labels(
            self._predict_codes(X),
            self._classes_list,
            not isinstance(self.classes_, list),
        )

    def _predict_codes(self, X):
        """Predicted class index of every task, shape (n_samples, n_tasks)."""
        probas = self._predict_proba_tasks(self._validate_predict_X(X))
        return np.stack([p.argmax(axis=1) for p in probas], axis=1)

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of the per-task accuracy on labelled entries.

        Missing labels (NaN, None, pd.NA) in ``y`` are left out of their
        task's accuracy; the tasks are averaged with equal weight, whatever
        ``task_weights`` the estimator was trained with, so that different
        weightings can be compared fairly. For a single task this is the
        plain accuracy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            True labels; every label must have been seen during fit. After a
            fit on a DataFrame, a DataFrame is matched to the tasks by column
            name; arrays are read by position.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, finite sample weights.

        Returns
        -------
        score : float
            Mean per-task accuracy.
        """
        pred = self._predict_codes(X)
        true = encode_with_classes(
            self._align_tasks(y), self._classes_list, n_samples=pred.shape[0], input_name="y"
        )
        return mean_task_accuracy(true, pred, check_score_weights(sample_weight, pred.shape[0]))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
