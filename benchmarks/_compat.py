"""Thin stand-ins for sklearn_mtl.model_selection / sklearn_mtl.metrics until
they land in this branch; the package's own functions are used when importable.
Delete this module once they have landed."""

import numpy as np
from sklearn.base import clone

try:
    from sklearn_mtl.metrics import multitask_gain, per_task_score
    from sklearn_mtl.model_selection import compare_with_single_task
except ImportError:  # pragma: no cover - the fallback
    def per_task_score(Y_true, Y_pred):
        Y_true, Y_pred = np.asarray(Y_true), np.asarray(Y_pred)
        return np.array([np.mean(Y_true[:, j] == Y_pred[:, j]) for j in range(Y_true.shape[1])])

    def multitask_gain(mtl_scores, stl_scores, *, average=True):
        mtl, stl = np.asarray(mtl_scores, float), np.asarray(stl_scores, float)
        gains = (mtl - stl) / np.abs(stl)
        return float(gains.mean()) if average else gains

    class _Result:
        def __init__(self, task_names, mtl_scores, stl_scores):
            self.task_names = list(task_names)
            self.mtl_scores, self.stl_scores = np.asarray(mtl_scores), np.asarray(stl_scores)
            self.delta_m = multitask_gain(self.mtl_scores.mean(0), self.stl_scores.mean(0))

    def compare_with_single_task(estimator, X, Y, *, cv, single_task_estimator=None):
        single = estimator if single_task_estimator is None else single_task_estimator
        mtl, stl = [], []
        for train, test in cv.split(X) if hasattr(cv, "split") else cv:
            Xtr, Xte, Ytr, Yte = X.iloc[train], X.iloc[test], Y.iloc[train], Y.iloc[test]
            mtl.append(per_task_score(Yte, clone(estimator).fit(Xtr, Ytr).predict(Xte)))
            stl.append([np.mean(clone(single).fit(Xtr, Ytr.iloc[:, j]).predict(Xte)
                                == Yte.iloc[:, j].to_numpy()) for j in range(Y.shape[1])])
        return _Result(Y.columns, mtl, stl)

__all__ = ["compare_with_single_task", "multitask_gain", "per_task_score"]
