"""Regression tasks: continuous targets, standardised inside."""

import numpy as np
from sklearn.dummy import DummyRegressor
from sklearn.metrics import r2_score

from ._task import Task


class RegressionTask(Task):
    """A task whose target is a real number.

    ``fit`` learns the mean ``loc_`` and standard deviation ``scale_`` of the
    observed values (``scale_`` is 1 for a constant target); ``encode`` gives
    the standardised float64 values, NaN where missing, so that a task's loss
    and weight mean the same whatever its units; ``decode`` maps standardised
    predictions back to the original units. The head has one output; the
    default score is R², as scikit-learn's regressors have.

    Parameters
    ----------
    name : str, default="task_0"
        The task's name.

    Attributes
    ----------
    loc_ : float
        Mean of the observed training values.
    scale_ : float
        Their standard deviation (population), 1.0 when it is 0.

    Examples
    --------
    >>> from sklearn_mtl._tasks import RegressionTask
    >>> task = RegressionTask("price")
    >>> task.fit_encode([1.0, float("nan"), 3.0]).tolist()
    [-1.0, nan, 1.0]
    >>> task.decode([0.0, 2.0]).tolist()
    [2.0, 4.0]
    """

    kind = "regression"
    default_metric = "r2"
    greater_is_better = True
    _fitted_attribute = "loc_"

    def numeric_values(self, column, input_name="y"):
        """(observed values as float64, missing mask) of a raw column.

        Raises
        ------
        ValueError
            If the column holds non-numeric values.
        """
        values, missing = self._observed(column, input_name)
        if values.dtype.kind not in "biuf":
            raise ValueError(
                f"{input_name} column {self.name!r} is a regression task but holds "
                f"non-numeric values (dtype {values.dtype}); pass numbers or declare "
                "the task a classification task."
            )
        return values.astype(np.float64), missing

    def fit_encode(self, column, *, input_name="y"):
        values, missing = self.numeric_values(column, input_name)
        n = values.shape[0]
        self.fit_moments(n, values.mean() if n else 0.0, values.var() if n else 0.0,
                         input_name=input_name)
        return self._standardise(values, missing)

    def fit_moments(self, count, mean, variance, *, input_name="y"):
        """Fit from the count, mean and population variance of the observed
        values, e.g. accumulated block by block (:class:`Moments`) when the
        column is never held whole.

        Returns
        -------
        self : RegressionTask
        """
        if count == 0:
            raise ValueError(
                f"{input_name} column {self.name!r} has no observed value: every "
                "entry is missing. Drop the task or give some values."
            )
        self.loc_ = float(mean)
        scale = float(np.sqrt(variance))
        self.scale_ = scale if scale > 0 and np.isfinite(scale) else 1.0
        return self

    def encode(self, column, *, input_name="y"):
        """Standardised float64 values, NaN where missing."""
        self._check_fitted()
        return self._standardise(*self.numeric_values(column, input_name))

    def _standardise(self, values, missing):
        out = np.full(missing.shape[0], np.nan)
        out[~missing] = (values - self.loc_) / self.scale_
        return out

    def missing(self, encoded):
        return np.isnan(np.asarray(encoded, dtype=np.float64))

    def decode(self, encoded):
        """Standardised values back in the target's units."""
        self._check_fitted()
        return np.asarray(encoded, dtype=np.float64) * self.scale_ + self.loc_

    @property
    def n_outputs(self):
        return 1

    def _score(self, y_true, y_pred, sample_weight):
        return r2_score(y_true, np.asarray(y_pred, dtype=np.float64),
                        sample_weight=sample_weight)

    def floor_estimator(self):
        """``DummyRegressor()``: the training mean."""
        return DummyRegressor()



class Moments:
    """Count, mean and population variance of values seen part by part.

    Each part's count, mean and sum of squared deviations are combined with
    Chan, Golub and LeVeque's pairwise update, so the result is that of all
    the values at once up to float64 rounding, with no value kept.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mtl._tasks._regression import Moments
    >>> moments = Moments().update(np.array([1.0, 2.0])).update(np.array([6.0]))
    >>> moments.count, moments.mean, moments.variance
    (3, 3.0, 4.666666666666667)
    """

    def __init__(self):
        self.count, self.mean, self._m2 = 0, 0.0, 0.0

    @property
    def variance(self):
        """The population variance (0 before any value)."""
        return self._m2 / self.count if self.count else 0.0

    def update(self, values):
        """Add a part's float64 values; returns self."""
        n = values.shape[0]
        if n == 0:
            return self
        mean = float(values.mean())
        m2 = float(np.square(values - mean).sum())
        total = self.count + n
        delta = mean - self.mean
        self.mean += delta * n / total
        self._m2 += m2 + delta * delta * self.count * n / total
        self.count = total
        return self
