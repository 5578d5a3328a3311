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

    def _numeric(self, column, input_name):
        values, missing = self._observed(column, input_name)
        if values.dtype.kind not in "biuf":
            raise ValueError(
                f"{input_name} column {self.name!r} is a regression task but holds "
                f"non-numeric values (dtype {values.dtype}); pass numbers or declare "
                "the task a classification task."
            )
        return values.astype(np.float64), missing

    def fit_encode(self, column, *, input_name="y"):
        values, missing = self._numeric(column, input_name)
        if values.shape[0] == 0:
            raise ValueError(
                f"{input_name} column {self.name!r} has no observed value: every "
                "entry is missing. Drop the task or give some values."
            )
        self.loc_ = float(values.mean())
        scale = float(values.std())
        self.scale_ = scale if scale > 0 and np.isfinite(scale) else 1.0
        return self._standardise(values, missing)

    def encode(self, column, *, input_name="y"):
        """Standardised float64 values, NaN where missing."""
        self._check_fitted()
        return self._standardise(*self._numeric(column, input_name))

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

