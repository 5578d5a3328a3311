"""Nadeau and Bengio's corrected resampled t-test for cross-validated
differences.

The folds of cross-validation share most of their training rows, so the
per-fold differences between two models are correlated and the plain paired
t-test is far too confident. Nadeau and Bengio (2003) correct the variance of
the mean difference over ``J`` train/test splits from ``s^2 / J`` to
``(1/J + n_test/n_train) * s^2``; Bouckaert and Frank (2004) apply the same
correction to repeated k-fold cross-validation (``J = k * r``).

Holm's step-down method corrects the per-task p-values, several tests,
across the tasks. ``SplitTestsMixin`` gives a comparison its gains, Delta_m
and their tests, each estimate from the splits of its own interval.
"""

from collections import namedtuple

import numpy as np
from scipy import stats

from ..metrics import multitask_gain

CONFIDENCE = 0.95
"""Confidence level of the intervals; a test is significant at 1 - CONFIDENCE."""

CorrectedTTest = namedtuple("CorrectedTTest", ["mean", "low", "high", "p_value", "n_splits"])
CorrectedTTest.__doc__ = """Mean difference, its confidence interval [low, high], the
two-sided p-value, and the number of splits it used (NaN values when fewer
than 2 splits have a finite difference)."""


def corrected_ttest(differences, test_train_ratio, *, confidence=CONFIDENCE):
    """Corrected resampled t-test of the mean of per-split differences.

    Parameters
    ----------
    differences : array-like of shape (n_splits,)
        The difference between the two models on each train/test split; NaN
        entries (a split without labelled test rows) are left out.
    test_train_ratio : float
        ``n_test / n_train``, the size of a test set over that of its
        training set (``1 / (k - 1)`` for k-fold cross-validation).
    confidence : float, default=0.95
        Level of the interval.

    Returns
    -------
    result : CorrectedTTest

    References
    ----------
    C. Nadeau and Y. Bengio, "Inference for the Generalization Error",
    Machine Learning 52, 2003. R. R. Bouckaert and E. Frank, "Evaluating the
    Replicability of Significance Tests for Comparing Learning Algorithms",
    PAKDD 2004.

    Examples
    --------
    >>> from sklearn_mtl.model_selection._stats import corrected_ttest
    >>> test = corrected_ttest([0.02, 0.01, 0.03, 0.02, 0.02], test_train_ratio=0.25)
    >>> round(test.mean, 3), test.p_value < 0.05
    (0.02, True)
    """
    d = np.asarray(differences, dtype=np.float64)
    d = d[np.isfinite(d)]
    n = d.shape[0]
    if n < 2:
        return CorrectedTTest(np.nan, np.nan, np.nan, np.nan, n)
    mean = float(d.mean())
    se = float(np.sqrt((1.0 / n + test_train_ratio) * d.var(ddof=1)))
    if se == 0.0:  # every split gives the same difference
        p_value = 1.0 if mean == 0.0 else 0.0
        return CorrectedTTest(mean, mean, mean, p_value, n)
    t = mean / se
    p_value = float(2 * stats.t.sf(abs(t), df=n - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df=n - 1)) * se
    return CorrectedTTest(mean, mean - half, mean + half, p_value, n)


