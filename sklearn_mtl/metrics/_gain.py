"""The relative multi-task gain over single-task baselines."""

import numpy as np


def multitask_gain(mtl_scores, stl_scores, *, higher_is_better=True, average=True):
    """Relative gain of a multi-task model over single-task baselines.

    The multi-task performance measure Delta_m of Maninis et al. (2019),

    ``Delta_m = 1/T * sum_j s_j * (M_mtl,j - M_stl,j) / |M_stl,j|``,

    where ``s_j`` is +1 for a metric where higher is better (accuracy) and
    -1 where lower is better (log loss, error rate). A positive value means
    that the multi-task model does better on average; 0.05 reads "+5 %".
    The absolute value in the denominator makes negated losses (the
    ``neg_log_loss`` scorers of scikit-learn, which are higher-is-better)
    give the same gain as the losses themselves.

    Parameters
    ----------
    mtl_scores : array-like of shape (n_tasks,)
        Score of the multi-task model on each task.
    stl_scores : array-like of shape (n_tasks,)
        Score of the single-task baseline on each task; none may be 0.
    higher_is_better : bool or array-like of bool of shape (n_tasks,), default=True
        Whether a higher score is better, for all tasks or per task.
    average : bool, default=True
        Return Delta_m; if False, return the relative gain of every task.

    Returns
    -------
    gain : float or ndarray of shape (n_tasks,)

    References
    ----------
    K.-K. Maninis, I. Radosavovic and I. Kokkinos, "Attentive Single-Tasking
    of Multiple Tasks", CVPR 2019.

    Examples
    --------
    >>> from sklearn_mtl.metrics import multitask_gain
    >>> round(multitask_gain([0.90, 0.80], [0.80, 0.80]), 4)
    0.0625
    >>> multitask_gain([0.2, 0.5], [0.4, 0.5], higher_is_better=False, average=False)
    array([0.5, 0. ])
    """
    mtl = np.asarray(mtl_scores, dtype=np.float64)
    stl = np.asarray(stl_scores, dtype=np.float64)
    if mtl.ndim != 1 or mtl.shape != stl.shape or mtl.shape[0] == 0:
        raise ValueError(
            "mtl_scores and stl_scores must be 1D with one score per task and "
            f"the same length; got shapes {mtl.shape} and {stl.shape}."
        )
    if np.any(stl == 0):
        raise ValueError(
            "stl_scores must be non-zero: the gain is relative to the "
            f"single-task score; got {stl.tolist()}."
        )
    better = np.asarray(higher_is_better)
    if better.dtype != bool or better.shape not in ((), mtl.shape):
        raise ValueError(
            "higher_is_better must be a bool or one bool per task; got "
            f"{higher_is_better!r}."
        )
    sign = np.where(better, 1.0, -1.0)
    gains = sign * (mtl - stl) / np.abs(stl) + 0.0  # no -0.0
    return float(gains.mean()) if average else gains
