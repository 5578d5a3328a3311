"""Reading a raw target: its task columns, their names and labelled values.

A target ``Y`` is a label matrix with one column per task (an array, a list
of rows, a DataFrame, or a 1D array or Series for a single task); a missing
entry (``NaN``, ``None``, ``pd.NA``) means that the sample is not labelled for
that task. Task names are a DataFrame's column names, compared as strings
and unique, else ``task_0``, ``task_1``, ...; names beat positions, so a
DataFrame is matched to known tasks by name (:func:`align_tasks`).

The encoders of ``_labels`` build on this; the metrics and model selection
use it to score raw labels task by task. Nothing here imports torch or pandas.
"""

import numbers
import sys
from collections import Counter
from typing import NamedTuple

import numpy as np
from scipy import sparse


def is_dataframe(obj):
    """Whether ``obj`` is a pandas DataFrame (without importing pandas)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


def is_series(obj):
    """Whether ``obj`` is a pandas Series (without importing pandas)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.Series)


def missing_mask(values):
    """True where a 1D array of labels holds NaN, None or pd.NA."""
    kind = values.dtype.kind
    if kind == "f":
        return np.isnan(values)
    if kind == "c":
        raise TypeError(f"complex labels are not supported, got dtype {values.dtype}")
    if kind != "O":
        return np.zeros(values.shape[0], dtype=bool)
    pd = sys.modules.get("pandas")
    if pd is not None:
        return np.asarray(pd.isna(values), dtype=bool)
    return np.fromiter(
        (v is None or (isinstance(v, numbers.Real) and v != v) for v in values),
        dtype=bool,
        count=values.shape[0],
    )


def column_values(column, name, input_name):
    """Return (labelled values as a homogeneous array, missing mask) of one
    label column; ``name`` and ``input_name`` name it in errors."""
    if is_series(column):
        missing = np.asarray(column.isna(), dtype=bool)
        values = column[~missing].to_numpy()
    else:
        column = np.asarray(column)
        missing = missing_mask(column)
        values = column[~missing]
    if values.dtype.kind == "O":
        is_str = [isinstance(v, str) for v in values]
        if any(is_str) and not all(is_str):
            raise ValueError(
                f"{input_name} column {name!r} mixes string and non-string labels; "
                "each task's labels must be all strings or all numbers/bools."
            )
        try:
            values = np.asarray(values.tolist())
        except (TypeError, ValueError) as exc:  # ragged or odd objects
            raise ValueError(
                f"{input_name} column {name!r} holds labels that are not scalars."
            ) from exc
        if values.ndim != 1:
            raise ValueError(
                f"{input_name} column {name!r} holds labels that are not scalars."
            )
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        raise ValueError(f"{input_name} column {name!r} contains infinite labels.")
    return values, missing


def unique_names(labels, what):
    """The labels as strings, refusing two that are equal as strings.

    Task names are compared as strings everywhere (``1`` and ``"1"`` name the
    same task), so a repeated one would make matching by name ambiguous.

    Parameters
    ----------
    labels : iterable
        Column names, index labels or dict keys.
    what : str
        What the labels are, for the error message (``"Y columns"``).

    Returns
    -------
    names : list of str
    """
    names = [str(label) for label in labels]
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise ValueError(
            f"{what} must name each task once; {repeated} occur more than once "
            f"(names are compared as strings) in {list(labels)!r}."
        )
    return names


def as_2d_target(Y, input_name):
    """Return (list of columns, task names, is_1d) for any supported target.

    A DataFrame's columns are its task names, which must be unique as strings.
    """
    if Y is None:
        raise ValueError(
            "This estimator requires y to be passed, but the target y is None. "
            f"Pass {input_name} as an array-like of shape (n_samples,) or "
            "(n_samples, n_tasks)."
        )
    if sparse.issparse(Y):
        raise TypeError(
            f"{input_name} must be a dense array-like or DataFrame; sparse label "
            "matrices are not supported. Use Y.toarray()."
        )
    if isinstance(Y, str) or np.isscalar(Y):
        raise TypeError(
            f"{input_name} must be an array-like of shape (n_samples,) or "
            f"(n_samples, n_tasks), got {type(Y).__name__}."
        )
    if is_dataframe(Y):
        names = np.asarray(unique_names(Y.columns, f"{input_name} columns"), dtype=object)
        return [Y.iloc[:, j] for j in range(Y.shape[1])], names, False
    if is_series(Y):
        name = "task_0" if Y.name is None else str(Y.name)
        return [Y], np.asarray([name], dtype=object), True
    if not hasattr(Y, "dtype"):
        try:
            # object dtype keeps ints as ints in a list mixing ints and strings
            Y = np.asarray(Y, dtype=object)
        except ValueError as exc:
            raise ValueError(
                f"{input_name} must be a rectangular array-like; got ragged rows."
            ) from exc
    Y = np.asarray(Y)
    if Y.ndim == 1:
        return [Y], np.asarray(["task_0"], dtype=object), True
    if Y.ndim != 2:
        raise ValueError(
            f"{input_name} must be 1D (n_samples,) or 2D (n_samples, n_tasks); "
            f"got an array with {Y.ndim} dimensions, shape {Y.shape}."
        )
    names = np.asarray([f"task_{j}" for j in range(Y.shape[1])], dtype=object)
    return [Y[:, j] for j in range(Y.shape[1])], names, False


