"""One score per task, computed on each task's labelled samples."""

import sys
import warnings

import numpy as np

from .._accuracy import check_score_weights
from .._targets import align_tasks, as_2d_target, column_values, is_dataframe, task_labels
from .._tasks import check_kind
from ._registry import check_metric_kind
from ._scorer import check_binary_metric, column_kind, default_scorer


def _is_proba_list(Y_pred, n_tasks):
    """Whether ``Y_pred`` is ``predict_proba``'s list of per-task arrays."""
    return (
        isinstance(Y_pred, (list, tuple))
        and len(Y_pred) == n_tasks
        and all(np.ndim(p) == 2 for p in Y_pred)
    )


def _positive_column(proba):
    """The positive-class column of a binary probability array, as the
    scikit-learn scorers pass it to ``roc_auc_score`` and friends; the full
    array otherwise."""
    return proba[:, 1] if proba.shape[1] == 2 else proba


def _task_predictions(Y_pred, tasks, is_1d, named):
    """Return one array per task of the predictions on its labelled rows.

    A DataFrame ``Y_pred`` is matched to the tasks by column name, when they
    are named (``Y_true`` a DataFrame); anything else by position.
    """
    n_tasks = len(tasks)
    n_samples = tasks[0].labelled.shape[0]
    if is_1d and not isinstance(Y_pred, (list, tuple)) and np.ndim(Y_pred) == 2:
        Y_pred = [Y_pred]
    if _is_proba_list(Y_pred, n_tasks):
        preds = []
        for proba, task in zip(Y_pred, tasks):
            proba = np.asarray(proba)
            if proba.shape[0] != n_samples:
                raise ValueError(
                    f"Y_pred's probability array for task {task.name!r} has "
                    f"{proba.shape[0]} rows but Y_true has {n_samples}."
                )
            preds.append(_positive_column(proba[task.labelled]))
        return preds
    if named:
        Y_pred = align_tasks(Y_pred, [task.name for task in tasks], input_name="Y_pred")
    columns, _, _ = as_2d_target(Y_pred, "Y_pred")
    if len(columns) != n_tasks or len(columns[0]) != n_samples:
        raise ValueError(
            f"Y_pred must be labels of shape (n_samples, n_tasks) = ({n_samples}, "
            f"{n_tasks}) or predict_proba's list of {n_tasks} probability arrays; "
            f"got {len(columns)} task column(s) of {len(columns[0])} rows."
        )
    preds = []
    for column, task in zip(columns, tasks):
        values, missing = column_values(np.asarray(column)[task.labelled], task.name, "Y_pred")
        if missing.any():
            raise ValueError(f"Y_pred has missing predictions for task {task.name!r}.")
        preds.append(values)
    return preds


def _given_kinds(task_kinds, tasks):
    """{task name: kind} of ``task_kinds`` (None, a kind, or a dict by name)."""
    names = [t.name for t in tasks]
    if task_kinds is None:
        return {}
    if isinstance(task_kinds, str):
        return dict.fromkeys(names, check_kind(task_kinds, "task_kinds"))
    if not isinstance(task_kinds, dict):
        raise TypeError(
            "task_kinds must be None, 'classification', 'regression' or a dict "
            f"{{task_name: kind}}; got {task_kinds!r}."
        )
    unknown = [k for k in task_kinds if str(k) not in names]
    if unknown:
        raise ValueError(f"task_kinds names unknown task(s) {unknown}; the tasks are {names}.")
    return {str(k): check_kind(v, f"task_kinds[{k!r}]") for k, v in task_kinds.items()}


