"""Which kind a target column is: the documented inference rule."""

import numpy as np

from .._targets import column_values, is_series
from ._classification import ClassificationTask
from ._regression import RegressionTask

TASK_KINDS = {"classification": ClassificationTask, "regression": RegressionTask}
"""The kinds of task, by name."""

MIN_DISTINCT_FOR_REGRESSION = 20
"""A numeric column with integer values is regression above
``max(MIN_DISTINCT_FOR_REGRESSION, DISTINCT_FRACTION * n_observed)`` distinct values."""

DISTINCT_FRACTION = 0.05


def infer_task_kind(column, *, name="task_0", input_name="y"):
    """The kind of task of a target column, by a fixed rule.

    The rule, applied to the observed (non-missing) entries:

    1. a boolean, string, categorical or other non-numeric column is
       ``"classification"``;
    2. a float column with a value that is not an integer is
       ``"regression"``;
    3. a numeric column with integer values (ints, or floats such as 3.0) is
       ``"regression"`` when it has more than
       ``max(20, 0.05 * n_observed)`` distinct values, else
       ``"classification"``.

    So ``[0.5, 1.25, ...]`` is a regression target, ``[0, 1, 2, 1]`` and
    ``["a", "b"]`` are classification targets, and ages 18 to 90 over a
    thousand rows are a regression target. Pass ``task_kinds`` to an
    estimator to override the rule for a column.

    Parameters
    ----------
    column : array-like of shape (n_samples,) or Series
        The raw target column; NaN, None and pd.NA are missing.
    name : str, default="task_0"
        Column name for error messages.
    input_name : str, default="y"
        Name of the target in error messages.

    Returns
    -------
    kind : {"classification", "regression"}

    Raises
    ------
    ValueError
        If ``column`` is not one-dimensional.

    Examples
    --------
    >>> from sklearn_mtl import infer_task_kind
    >>> infer_task_kind([0.5, 1.2, 3.3])
    'regression'
    >>> infer_task_kind(["a", "b", None])
    'classification'
    >>> infer_task_kind([0, 1, 2, 1])
    'classification'
    """
    if isinstance(column, (str, bytes)) or np.ndim(column) != 1:
        raise ValueError(
            f"column must be a 1D array-like of target values; got {column!r:.60}."
        )
    kind, values = kind_evidence(column, name=name, input_name=input_name)
    return kind or kind_from_distinct(np.unique(values).size, values.size)


def kind_evidence(column, *, name="task_0", input_name="y"):
    """What the rule reads from a column before counting distinct values.

    Returns
    -------
    kind : {"classification", "regression"} or None
        The kind that rules 1 and 2 of :func:`infer_task_kind` decide, or
        None when the observed values are all integers (rule 3 decides, by
        :func:`kind_from_distinct`).
    values : ndarray
        The observed values.

    Every part of a column gives the same evidence as the whole for rule 1
    (its dtype); rule 2 holds for the whole as soon as it holds for a part;
    rule 3 needs the distinct values of the whole (a dask fit counts them
    across blocks, see :class:`~sklearn_mtl._tasks.TargetSurvey`).
    """
    if not hasattr(column, "dtype"):  # a list: keep ints as ints next to None
        column = np.asarray(column, dtype=object)
    values, _ = column_values(column, name, input_name)
    if is_series(column) and str(column.dtype) in ("category", "bool", "boolean"):
        return "classification", values
    if values.dtype.kind not in "iuf":
        return "classification", values
    if values.dtype.kind == "f" and np.any(values != np.round(values)):
        return "regression", values
    return None, values


def kind_from_distinct(n_distinct, n_observed):
    """Rule 3 of :func:`infer_task_kind`: the kind of an integer-valued
    column with ``n_distinct`` distinct values among ``n_observed``."""
    return "regression" if n_distinct > distinct_threshold(n_observed) else "classification"


def distinct_threshold(n_observed):
    """Most distinct values of an integer-valued classification column."""
    return max(MIN_DISTINCT_FOR_REGRESSION, DISTINCT_FRACTION * n_observed)

def check_kind(kind, what="task kind"):
    """Return ``kind`` if it names a kind of task, else raise ValueError."""
    if not isinstance(kind, str) or kind not in TASK_KINDS:
        raise ValueError(f"{what} must be one of {sorted(TASK_KINDS)}; got {kind!r}.")
    return kind


def make_task(kind, name="task_0"):
    """A new, unfitted task of the given kind.

    Parameters
    ----------
    kind : {"classification", "regression"}
    name : str, default="task_0"

    Returns
    -------
    task : Task

    Examples
    --------
    >>> from sklearn_mtl._tasks import make_task
    >>> make_task("regression", "price")
    RegressionTask(name='price')
    """
    return TASK_KINDS[check_kind(kind)](name)
