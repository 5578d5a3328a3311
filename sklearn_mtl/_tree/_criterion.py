"""The weighted multi-task criteria, written for the tree builders.

A shared tree chooses every split to minimise the weighted impurity

    I = sum_j w_j * I_j / sum_j w_j

over the tasks j, where ``I_j`` is task j's Gini impurity (classification,
:func:`gini_targets`) or the variance of its standardised target
(regression, :func:`variance_targets`). scikit-learn's Cython tree builders
do not know this criterion, but they compute it exactly on suitably
encoded targets.

Regression: each task's standardised target is scaled by
``c_j = sqrt(w_j / max(w))``, so the multi-output
``DecisionTreeRegressor(criterion="squared_error")`` impurity, the mean
variance over the columns, is ``I`` times a constant. With equal weights the
targets are the standardised ones themselves: the tree is scikit-learn's
multi-output regression tree on them. scikit-learn's builder knows no
missing target, so when a criterion task misses one (NaN) the tree is grown
by the masked builder (``_masked.py``, the "masked" route): each task's
variance is that of its observed targets only, exactly, with the same
impurity units. A missing target is also left out of the leaf values (see
``_leaves.py``).

Classification, two routes:

* When every positively weighted task has the same weight and all its labels
  are present, ``I`` is the mean Gini impurity over those tasks, which is
  what a multi-output ``DecisionTreeClassifier(criterion="gini")`` minimises.
  This route is the fastest (its criterion update costs O(n_tasks) per sample,
  not O(n_classes)) and its arithmetic is exact.
* Otherwise, each task's labels are one-hot encoded and the block is scaled by
  ``c_j = sqrt(w_j / max(w))``. The variance of a one-hot block summed over its
  columns is the task's Gini impurity (``sum_k p_k (1 - p_k)``), so the
  multi-output ``DecisionTreeRegressor(criterion="squared_error")`` impurity,
  the mean variance over all columns, equals ``I`` times a constant: it
  chooses the same splits. When a criterion task misses labels, the same
  blocks are grown by the masked builder (the "masked" route), where a
  sample unlabelled for task j takes no part in task j's Gini impurity: each
  task's term is the (weighted) Gini impurity of its labelled samples times
  their weight.

Tasks of weight 0 take no part in the criterion; their leaf probabilities are
counted afterwards, like those of tasks with missing labels (see
``_leaves.py``).
"""

from typing import NamedTuple

import numpy as np

from .._labels import MISSING
from ._masked import masked_targets

NOISE_FLOOR = 1e-12
"""Smallest impurity decrease a split needs on the regressor route.

Scaled one-hot values such as ``sqrt(0.5)`` are not exact in floating point,
so a pure node keeps an impurity of about 1e-17 instead of 0, which
scikit-learn would split for nothing. The floor, in the regressor's impurity
units, is orders of magnitude above that noise. Its price: on this route a
split that decreases the impurity by less than that (such as an exactly
balanced XOR split, which gains nothing) is not made, where the classifier
route, like scikit-learn, would make it.
"""


class InnerTargets(NamedTuple):
    """Targets and settings of the scikit-learn tree that realises ``I``.

    Attributes
    ----------
    kind : {"classification", "regression"}
        The kind of the tasks.
    route : {"classifier", "regressor", "masked"}
        Which builder computes the weighted impurity: scikit-learn's with
        the Gini or the squared-error criterion, or the masked builder of
        ``_masked.py`` (regression tasks with missing targets).
    y : ndarray
        Class codes of the criterion tasks, shape (n_samples, n_criterion_tasks)
        (classifier), or their scaled one-hot blocks side by side, shape
        (n_samples, sum of their class counts) (regressor), or their scaled
        standardised values (regression; 1D for one column), followed by
        their observed mask on the masked route.
    tasks : ndarray of int
        The tasks that take part in the criterion, in the order of their
        names (the order of the columns of ``y``).
    columns : list of slice
        Columns of ``y`` that hold each criterion task (regressor route).
    scales : ndarray of shape (n_tasks,)
        The factor ``c_j`` of each task's columns in ``y`` (regressor and
        masked routes).
    from_value : ndarray of bool, shape (n_tasks,)
        Whether a task's leaf values can be read off the fitted tree's node
        values (criterion tasks without missing targets).
    impurity_scale : float
        The tree's impurity divided by ``I``: multiply
        ``min_impurity_decrease`` and ``ccp_alpha`` by it.
    impurity_floor : float
        Smallest impurity decrease to pass to scikit-learn (0 or
        ``NOISE_FLOOR``).
    """

    kind: str
    route: str
    y: np.ndarray
    tasks: np.ndarray
    columns: list
    scales: np.ndarray
    from_value: np.ndarray
    impurity_scale: float
    impurity_floor: float


def _criterion_tasks(task_weights, task_names):
    """(scales ``c_j``, the positively weighted tasks in the order of their names)."""
    task_weights = np.asarray(task_weights, dtype=np.float64)
    scales = np.sqrt(task_weights / task_weights.max())
    tasks = np.flatnonzero(scales > 0)
    # by name, so that the tree (even its ties between equal splits, which
    # the summation order decides) does not depend on the order of the columns
    tasks = tasks[np.argsort(np.asarray(task_names, dtype=str)[tasks], kind="stable")]
    return scales, tasks


def _impurity_scale(task_weights, tasks, n_columns):
    """The scikit-learn tree's impurity divided by ``I`` (regressor route)."""
    weights = np.asarray(task_weights, dtype=np.float64)[tasks]
    return float(weights.sum() / weights.max() / n_columns)


