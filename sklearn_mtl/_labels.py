"""The one label-handling path shared by every estimator of the package.

A multi-task target ``Y`` is a label matrix with one column per task. Each
column has its own classes (ints, strings, bools, floats with integer
values), and a missing entry (``NaN``, ``None``, ``pd.NA``) means that the
sample is not labelled for that task. This module turns such a matrix (read
by :mod:`sklearn_mtl._targets`) into
integer codes (``-1`` for a missing label), the per-task classes and task
names, and back, through :class:`sklearn_mtl._tasks.ClassificationTask`
(which owns the encoding); it also validates ``task_weights``. Nothing here imports
torch: the tree estimators use it too.
"""

import numbers
from typing import NamedTuple

import numpy as np

from ._targets import as_2d_target, is_series, unique_names
from ._tasks import MISSING, ClassificationTask, TaskSet


class EncodedTargets(NamedTuple):
    """A label matrix encoded column by column.

    Attributes
    ----------
    codes : ndarray of shape (n_samples, n_tasks), dtype int64
        ``codes[i, j]`` is the index of sample i's label in ``classes[j]``,
        or ``MISSING`` (-1) where the sample is unlabelled for task j.
    classes : list of ndarray
        Sorted classes of each task.
    task_names : ndarray of str, shape (n_tasks,)
        Column names of a DataFrame target, else ``task_0``, ``task_1``, ...
    is_1d : bool
        Whether the target was one-dimensional (the single-task case).
    """

    codes: np.ndarray
    classes: list
    task_names: np.ndarray
    is_1d: bool

    @property
    def mask(self):
        """Boolean array of shape (n_samples, n_tasks): True where labelled."""
        return self.codes != MISSING


def encode_targets(Y, *, n_samples=None, input_name="Y"):
    """Encode a training target into per-task integer codes.

    Parameters
    ----------
    Y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
        Labels; NaN, None and pd.NA mark missing labels.
    n_samples : int, default=None
        Expected number of rows (that of X); checked when given.
    input_name : str, default="Y"
        Name of the target in error messages.

    Returns
    -------
    EncodedTargets

    Raises
    ------
    ValueError
        If Y has no task columns, a task has no labelled sample, a task's
        labels are continuous or mix types, or the row count is off.
    """
    tasks = TaskSet()
    codes = tasks.fit_encode(Y, "classification", n_samples=n_samples, input_name=input_name)
    return EncodedTargets(
        np.column_stack(codes), [t.classes_ for t in tasks], tasks.task_names_, tasks.is_1d_
    )


def classification_tasks(classes, task_names=None, is_1d=False):
    """A :class:`TaskSet` of classification tasks restored from their classes."""
    if task_names is None:
        task_names = [f"task_{j}" for j in range(len(classes))]
    tasks = [ClassificationTask(name) for name in task_names]
    for task, task_classes in zip(tasks, classes):
        task.classes_ = np.asarray(task_classes)
    return TaskSet(tasks, is_1d=is_1d)


def same_classes(classes, other):
    """Whether two lists of per-task classes are equal."""
    return len(classes) == len(other) and all(
        np.array_equal(a, b) for a, b in zip(classes, other)
    )


def declare_classes(encoded, classes, *, input_name="classes"):
    """Re-encode training targets against classes declared up front.

    ``partial_fit(X, y, classes=...)`` declares every class of a stream, some
    of which the first batch may lack.

    Parameters
    ----------
    encoded : EncodedTargets
        The first batch, from :func:`encode_targets`.
    classes : array-like or list of array-like
        The classes of each task; one array-like for a 1D target.
    input_name : str, default="classes"
        Name of ``classes`` in error messages.

    Returns
    -------
    EncodedTargets
        Codes and classes following the declared (sorted) classes.

    Raises
    ------
    ValueError
        If ``classes`` does not hold one non-empty list of scalars per task,
        or a label of the batch is not among its task's declared classes.
    """
    n_tasks = len(encoded.classes)
    if encoded.is_1d and not isinstance(classes, list):
        classes = [classes]
    if isinstance(classes, (str, bytes)) or not isinstance(classes, (list, tuple)) or len(
        classes
    ) != n_tasks:
        raise ValueError(
            f"{input_name} must be a list with one array of classes per task "
            f"({n_tasks}); got {classes!r}."
        )
    tasks = classification_tasks(encoded.classes, encoded.task_names)
    codes = encoded.codes.copy()
    for j, (task, given) in enumerate(zip(tasks, classes)):
        codes[:, j] = task.declare_encoded(given, codes[:, j], input_name=f"{input_name}[{j}]")
    return EncodedTargets(
        codes, [t.classes_ for t in tasks], encoded.task_names, encoded.is_1d
    )