def align_tasks(Y, task_names, *, input_name="Y"):
    """Put the columns of a DataFrame target in the order of ``task_names``.

    Names beat positions: a DataFrame is matched to the tasks by its column
    names, whatever their order. Any other target (an array, a list, a
    Series for one task) is returned unchanged and read by position.

    Parameters
    ----------
    Y : array-like or DataFrame
        The target.
    task_names : sequence
        The names of the tasks, in the order wanted.
    input_name : str, default="Y"
        Name of the target in error messages.

    Returns
    -------
    Y : array-like or DataFrame
        ``Y`` itself, or a DataFrame with its columns reordered (a new
        object; ``Y`` is not modified).

    Raises
    ------
    ValueError
        If the columns of a DataFrame ``Y`` are not exactly the tasks: one is
        missing, unexpected or repeated.
    """
    if not is_dataframe(Y):
        return Y
    columns = unique_names(Y.columns, f"{input_name} columns")
    expected = [str(name) for name in task_names]
    if columns == expected:
        return Y
    missing = [name for name in expected if name not in columns]
    unexpected = [name for name in columns if name not in expected]
    if missing or unexpected:
        raise ValueError(
            f"{input_name} columns must be the tasks the estimator was fitted on, "
            f"{expected} (in any order); missing {missing}, unexpected {unexpected}."
        )
    return Y.iloc[:, [columns.index(name) for name in expected]]


class TaskLabels(NamedTuple):
    """The labelled entries of one task column of a label matrix.

    Attributes
    ----------
    name : str
        Task name (DataFrame column name, else ``task_<j>``).
    values : ndarray of shape (n_labelled,)
        The labels of the labelled samples, as a homogeneous array (ints,
        strings, bools, ...), in row order.
    labelled : ndarray of bool, shape (n_samples,)
        True where the sample is labelled for the task.
    """

    name: str
    values: np.ndarray
    labelled: np.ndarray


def task_labels(Y, *, input_name="Y"):
    """Split a label matrix into its tasks, leaving missing labels out.

    This is the shared reader of a raw (not encoded) target: metrics and
    model selection use it to score and fit each task on its labelled rows.

    Parameters
    ----------
    Y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
        Labels; NaN, None and pd.NA mark missing labels.
    input_name : str, default="Y"
        Name of the target in error messages.

    Returns
    -------
    tasks : list of TaskLabels
        One entry per task column.
    is_1d : bool
        Whether ``Y`` was one-dimensional.
    """
    columns, names, is_1d = as_2d_target(Y, input_name)
    tasks = []
    for column, name in zip(columns, names):
        values, missing = column_values(column, name, input_name)
        tasks.append(TaskLabels(str(name), values, ~missing))
    return tasks, is_1d


def check_n_samples(columns, n_samples, input_name):
    """Refuse target columns whose row count is not ``n_samples`` (that of X)."""
    if n_samples is None:
        return
    n_rows = len(columns[0]) if columns else 0
    if n_rows != n_samples:
        raise ValueError(
            f"{input_name} has {n_rows} rows but X has {n_samples} samples; "
            "they must have the same number of rows."
        )


def final_estimator(estimator):
    """The estimator that receives the target: the last step of a Pipeline
    (nested ones too), else ``estimator`` itself."""
    while hasattr(estimator, "steps") and estimator.steps:
        last = estimator.steps[-1][1]
        if last is None or last == "passthrough":
            break
        estimator = last
    return estimator


def target_tags(estimator):
    """The target tags of the estimator that receives the target.

    A Pipeline's own tags say "single and multi output" whatever its last
    step; ``MultiOutputClassifier`` at the end of one needs a 2D target even
    for one task, and ``LogisticRegression`` takes one task only.
    """
    from sklearn.utils import get_tags

    return get_tags(final_estimator(estimator)).target_tags


def fit_target(estimator, target):
    """``target`` of one task (1D) as a column when ``estimator`` needs a 2D
    target (``MultiOutputClassifier`` & co., also at the end of a Pipeline)."""
    if np.ndim(target) == 1 and not target_tags(estimator).single_output:
        return np.asarray(target)[:, None]
    return target
