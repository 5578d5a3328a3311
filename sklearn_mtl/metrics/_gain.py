"""The relative multi-task gain over single-task baselines."""

from collections.abc import Mapping

import numpy as np

from .._targets import is_series, unique_names
from ._registry import metric_greater_is_better


def _split_names(values, name):
    """(task names, values) of a dict or Series; (None, values) otherwise."""
    if isinstance(values, Mapping):
        return unique_names(values.keys(), name), list(values.values())
    if is_series(values):
        return unique_names(values.index, name), values.tolist()
    return None, values


def _by_name(names, values, values_names, name, reference):
    """``values`` in the order of ``names`` when both are named; as given otherwise."""
    if names is None or values_names is None:
        return values
    if sorted(values_names) != sorted(names):
        missing = [n for n in names if n not in values_names]
        unexpected = [n for n in values_names if n not in names]
        raise ValueError(
            f"{name} must name the same tasks as {reference}, {names}; missing "
            f"{missing}, unexpected {unexpected}."
        )
    lookup = dict(zip(values_names, values))
    return [lookup[n] for n in names]


def _as_scores(scores, name):
    try:
        values = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers, one score per task; got {scores!r}.") from exc
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite; got {values.tolist()}.")
    return values


def _directions(metric, higher_is_better):
    """``higher_is_better`` as given, or derived from ``metric`` (one metric,
    or one per task as a list, dict or Series)."""
    if metric is None:
        return True if higher_is_better is None else higher_is_better
    if higher_is_better is not None:
        raise ValueError(
            "Pass either metric (the direction is then derived from it) or "
            "higher_is_better, not both."
        )
    if isinstance(metric, Mapping):
        return {name: metric_greater_is_better(m) for name, m in metric.items()}
    if is_series(metric):
        return type(metric)([metric_greater_is_better(m) for m in metric], index=metric.index)
    if isinstance(metric, (list, tuple)):
        return [metric_greater_is_better(m) for m in metric]
    return metric_greater_is_better(metric)


def multitask_gain(mtl_scores, stl_scores, *, higher_is_better=None, metric=None, average=True):
    """Relative gain of a multi-task model over single-task baselines.

    The multi-task performance measure Delta_m of Maninis et al. (2019),

    ``Delta_m = 1/T * sum_j s_j * (M_mtl,j - M_stl,j) / |M_stl,j|``,

    where ``s_j`` is +1 for a metric where higher is better (accuracy, R²)
    and -1 where lower is better (log loss, RMSE, MAE). A positive value
    means that the multi-task model does better on average; 0.05 reads
    "+5 %". The absolute value in the denominator makes negated losses (the
    ``neg_log_loss`` or ``neg_root_mean_squared_error`` scorers of
    scikit-learn, which are higher-is-better) give the same gain as the
    losses themselves. Tasks of different kinds mix freely: each task's gain
    is relative to its own baseline, with its own metric's direction.

    Parameters
    ----------
    mtl_scores : array-like of shape (n_tasks,), dict or Series
        Score of the multi-task model on each task; a dict or a pandas
        Series (such as :func:`per_task_score` returns for a DataFrame)
        maps task names to scores.
    stl_scores : array-like of shape (n_tasks,), dict or Series
        Score of the single-task baseline on each task; none may be 0. When
        both are dicts or Series they are matched by task name, in any
        order; plain arrays are matched by position.
    higher_is_better : bool, array-like of bool of shape (n_tasks,), dict or Series, \
default=None
        Whether a higher score is better, for all tasks or per task (by name
        when a dict or Series). None means True, unless ``metric`` is given.
    metric : str, callable, list, dict or Series, default=None
        The metric of the scores, for all tasks or per task (by name when a
        dict or Series): a scikit-learn metric or scorer name (``"r2"``,
        ``"root_mean_squared_error"``, ``"neg_log_loss"``) or function. Its
        direction is derived from scikit-learn's scorers (a metric whose
        scorer is ``neg_<name>`` is lower-is-better), so ``metric="mean_
        absolute_error"`` negates the gain as Maninis et al. do for errors.
        Give ``metric`` or ``higher_is_better``, not both.
    average : bool, default=True
        Return Delta_m; if False, return the relative gain of every task.

    Returns
    -------
    gain : float, ndarray of shape (n_tasks,), dict or Series
        Delta_m, or the gain of every task, keyed like ``mtl_scores`` when
        it is a dict or Series.

    Raises
    ------
    ValueError
        If the scores are not finite, do not name the same tasks or differ in
        length, a single-task score is 0, or so close to 0 that the relative
        gain overflows (rather than returning inf).

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
    >>> multitask_gain({"a": 0.9, "b": 0.8}, {"b": 0.8, "a": 0.8}, average=False)
    {'a': 0.125, 'b': 0.0}

    An error, lower-is-better, and an accuracy, by their metrics:

    >>> multitask_gain({"price": 90.0, "cut": 0.84}, {"price": 100.0, "cut": 0.80},
    ...                metric={"price": "root_mean_squared_error", "cut": "accuracy"},
    ...                average=False)
    {'price': 0.1, 'cut': 0.05}
    """
    higher_is_better = _directions(metric, higher_is_better)
    mtl_names, mtl_values = _split_names(mtl_scores, "mtl_scores")
    stl_names, stl_values = _split_names(stl_scores, "stl_scores")
    better_names, better = _split_names(higher_is_better, "higher_is_better")
    names = mtl_names if mtl_names is not None else stl_names
    if better_names is not None and names is None:
        raise ValueError(
            "higher_is_better names tasks, but neither mtl_scores nor stl_scores "
            "does; pass dicts or Series of scores, or one bool per task."
        )
    mtl = _as_scores(mtl_values, "mtl_scores")
    stl = _as_scores(_by_name(mtl_names, stl_values, stl_names, "stl_scores", "mtl_scores"),
                     "stl_scores")
    better = np.asarray(_by_name(names, better, better_names, "higher_is_better", "the scores"))
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
    if better.dtype != bool or better.shape not in ((), mtl.shape):
        raise ValueError(
            "higher_is_better must be a bool or one bool per task; got "
            f"{higher_is_better!r}."
        )
    sign = np.where(better, 1.0, -1.0)
    with np.errstate(over="ignore"):
        gains = sign * (mtl - stl) / np.abs(stl) + 0.0  # no -0.0
    if not np.all(np.isfinite(gains)):
        raise ValueError(
            "The relative gain overflows: stl_scores "
            f"{stl[~np.isfinite(gains)].tolist()} are too close to 0 for a gain "
            "relative to them to be meaningful."
        )
    if average:
        return float(gains.mean())
    if is_series(mtl_scores):
        return type(mtl_scores)(gains, index=mtl_scores.index, name="gain")
    if isinstance(mtl_scores, Mapping):
        return dict(zip(mtl_scores.keys(), gains.tolist()))
    return gains