def holm(p_values):
    """Holm's step-down adjustment of several p-values (one test per task).

    A task's adjusted p-value is below ``alpha`` only when Holm's procedure
    rejects its hypothesis at the family-wise level ``alpha``: the ``k``-th
    smallest of ``m`` p-values is multiplied by ``m - k + 1``, then made
    non-decreasing and capped at 1. NaN entries (no test) are left out and
    stay NaN.

    Parameters
    ----------
    p_values : array-like of shape (n_tests,)

    Returns
    -------
    adjusted : ndarray of shape (n_tests,)

    References
    ----------
    S. Holm, "A Simple Sequentially Rejective Multiple Test Procedure",
    Scandinavian Journal of Statistics 6, 1979.

    Examples
    --------
    >>> from sklearn_mtl.model_selection._stats import holm
    >>> holm([0.04, 0.01, 0.02]).round(2).tolist()
    [0.04, 0.03, 0.04]
    """
    p = np.asarray(p_values, dtype=np.float64)
    adjusted = np.full_like(p, np.nan)
    tested = np.flatnonzero(np.isfinite(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    scaled = p[order] * (m - np.arange(m))
    adjusted[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return adjusted


def _relative(values, scale):
    """values / |scale|, NaN where the scale is 0 or not finite."""
    scale = np.abs(np.asarray(scale, dtype=np.float64))
    ok = np.isfinite(scale) & (scale > np.finfo(np.float64).tiny)
    return np.divide(values, np.where(ok, scale, 1.0)) * np.where(ok, 1.0, np.nan)


def _splits_text(splits):
    return ", ".join(str(k + 1) for k in splits)


class SplitTestsMixin:
    """The gains, Delta_m and their corrected t-tests of a comparison's
    ``(n_splits, n_tasks)`` score matrices (``mtl_scores``, ``stl_scores``,
    ``reference_scores``, with ``task_names``, ``n_splits``,
    ``test_train_ratio`` and ``delta_m_splits``), each estimate from the very
    splits of its interval: a task's from the splits where it has both
    scores, Delta_m's from those where every task has them."""

    def _paired(self, other_scores, j):
        """The splits where task j has both scores, and those scores."""
        mtl, other = self.mtl_scores[:, j], other_scores[:, j]
        both = np.isfinite(mtl) & np.isfinite(other)
        return mtl[both], other[both]

    @property
    def gain(self):
        """Relative gain of the multi-task model on each task (0.01 = +1 %),
        over the splits where the task has both scores; NaN where the
        single-task score is 0 and the gain is undefined."""
        paired = [self._paired(self.stl_scores, j) for j in range(len(self.task_names))]
        mtl = np.array([m.mean() if len(m) else np.nan for m, _ in paired])
        stl = np.array([s.mean() if len(s) else np.nan for _, s in paired])
        gain = np.full(len(self.task_names), np.nan)
        ok = np.isfinite(_relative(mtl - stl, stl))
        if ok.any():
            gain[ok] = multitask_gain(mtl[ok], stl[ok], average=False)
        return gain

    def _delta_m_per_split(self):
        """Delta_m of each split in ``delta_m_splits``, each task's
        difference relative to its mean single-task score on those splits."""
        used = self.delta_m_splits
        mtl, stl = self.mtl_scores[used], self.stl_scores[used]
        scale = stl.mean(axis=0) if used.any() else np.full(stl.shape[1], np.nan)
        return np.mean(_relative(mtl - stl, scale), axis=1)

    @property
    def delta_m(self):
        """Delta_m: the mean relative gain over the tasks (Maninis et al., 2019),
        on the splits where every task has a score (``delta_m_splits``), the
        splits of its interval; NaN when a task's gain is undefined."""
        per_split = self._delta_m_per_split()
        return float(per_split.mean()) if len(per_split) else np.nan

    def _tests(self, other_scores, relative=False):
        """Per task, the corrected t-test of the multi-task score minus the
        other's on the splits where the task has both, relative to the other's
        mean on those splits when ``relative`` (the p-value does not depend on
        that scale; the mean and the interval do, and are NaN when the scale
        is 0)."""
        tests = []
        for j in range(len(self.task_names)):
            mtl, other = self._paired(other_scores, j)
            test = corrected_ttest(mtl - other, self.test_train_ratio)
            if relative:
                scale = _relative(1.0, other.mean() if len(other) else np.nan)
                test = test._replace(mean=test.mean * scale, low=test.low * scale,
                                     high=test.high * scale)
            tests.append(test)
        return tests

    @staticmethod
    def _holm(tests):
        """The tests with their p-values Holm-corrected across the tasks."""
        adjusted = holm([t.p_value for t in tests])
        return [t._replace(p_value=p) for t, p in zip(tests, adjusted)]

    @property
    def gain_tests(self):
        """Per task, the ``CorrectedTTest`` (mean, low, high, p_value, n_splits)
        of its gain, the p-value of that task alone (``verdict`` corrects them
        across the tasks with Holm's method)."""
        return self._tests(self.stl_scores, relative=True)

    @property
    def reference_tests(self):
        """Per task, the ``CorrectedTTest`` of the multi-task model's relative
        difference to the reference (None without one)."""
        if self.reference_scores is None:
            return None
        return self._tests(self.reference_scores, relative=True)

    @property
    def delta_m_test(self):
        """The ``CorrectedTTest`` of Delta_m, from its per-split values on
        the splits of ``delta_m_splits``: its mean is ``delta_m``."""
        return corrected_ttest(self._delta_m_per_split(), self.test_train_ratio)

    @property
    def left_out_text(self):
        """Which splits Delta_m leaves out and why, e.g. ``split(s) 3 left
        out: no labelled test rows for b``; empty when it uses them all."""
        missing = ~(np.isfinite(self.mtl_scores) & np.isfinite(self.stl_scores))
        by_tasks = {}
        for k in np.flatnonzero(~self.delta_m_splits):
            tasks = ", ".join(n for n, m in zip(self.task_names, missing[k]) if m)
            by_tasks.setdefault(tasks, []).append(k)
        return "; ".join(
            f"split(s) {_splits_text(splits)} left out: no labelled test rows for {tasks}"
            for tasks, splits in by_tasks.items()
        )
