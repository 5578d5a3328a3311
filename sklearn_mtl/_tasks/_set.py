"""The tasks of a target matrix, fitted and used together."""

import numpy as np

from .._targets import align_tasks, as_2d_target, check_n_samples, unique_names
from ._infer import check_kind, infer_task_kind, make_task


class TaskSet:
    """The tasks of a multi-task target, one fitted :class:`Task` per column.

    Parameters
    ----------
    tasks : list of Task, default=None
        Tasks already fitted (e.g. restored from ``classes_``); None until
        :meth:`fit`.
    is_1d : bool, default=False
        Whether the target is one-dimensional (the single-task case).

    Attributes
    ----------
    tasks_ : list of Task
        One fitted task per column, in column order.
    task_names_ : ndarray of str, shape (n_tasks,)
        Column names of a DataFrame target, else ``task_0``, ``task_1``, ...
    task_kinds_ : dict
        ``{task name: kind}``.
    is_1d_ : bool
        Whether the target was one-dimensional.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_mtl._tasks import TaskSet
    >>> Y = pd.DataFrame({"price": [1.5, 2.5, None], "cut": ["a", "b", "a"]})
    >>> tasks = TaskSet().fit(Y, task_kinds={"price": "regression"})
    >>> tasks.task_kinds_
    {'price': 'regression', 'cut': 'classification'}
    >>> [column.tolist() for column in tasks.encode(Y)]
    [[-1.0, 1.0, nan], [0, 1, 0]]
    """

    def __init__(self, tasks=None, *, is_1d=False):
        if tasks is not None:
            self.tasks_ = list(tasks)
            self.is_1d_ = bool(is_1d)
            self._set_names()

    def _set_names(self):
        self.task_names_ = np.asarray([t.name for t in self.tasks_], dtype=object)
        self.task_kinds_ = {t.name: t.kind for t in self.tasks_}

    def __iter__(self):
        return iter(self.tasks_)

    def __len__(self):
        return len(self.tasks_)

    def __getitem__(self, index):
        return self.tasks_[index]

    @property
    def kinds(self):
        """The kind of each task, in column order."""
        return [t.kind for t in self.tasks_]

    @property
    def n_outputs(self):
        """The head width of each task, in column order."""
        return [t.n_outputs for t in self.tasks_]

    def fit(self, Y, task_kinds=None, *, n_samples=None, input_name="y"):
        """Make and fit one task per column of ``Y``.

        Parameters
        ----------
        Y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            The training target; NaN, None and pd.NA are missing entries.
        task_kinds : None, str or dict, default=None
            None infers every column's kind (:func:`infer_task_kind`); a
            kind name gives every task that kind; a dict ``{name: kind}``
            sets the named tasks' kinds and infers the others.
        n_samples : int, default=None
            Expected number of rows (that of X); checked when given.
        input_name : str, default="y"
            Name of the target in error messages.

        Returns
        -------
        self : TaskSet
        """
        self.fit_encode(Y, task_kinds, n_samples=n_samples, input_name=input_name)
        return self

    def fit_encode(self, Y, task_kinds=None, *, n_samples=None, input_name="y"):
        """:meth:`fit`, returning the encoded columns (a list, one per task)."""
        columns, names, is_1d = as_2d_target(Y, input_name)
        if not columns:
            raise ValueError(f"{input_name} has 0 task columns; at least one is required.")
        check_n_samples(columns, n_samples, input_name)
        kinds = _resolve_kinds(task_kinds, columns, names, input_name)
        tasks = [make_task(kind, name) for kind, name in zip(kinds, names)]
        encoded = [t.fit_encode(c, input_name=input_name) for t, c in zip(tasks, columns)]
        self.tasks_, self.is_1d_ = tasks, is_1d
        self._set_names()
        return encoded

    def declare_classes(self, classes, encoded, *, input_name="classes"):
        """Declare every class of the classification tasks up front
        (``partial_fit`` on a stream whose first batch lacks some).

        Parameters
        ----------
        classes : dict or list
            ``{task name: classes}`` for some classification tasks (by
            name), or a list with one entry per task: the classes of a
            classification task, None for a regression task. For a 1D
            target, the classes of its task.
        encoded : list of ndarray
            The columns just encoded by these tasks (first batch).
        input_name : str, default="classes"
            Name of ``classes`` in error messages.

        Returns
        -------
        encoded : list of ndarray
            The columns re-encoded against the declared classes.

        Raises
        ------
        ValueError
            If a name is not a classification task's, the list's length is
            not the number of tasks, or a task's classes are invalid or lack
            a label of the batch.
        """
        names = [str(name) for name in self.task_names_]
        if isinstance(classes, dict):
            unknown = [k for k in classes if str(k) not in names]
            if unknown:
                raise ValueError(
                    f"{input_name} names {unknown!r}, not tasks of y; the tasks are {names}."
                )
            by_name = {str(k): v for k, v in classes.items()}
            given = [by_name.get(name) for name in names]
        elif self.is_1d_ and not (isinstance(classes, (list, tuple)) and len(classes) == 1
                                  and np.ndim(classes[0]) == 1):
            given = [classes]
        elif isinstance(classes, (list, tuple)) and len(classes) == len(self.tasks_):
            given = list(classes)
        else:
            raise ValueError(
                f"{input_name} must be a dict {{task name: classes}} or a list with one "
                f"entry per task ({len(self.tasks_)}: None for a regression task); "
                f"got {classes!r}."
            )
        encoded = list(encoded)
        for j, (task, declared) in enumerate(zip(self.tasks_, given)):
            if declared is None:
                continue
            if task.kind != "classification":
                raise ValueError(
                    f"{input_name} gives classes for task {task.name!r}, a {task.kind} "
                    "task; only classification tasks have classes."
                )
            encoded[j] = task.declare_encoded(declared, encoded[j],
                                              input_name=f"{input_name}[{task.name!r}]")
        return encoded

    def encode(self, Y, *, n_samples=None, input_name="y"):
        """Encode a target with the fitted tasks (DataFrame columns by name).

        Returns
        -------
        encoded : list of ndarray of shape (n_samples,)
            One encoded column per task (see each task's ``encode``).

        Raises
        ------
        ValueError
            If the number or names of the tasks differ from those fitted,
            or a column cannot be encoded by its task.
        """
        columns = self._fitted_columns(Y, input_name)
        check_n_samples(columns, n_samples, input_name)
        return [t.encode(c, input_name=input_name) for t, c in zip(self.tasks_, columns)]

    def _fitted_columns(self, Y, input_name):
        """The columns of ``Y``, one per fitted task (a DataFrame by name)."""
        Y = align_tasks(Y, self.task_names_, input_name=input_name)
        columns, _, _ = as_2d_target(Y, input_name)
        if len(columns) != len(self.tasks_):
            raise ValueError(
                f"{input_name} has {len(columns)} task column(s) but the estimator "
                f"was fitted on {len(self.tasks_)} task(s)."
            )
        return columns

    def missing(self, encoded):
        """Boolean array (n_samples, n_tasks), True where an entry is missing."""
        return np.column_stack([t.missing(e) for t, e in zip(self.tasks_, encoded)])

    def decode(self, encoded):
        """Predictions in labels and units: one column per task.

        Parameters
        ----------
        encoded : list of ndarray of shape (n_samples,), or ndarray of shape (n_samples, n_tasks)
            Encoded predictions of each task.

        Returns
        -------
        Y : ndarray of shape (n_samples,) if the target was 1D, else (n_samples, n_tasks)
            Floats when every task is a regression; the tasks' common label
            dtype when every task is a classification of one type (all ints,
            all strings, ...); object otherwise.
        """
        if isinstance(encoded, np.ndarray) and encoded.ndim == 2:
            encoded = [encoded[:, j] for j in range(encoded.shape[1])]
        decoded = [t.decode(e) for t, e in zip(self.tasks_, encoded)]
        if self.is_1d_:
            return decoded[0]
        kinds = {(t.kind, d.dtype.kind) for t, d in zip(self.tasks_, decoded)}
        if len(kinds) == 1:
            dtype = np.result_type(*[d.dtype for d in decoded])
        else:
            dtype = object
        out = np.empty((len(decoded[0]), len(decoded)), dtype=dtype)
        for j, column in enumerate(decoded):
            out[:, j] = column
        return out

    def score(self, Y, predictions, sample_weight=None, *, input_name="y"):
        """Each task's default score (NaN for a task with no observed entry).

        Parameters
        ----------
        Y : array-like or DataFrame
            Raw targets (DataFrame columns matched by name).
        predictions : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Decoded predictions, as from :meth:`decode`.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        scores : ndarray of shape (n_tasks,)
        """
        columns = self._fitted_columns(Y, input_name)
        predictions = np.asarray(predictions)
        if predictions.ndim == 1:
            predictions = predictions[:, None]
        return np.array([
            t.score(c, predictions[:, j], sample_weight)
            for j, (t, c) in enumerate(zip(self.tasks_, columns))
        ])


