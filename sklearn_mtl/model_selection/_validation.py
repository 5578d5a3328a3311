"""Cross-validation of one estimator trained on different groups of tasks.

``compare_with_single_task`` (all tasks together vs each alone) and
``task_affinity`` (each pair of tasks vs each alone) are both this: on the
same folds, fit a clone of the estimator on a group of task columns and score
each task of the group on its labelled test rows.
"""

import time
from contextlib import nullcontext

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.metrics import get_scorer
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples

from .._targets import fit_target, is_dataframe, task_labels
from .._tasks import TASK_KINDS, TaskSet
from ..metrics._scorer import default_scorer, score_tasks
from ._run import FitRun, call_capturing_warnings


def _check_scoring(scoring, kinds):
    """Return (scorer, its display name): a single-output scorer, or for
    ``scoring=None`` the list of each task's default scorer (accuracy or R²,
    by the ``kinds`` of the tasks) and the metric names."""
    if scoring is None:
        names = task_metric_names(None, None, kinds)
        scorers = [default_scorer(kind) for kind in kinds]
        return scorers, names[0] if len(set(names)) == 1 else "accuracy or r2 by task kind"
    if isinstance(scoring, str):
        try:
            return get_scorer(scoring), scoring
        except ValueError as exc:
            raise ValueError(f"scoring={scoring!r} is not a scikit-learn scorer name.") from exc
    if callable(scoring):
        return scoring, getattr(scoring, "__name__", repr(scoring))
    raise TypeError(
        "scoring must be a scikit-learn scorer name or a scorer callable "
        f"scorer(estimator, X, y); got {scoring!r}."
    )


def task_metric_names(scoring, scoring_name, kinds):
    """The name of each task's metric: its kind's default score's when
    ``scoring`` is None, else ``scoring_name``."""
    if scoring is None:
        return [TASK_KINDS[kind].default_metric for kind in kinds]
    return [scoring_name] * len(kinds)


def _estimator_name(estimator):
    """Class name of the estimator, or of the last step of a Pipeline."""
    final = getattr(estimator, "_final_estimator", estimator)
    return type(final).__name__


def check_classifier(estimator, name="estimator"):
    """Refuse anything that is not an estimator with fit and predict."""
    if not all(hasattr(estimator, m) for m in ("fit", "predict", "get_params")):
        raise TypeError(
            f"{name} must be a scikit-learn estimator (a classifier or a regressor) with "
            "fit and predict; got "
            f"{estimator!r}."
        )
    return estimator


def without_task_weights(estimator):
    """A clone whose ``task_weights`` (also inside a Pipeline) are reset to
    None, so that it can be fitted on a subset of the tasks."""
    check_classifier(estimator)
    params = estimator.get_params(deep=True)
    reset = {
        key: None
        for key, value in params.items()
        if (key == "task_weights" or key.endswith("__task_weights")) and value is not None
    }
    return clone(estimator).set_params(**reset)


def _task_kinds_keys(estimator):
    """The ``task_kinds`` parameter keys of an estimator (also inside a
    Pipeline or a meta-estimator), empty when it has none."""
    return [key for key in estimator.get_params(deep=True)
            if key == "task_kinds" or key.endswith("__task_kinds")]


def estimator_kinds(estimator, Y):
    """The kind of each task of ``Y`` for ``estimator``: all classification
    for a classifier, all regression for a regressor, else the estimator's
    ``task_kinds`` and the inference rule (as a ``MultiTaskEstimator``
    would fit them on all of ``Y``)."""
    check_classifier(estimator)
    final = getattr(estimator, "_final_estimator", estimator)
    if is_classifier(final):
        given = "classification"
    elif is_regressor(final):
        given = "regression"
    else:
        keys = _task_kinds_keys(estimator)
        given = estimator.get_params(deep=True)[keys[-1]] if keys else None
    return TaskSet().fit(Y, given, input_name="Y").kinds