def per_task_score(Y_true, Y_pred, *, score_func=None, sample_weight=None, task_kinds=None,
                   **kwargs):
    """Score every task separately, on the samples labelled for it.

    Parameters
    ----------
    Y_true : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
        True labels; NaN, None and pd.NA mark missing labels, which are left
        out of their task's score.
    Y_pred : array-like, DataFrame or list of ndarray
        Either predicted labels of the same shape as ``Y_true`` (the output
        of ``predict``; a DataFrame is matched to a DataFrame ``Y_true`` by
        column name), or the list of per-task probability arrays of shape
        (n_samples, n_classes_j) returned by ``predict_proba`` (a single 2D
        array when ``Y_true`` is 1D). Arrays and lists carry no names: their
        columns or arrays are read in the order of ``Y_true``'s columns. For
        a binary task, the positive-class column (the second one) is passed
        to ``score_func``, as scikit-learn's scorers do, so ``roc_auc_score``
        works as is.
    score_func : callable, default=None
        Metric ``score_func(y_true, y_pred, **kwargs)`` applied to each task.
        None scores each task with its kind's default score: accuracy for a
        classification task, R² for a regression task. A metric of
        scikit-learn's of the other kind (``accuracy_score`` on a regression
        task) raises a ValueError naming the task.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative, finite sample weights, passed (restricted to the
        labelled rows) to ``score_func``.
    task_kinds : None, str or dict, default=None
        The kind of each task (``"classification"`` or ``"regression"``),
        for all tasks or by name, as the estimators' ``task_kinds_``. None
        reads it from ``Y_true``: non-numeric labels are classes, columns
        that the kind inference rule calls continuous are regression targets,
        and integer-valued numbers (which may be either) are classes for the
        default score and accepted by any metric.
    **kwargs : dict
        Extra arguments of ``score_func``, e.g. ``average="macro"``.

    Returns
    -------
    scores : ndarray of shape (n_tasks,) or pandas Series
        One score per task, in the order of ``Y_true``'s columns; a Series
        indexed by task name when ``Y_true`` is a DataFrame. A task without
        any labelled sample scores NaN (with a warning).

    See Also
    --------
    make_task_scorer : The scorer of one task, for model selection.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mtl.metrics import per_task_score
    >>> Y_true = np.array([[0, 1], [1, np.nan], [1, 0], [0, 0]])
    >>> Y_pred = np.array([[0, 1], [1, 1], [0, 0], [0, 1]])
    >>> per_task_score(Y_true, Y_pred)
    array([0.75      , 0.66666667])

    Mixed kinds get accuracy and R²:

    >>> import pandas as pd
    >>> Y_true = pd.DataFrame({"price": [1.5, 2.5, 3.5, 4.5], "cut": ["a", "b", "a", "b"]})
    >>> Y_pred = pd.DataFrame({"price": [1.5, 2.5, 3.5, 3.5], "cut": ["a", "b", "b", "b"]})
    >>> per_task_score(Y_true, Y_pred).round(2).to_dict()
    {'price': 0.8, 'cut': 0.75}
    """
    if score_func is not None and not callable(score_func):
        raise TypeError(
            "score_func must be a metric callable score_func(y_true, y_pred), e.g. "
            f"sklearn.metrics.accuracy_score, or None; got {score_func!r}."
        )
    tasks, is_1d = task_labels(Y_true, input_name="Y_true")
    if not tasks:
        raise ValueError("Y_true has 0 task columns; at least one is required.")
    kinds = _given_kinds(task_kinds, tasks)
    preds = _task_predictions(Y_pred, tasks, is_1d, is_dataframe(Y_true))
    sample_weight = check_score_weights(sample_weight, tasks[0].labelled.shape[0])
    scores = np.full(len(tasks), np.nan)
    for j, (task, pred) in enumerate(zip(tasks, preds)):
        if task.values.shape[0] == 0:
            warnings.warn(
                f"Task {task.name!r} has no labelled sample in Y_true; its score is NaN.",
                UserWarning,
                stacklevel=2,
            )
            continue
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight[task.labelled]
        kind = kinds.get(task.name) or column_kind(task)
        func = default_scorer(kind)._score_func if score_func is None else score_func
        check_metric_kind(func, kind, task.name)
        check_binary_metric(func, kwargs, task)
        if kind == "regression":
            pred = np.asarray(pred, dtype=np.float64)
        scores[j] = func(task.values, pred, **kwargs)
    if is_dataframe(Y_true):
        pd = sys.modules["pandas"]
        return pd.Series(scores, index=[t.name for t in tasks], name="score")
    return scores