def _resolve_kinds(task_kinds, columns, names, input_name):
    """The kind of each column from ``task_kinds`` and the inference rule."""
    given = given_kinds(task_kinds, names)
    return [
        kind or infer_task_kind(column, name=name, input_name=input_name)
        for kind, column, name in zip(given, columns, names)
    ]


def given_kinds(task_kinds, names):
    """The kind ``task_kinds`` gives each task of ``names`` (None: inferred)."""
    if task_kinds is None:
        return [None] * len(names)
    if isinstance(task_kinds, str):
        return [check_kind(task_kinds, "task_kinds")] * len(names)
    if not isinstance(task_kinds, dict):
        raise TypeError(
            "task_kinds must be None, 'classification', 'regression' or a dict "
            f"{{task_name: kind}}; got {task_kinds!r}."
        )
    keys = unique_names(task_kinds.keys(), "task_kinds")
    unknown = [k for k in keys if k not in [str(n) for n in names]]
    if unknown:
        raise ValueError(
            f"task_kinds names unknown task(s) {unknown}; the tasks are "
            f"{[str(n) for n in names]}."
        )
    given = {k: check_kind(v, f"task_kinds[{k!r}]") for k, v in zip(keys, task_kinds.values())}
    return [given.get(str(name)) for name in names]