class _Targets:
    """The raw target, its per-task labels and kinds, and its subsets by rows
    and tasks."""

    def __init__(self, Y, estimator):
        if not (is_dataframe(Y) or hasattr(Y, "dtype")):
            Y = np.asarray(Y)
        self.tasks, is_1d = task_labels(Y, input_name="Y")
        if is_1d or len(self.tasks) < 2:
            raise ValueError(
                "Y must have at least 2 task columns (n_samples, n_tasks) for a "
                f"multi-task comparison; got {len(self.tasks)}."
            )
        self.Y = Y
        self.names = [t.name for t in self.tasks]
        self.kinds = estimator_kinds(estimator, Y)

    def for_group(self, estimator, group):
        """``estimator`` for the task group: its ``task_kinds`` (if it has
        that parameter) set to the kinds found on all of Y, by the names the
        group's target will have, so that every fit sees the same kinds."""
        keys = _task_kinds_keys(estimator)
        if not keys:
            return estimator
        if len(group) == 1:
            kinds = self.kinds[group[0]]
        else:
            names = ([self.names[j] for j in group] if is_dataframe(self.Y)
                     else [f"task_{k}" for k in range(len(group))])
            kinds = {name: self.kinds[j] for name, j in zip(names, group)}
        return clone(estimator).set_params(**dict.fromkeys(keys, kinds))

    def subset(self, rows, group):
        """Rows kept and target of the task group: a 1D array of the labelled
        rows for one task, the label matrix of the group otherwise."""
        if len(group) == 1:
            task = self.tasks[group[0]]
            kept = rows[task.labelled[rows]]
            position = np.cumsum(task.labelled) - 1  # row -> index in task.values
            return kept, task.values[position[kept]]
        if is_dataframe(self.Y):
            return rows, self.Y.iloc[rows, list(group)]
        return rows, self.Y[np.ix_(rows, list(group))]


def _fit_and_score(estimator, X, targets, group, train, test, scorer, fold, verbose, label):
    """Fit a clone on the group's tasks of the training rows; return the
    scores of the group's tasks on their labelled test rows."""
    start = time.perf_counter()
    train_rows, y_train = targets.subset(train, group)
    fitted = clone(estimator).fit(_safe_indexing(X, train_rows), fit_target(estimator, y_train))
    test_rows, y_test = targets.subset(test, group)
    X_test = _safe_indexing(X, test_rows)
    tasks, _ = task_labels(y_test, input_name="Y")
    if isinstance(scorer, list):  # one scorer per task of the target
        scorer = [scorer[j] for j in group]
    # the clone was fitted on these very columns: column k is its task k
    scores = score_tasks(scorer, fitted, X_test, tasks, [(k, k) for k in range(len(group))],
                         kinds=[targets.kinds[j] for j in group])
    if verbose > 1:
        names = ", ".join(targets.names[j] for j in group)
        values = " ".join(f"{s:.3f}" for s in scores)
        print(
            f"[{label}] fold {fold + 1}: {_estimator_name(estimator)} on ({names}): "
            f"score {values} ({time.perf_counter() - start:.1f}s)",
            flush=True,
        )
    return scores


def cross_validate_task_groups(
    estimators, X, targets, *, cv, scoring, groups, n_jobs, verbose, label, run=None
):
    """Cross-validate ``estimators[k]`` trained on the task group ``k``.

    Parameters
    ----------
    estimators : dict of tuple of int to estimator
        The (unfitted) estimator to train on each group of task indices.
    X : array-like or DataFrame
        Features.
    targets : _Targets
        The target and its tasks.
    cv, groups : as in scikit-learn's ``cross_validate``.
    scoring : single-output scorer callable, or a list of them, one per
        task of ``targets``.
    n_jobs, verbose : parallelism and progress.
    label : str
        Prefix of the progress lines.
    run : FitRun, default=None
        The run these fits belong to (its progress, its warnings); None makes
        one for these fits alone.

    Returns
    -------
    scores : dict of tuple of int to ndarray of shape (n_splits, len(group))
        The scores of each group's tasks on each fold.
    """
    n_rows = len(targets.tasks[0].labelled)
    if _num_samples(X) != n_rows:
        raise ValueError(
            f"Y has {n_rows} rows but X has {_num_samples(X)} samples; they must "
            "have the same number of rows."
        )
    task_groups = [tuple(g) for g in estimators]
    cv = check_cv(cv, classifier=True)
    splits = list(cv.split(X, None, groups))
    n_fits = len(splits) * len(task_groups)
    if verbose > 0:
        print(
            f"[{label}] {len(task_groups)} task group(s) x {len(splits)} folds = {n_fits} fits",
            flush=True,
        )
    jobs = (
        delayed(call_capturing_warnings)(
            _fit_and_score, estimator, X, targets, group, train, test, scoring, fold, verbose,
            label,
        )
        for fold, (train, test) in enumerate(splits)
        for group, estimator in estimators.items()
    )
    results = []
    with nullcontext(run) if run is not None else FitRun(n_fits, label=label) as run:
        for scores, caught in Parallel(n_jobs=n_jobs, return_as="generator")(jobs):
            run.fit_done(caught)
            results.append(scores)
    n_groups = len(task_groups)
    out = {
        group: np.vstack(results[k::n_groups]) for k, group in enumerate(task_groups)
    }
    if verbose > 0:
        for group, group_scores in out.items():
            names = ", ".join(targets.names[j] for j in group)
            means = " ".join(f"{m:.3f}" for m in np.nanmean(group_scores, axis=0))
            print(f"[{label}] trained on ({names}): mean score {means}", flush=True)
    return out
