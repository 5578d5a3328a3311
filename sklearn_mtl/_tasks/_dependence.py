"""How strongly two tasks' targets depend on each other, for task grouping.

The measure depends on the two kinds, but every one lies on the same scale,
[0, 1] (0: independent, 1: one target determines the other), and comes with
the p-value of a test of independence:

* two classification tasks: **Cramér's V** and Pearson's chi-square test
  on their contingency table;
* two regression tasks: the absolute **Spearman rank correlation**
  ``|rho|`` and its test;
* a classification and a regression task: the **correlation ratio of the
  ranks**, ``eta = sqrt(SS_between / SS_total)`` of the regression target's
  ranks grouped by class, and the Kruskal-Wallis test, whose statistic is
  ``H = (n - 1) * eta**2``.

The three agree where they meet: for two binary classes Cramér's V is
``|phi|``, the absolute correlation of the two 0/1 codes; for a binary
class, the rank correlation ratio is the absolute Spearman correlation
between the class code and the regression target. All are invariant to
monotone changes of a regression target's units. Nothing here imports torch.
"""

import numpy as np
from scipy.stats import chi2, chi2_contingency, rankdata, spearmanr


def dependence(task_a, a, task_b, b):
    """Strength in [0, 1] and p-value of the dependence of two task columns.

    Parameters
    ----------
    task_a, task_b : Task
        The two tasks (only their kinds are read).
    a, b : ndarray of shape (n,)
        Their encoded values on rows observed for both.

    Returns
    -------
    strength : float
    p_value : float
    """
    kinds = (task_a.kind, task_b.kind)
    if kinds == ("classification", "classification"):
        return cramers_v(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
    if kinds == ("regression", "regression"):
        return rank_correlation(a, b)
    if kinds == ("classification", "regression"):
        return rank_correlation_ratio(a, b)
    if kinds == ("regression", "classification"):
        return rank_correlation_ratio(b, a)
    raise ValueError(f"no dependence measure between task kinds {kinds}.")


def cramers_v(a, b):
    """Cramér's V and chi-square p-value of two class code vectors (>= 0)."""
    if a.size == 0:
        return 0.0, 1.0
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return 0.0, 1.0
    stat, p, _, _ = chi2_contingency(table, correction=False)
    return float(np.sqrt(stat / (table.sum() * (min(table.shape) - 1)))), float(p)


def rank_correlation(a, b):
    """Absolute Spearman correlation and its p-value (0, 1 when undefined)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0, 1.0
    rho, p = spearmanr(a, b)
    return float(min(abs(rho), 1.0)), float(p)


def rank_correlation_ratio(codes, values):
    """Correlation ratio of the ranks of ``values`` grouped by ``codes``,
    with the Kruskal-Wallis p-value (0, 1 when undefined)."""
    codes = np.asarray(codes, dtype=np.int64)
    ranks = rankdata(np.asarray(values, dtype=np.float64))
    n = ranks.size
    groups, codes = np.unique(codes, return_inverse=True)
    total = float(((ranks - ranks.mean()) ** 2).sum())
    if groups.size < 2 or total == 0:
        return 0.0, 1.0
    sums = np.bincount(codes, weights=ranks)
    counts = np.bincount(codes)
    between = float((sums**2 / counts).sum() - n * ranks.mean() ** 2)
    eta2 = min(max(between / total, 0.0), 1.0)
    return float(np.sqrt(eta2)), float(chi2.sf((n - 1) * eta2, groups.size - 1))
