"""What the shared trees' kinds of task change: targets, criterion, leaves.

A shared classifier encodes its labels through ``MultiTaskClassifierMixin``
and splits on the weighted Gini impurity; its leaf rows are one-hot labels,
so its leaf values are class probabilities. A shared regressor fits its
targets as regression tasks (``TaskSet``: standardised, NaN missing) and
splits on the weighted variance of the standardised targets; its leaf
values are their means, decoded to the targets' units by the tasks.
"""

import numpy as np
from sklearn.metrics import r2_score

from .._accuracy import mean_task_accuracy
from .._base import MultiTaskClassifierMixin
from .._base_tasks import MultiTaskRegressorMixin
from .._labels import MISSING
from ._criterion import gini_targets, variance_targets


class SharedTreesClassifierMixin(MultiTaskClassifierMixin):
    """Classification tasks: the weighted Gini impurity, class probabilities."""

    def _criterion_targets(self, encoded, sample_weight):
        return gini_targets(encoded, self.task_weights_, sample_weight)

    def _output_widths(self):
        return [len(classes) for classes in self._classes_list]

    def _task_rows(self, encoded, j):
        """One-hot labels of task j, NaN rows where unlabelled."""
        codes = encoded.codes[:, j]
        labelled = codes != MISSING
        rows = np.full((codes.shape[0], len(encoded.classes[j])), np.nan)
        rows[labelled] = 0.0
        rows[np.flatnonzero(labelled), codes[labelled]] = 1.0
        return rows

    def _predict_proba_tasks(self, X):
        return self._per_task(self._predict_node_values(X))

    def _set_oob_score(self, values, covered, encoded):
        per_task = self._per_task(values)
        pred = np.stack([p.argmax(axis=1) for p in per_task], axis=1)
        true = np.where(covered[:, np.newaxis], encoded.codes, MISSING)
        self.oob_score_ = mean_task_accuracy(true, pred)
        self.oob_decision_function_ = per_task if isinstance(self.classes_, list) else per_task[0]


class SharedTreesRegressorMixin(MultiTaskRegressorMixin):
    """Regression tasks: the weighted variance of the standardised targets."""

    def _fit_targets(self, y, n_samples, continuing=False):
        targets = super()._fit_targets(y, n_samples, continuing)
        self.loc_ = np.array([task.loc_ for task in targets.tasks])
        self.scale_ = np.array([task.scale_ for task in targets.tasks])
        return targets

    def _criterion_targets(self, encoded, sample_weight):
        return variance_targets(
            np.column_stack(encoded.encoded), self.task_names_, self.task_weights_
        )

    def _output_widths(self):
        return [1] * self.n_tasks_

    def _task_rows(self, encoded, j):
        """Task j's standardised targets as a column, NaN where missing."""
        return encoded.encoded[j][:, np.newaxis]

    def _predict_tasks(self, X):
        values = self._predict_node_values(X)
        return [values[:, j] for j in range(values.shape[1])]

    def _set_oob_score(self, values, covered, encoded):
        scores = []
        for j, column in enumerate(encoded.encoded):
            use = covered & ~np.isnan(column)
            scores.append(r2_score(column[use], values[use, j]) if use.sum() > 1 else np.nan)
        # R² is unchanged by standardising both the truth and the prediction
        self.oob_score_ = float(np.nanmean(scores)) if not np.all(np.isnan(scores)) else np.nan
        self.oob_prediction_ = self._task_set.decode(values)
