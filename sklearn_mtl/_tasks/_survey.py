"""Fitting the tasks of a target that is read block by block (a dask fit),
to the same tasks a fit on the whole target gives."""

import warnings

import numpy as np

from .._targets import as_2d_target
from ._infer import distinct_threshold, kind_evidence, kind_from_distinct, make_task
from ._regression import Moments
from ._set import TaskSet, given_kinds


class TargetSurvey:
    """The tasks of a target seen one row block at a time.

    Each block updates, for each column, what its task needs: the distinct
    labels of a classification task (its classes), the count, mean and
    variance of a regression task's observed values (:class:`Moments`, so
    ``loc_`` and ``scale_`` are those of the whole column up to float64
    rounding), and for a column whose kind is inferred the evidence of
    :func:`infer_task_kind`: its dtype (rule 1), a non-integer value in any
    block (rule 2), and its distinct values counted across blocks (rule 3),
    so that the kinds are those the rule gives the whole column. An
    inferred column keeps its distinct values only while its kind is open:
    no longer once a non-integer value is seen, nor once they outnumber
    the rule's threshold for ``n_rows`` rows.

    Parameters
    ----------
    task_kinds : None, str or dict, default=None
        As for :meth:`TaskSet.fit`: None infers every kind, a kind name
        gives every task that kind, a dict ``{name: kind}`` sets some.
    n_rows : int, default=None
        Rows of the whole target, when known before the blocks are read
        (a bound for the distinct values an inferred column keeps).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mtl._tasks import TargetSurvey
    >>> survey = TargetSurvey()
    >>> for block in (np.array([[0.5, 1], [1.5, 0]]), np.array([[4.0, 2]])):
    ...     survey = survey.update(block)
    >>> tasks = survey.task_set()
    >>> tasks.kinds, tasks[0].loc_, tasks[1].classes_.tolist()
    (['regression', 'classification'], 2.0, [0.0, 1.0, 2.0])
    """

    def __init__(self, task_kinds=None, *, n_rows=None):
        self.task_kinds = task_kinds
        self.n_rows = n_rows
        self._columns = None

    def update(self, Y):
        """Read one row block of the target; returns self."""
        columns, names, is_1d = as_2d_target(Y, "y")
        if self._columns is None:
            kinds = given_kinds(self.task_kinds, names)
            self._columns = [_ColumnSurvey(name, kind) for name, kind in zip(names, kinds)]
            self._names, self._is_1d = [str(n) for n in names], is_1d
        elif [str(n) for n in names] != self._names:
            raise ValueError(
                f"y's blocks have different task columns: {self._names} and "
                f"{[str(n) for n in names]}."
            )
        for column_survey, column in zip(self._columns, columns):
            column_survey.update(column, self.n_rows)
        return self

    def task_set(self):
        """The fitted :class:`TaskSet` of the blocks read."""
        if self._columns is None:
            raise ValueError("y has no rows.")
        return TaskSet([c.task() for c in self._columns], is_1d=self._is_1d)


class _ColumnSurvey:
    """One column's part of :class:`TargetSurvey`."""

    def __init__(self, name, kind):
        self.name, self.given = str(name), kind
        self.decided = None  # the inferred kind, once the blocks read decide it
        self.distinct = None
        self.moments = Moments()
        self.n_observed = 0

    def update(self, column, n_rows):
        if self.given == "regression":
            self.moments.update(make_task("regression", self.name).numeric_values(column)[0])
            return
        kind, values = kind_evidence(column, name=self.name)
        if values.size == 0:
            return
        self.n_observed += values.size
        if self.given is None and kind is not None:
            if self.decided not in (None, kind):
                raise ValueError(
                    f"y column {self.name!r} holds numbers in some blocks and labels in "
                    "others; give each task values of one type."
                )
            self.decided = kind
        if self.decided != "regression":
            seen = np.unique(values)
            self.distinct = seen if self.distinct is None else np.union1d(self.distinct, seen)
            if (self.given is None and self.decided is None and n_rows is not None
                    and self.distinct.size > distinct_threshold(n_rows)):
                self.decided = "regression"
        if self.decided == "regression":
            self.distinct = None
        if self.given is None and self.decided != "classification":
            self.moments.update(values.astype(np.float64))

    def task(self):
        n_distinct = 0 if self.distinct is None else self.distinct.size
        kind = self.given or self.decided or kind_from_distinct(n_distinct, self.n_observed)
        task = make_task(kind, self.name)
        if kind == "regression":
            m = self.moments
            return task.fit_moments(m.count, m.mean, m.variance)
        # the classes are the distinct labels, checked as fit checks them; the
        # warning of many classes for few samples counts the observed entries
        classes = self.distinct if self.distinct is not None else np.empty(0)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The number of unique classes", UserWarning)
            task.fit(classes)
        if self.n_observed > 20 and classes.size > round(0.5 * self.n_observed):
            warnings.warn(
                "The number of unique classes is greater than 50% of the number of "
                f"samples: y column {self.name!r} could be a regression task.",
                UserWarning, stacklevel=3,
            )
        return task
