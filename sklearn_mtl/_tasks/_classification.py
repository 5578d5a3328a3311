"""Classification tasks: labels encoded as integer codes, -1 when missing."""

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score
from sklearn.utils.multiclass import check_classification_targets

from .._targets import missing_mask
from ._task import Task

MISSING = -1
"""Code of a missing label in an encoded classification column."""


class ClassificationTask(Task):
    """A task whose target is a class label.

    ``fit`` learns the sorted classes; ``encode`` gives int64 codes (index in
    ``classes_``, ``-1`` for a missing label); the head has one logit per
    class; the default score is accuracy.

    Parameters
    ----------
    name : str, default="task_0"
        The task's name.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Sorted classes seen in fit (or declared with :meth:`declare`).

    Examples
    --------
    >>> from sklearn_mtl._tasks import ClassificationTask
    >>> task = ClassificationTask("cut")
    >>> task.fit_encode(["good", None, "fair", "good"]).tolist()
    [1, -1, 0, 1]
    >>> task.decode([0, 1]).tolist()
    ['fair', 'good']
    """

    kind = "classification"
    default_metric = "accuracy"
    greater_is_better = True
    _fitted_attribute = "classes_"

    def fit_encode(self, column, *, input_name="y"):
        values, missing = self._observed(column, input_name)
        if values.shape[0] == 0:
            raise ValueError(
                f"{input_name} column {self.name!r} has no labelled sample: every "
                "entry is missing. Drop the task or label some samples."
            )
        try:
            check_classification_targets(values)
        except ValueError as exc:
            raise ValueError(f"{input_name} column {self.name!r}: {exc}") from None
        self.classes_, codes = np.unique(values, return_inverse=True)
        out = np.full(missing.shape[0], MISSING, dtype=np.int64)
        out[~missing] = codes.ravel()
        return out

    def declare(self, classes, *, input_name="classes"):
        """Set ``classes_`` to classes declared up front (``partial_fit``).

        Parameters
        ----------
        classes : array-like of shape (n_classes,)
            Every class of the task, some maybe unseen so far.
        input_name : str, default="classes"
            Name of ``classes`` in error messages.

        Returns
        -------
        remap : ndarray of int64
            ``remap[old_code]`` is the code of the same class in the declared
            classes (empty when the task was not fitted before).

        Raises
        ------
        ValueError
            If ``classes`` is empty, not 1D, holds a missing value, or lacks
            a class already fitted.
        """
        given = np.asarray(classes)
        if given.ndim != 1 or given.size == 0:
            raise ValueError(
                f"{input_name} must be a non-empty 1D array-like of class labels."
            )
        if missing_mask(given).any():
            raise ValueError(
                f"{input_name} = {given.tolist()} holds a missing value (NaN, None "
                "or pd.NA); a missing label marks an unlabelled sample and cannot be "
                "a class."
            )
        given = np.unique(given)
        seen = getattr(self, "classes_", given[:0])
        idx, found = _lookup(given, seen)
        if not np.all(found):
            raise ValueError(
                f"y column {self.name!r} has labels {seen[~found].tolist()[:5]} that "
                f"are not in {input_name} = {given.tolist()}."
            )
        self.classes_ = given
        return idx.astype(np.int64)

    def declare_encoded(self, classes, codes, *, input_name="classes"):
        """:meth:`declare` ``classes``, and ``codes`` (encoded against the
        former classes) re-encoded against the declared ones.

        Returns
        -------
        codes : ndarray of int64
            A new array: each label's code in the declared classes,
            ``MISSING`` where unlabelled.
        """
        remap = self.declare(classes, input_name=input_name)
        codes = np.array(codes, dtype=np.int64)
        labelled = codes != MISSING
        codes[labelled] = remap[codes[labelled]]
        return codes

    def encode(self, column, *, input_name="y"):
        """Integer codes of a raw column: index in ``classes_``, -1 if missing.

        Raises
        ------
        ValueError
            If a label was not seen in fit.
        """
        self._check_fitted()
        values, missing = self._observed(column, input_name)
        idx, found = _lookup(self.classes_, values)
        if not np.all(found):
            seen = set(self.classes_.tolist())
            unseen = sorted({str(v) for v in values.tolist() if v not in seen})
            raise ValueError(
                f"{input_name} column {self.name!r} has labels not seen during fit: "
                f"{unseen[:5]}; known classes are {self.classes_.tolist()}."
            )
        out = np.full(missing.shape[0], MISSING, dtype=np.int64)
        out[~missing] = idx
        return out

    def missing(self, encoded):
        return np.asarray(encoded) == MISSING

    def decode(self, encoded):
        """The labels of integer codes (codes must be valid, not -1)."""
        self._check_fitted()
        return self.classes_[np.asarray(encoded, dtype=np.int64)]

    @property
    def n_outputs(self):
        self._check_fitted()
        return len(self.classes_)

    def _score(self, y_true, y_pred, sample_weight):
        if y_pred.dtype == object:  # a column of a mixed prediction array
            y_pred = np.asarray(y_pred.tolist())
        return accuracy_score(y_true, y_pred, sample_weight=sample_weight)

    def floor_estimator(self):
        """``DummyClassifier(strategy="prior")``: the majority class."""
        return DummyClassifier(strategy="prior")




def _lookup(classes, values):
    """(index of each value in the sorted ``classes``, found mask)."""
    if classes.size == 0:
        return np.zeros(values.shape, dtype=np.int64), np.zeros(values.shape, dtype=bool)
    try:
        idx = np.clip(np.searchsorted(classes, values), 0, classes.size - 1)
        return idx, classes[idx] == values
    except TypeError:  # labels of another type than the classes
        return np.zeros(values.shape, dtype=np.int64), np.zeros(values.shape, dtype=bool)
