"""The score of every classifier of the package, mean per-task accuracy, and
the check of the sample weights of every score."""

import numpy as np
from sklearn.utils.validation import _check_sample_weight

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


def check_score_weights(sample_weight, n_samples):
    """Validate the ``sample_weight`` of a score: finite, non-negative, one per
    sample; returned as a float64 array (None stays None)."""
    if sample_weight is None:
        return None
    shape = np.shape(sample_weight)
    if shape != (n_samples,):
        raise ValueError(f"sample_weight must have shape ({n_samples},); got {shape}.")
    return _check_sample_weight(
        sample_weight, np.empty((n_samples, 0)), ensure_non_negative=True
    )
