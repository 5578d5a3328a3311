"""Scikit-learn scorers for one task of a multi-output classifier."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import get_scorer, make_scorer
from sklearn.utils import _safe_indexing
from sklearn.utils.metaestimators import available_if

from .._labels import _is_dataframe, task_labels


def _estimator_has(method):
    return lambda view: hasattr(view.estimator, method)


class _TaskView(ClassifierMixin, BaseEstimator):
    """One task of a fitted multi-output classifier, seen as a fitted
    single-output classifier, so that scikit-learn's scorer machinery
    (response methods, positive class of binary tasks) applies unchanged."""

    def __init__(self, estimator, task):
        self.estimator = estimator
        self.task = task

    @property
    def classes_(self):
        classes = self.estimator.classes_
        return classes[self.task] if isinstance(classes, list) else classes

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        pred = np.asarray(self.estimator.predict(X))
        if pred.ndim == 2:
            pred = pred[:, self.task]
        # tasks of different label types come back as an object array
        return np.asarray(pred.tolist()) if pred.dtype == object else pred

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        proba = self.estimator.predict_proba(X)
        return proba[self.task] if isinstance(proba, list) else proba


def _task_names_of(estimator):
    """``task_names_`` of the estimator, or of the last step of a Pipeline."""
    names = getattr(estimator, "task_names_", None)
    if names is None and hasattr(estimator, "_final_estimator"):
        names = getattr(estimator._final_estimator, "task_names_", None)
    return None if names is None else [str(n) for n in names]


def _resolve_task(task, n_tasks, y_true, estimator):
    """Index of ``task`` (a name or an index) among the tasks of y_true."""
    if isinstance(task, numbers.Integral) and not isinstance(task, bool):
        if not -n_tasks <= task < n_tasks:
            raise ValueError(f"task={task} is out of range for a target with {n_tasks} task(s).")
        return int(task) % n_tasks
    if _is_dataframe(y_true):
        names = [str(c) for c in y_true.columns]
    else:
        names = _task_names_of(estimator)
    if names is None:
        raise ValueError(
            f"task={task!r} is a name, but y is not a DataFrame and the estimator "
            "has no task_names_; pass the task's column index instead."
        )
    if str(task) not in names:
        raise ValueError(f"task={task!r} is not one of the tasks {names}.")
    return names.index(str(task))


def _score_tasks(scorer, estimator, X, tasks, indices, sample_weight=None):
    """Scores of the tasks ``indices`` of a fitted estimator, each on its
    labelled rows; NaN for a task without labelled rows.

    ``scorer`` is a single-output scikit-learn scorer and ``tasks`` the
    :func:`~sklearn_mtl._labels.task_labels` of the true target. This is the
    one path by which the package scores a task of a multi-output model.
    """
    scores = np.full(len(indices), np.nan)
    for k, j in enumerate(indices):
        rows = tasks[j].labelled
        if not rows.any():
            continue
        X_j, weights = X, sample_weight
        if not rows.all():
            rows = np.flatnonzero(rows)
            X_j = _safe_indexing(X, rows)
            if weights is not None:
                weights = np.asarray(weights)[rows]
        kwargs = {} if weights is None else {"sample_weight": weights}
        scores[k] = scorer(_TaskView(estimator, j), X_j, tasks[j].values, **kwargs)
    return scores


class _TaskScorer:
    """Apply a single-output scikit-learn scorer to one task (or the mean over
    all tasks) of a multi-output classifier, on that task's labelled rows."""

    def __init__(self, scorer, task, description):
        self._scorer = scorer
        self.task = task
        self._description = description

    def __repr__(self):
        return self._description

    def __call__(self, estimator, X, y_true, sample_weight=None):
        tasks, _ = task_labels(y_true, input_name="y")
        if self.task is None:
            indices = list(range(len(tasks)))
        else:
            indices = [_resolve_task(self.task, len(tasks), y_true, estimator)]
        scores = _score_tasks(self._scorer, estimator, X, tasks, indices, sample_weight)
        if np.isnan(scores).all():
            raise ValueError("y has no labelled entry to score against.")
        return float(np.nanmean(scores))


