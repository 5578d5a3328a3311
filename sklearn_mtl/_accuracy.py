"""The score of every classifier of the package: mean per-task accuracy."""

import numpy as np

from ._labels import MISSING


def mean_task_accuracy(true, pred, sample_weight=None):
    """Mean over tasks of the accuracy on the labelled entries.

    Parameters
    ----------
    true : ndarray of shape (n_samples, n_tasks)
        True class codes, ``MISSING`` where unlabelled (left out).
    pred : ndarray of shape (n_samples, n_tasks)
        Predicted class codes.
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    score : float
        The tasks with a labelled entry of positive weight, averaged with
        equal weight.

    Raises
    ------
    ValueError
        If no task has such an entry.
    """
    if sample_weight is None:
        sample_weight = np.ones(true.shape[0])
    scores = []
    for j in range(true.shape[1]):
        labelled = true[:, j] != MISSING
        w = sample_weight[labelled]
        if w.sum() > 0:
            hits = true[labelled, j] == pred[labelled, j]
            scores.append(np.average(hits, weights=w))
    if not scores:
        raise ValueError("y has no labelled entry to score against.")
    return float(np.mean(scores))
