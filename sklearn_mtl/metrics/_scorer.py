"""Scikit-learn scorers for one task of a multi-output model, of any kind."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier, is_regressor
from sklearn.metrics import get_scorer, make_scorer, roc_auc_score
from sklearn.utils import _safe_indexing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples

from .._accuracy import check_score_weights
from .._targets import is_dataframe, task_labels, unique_names
from .._tasks import TASK_KINDS, infer_task_kind
from ._registry import check_metric_kind, metric_name


def _estimator_has(method):
    return lambda view: hasattr(view.estimator, method)


def _by_task(values, estimator, task):
    """Task ``task``'s entry of a per-task list, or of a dict keyed by task
    name (``MultiTaskEstimator``); ``values`` itself for a single task."""
    if isinstance(values, dict):
        return values[getattr(estimator, "_final_estimator", estimator).task_names_[task]]
    return values[task] if isinstance(values, list) else values


class _TaskView(ClassifierMixin, BaseEstimator):
    """One classification task of a fitted multi-output model, seen as a
    fitted single-output classifier, so that scikit-learn's scorer machinery
    (response methods, positive class of binary tasks) applies unchanged."""

    def __init__(self, estimator, task):
        self.estimator = estimator
        self.task = task

    @property
    def classes_(self):
        return _by_task(self.estimator.classes_, self.estimator, self.task)

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        pred = np.asarray(self.estimator.predict(X))
        if pred.ndim == 2:
            pred = pred[:, self.task]
        # tasks of different label types come back as an object array
        return np.asarray(pred.tolist()) if pred.dtype == object else pred

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        return _by_task(self.estimator.predict_proba(X), self.estimator, self.task)


class _RegressionTaskView(RegressorMixin, BaseEstimator):
    """One regression task of a fitted multi-output model, seen as a fitted
    single-output regressor (float predictions in the target's units)."""

    def __init__(self, estimator, task):
        self.estimator = estimator
        self.task = task

    def predict(self, X):
        pred = np.asarray(self.estimator.predict(X))
        if pred.ndim == 2:
            pred = pred[:, self.task]
        return pred.astype(np.float64)


def estimator_task_kind(estimator, task):
    """The kind of task ``task`` (an index) of a fitted estimator, or None
    when the estimator does not say: the tasks of this package's estimators,
    ``is_regressor``/``is_classifier`` for scikit-learn's."""
    final = getattr(estimator, "_final_estimator", estimator)
    task_set = getattr(final, "_task_set", None)
    if task_set is not None:
        return task_set[task].kind
    if is_regressor(final):
        return "regression"
    if is_classifier(final):
        return "classification"
    return None


def column_kind(task):
    """The kind of a raw target column (a ``TaskLabels``) when it is beyond
    doubt: ``"regression"`` for a column the inference rule calls continuous,
    ``"classification"`` for non-numeric labels; None for integer-valued
    numbers, which may be either."""
    if task.values.dtype.kind not in "biuf":
        return "classification"
    if task.values.size and infer_task_kind(task.values, name=task.name) == "regression":
        return "regression"
    return None


def default_scorer(kind):
    """The scorer of a kind's default score (accuracy, or R²); accuracy when
    the kind is unknown."""
    return get_scorer(TASK_KINDS[kind or "classification"].default_metric)


def _fitted_tasks(estimator):
    """(task names, whether they came from a DataFrame) of a fitted estimator
    or of the last step of a Pipeline; (None, False) for estimators without
    ``task_names_`` (scikit-learn's multi-output classifiers)."""
    final = getattr(estimator, "_final_estimator", estimator)
    names = getattr(final, "task_names_", None)
    if names is None:
        return None, False
    return [str(n) for n in names], bool(getattr(final, "_tasks_by_name", False))


def _task_pairs(task, tasks, y_true, estimator):
    """(column of y_true, task of the estimator) of every task to score.

    Names beat positions: the columns of a DataFrame ``y_true`` are matched to
    an estimator fitted on a DataFrame by name; otherwise column j is the
    estimator's task j. ``task`` (None for all) is a name or a column index
    of ``y_true``.
    """
    n_tasks = len(tasks)
    y_names = [t.name for t in tasks]
    y_named = is_dataframe(y_true)
    est_names, est_named = _fitted_tasks(estimator)
    if task is None:
        columns = range(n_tasks)
    elif isinstance(task, numbers.Integral) and not isinstance(task, bool):
        if not -n_tasks <= task < n_tasks:
            raise ValueError(f"task={task} is out of range for a target with {n_tasks} task(s).")
        columns = [int(task) % n_tasks]
    else:
        names = y_names if y_named else est_names
        if names is None:
            raise ValueError(
                f"task={task!r} is a name, but y is not a DataFrame and the estimator "
                "has no task_names_; pass the task's column index instead."
            )
        if str(task) not in names:
            raise ValueError(f"task={task!r} is not one of the tasks {names}.")
        columns = [names.index(str(task))]
    if not (y_named and est_named):
        return [(j, j) for j in columns]
    unknown = [y_names[j] for j in columns if y_names[j] not in est_names]
    if unknown:
        raise ValueError(
            f"y columns {unknown} are not tasks of the estimator, which was fitted "
            f"on the tasks {est_names}."
        )
    return [(j, est_names.index(y_names[j])) for j in columns]


def _check_response_method(scorer, estimator):
    """Refuse, in the package's words, a scorer needing a method the estimator lacks."""
    methods = getattr(scorer, "_response_method", None)
    if methods is None:
        return
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    if not any(hasattr(estimator, m) for m in methods):
        raise TypeError(
            f"The scorer needs response_method={' or '.join(methods)!r}, which "
            f"{type(estimator).__name__} does not have; use response_method="
            "'predict' or an estimator with that method."
        )


def check_binary_metric(score_func, kwargs, task):
    """Refuse ROC AUC without ``multi_class`` on a multi-class task, naming the
    task and the metric to use (scikit-learn's own error names neither)."""
    n_classes = np.unique(task.values).size
    if score_func is roc_auc_score and "multi_class" not in kwargs and n_classes > 2:
        raise ValueError(
            f"Task {task.name!r} has {n_classes} classes, but roc_auc is for binary "
            "tasks; use the 'roc_auc_ovr' (or 'roc_auc_ovo') scorer, or "
            "roc_auc_score with multi_class='ovr'."
        )


def score_tasks(scorer, estimator, X, tasks, pairs, sample_weight=None, kinds=None):
    """Scores of some tasks of a fitted estimator, each on its labelled rows;
    NaN for a task without labelled rows.

    ``scorer`` is a single-output scikit-learn scorer, a list of them (one
    per pair) or None (each task's default score: accuracy or R²), ``tasks``
    the :func:`~sklearn_mtl._targets.task_labels` of the true target and
    ``pairs`` the (column of the target, task of the estimator) to score.
    ``kinds`` (one per pair, None for unknown) are the tasks' kinds when the
    caller knows them; else the estimator's, else the column's when beyond
    doubt. A metric of the other kind is refused, naming the task. This is
    the one path by which the package scores a task of a multi-output model.
    """
    sample_weight = check_score_weights(sample_weight, _num_samples(X))
    scores = np.full(len(pairs), np.nan)
    for k, (j, task) in enumerate(pairs):
        kind = None if kinds is None else kinds[k]
        kind = kind or estimator_task_kind(estimator, task) or column_kind(tasks[j])
        task_scorer = scorer[k] if isinstance(scorer, list) else scorer
        if task_scorer is None:
            task_scorer = default_scorer(kind)
        check_metric_kind(task_scorer, kind, tasks[j].name)
        _check_response_method(task_scorer, estimator)
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
        check_binary_metric(
            getattr(task_scorer, "_score_func", None), getattr(task_scorer, "_kwargs", {}),
            tasks[j],
        )
        view = _RegressionTaskView if kind == "regression" else _TaskView
        scores[k] = task_scorer(view(estimator, task), X_j, tasks[j].values, **kwargs)
    return scores


class _TaskScorer:
    """Apply a single-output scikit-learn scorer (None: each task's default
    score) to one task, or the mean over all tasks, of a multi-output model,
    on that task's labelled rows."""

    def __init__(self, scorer, task, description):
        self._scorer = scorer
        self.task = task
        self._description = description

    def __repr__(self):
        return self._description

    def __call__(self, estimator, X, y_true, sample_weight=None):
        tasks, _ = task_labels(y_true, input_name="y")
        pairs = _task_pairs(self.task, tasks, y_true, estimator)
        scores = score_tasks(self._scorer, estimator, X, tasks, pairs, sample_weight)
        if np.isnan(scores).all():
            raise ValueError("y has no labelled entry to score against.")
        return float(np.nanmean(scores))


def make_task_scorer(
    score_func=None, *, task=None, response_method="predict", greater_is_better=True, **kwargs
):
    """Make a scorer of one task of a multi-output model.

    The scorer calls the estimator's ``predict`` (and takes the task's column)
    or ``predict_proba`` (and takes the task's array), leaves out the samples
    whose target for the task is missing, and applies ``score_func`` through
    scikit-learn's :func:`~sklearn.metrics.make_scorer`, so it can be passed
    as ``scoring`` to ``GridSearchCV`` or ``cross_validate``. It works with
    every estimator of this package (classification, regression and mixed
    tasks), with a Pipeline ending in one, and with scikit-learn's
    multi-output classifiers and regressors.

    Parameters
    ----------
    score_func : callable, str or None, default=None
        A metric ``score_func(y_true, y_pred, **kwargs)``, e.g.
        ``accuracy_score``, or the name of a scikit-learn scorer (e.g.
        ``"r2"``, ``"roc_auc_ovr"``, ``"neg_log_loss"``), in which case
        ``response_method``, ``greater_is_better`` and ``kwargs`` are taken
        from that scorer. None scores each task with its kind's default
        score: accuracy for a classification task, R² for a regression task
        (what ``score`` of the estimators averages). A metric of the other
        kind (accuracy on a regression task, R² on string labels) raises a
        ValueError naming the task.
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

    By name, on a regression task:

    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.multioutput import MultiOutputRegressor
    >>> Y = pd.DataFrame({"price": [1.0, 2.1, 2.9, 4.0], "size": [0.5, 1.5, 1.0, 2.0]})
    >>> reg = MultiOutputRegressor(LinearRegression()).fit(X, Y)
    >>> round(make_task_scorer("r2", task="price")(reg, X, Y), 3)
    0.996
    """
    if score_func is None:
        scorer, name = None, "None"
    elif isinstance(score_func, str):
        scorer = get_scorer(score_func)
        name = repr(score_func)
    elif callable(score_func):
        scorer = make_scorer(
            score_func,
            response_method=response_method,
            greater_is_better=greater_is_better,
            **kwargs,
        )
        name = metric_name(score_func)
    else:
        raise TypeError(
            "score_func must be a metric callable, the name of a scikit-learn "
            f"scorer or None (each task's default score); got {score_func!r}."
        )
    if task is not None and not isinstance(task, (str, numbers.Integral)):
        raise TypeError(f"task must be a task name, an index or None; got {task!r}.")
    return _TaskScorer(scorer, task, f"make_task_scorer({name}, task={task!r})")


def make_task_scorers(score_func=None, tasks=None, *, mean=True, **kwargs):
    """Make a dict with a scorer for every task, plus their mean.

    For ``cross_validate(scoring=...)`` and ``GridSearchCV(scoring=...,
    refit=...)``: the keys are the task names and ``"mean"``.

    Parameters
    ----------
    score_func : callable, str or None, default=None
        As in :func:`make_task_scorer`; None scores each task with its
        kind's default score (accuracy or R²).
    tasks : int or list of str or int
        The tasks: their number (keys ``task_0``, ``task_1``, ...) or their
        names or indices, each once.
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
    >>> sorted(make_task_scorers(tasks=["price", "cut"]))  # accuracy or R² by kind
    ['cut', 'mean', 'price']
    """
    if isinstance(tasks, numbers.Integral) and not isinstance(tasks, bool):
        if tasks < 1:
            raise ValueError(f"tasks must be at least 1; got {tasks}.")
        keys = {f"task_{j}": j for j in range(tasks)}
    elif isinstance(tasks, (list, tuple, np.ndarray)) and len(tasks) > 0:
        names = [t if isinstance(t, str) else f"task_{t}" for t in tasks]
        keys = dict(zip(unique_names(names, "tasks"), tasks))
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