def variance_targets(values, task_names, task_weights, route=None):
    """Targets on which a regression tree minimises the weighted variance.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_tasks)
        Standardised targets, NaN where missing.
    task_names : array-like of str
        The tasks' names.
    task_weights : ndarray of shape (n_tasks,)
        Validated, non-negative task weights, at least one positive.
    route : {"regressor", "masked"}, default=None
        None takes scikit-learn's builder ("regressor") when no criterion
        task misses a target, else the exact masked builder. "masked" forces
        the masked builder (to test that both agree); "regressor" forces
        scikit-learn's builder, where a missing target counts as the task's
        training mean (0 once standardised): the approximation of earlier
        versions, kept to measure against.

    Returns
    -------
    InnerTargets
    """
    scales, tasks = _criterion_tasks(task_weights, task_names)
    observed = ~np.isnan(values)
    from_value = np.zeros(values.shape[1], dtype=bool)
    from_value[tasks] = observed[:, tasks].all(axis=0)
    complete = bool(from_value[tasks].all())
    if route is None:
        route = "regressor" if complete else "masked"
    y = np.where(observed[:, tasks], values[:, tasks], 0.0) * scales[tasks]
    if route == "masked":
        y = masked_targets(y, observed[:, tasks])
    elif len(tasks) == 1:
        y = y[:, 0]
    return InnerTargets(
        kind="regression",
        route=route,
        y=y,
        tasks=tasks,
        columns=[slice(k, k + 1) for k in range(len(tasks))],
        scales=scales,
        from_value=from_value,
        impurity_scale=_impurity_scale(task_weights, tasks, len(tasks)),
        impurity_floor=0.0,
    )


def gini_targets(encoded, task_weights, sample_weight=None, route=None):
    """Targets on which a scikit-learn tree minimises the weighted Gini impurity.

    Parameters
    ----------
    encoded : EncodedTargets
        The encoded training labels.
    task_weights : ndarray of shape (n_tasks,)
        Validated, non-negative task weights, at least one positive.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the samples, used for the class priors of missing labels.
    route : {"classifier", "regressor", "masked"}, default=None
        None takes the classifier route wherever it is exact (it is
        fastest), else the one-hot regressor route when no criterion task
        misses a label, else the one-hot masked route. "regressor" forces
        the one-hot route on scikit-learn's builder (to test that both
        agree; a missing label then counts as its task's class prior, the
        approximation of earlier versions), "masked" the masked builder.

    Returns
    -------
    InnerTargets
    """
    scales, tasks = _criterion_tasks(task_weights, encoded.task_names)
    complete = encoded.mask[:, tasks].all(axis=0)
    from_value = np.zeros(len(task_weights), dtype=bool)
    from_value[tasks[complete]] = True
    exact_gini = bool(np.all(complete) and np.all(scales[tasks] == 1.0))
    if route is None:
        route = "classifier" if exact_gini else "regressor" if np.all(complete) else "masked"
    elif route == "classifier" and not exact_gini:
        raise ValueError(
            "The classifier route needs equal positive task weights and no missing label."
        )
    if route == "classifier":
        codes = encoded.codes[:, tasks]
        return InnerTargets(
            kind="classification",
            route="classifier",
            y=codes[:, 0] if len(tasks) == 1 else codes,
            tasks=tasks,
            columns=[],
            scales=scales,
            from_value=from_value,
            impurity_scale=1.0,
            impurity_floor=0.0,
        )
    blocks = [
        scales[j] * soft_one_hot(encoded.codes[:, j], len(encoded.classes[j]), sample_weight,
                                 prior=route == "regressor")
        for j in tasks
    ]
    ends = np.cumsum([b.shape[1] for b in blocks])
    columns = [slice(end - b.shape[1], end) for b, end in zip(blocks, ends)]
    y = np.hstack(blocks)
    if route == "masked":  # each task's labelled mask over its block's columns
        y = masked_targets(y, np.repeat(encoded.mask[:, tasks], ends - np.r_[0, ends[:-1]],
                                        axis=1))
    return InnerTargets(
        kind="classification",
        route=route,
        y=y[:, 0] if y.shape[1] == 1 else y,
        tasks=tasks,
        columns=columns,
        scales=scales,
        from_value=from_value,
        impurity_scale=_impurity_scale(task_weights, tasks, y.shape[1]),
        impurity_floor=NOISE_FLOOR,
    )


def soft_one_hot(codes, n_classes, sample_weight=None, prior=True):
    """One-hot rows of a task's codes; a missing label gets the class prior
    (zeros without ``prior``).

    Parameters
    ----------
    codes : ndarray of shape (n_samples,)
        Class indices, ``MISSING`` where unlabelled.
    n_classes : int
        Number of classes of the task.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights for the prior (the weighted class frequencies of the labelled
        samples).
    prior : bool, default=True
        Whether a missing label's row is the class prior (else zeros).

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    labelled = codes != MISSING
    out = np.zeros((codes.shape[0], n_classes))
    out[np.flatnonzero(labelled), codes[labelled]] = 1.0
    if prior and not np.all(labelled):
        weights = None if sample_weight is None else sample_weight[labelled]
        prior = np.bincount(codes[labelled], weights=weights, minlength=n_classes)
        if not prior.sum() > 0:  # every labelled sample has weight 0
            prior = np.bincount(codes[labelled], minlength=n_classes)
        out[~labelled] = prior / prior.sum()
    return out
