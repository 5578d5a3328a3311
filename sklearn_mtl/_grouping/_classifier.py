"""TaskGroupingClassifier: one clone of a multi-task estimator per group of tasks."""

import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils import _safe_indexing, check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Hidden, Interval, StrOptions
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples

from .._base import MultiTaskClassifierMixin
from .._labels import encode_targets, resolve_task_weights
from .._targets import (
    as_2d_target,
    final_estimator,
    fit_target,
    is_dataframe,
    target_tags,
    task_labels,
)
from ._partition import resolve_groups
from ._predict import GroupPredictionMixin
from ._search import force_max_groups, search_groups


def _default_estimator():
    from .._neural._classifier import MultiTaskClassifier

    return MultiTaskClassifier()


def _params_ending(estimator, name):
    """The (possibly nested) parameters of ``estimator`` called ``name``."""
    return {
        key: value
        for key, value in estimator.get_params(deep=True).items()
        if key == name or key.endswith(f"__{name}")
    }


class TaskGroupingClassifier(GroupPredictionMixin, MultiTaskClassifierMixin, MetaEstimatorMixin,
                             BaseEstimator):
    """Train groups of tasks together, each group with its own clone of a
    multi-task estimator, and choose the groups automatically.

    Sharing a model helps some tasks and hurts others (negative transfer).
    This meta-estimator, in the style of scikit-learn's
    ``MultiOutputClassifier``, partitions the tasks (the columns of Y) into
    groups and fits one clone of ``estimator`` per group. ``task_groups="all"``
    is the estimator itself, ``task_groups="single"`` one model per task, and
    ``task_groups="auto"`` chooses the partition on the training data.

    Parameters
    ----------
    estimator : estimator, default=None
        A multi-task classifier of the package, any scikit-learn
        multi-output classifier (``MultiOutputClassifier(SVC())``), or a
        Pipeline ending in one, cloned once per group; None means
        ``MultiTaskClassifier()``. Each task's predictions are its group
        estimator's ``predict`` (so ``task_groups="all"`` predicts exactly
        what the estimator does), its probabilities that estimator's
        ``predict_proba``, available only when it has one. A classifier of
        one task at a time (``LogisticRegression()``) is refused at fit for
        groups of several tasks. Its ``task_weights``, by task name or by
        position over all the tasks of Y, are passed on to each group for
        that group's tasks.
    task_groups : {"auto", "all", "single"} or list of lists, default="auto"
        The partition of the tasks: "all" (one group), "single" (one group
        per task), a list of lists of task names or column indices with
        every task in exactly one group, or "auto" (see Notes).
    max_groups : int, default=None
        With ``task_groups="auto"``, the most groups kept: the most strongly
        linked groups are merged until no more remain. None leaves the
        number of groups to the search.
    max_candidates : int, default=None
        With ``task_groups="auto"``, the most groups fitted and validated by the
        greedy step of the search (its cost limit; see Notes); None allows
        ``n_tasks``.
    validation_fraction : float, default=0.25
        With ``task_groups="auto"``, fraction of the training rows held out to
        validate the groups.
    search_params : dict, default=None
        With ``task_groups="auto"``, parameters of ``estimator`` (nested names
        allowed, as for ``set_params``) that only the fits of the search
        use, to make them cheaper: fewer epochs, a shorter early-stopping
        patience, fewer trees. They only rank groups, so a low budget (a
        fraction of the final fit's epochs) keeps the search's cost below
        that of the final fits (see Notes). The final fits use
        ``estimator`` as given.
    n_jobs : int, default=None
        Number of fits run in parallel (joblib): the groups' final fits and
        the first fits of the search.
    random_state : int, RandomState instance or None, default=None
        Seeds the inner validation split; it also seeds the clones of
        ``estimator`` whose ``random_state`` is None, so that the same
        ``random_state`` gives the same model.
    groups : {"auto", "all", "single"} or list of lists, default="deprecated"
        The former name of ``task_groups``.

        .. deprecated:: 0.1.0
            ``groups`` was renamed ``task_groups`` in 0.1.0 and will be
            removed in 0.2.0: ``groups`` means the cross-validation groups
            elsewhere (``compare_with_single_task(groups=...)``).

    Attributes
    ----------
    groups_ : list of list of str
        The groups of task names; every task is in exactly one group.
    estimators_ : list of estimators
        The fitted clone of ``estimator`` of each group of ``groups_``.
    task_names_ : ndarray of str, shape (`n_tasks_`,)
        Column names of a DataFrame target, else ``task_0``, ``task_1``, ...
    n_tasks_ : int
        Number of tasks.
    classes_ : ndarray or list of ndarray
        Classes of each task; a plain array for a 1D training target.
    affinity_ : ndarray of shape (`n_tasks_`, `n_tasks_`) or None
        With ``task_groups="auto"``, the label dependence (Cramér's V) of each
        pair of tasks on the inner training rows; None otherwise.
    search_history_ : list of dict
        With ``task_groups="auto"``, one entry per group fitted by the search:
        its task names (``"group"``), their validation accuracies
        (``"scores"``) and whether the search kept it (``"accepted"``;
        for the fit of all tasks together, last, whether it was chosen);
        empty otherwise.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X is a DataFrame with string columns.

    See Also
    --------
    sklearn_mtl.model_selection.task_affinity : Pairwise affinities by
        cross-validation (quadratic cost).
    sklearn.multioutput.MultiOutputClassifier : One model per output.

    Notes
    -----
    **The "auto" search.** The training rows are split once, at random,
    into an inner training part and ``validation_fraction`` of validation
    rows, and every fit of the search is trained on the first and scored on
    the second:

    1. the affinity of two tasks is the dependence of their labels on the
       inner training rows (Cramér's V, ``affinity_``); a pair is linked
       when a chi-square test rejects independence at level 0.01,
       Bonferroni-corrected over the pairs;
    2. every task is fitted alone, each connected set of linked tasks
       together, and all tasks together. A set is kept as a group when it
       does no worse than its tasks alone: the drop of correct validation
       predictions per row is at most one standard error (training together
       versus alone, Standley et al., ICML 2020). A task linked to no other
       (a pure-noise task, for instance) stays alone in this partition;
    3. in a set that was not kept, linked groups are merged greedily, the
       most strongly linked pair first, under the same rule, each pair
       once, for at most ``max_candidates`` fits;
    4. the partition found is compared with all tasks together and with
       every task alone, on the same validation rows: the better of these
       two replaces it only if it has more correct predictions per row by
       more than one standard error. So "auto" follows the label structure
       unless the validation rows show that plain sharing (``"all"``, which
       then includes unlinked tasks) or no sharing (``"single"``) is better.

    The chosen groups are then refitted on all the training rows.

    **Cost.** For T tasks in C linked sets, ``T + C + 1`` fits (fewer when a
    set is all the tasks) and at most ``max_candidates`` more on
    ``1 - validation_fraction`` of the rows, then one fit per group. With a
    network, a fit on one task costs nearly as much as a fit on all tasks
    (the trunk and the epochs dominate), so the search costs about as much
    as ``task_groups="single"`` unless ``search_params`` makes its fits cheaper
    (fewer epochs, a shorter patience): the whole "auto" fit stays within T
    fits on all tasks only with such a budget. ``benchmarks/bench_grouping.py``
    measures the total in units of one fit on all tasks.

    **Assumptions.** Tasks that help each other have dependent labels on the
    training rows: tasks that share features but not labels are grouped only
    when all tasks together win (step 4). A tie goes to sharing among linked
    tasks, and to the partition of step 3 over "all" and "single".
    The inner split is a single hold-out, so on small data sets the choice
    is noisy; each task needs labelled rows on both sides of it (otherwise
    all tasks are trained together, with a warning). The lookahead affinity
    of TAG (Fifty et al., NeurIPS 2021) would need hooks in the training
    loop and applies only to networks; this search works with any
    estimator.

    References
    ----------
    T. Standley, A. R. Zamir, D. Chen, L. Guibas, J. Malik and S. Savarese,
    "Which Tasks Should Be Learned Together in Multi-task Learning?",
    ICML 2020.

    C. Fifty, E. Amid, Z. Zhao, T. Yu, R. Anil and C. Finn, "Efficiently
    Identifying Task Groupings for Multi-Task Learning", NeurIPS 2021.

    Examples
    --------
    >>> from sklearn_mtl import SharedTreeClassifier, TaskGroupingClassifier
    >>> from sklearn_mtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_samples=300, groups=[2, 2], n_noise_tasks=1, task_relatedness=0.9,
    ...     random_state=0)
    >>> clf = TaskGroupingClassifier(
    ...     SharedTreeClassifier(max_depth=4), random_state=0).fit(X, Y)
    >>> clf.groups_
    [['task_0', 'task_1'], ['task_2', 'task_3'], ['task_4']]
    >>> clf.predict(X[:2]).shape
    (2, 5)
    """

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

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Choose the groups (with ``task_groups="auto"``) and fit one clone of
        ``estimator`` per group.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or DataFrame
            Training inputs, passed as they are to the estimator of each group.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            The label matrix Y: one column of labels per task; NaN, None or
            pd.NA where a sample is not labelled for a task.

        Returns
        -------
        self : TaskGroupingClassifier
            The fitted estimator.
        """
        X = self._validate_X(X, reset=True)
        n_samples = _num_samples(X)
        if not (is_dataframe(y) or hasattr(y, "dtype")):
            as_2d_target(y, "y")  # the package's errors for None, scalars, ragged lists
            y = np.asarray(y, dtype=object)
        encoded = encode_targets(y, n_samples=n_samples, input_name="y")
        tasks, _ = task_labels(y, input_name="y")
        self.task_names_ = encoded.task_names
        self._tasks_by_name = is_dataframe(y)
        self.n_tasks_ = len(tasks)
        self.classes_ = encoded.classes[0] if encoded.is_1d else list(encoded.classes)
        base = _default_estimator() if self.estimator is None else self.estimator
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
        fit_group, search_fit = (
            partial(_fit_group, estimator, weights, X, y, tasks, task_names=self.task_names_)
            for estimator in (base, searched)
        )

        self.affinity_, self.search_history_ = None, []
        groups = resolve_groups(self._task_groups(), tasks)
        _check_takes_groups(base, groups, self.n_tasks_)
        if groups is None:  # "auto"
            max_candidates = self.n_tasks_ if self.max_candidates is None else self.max_candidates
            groups, info = search_groups(
                search_fit, partial(_safe_indexing, X), tasks,
                validation_fraction=self.validation_fraction, max_candidates=max_candidates,
                random_state=self.random_state, n_jobs=self.n_jobs,
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
            stacklevel=4,  # the caller of fit, past scikit-learn's fit wrapper
        )
        return self.groups

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(_default_estimator() if self.estimator is None else self.estimator)
        tags.input_tags = inner.input_tags
        return tags


def _check_takes_groups(estimator, groups, n_tasks):
    """Refuse, before any fit, an estimator of one task at a time (its target
    tags say no multi-output) for groups of several tasks ("auto" fits some)."""
    several = n_tasks > 1 if groups is None else any(len(group) > 1 for group in groups)
    if several and not target_tags(estimator).multi_output:
        name = type(final_estimator(estimator)).__name__
        raise ValueError(
            f"estimator {name} learns one task at a time (it does not take a 2D y), "
            "but these task_groups fit several tasks together. Use task_groups='single', "
            f"or wrap it: MultiOutputClassifier({name}(...))."
        )


def _fit_group(base, weights, X, Y, tasks, group, rows, task_names):
    """Fit a clone of ``base`` on the tasks of ``group`` and the given rows:
    a 1D target of the labelled rows for one task, the label columns of
    the group otherwise, with the group's share of the task weights."""
    estimator = clone(base)
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
