"""Nadeau and Bengio's corrected resampled t-test for cross-validated
differences.

The folds of cross-validation share most of their training rows, so the
per-fold differences between two models are correlated and the plain paired
t-test is far too confident. Nadeau and Bengio (2003) correct the variance of
the mean difference over ``J`` train/test splits from ``s^2 / J`` to
``(1/J + n_test/n_train) * s^2``; Bouckaert and Frank (2004) apply the same
correction to repeated k-fold cross-validation (``J = k * r``).
"""

from collections import namedtuple

import numpy as np
from scipy import stats

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