def encode_with_classes(Y, classes, *, n_samples=None, input_name="Y"):
    """Encode labels against the classes learned in fit.

    Parameters
    ----------
    Y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
        Labels, missing entries allowed (read by position).
    classes : list of ndarray
        The per-task classes of a fitted estimator.
    n_samples : int, default=None
        Expected number of rows; checked when given.
    input_name : str, default="Y"
        Name of the target in error messages.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_tasks), dtype int64
        ``MISSING`` where unlabelled.

    Raises
    ------
    ValueError
        If the number of tasks differs from ``len(classes)`` or a label was
        not seen during fit.
    """
    columns, names, _ = as_2d_target(Y, input_name)
    if len(columns) != len(classes):
        raise ValueError(
            f"{input_name} has {len(columns)} task column(s) but the estimator "
            f"was fitted on {len(classes)} task(s)."
        )
    tasks = classification_tasks(classes, names)
    return np.column_stack(
        tasks.encode(Y, n_samples=n_samples, input_name=input_name)
    )


def decode_labels(codes, classes, is_1d):
    """Map integer codes back to the original labels.

    Returns an array of shape (n_samples,) when ``is_1d`` else
    (n_samples, n_tasks); its dtype is the common dtype of the tasks'
    classes when they share a kind (all ints, all strings, ...) and object
    when tasks differ in type.
    """
    return classification_tasks(classes, is_1d=is_1d).decode(codes)


def resolve_task_weights(task_weights, task_names):
    """Validate ``task_weights`` and return one float per task.

    Parameters
    ----------
    task_weights : None, array-like of shape (n_tasks,), dict or Series
        None gives all ones; a dict (or a pandas Series, by its index) maps
        task names to weights and tasks it does not name keep weight 1.
        Names are compared as strings; a plain array-like is read by position.
    task_names : array-like of str
        The names of the fitted tasks.

    Returns
    -------
    weights : ndarray of shape (n_tasks,), dtype float64

    Raises
    ------
    ValueError
        Wrong length, an unknown or repeated task name, a negative or
        non-finite weight, or all weights zero.
    TypeError
        A weight that is not a real number.
    """
    task_names = [str(t) for t in task_names]
    n_tasks = len(task_names)
    if task_weights is None:
        return np.ones(n_tasks)
    if isinstance(task_weights, dict) or is_series(task_weights):
        keys = unique_names(task_weights.keys(), "task_weights")
        unknown = [k for k in keys if k not in task_names]
        if unknown:
            raise ValueError(
                f"task_weights names unknown task(s) {unknown}; the tasks are "
                f"{task_names}."
            )
        values = task_weights.tolist() if is_series(task_weights) else task_weights.values()
        lookup = dict(zip(keys, values))
        raw = [lookup.get(name, 1.0) for name in task_names]
    elif isinstance(task_weights, str) or np.isscalar(task_weights):
        raise TypeError(
            "task_weights must be None, an array-like with one weight per task "
            f"or a dict {{task_name: weight}}; got {task_weights!r}."
        )
    else:
        raw = list(np.asarray(task_weights, dtype=object).ravel())
        if np.ndim(task_weights) != 1 or len(raw) != n_tasks:
            raise ValueError(
                f"task_weights must have one weight per task ({n_tasks}); got "
                f"shape {np.shape(task_weights)}."
            )
    for w in raw:
        if isinstance(w, bool) or not isinstance(w, numbers.Real):
            raise TypeError(f"task_weights must hold real numbers; got {w!r}.")
    weights = np.asarray(raw, dtype=np.float64)
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"task_weights must be finite; got {weights.tolist()}.")
    if np.any(weights < 0):
        raise ValueError(f"task_weights must be non-negative; got {weights.tolist()}.")
    if not np.any(weights > 0):
        raise ValueError(
            "task_weights are all zero: at least one task must have a positive "
            "weight."
        )
    return weights
