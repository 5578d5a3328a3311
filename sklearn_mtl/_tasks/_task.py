"""The base class of a task: what every kind of task answers.

A task is one column of a multi-task target. Everything that depends on
the *kind* of the task (classification, regression) lives on its task
object: checking and encoding the target column, the width of the
network head, the decoding of predictions, the default score, the floor
and reference baselines, and the dependence measure of task grouping.
Estimators, trees, metrics and model selection ask the task for these
instead of assuming classes. Nothing here imports torch.
"""

import numpy as np
from sklearn.exceptions import NotFittedError

from .._targets import column_values
from ._reference import make_reference


class Task:
    """One task of a multi-task target; subclasses are the kinds of task.

    Parameters
    ----------
    name : str, default="task_0"
        The task's name (a DataFrame column name, else ``task_<j>``).

    Attributes
    ----------
    kind : str
        ``"classification"`` or ``"regression"`` (class attribute).
    default_metric : str
        Name of the default score (``"accuracy"`` or ``"r2"``).
    greater_is_better : bool
        Direction of the default score.
    """

    kind = None
    default_metric = None
    greater_is_better = True

    def __init__(self, name="task_0"):
        self.name = str(name)

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"

    # -- reading a column -------------------------------------------------
    def _observed(self, column, input_name="y"):
        """(observed values, missing mask) of a raw column."""
        if not hasattr(column, "dtype"):  # a list: keep ints as ints next to None
            column = np.asarray(column, dtype=object)
        return column_values(column, self.name, input_name)

    def fit(self, column, *, input_name="y"):
        """Learn the task's encoding from a training column.

        Parameters
        ----------
        column : array-like of shape (n_samples,) or Series
            The raw target of the task; NaN, None and pd.NA mark missing
            entries, which are ignored.
        input_name : str, default="y"
            Name of the target in error messages.

        Returns
        -------
        self : Task
        """
        self.fit_encode(column, input_name=input_name)
        return self

    def fit_encode(self, column, *, input_name="y"):
        """Fit on ``column`` and return its encoding (one pass where possible)."""
        raise NotImplementedError

    def encode(self, column, *, input_name="y"):
        """Encode a raw column (see the subclasses for the encoding)."""
        raise NotImplementedError

    def missing(self, encoded):
        """Boolean mask, True where an encoded entry is missing."""
        raise NotImplementedError

    def decode(self, encoded):
        """Map encoded predictions back to labels or original units."""
        raise NotImplementedError

    @property
    def n_outputs(self):
        """Width of the task's network head."""
        raise NotImplementedError

    def score(self, y_true, y_pred, sample_weight=None):
        """The default score on the entries where ``y_true`` is not missing.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Raw target of the task, missing entries allowed.
        y_pred : array-like of shape (n_samples,)
            Predictions in the target's own labels or units.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        score : float
            NaN when no entry of ``y_true`` is observed.
        """
        values, missing = self._observed(y_true, "y_true")
        y_pred = np.asarray(y_pred)
        if y_pred.shape[0] != missing.shape[0]:
            raise ValueError(
                f"y_pred has {y_pred.shape[0]} rows but y_true has {missing.shape[0]}."
            )
        if values.shape[0] == 0:
            return float("nan")
        weights = None if sample_weight is None else np.asarray(sample_weight)[~missing]
        return float(self._score(values, y_pred[~missing], weights))

    def floor_estimator(self):
        """The floor baseline: a model that ignores the features."""
        raise NotImplementedError

    def reference_estimator(self, name="hgb", random_state=None):
        """A strong single-task reference model of this kind.

        Parameters
        ----------
        name : {"hgb", "lightgbm", "catboost"}, default="hgb"
            ``"hgb"``: scikit-learn's histogram gradient boosting (defaults,
            so early stopping is on above 10 000 samples); ``"lightgbm"`` and
            ``"catboost"``: those packages' models with their defaults and
            one thread (extras ``sklearn-mtl[lightgbm]``,
            ``sklearn-mtl[catboost]``).
        random_state : int, RandomState or None, default=None
            Seed of the model.

        Returns
        -------
        estimator : unfitted scikit-learn estimator

        Raises
        ------
        ValueError
            If ``name`` is not a known reference.
        ImportError
            If the package of ``name`` is not installed.
        """
        return make_reference(name, self.kind, random_state)

    def dependence(self, a, b, other=None):
        """Strength and p-value of the dependence between two tasks.

        Parameters
        ----------
        a : ndarray of shape (n,)
            This task's encoded values on rows observed for both tasks.
        b : ndarray of shape (n,)
            The other task's encoded values on the same rows.
        other : Task, default=None
            The other task; None means a task of the same kind as this one.

        Returns
        -------
        strength : float in [0, 1]
            0 for no dependence, 1 for a deterministic relation; the
            measure depends on the two kinds (see
            :func:`sklearn_mtl._tasks.dependence`).
        p_value : float
            p-value of the test of independence.
        """
        from ._dependence import dependence

        return dependence(self, a, other if other is not None else self, b)

    def _check_fitted(self):
        if not hasattr(self, self._fitted_attribute):
            raise NotFittedError(
                f"{type(self).__name__} {self.name!r} is not fitted yet; call fit first."
            )
