"""What the package knows of a metric: its direction and the kind of task it
scores, both derived from scikit-learn's scorer registry, not kept by hand.

A scorer's sign says whether its metric is a loss: ``neg_mean_squared_error``
has sign -1, so ``mean_squared_error`` is lower-is-better while the scorer
``neg_mean_squared_error`` itself (the negated loss) is higher-is-better. The
module that defines the metric function says which kind of task it scores
(``sklearn.metrics._regression`` or ``_classification``/``_ranking``).
"""

from functools import lru_cache
from typing import NamedTuple

from sklearn.metrics import get_scorer, get_scorer_names

_KIND_OF_MODULE = {
    "_regression": "regression",
    "_classification": "classification",
    "_ranking": "classification",
}


class MetricInfo(NamedTuple):
    """A metric's direction and the kind of task it scores.

    Attributes
    ----------
    greater_is_better : bool
        Whether a higher value is better.
    kind : {"classification", "regression"} or None
        The kind of task the metric scores; None when it is neither
        (clustering metrics) or unknown.
    """

    greater_is_better: bool
    kind: object


def _kind_of(func):
    module = getattr(func, "__module__", "") or ""
    return _KIND_OF_MODULE.get(module.rsplit(".", 1)[-1])


@lru_cache(maxsize=1)
def _registry():
    """{scorer name, metric name or metric function: MetricInfo}."""
    table = {}
    for name in get_scorer_names():
        scorer = get_scorer(name)
        func = getattr(scorer, "_score_func", None)
        kind = _kind_of(func)
        is_score = getattr(scorer, "_sign", 1) > 0
        table[name] = MetricInfo(True, kind)  # a scorer is always higher-is-better
        if name.startswith("neg_") and not is_score:
            table[name[len("neg_"):]] = MetricInfo(False, kind)
        if func is not None:
            table.setdefault(func.__name__, MetricInfo(is_score, kind))
            table.setdefault(func, MetricInfo(is_score, kind))
    return table


def metric_info(metric):
    """The :class:`MetricInfo` of a metric, or None when it is not known.

    Parameters
    ----------
    metric : str, callable or scorer
        A scikit-learn scorer name (``"r2"``, ``"neg_log_loss"``), a metric
        name (``"mean_absolute_error"``, ``"log_loss"``), a metric function
        of ``sklearn.metrics`` or a scorer made by ``make_scorer``.

    Returns
    -------
    info : MetricInfo or None
    """
    func = getattr(metric, "_score_func", None)
    if func is not None:  # a scorer made by make_scorer: higher is better
        info = _registry().get(func)
        kind = _kind_of(func) if info is None else info.kind
        return MetricInfo(True, kind)
    try:
        return _registry().get(metric)
    except TypeError:  # unhashable
        return None


def metric_greater_is_better(metric):
    """Whether a higher value of ``metric`` is better, from scikit-learn's
    scorers' signs.

    Parameters
    ----------
    metric : str or callable
        As in :func:`metric_info`.

    Returns
    -------
    greater_is_better : bool

    Raises
    ------
    ValueError
        If the metric is not one of scikit-learn's (its direction is then
        unknown: pass ``higher_is_better`` instead).

    Examples
    --------
    >>> from sklearn_mtl.metrics._registry import metric_greater_is_better
    >>> metric_greater_is_better("r2"), metric_greater_is_better("root_mean_squared_error")
    (True, False)
    >>> metric_greater_is_better("neg_root_mean_squared_error")  # the negated loss
    True
    """
    info = metric_info(metric)
    if info is None:
        raise ValueError(
            f"metric={metric!r} is not a scikit-learn metric or scorer name, so its "
            "direction is unknown; pass higher_is_better instead (a name such as "
            "'r2', 'accuracy', 'mean_absolute_error' or 'neg_log_loss' works)."
        )
    return info.greater_is_better


def metric_name(metric):
    """A readable name of a metric: the scorer or function name."""
    if isinstance(metric, str):
        return metric
    func = getattr(metric, "_score_func", metric)
    return getattr(func, "__name__", repr(metric))


def check_metric_kind(metric, task_kind, task_name):
    """Refuse a metric of one kind of task applied to a task of the other.

    ``task_kind`` None (unknown) accepts every metric.
    """
    info = metric_info(metric)
    if info is None or info.kind is None or task_kind is None or info.kind == task_kind:
        return
    example = "'r2' or 'neg_mean_absolute_error'" if task_kind == "regression" else (
        "'accuracy' or 'balanced_accuracy'")
    raise ValueError(
        f"Task {task_name!r} is a {task_kind} task, but {metric_name(metric)} is a "
        f"{info.kind} metric; score it with a {task_kind} metric such as {example}, "
        "or leave the metric out (None) to score each task with its kind's default "
        "(accuracy or R²)."
    )