def make_task_scorer(
    score_func, *, task=None, response_method="predict", greater_is_better=True, **kwargs
):
    """Make a scorer of one task of a multi-output classifier.

    The scorer calls the estimator's ``predict`` (and takes the task's column)
    or ``predict_proba`` (and takes the task's array), leaves out the samples
    whose label for the task is missing, and applies ``score_func`` through
    scikit-learn's :func:`~sklearn.metrics.make_scorer`, so it can be passed
    as ``scoring`` to ``GridSearchCV`` or ``cross_validate``. It works with
    every estimator of this package, with a Pipeline ending in one, and with
    scikit-learn's multi-output classifiers (``MultiOutputClassifier``,
    ``RandomForestClassifier``, ...).

    Parameters
    ----------
    score_func : callable or str
        A metric ``score_func(y_true, y_pred, **kwargs)``, e.g.
        ``accuracy_score``, or the name of a scikit-learn scorer (e.g.
        ``"roc_auc_ovr"``, ``"neg_log_loss"``), in which case
        ``response_method``, ``greater_is_better`` and ``kwargs`` are taken
        from that scorer.
    task : str or int, default=None
        The task to score: a name (a column of a DataFrame ``Y`` or an entry
        of the estimator's ``task_names_``) or a column index. None scores
        the mean over all tasks.
    response_method : {"predict", "predict_proba"}, default="predict"
        What the estimator's output passed to ``score_func`` is. For a binary
        task and ``"predict_proba"``, the positive-class column is passed.
    greater_is_better : bool, default=True
        Whether ``score_func`` is a score (True) or a loss (False, the
        scorer then returns its negation, as scikit-learn's do).
    **kwargs : dict
        Extra arguments of ``score_func``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, Y, sample_weight=None)`` returning a float.

    See Also
    --------
    make_task_scorers : One scorer per task plus the mean, as a dict.
    per_task_score : Per-task scores of given predictions.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import accuracy_score
    >>> from sklearn.multioutput import MultiOutputClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_mtl.metrics import make_task_scorer
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> Y = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> clf = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    >>> make_task_scorer(accuracy_score, task=0)(clf, X, Y)
    1.0
    >>> make_task_scorer("roc_auc", task=0)(clf, X, Y)
    1.0
    """
    if isinstance(score_func, str):
        scorer = get_scorer(score_func)
        name = repr(score_func)
    elif callable(score_func):
        scorer = make_scorer(
            score_func,
            response_method=response_method,
            greater_is_better=greater_is_better,
            **kwargs,
        )
        name = getattr(score_func, "__name__", repr(score_func))
    else:
        raise TypeError(
            "score_func must be a metric callable or the name of a scikit-learn "
            f"scorer; got {score_func!r}."
        )
    if task is not None and not isinstance(task, (str, numbers.Integral)):
        raise TypeError(f"task must be a task name, an index or None; got {task!r}.")
    return _TaskScorer(scorer, task, f"make_task_scorer({name}, task={task!r})")


def make_task_scorers(score_func, tasks, *, mean=True, **kwargs):
    """Make a dict with a scorer for every task, plus their mean.

    For ``cross_validate(scoring=...)`` and ``GridSearchCV(scoring=...,
    refit=...)``: the keys are the task names and ``"mean"``.

    Parameters
    ----------
    score_func : callable or str
        As in :func:`make_task_scorer`.
    tasks : int or list of str or int
        The tasks: their number (keys ``task_0``, ``task_1``, ...) or their
        names or indices.
    mean : bool, default=True
        Add the ``"mean"`` scorer, the mean over all tasks.
    **kwargs : dict
        ``response_method``, ``greater_is_better`` and the metric's extra
        arguments, as in :func:`make_task_scorer`.

    Returns
    -------
    scorers : dict of str to callable

    Examples
    --------
    >>> from sklearn.metrics import accuracy_score
    >>> from sklearn_mtl.metrics import make_task_scorers
    >>> sorted(make_task_scorers(accuracy_score, ["digit", "odd"]))
    ['digit', 'mean', 'odd']
    """
    if isinstance(tasks, numbers.Integral) and not isinstance(tasks, bool):
        if tasks < 1:
            raise ValueError(f"tasks must be at least 1; got {tasks}.")
        keys = {f"task_{j}": j for j in range(tasks)}
    elif isinstance(tasks, (list, tuple, np.ndarray)) and len(tasks) > 0:
        keys = {(t if isinstance(t, str) else f"task_{t}"): t for t in tasks}
    else:
        raise ValueError(
            f"tasks must be a number of tasks or a non-empty list of task names; got {tasks!r}."
        )
    if mean and "mean" in keys:
        raise ValueError("A task is named 'mean', which clashes with the mean scorer's key.")
    scorers = {key: make_task_scorer(score_func, task=t, **kwargs) for key, t in keys.items()}
    if mean:
        scorers["mean"] = make_task_scorer(score_func, task=None, **kwargs)
    return scorers
