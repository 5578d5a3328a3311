"""Synthetic multi-task classification with controlled task relatedness."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


def _task_directions(rng, n_informative, n_classes, relatedness, clusters=None):
    """Unit-norm logit directions of each task: ``sqrt(r) * shared +
    sqrt(1 - r) * own``, where ``shared`` belongs to the task's cluster,
    with all the shared and own directions orthonormal (when there is room
    for them), so the cosine between two tasks' directions is ``r`` within a
    cluster and 0 across clusters (one cluster of every task by default)."""
    if clusters is None:
        clusters = [list(range(len(n_classes)))]
    n_shared = [max(n_classes[t] for t in cluster) for cluster in clusters]
    n_columns = sum(n_shared) + sum(n_classes)
    basis = rng.standard_normal((n_informative, n_columns))
    if n_informative >= n_columns:
        basis, _ = np.linalg.qr(basis)
    else:  # near-orthogonal random directions
        basis /= np.linalg.norm(basis, axis=0)
    own_start = np.cumsum([sum(n_shared)] + n_classes)
    directions = [None] * len(n_classes)
    shared_start = 0
    for cluster, width in zip(clusters, n_shared):
        shared = basis[:, shared_start : shared_start + width]
        shared_start += width
        for t in cluster:
            k = n_classes[t]
            task_own = basis[:, own_start[t] : own_start[t] + k]
            directions[t] = (np.sqrt(relatedness) * shared[:, :k]
                             + np.sqrt(1 - relatedness) * task_own)
    return directions


def _clusters(n_tasks, groups, n_noise_tasks):
    """Task indices of each cluster of related tasks, and the number of tasks."""
    if groups is None:
        n_tasks = 3 if n_tasks is None else n_tasks
        n_signal = n_tasks - n_noise_tasks
        if n_signal < 1:
            raise ValueError(
                f"n_noise_tasks ({n_noise_tasks}) must be smaller than n_tasks ({n_tasks})."
            )
        return [list(range(n_signal))], n_tasks
    sizes = list(np.asarray(groups).ravel())
    if not sizes or not all(isinstance(s, Integral) and s >= 1 for s in sizes):
        raise ValueError(
            f"groups must be a non-empty list of cluster sizes (ints >= 1); got {groups!r}."
        )
    total = int(sum(sizes)) + n_noise_tasks
    if n_tasks is not None and n_tasks != total:
        raise ValueError(
            f"n_tasks ({n_tasks}) must equal sum(groups) + n_noise_tasks ({total}), or be "
            "left to None."
        )
    bounds = np.cumsum([0] + sizes)
    return [list(range(a, b)) for a, b in zip(bounds[:-1], bounds[1:])], total


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_tasks": [None, Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left"), "array-like"],
        "task_relatedness": [Interval(Real, 0, 1, closed="both")],
        "groups": [None, "array-like"],
        "n_noise_tasks": [Interval(Integral, 0, None, closed="left")],
        "n_informative": [Interval(Integral, 1, None, closed="left")],
        "flip_y": [Interval(Real, 0, 1, closed="both")],
        "missing_rate": [Interval(Real, 0, 1, closed="left")],
        "random_state": ["random_state"],
        "as_frame": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_multitask_classification(
    n_samples=500,
    n_features=20,
    *,
    n_tasks=None,
    n_classes=2,
    task_relatedness=0.5,
    groups=None,
    n_noise_tasks=0,
    n_informative=10,
    flip_y=0.01,
    missing_rate=0.0,
    random_state=None,
    as_frame=False,
):
    """Generate classification tasks that share a controlled amount of signal.

    The features are standard normal; the first ``n_informative`` carry the
    signal. Task t has one logit direction per class, mixing directions
    shared by all tasks with its own: ``w_t = sqrt(r) * u_shared + sqrt(1 - r)
    * u_t``, where r is ``task_relatedness`` and the u are orthonormal, so
    the cosine between two tasks' directions is r. As in the synthetic data
    of Ma et al. (KDD 2018, MMoE), a shared nonlinearity is added,
    ``s + (sin(a_1 s + b_1) + sin(a_2 s + b_2)) / 2`` with ``s = x @ w_t``, and the
    label is the class with the largest logit. With r = 1 the tasks share
    their signal (equal numbers of classes give identical labels up to
    ``flip_y``); with r = 0 they are unrelated.

    With ``groups``, the tasks form clusters (planted task groups): each
    cluster has its own shared directions, so r is the cosine within a
    cluster and tasks of different clusters are unrelated (a cluster of
    size 1 is a task related to no other). The last ``n_noise_tasks`` tasks
    are pure noise: labels drawn uniformly at random, independent of X.

    Parameters
    ----------
    n_samples : int, default=500
        Number of samples.
    n_features : int, default=20
        Number of features, at least ``n_informative``.
    n_tasks : int, default=None
        Number of tasks (columns of Y); None gives 3, or ``sum(groups) +
        n_noise_tasks`` with ``groups``.
    n_classes : int or array-like of int, default=2
        Number of classes of every task, or of each task.
    task_relatedness : float in [0, 1], default=0.5
        Cosine between the tasks' logit directions (within a cluster, with
        ``groups``).
    groups : array-like of int, default=None
        Sizes of the clusters of related tasks, which take the first
        columns in order; None puts all the non-noise tasks in one cluster.
    n_noise_tasks : int, default=0
        Number of pure-noise tasks, the last columns of Y.
    n_informative : int, default=10
        Number of informative features (the first ones). The directions are
        exactly orthonormal when ``n_informative >= max(n_classes) +
        sum(n_classes)``, nearly so otherwise.
    flip_y : float in [0, 1], default=0.01
        Fraction of each task's labels replaced by a random class.
    missing_rate : float in [0, 1), default=0.0
        Probability that a label is missing (NaN; pd.NA in a frame).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.
    as_frame : bool, default=False
        Return pandas DataFrames (columns ``feature_<i>`` and ``task_<t>``).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features) or DataFrame
        Features.
    Y : ndarray of shape (n_samples, n_tasks) or DataFrame
        Integer class labels; float with NaN when ``missing_rate > 0``
        (nullable ``Int64`` columns in a frame).

    References
    ----------
    J. Ma, Z. Zhao, X. Yi, J. Chen, L. Hong and E. H. Chi, "Modeling Task
    Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts",
    KDD 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_samples=100, n_tasks=2, n_classes=[2, 3], random_state=0)
    >>> X.shape, Y.shape
    ((100, 20), (100, 2))
    >>> np.unique(Y[:, 1])
    array([0, 1, 2])
    """
    clusters, n_tasks = _clusters(n_tasks, groups, n_noise_tasks)
    n_signal = n_tasks - n_noise_tasks
    if np.ndim(n_classes) == 0:
        n_classes = [int(n_classes)] * n_tasks
    else:
        n_classes = list(np.asarray(n_classes).ravel())
        if len(n_classes) != n_tasks or not all(
            isinstance(k, Integral) and k >= 2 for k in n_classes
        ):
            raise ValueError(
                f"n_classes must be an int >= 2 or a list of {n_tasks} ints >= 2 "
                f"(one per task); got {n_classes}."
            )
        n_classes = [int(k) for k in n_classes]
    if n_informative > n_features:
        raise ValueError(
            f"n_informative ({n_informative}) must not exceed n_features ({n_features})."
        )
    rng = check_random_state(random_state)
    # the task structure first, so that it does not depend on n_samples
    directions = _task_directions(rng, n_informative, n_classes[:n_signal], task_relatedness,
                                  clusters)
    alpha, beta = rng.standard_normal(2), rng.standard_normal(2)
    X = rng.standard_normal((n_samples, n_features))
    Y = np.empty((n_samples, n_tasks), dtype=np.int64)
    for t, (w, k) in enumerate(zip(directions, n_classes)):
        s = X[:, :n_informative] @ w
        logits = s + 0.5 * sum(np.sin(a * s + b) for a, b in zip(alpha, beta))
        labels = logits.argmax(axis=1)
        flip = rng.uniform(size=n_samples) < flip_y
        labels[flip] = rng.randint(k, size=int(flip.sum()))
        Y[:, t] = labels
    for t in range(n_signal, n_tasks):
        Y[:, t] = rng.randint(n_classes[t], size=n_samples)
    missing = rng.uniform(size=Y.shape) < missing_rate
    if as_frame:
        import pandas as pd

        X = pd.DataFrame(X, columns=[f"feature_{i}" for i in range(n_features)])
        Y = pd.DataFrame(Y, columns=[f"task_{t}" for t in range(n_tasks)]).astype("Int64")
        return X, Y.mask(missing)
    if missing.any():
        Y = Y.astype(np.float64)
        Y[missing] = np.nan
    return X, Y
