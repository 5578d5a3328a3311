"""What every task-grouping meta-estimator shares, whatever its tasks' kinds:
the parameters, the choice of the groups (explicit, "all", "single" or the
"auto" search), one clone of the estimator per group with its share of the
task weights, and each task's predictions taken from its group's estimator.

:class:`~sklearn_mtl.TaskGroupingClassifier` and
:class:`~sklearn_mtl.TaskGroupingRegressor` add the target side of their
kind (classes, or R² scores) through the package's classifier and regressor
mixins; the kinds reach the search, which measures each pair of tasks and
scores each task by its kind.
"""

import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import _safe_indexing, check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Hidden, Interval, StrOptions
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples

from .._labels import resolve_task_weights
from .._targets import (
    as_2d_target,
    final_estimator,
    fit_target,
    is_dataframe,
    target_tags,
    task_labels,
)
from ._partition import resolve_groups
from ._search import force_max_groups, search_groups


def _params_ending(estimator, name):
    """The (possibly nested) parameters of ``estimator`` called ``name``."""
    return {
        key: value
        for key, value in estimator.get_params(deep=True).items()
        if key == name or key.endswith(f"__{name}")
    }


class BaseTaskGrouping(MetaEstimatorMixin, BaseEstimator):
    """Groups of tasks, each fitted by its own clone of a multi-task
    estimator. A subclass sets ``_kind_wrapper`` (the scikit-learn wrapper
    that makes a one-output estimator multi-output, for error messages),
    implements ``_default_estimator()``, and calls :meth:`_fit_groups` in
    ``fit`` with the tasks of ``y`` and their kinds."""

    _kind_wrapper = "MultiOutputClassifier"

    _parameter_constraints: dict = {
        "estimator": [None, HasMethods(["fit", "predict", "get_params"])],
        "task_groups": [StrOptions({"auto", "all", "single"}), list, tuple],
        "groups": [StrOptions({"auto", "all", "single"}), Hidden(StrOptions({"deprecated"})),
                   list, tuple],
        "max_groups": [None, Interval(Integral, 1, None, closed="left")],
        "max_candidates": [None, Interval(Integral, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "search_params": [None, dict],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, task_groups="auto", max_groups=None, max_candidates=None,
                 validation_fraction=0.25, search_params=None, n_jobs=None,
                 random_state=None, groups="deprecated"):
        self.estimator = estimator
        self.task_groups = task_groups
        self.max_groups = max_groups
        self.max_candidates = max_candidates
        self.validation_fraction = validation_fraction
        self.search_params = search_params
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.groups = groups

    @staticmethod
    def _default_estimator():
        raise NotImplementedError

    def _base_estimator(self):
        return self._default_estimator() if self.estimator is None else self.estimator

    @staticmethod
    def _as_target(y):
        """``y`` as the fit reads it: a list or other array-like without a
        dtype becomes an object array (labels of several types kept)."""
        if not (is_dataframe(y) or hasattr(y, "dtype")):
            as_2d_target(y, "y")  # the package's errors for None, scalars, ragged lists
            y = np.asarray(y, dtype=object)
        return y

    def _fit_task_set(self, X, y):
        """``fit`` of the variants whose targets a ``TaskSet`` reads."""
        X, y = self._validate_X(X, reset=True), self._as_target(y)
        targets = self._fit_targets(y, _num_samples(X))
        return self._fit_groups(X, y, task_labels(y, input_name="y")[0], targets.tasks.kinds)

    def _fit_groups(self, X, y, tasks, kinds):
        """Choose the groups (with ``task_groups="auto"``) and fit one clone
        of the estimator per group; ``X`` is validated, ``tasks`` are the
        :class:`TaskLabels` of ``y`` and ``kinds`` their kinds."""
        n_samples = _num_samples(X)
        base = self._base_estimator()
        inner = final_estimator(base)
        if hasattr(inner, "_validate_params"):  # its own errors before ours
            inner._validate_params()
        weights = {
            key: resolve_task_weights(value, self.task_names_)
            for key, value in _params_ending(base, "task_weights").items()
            if value is not None
        }
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        unseeded = {key: seed for key, value in _params_ending(base, "random_state").items()
                    if value is None and self.random_state is not None}
        base = clone(base).set_params(**unseeded)

        searched = base
        if self.search_params:
            try:
                searched = clone(base).set_params(**self.search_params)
            except ValueError as exc:
                raise ValueError(f"search_params: {exc}") from exc
        # fit_group(group, rows): a clone fitted on those tasks and rows
        kinds_of = partial(_group_kinds, kinds, list(_params_ending(base, "task_kinds")),
                           self.task_names_ if is_dataframe(y) else None)
        fit_group, search_fit = (
            partial(_fit_group, estimator, weights, kinds_of, X, y, tasks,
                    task_names=self.task_names_)
            for estimator in (base, searched)
        )

        self.affinity_, self.search_history_ = None, []
        groups = resolve_groups(self._task_groups(), tasks)
        self._check_takes_groups(base, groups)
        if groups is None:  # "auto"
            max_candidates = self.n_tasks_ if self.max_candidates is None else self.max_candidates
            groups, info = search_groups(
                search_fit, partial(_safe_indexing, X), tasks,
                validation_fraction=self.validation_fraction, max_candidates=max_candidates,
                random_state=self.random_state, n_jobs=self.n_jobs, kinds=kinds,
            )
            if self.max_groups is not None:
                groups = force_max_groups(groups, info["affinity"], self.max_groups)
            self.affinity_ = info["affinity"]
            self.search_history_ = [
                {**entry, "group": [str(self.task_names_[t]) for t in entry["group"]]}
                for entry in info["history"]
            ]
        all_rows = np.arange(n_samples)
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(fit_group)(tuple(group), all_rows) for group in groups
        )
        self._group_indices = [list(group) for group in groups]
        self.groups_ = [[str(self.task_names_[t]) for t in group] for group in groups]
        return self

    def _task_groups(self):
        """``task_groups``, or the deprecated ``groups`` with a FutureWarning."""
        if isinstance(self.groups, str) and self.groups == "deprecated":
            return self.task_groups
        if not (isinstance(self.task_groups, str) and self.task_groups == "auto"):
            raise ValueError(
                "groups is the deprecated name of task_groups: set task_groups only; "
                f"got task_groups={self.task_groups!r} and groups={self.groups!r}."
            )
        warnings.warn(
            "groups was renamed task_groups in 0.1.0 and will be removed in 0.2.0; "
            "use task_groups.",
            FutureWarning,
            stacklevel=5,  # the caller of fit, past scikit-learn's fit wrapper
        )
        return self.groups

    def _check_takes_groups(self, estimator, groups):
        """Refuse, before any fit, an estimator of one task at a time (its
        target tags say no multi-output) for groups of several tasks ("auto"
        fits some)."""
        several = (self.n_tasks_ > 1 if groups is None
                   else any(len(group) > 1 for group in groups))
        if several and not target_tags(estimator).multi_output:
            name = type(final_estimator(estimator)).__name__
            raise ValueError(
                f"estimator {name} learns one task at a time (it does not take a 2D y), "
                "but these task_groups fit several tasks together. Use "
                f"task_groups='single', or wrap it: {self._kind_wrapper}({name}(...))."
            )

    def _validate_X(self, X, reset):
        """Validate X as the inner estimator would (2D or more, sparse only
        if it accepts sparse input), but leave a DataFrame as it is so that
        a Pipeline inside can select columns by name."""
        checked = self._validate_X_data(
            X, reset=reset,
            accept_sparse=["csr", "csc"] if self.__sklearn_tags__().input_tags.sparse else False,
            dtype=None, ensure_all_finite=False, allow_nd=True,
        )
        return X if is_dataframe(X) else checked

    def _predict_columns(self, X):
        """Each task's predictions from its group estimator's ``predict``,
        in the order of Y: a list of ``n_tasks_`` arrays of shape
        (n_samples,), in the task's labels or units. ``X`` is validated."""
        columns = [None] * self.n_tasks_
        for group, estimator in zip(self._group_indices, self.estimators_):
            pred = np.asarray(estimator.predict(X)).reshape(-1, len(group))
            for k, t in enumerate(group):
                columns[t] = pred[:, k]
        return columns

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = get_tags(self._base_estimator()).input_tags
        return tags


def _group_kinds(kinds, keys, names, group):
    """The ``task_kinds`` parameters (``keys``) that give an estimator of
    mixed targets the kinds of ``group``'s tasks: one kind when they share
    it, else a dict by the names the estimator sees (a DataFrame's
    ``names``, else ``task_0``, ... of the group's columns)."""
    group_kinds = [kinds[t] for t in group]
    if len(set(group_kinds)) == 1:
        spec = group_kinds[0]
    else:
        seen = ([str(names[t]) for t in group] if names is not None
                else [f"task_{k}" for k in range(len(group))])
        spec = dict(zip(seen, group_kinds))
    return dict.fromkeys(keys, spec)


def _fit_group(base, weights, kinds_of, X, Y, tasks, group, rows, task_names):
    """Fit a clone of ``base`` on the tasks of ``group`` and the given rows:
    a 1D target of the labelled rows for one task, the target columns of
    the group otherwise, with the group's share of the task weights and,
    for an estimator with ``task_kinds``, its tasks' kinds
    (``kinds_of(group)``)."""
    estimator = clone(base).set_params(**kinds_of(group))
    if weights:
        names = [str(task_names[t]) for t in group]
        for key, w in weights.items():
            if not np.any(w[list(group)] > 0):
                raise ValueError(
                    f"{key} gives weight 0 to every task of the group {names}; each "
                    "group needs a task of positive weight."
                )
        estimator.set_params(**{key: w[list(group)].tolist() for key, w in weights.items()})
    if len(group) == 1:
        task = tasks[group[0]]
        rows = rows[task.labelled[rows]]
        position = np.cumsum(task.labelled) - 1
        target = fit_target(estimator, task.values[position[rows]])
    elif is_dataframe(Y):
        target = Y.iloc[rows, list(group)]
    else:
        target = Y[np.ix_(rows, list(group))]
    return estimator.fit(_safe_indexing(X, rows), target)
