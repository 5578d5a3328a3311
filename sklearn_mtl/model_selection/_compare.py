"""Does multi-task learning help? Cross-validated per-task comparison with
single-task models, a reference model and a floor (the majority class, or
the training mean of a regression task), all trained on the same folds, with
corrected resampled t-tests and a verdict."""

from collections.abc import Mapping

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline

from .._tasks import make_task
from ._comparison import ComparisonResult
from ._report import require_pandas
from ._run import FitRun
from ._validation import (
    _check_scoring,
    _estimator_name,
    _Targets,
    check_classifier,
    cross_validate_task_groups,
    task_metric_names,
    without_task_weights,
)


def _by_label(X, Y, groups):
    """Y and groups in the row order of X when they carry row labels (pandas
    objects): names beat positions. A dict Y becomes a DataFrame, its keys
    the task names."""
    if isinstance(Y, Mapping):
        Y = require_pandas().DataFrame(dict(Y))
    x_rows = getattr(X, "index", None)
    aligned = []
    for name, obj in (("Y", Y), ("groups", groups)):
        rows = getattr(obj, "index", None)
        if x_rows is not None and rows is not None and not rows.equals(x_rows):
            if not (x_rows.is_unique and rows.is_unique and len(rows) == len(x_rows)
                    and rows.isin(x_rows).all()):
                missing = list(x_rows[~x_rows.isin(rows)][:5])
                raise ValueError(
                    f"X and {name} have different row labels (index); rows of X missing "
                    f"from {name}: {missing}. Give them the same index, or pass arrays "
                    "to match the rows by position."
                )
            obj = obj.loc[x_rows]
        aligned.append(obj)
    return aligned


def _resolve_reference(reference, estimator, kind, name):
    """The reference model of a task of the given kind, with the estimator's
    preprocessing steps when it is a Pipeline, or None."""
    if reference is None or (isinstance(reference, str) and reference == "none"):
        return None
    if isinstance(reference, str):
        reference = make_task(kind, name).reference_estimator(reference, random_state=0)
    check_classifier(reference, "reference")
    if (kind == "regression" and is_classifier(reference)) or (
        kind == "classification" and is_regressor(reference)
    ):
        other = "classifier" if is_classifier(reference) else "regressor"
        raise ValueError(
            f"reference is a {other}, but task {name!r} is a {kind} task; pass "
            "reference='hgb' (a HistGradientBoosting model of each task's kind) or "
            "reference='none'."
        )
    if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
        return Pipeline([*clone(estimator).steps[:-1], ("reference", clone(reference))])
    return reference


def compare_with_single_task(
    estimator,
    X,
    Y,
    *,
    cv=5,
    single_task_estimator=None,
    reference="hgb",
    scoring=None,
    groups=None,
    n_jobs=None,
    verbose=0,
    progress=False,
):
    """Cross-validate a multi-task model against one single-task model per task.

    On every split, a clone of ``estimator`` is fitted on all the tasks, and
    one single-task model, one reference model and a floor per task are
    fitted on that task's column alone (the rows whose target is missing for
    that task are dropped from its training and test sets). Each task's
    reference and floor are of its kind: for a classification task a
    ``HistGradientBoostingClassifier`` and the majority class
    (``DummyClassifier``), for a regression task a
    ``HistGradientBoostingRegressor`` and the training mean
    (``DummyRegressor``). All are scored on each task's labelled test rows,
    with accuracy or R² by default, so the comparison is paired split by
    split. Each gain, Delta_m and the difference to the reference get a 95 %
    interval and a p-value from Nadeau and Bengio's corrected resampled
    t-test, and ``result.verdict`` says in plain words whether multi-task
    learning helps, hurts or makes no detectable difference. Each estimate
    comes from the splits of its interval: a split without labelled test rows
    for some task is left out of Delta_m and its interval, and named.

    Parameters
    ----------
    estimator : estimator
        A multi-task model (an estimator of this package, a Pipeline ending
        in one, or any scikit-learn multi-output classifier or regressor).
        Its tasks' kinds are those it would fit on all of ``Y``: a classifier's
        are classification tasks, a regressor's regression tasks, a
        ``MultiTaskEstimator``'s follow its ``task_kinds`` and the inference
        rule; every fit of the comparison is given those kinds.
    X : array-like of shape (n_samples, ...)
        Features.
    Y : array-like of shape (n_samples, n_tasks), DataFrame or dict
        Targets of at least 2 tasks; NaN, None and pd.NA mark missing entries
        (fitting with them requires an estimator that supports them, like
        those of this package). The task names are the DataFrame's columns
        or the dict's keys. When X and Y (or ``groups``) are pandas objects,
        their rows are matched by index label: a permuted index is put in
        X's order, different labels raise a ValueError.
    cv : int, cross-validation generator or iterable, default=5
        As in scikit-learn; an int gives unshuffled ``KFold``, so pass
        ``KFold(n, shuffle=True, random_state=0)`` for sorted data. A
        repeated splitter (``RepeatedKFold(n_splits=5, n_repeats=10)``)
        gives the tests more power.
    single_task_estimator : classifier, default=None
        The baseline fitted on each task alone. None uses ``estimator``
        itself (its ``task_weights`` reset), fitted on a 1D target.
    reference : {"hgb", "lightgbm", "catboost", "none"}, estimator or None, \
            default="hgb"
        What a user would otherwise fit on each task, on the same folds, a
        model of the task's kind: ``"hgb"`` is
        ``HistGradientBoostingClassifier(random_state=0)`` or
        ``HistGradientBoostingRegressor(random_state=0)``, ``"lightgbm"``
        LightGBM's ``LGBMClassifier``/``LGBMRegressor`` and ``"catboost"``
        ``CatBoostClassifier``/``CatBoostRegressor`` (defaults, seed 0, one
        thread; they need the extras ``sklearn-mtl[lightgbm]`` /
        ``sklearn-mtl[catboost]``, and an ImportError says so when the package
        is missing); ``"none"`` or None skips it. An estimator is fitted on
        every task (a classifier on a regression task is refused). When
        ``estimator`` is a Pipeline, the reference is fitted after the same
        preprocessing steps.
    scoring : str, callable or None, default=None
        None scores each task with its kind's default: accuracy for a
        classification task, R² for a regression task. Else a scikit-learn
        scorer name (``"balanced_accuracy"``, ``"roc_auc_ovr"``,
        ``"neg_log_loss"``, ``"neg_mean_absolute_error"``, ...) or a scorer
        ``scorer(estimator, X, y)`` of a single-output model, e.g.
        ``make_scorer(f1_score, average="macro")``, applied to each task (a
        metric of the other kind than a task's is refused, naming the task).
    groups : array-like of shape (n_samples,) or Series, default=None
        Group labels for a group splitter.
    n_jobs : int, default=None
        Number of fits run in parallel (joblib).
    verbose : int, default=0
        0 is silent; 1 prints one line per model (task group); 2 adds one
        line per fold.
    progress : bool, default=False
        Show the progress of the fits on stderr, with an estimate of the
        time left.

    Returns
    -------
    result : ComparisonResult
        Per-task means and standard deviations, gains with their intervals,
        Delta_m, the baselines, the ``verdict``, a text table
        (``str(result)``), ``to_frame()``, ``to_dict()`` and ``plot()``.

    Notes
    -----
    This costs ``n_splits * (1 + 3 * n_tasks)`` fits (``2 * n_tasks`` with
    ``reference="none"``), the majority-class ones next to free. Set
    ``random_state`` on the estimators so that the differences come from the
    tasks, not the seeds. Each distinct warning of the fits is emitted once.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multioutput import MultiOutputClassifier
    >>> from sklearn_mtl.datasets import make_multitask_classification
    >>> from sklearn_mtl.model_selection import compare_with_single_task
    >>> X, Y = make_multitask_classification(n_samples=200, n_tasks=2, random_state=0)
    >>> result = compare_with_single_task(
    ...     MultiOutputClassifier(LogisticRegression()), X, Y, cv=3, reference="none")
    >>> print(result)  # independent models: no gain, as expected
    MultiOutputClassifier (multi-task) vs MultiOutputClassifier (one per task): accuracy, 3-fold CV
    task       multi-task    single-task    gain        95% CI  majority
    task_0  0.915 ± 0.025  0.915 ± 0.025  +0.00%  no variation     0.535
    task_1  0.935 ± 0.025  0.935 ± 0.025  +0.00%  no variation     0.530
    Delta_m (mean relative gain): +0.00% (no variation, p=1)
    CI and p: Nadeau and Bengio's corrected resampled t-test, ...
    Verdict: Multi-task learning makes no detectable difference overall ...
    >>> result.verdict.overall
    'no detectable difference'
    """
    Y, groups = _by_label(X, Y, groups)
    targets = _Targets(Y, estimator)
    scorer, scoring_name = _check_scoring(scoring, targets.kinds)
    single = (
        without_task_weights(estimator)
        if single_task_estimator is None
        else check_classifier(single_task_estimator, "single_task_estimator")
    )
    all_tasks = tuple(range(len(targets.tasks)))
    tasks = [make_task(kind, name) for kind, name in zip(targets.kinds, targets.names)]
    refs = [_resolve_reference(reference, estimator, t.kind, t.name) for t in tasks]
    splitter = check_cv(cv, classifier=True)
    splits = list(splitter.split(X, None, groups))
    models = {"mtl": {
        all_tasks: targets.for_group(estimator, all_tasks),
        **{(j,): targets.for_group(single, (j,)) for j in all_tasks},
    }}
    if refs[0] is not None:
        models["reference"] = {(j,): refs[j] for j in all_tasks}
    models["majority"] = {(j,): tasks[j].floor_estimator() for j in all_tasks}
    n_fits = len(splits) * sum(len(group_models) for group_models in models.values())
    with FitRun(n_fits, progress=progress, label="compare") as run:
        scores = {
            kind: cross_validate_task_groups(
                group_models, X, targets, cv=splits, scoring=scorer, groups=None,
                n_jobs=n_jobs, verbose=verbose, label="compare", run=run,
            )
            for kind, group_models in models.items()
        }

    def per_task(kind):
        return np.hstack([scores[kind][(j,)] for j in all_tasks]) if kind in scores else None

    n_train = np.mean([len(train) for train, _ in splits])
    n_test = np.mean([len(test) for _, test in splits])
    return ComparisonResult(
        targets.names,
        scores["mtl"][all_tasks],
        per_task("mtl"),
        scoring=scoring_name,
        estimator_name=_estimator_name(estimator),
        single_task_name=_estimator_name(single),
        majority_scores=per_task("majority"),
        reference_scores=per_task("reference"),
        reference_name=_reference_name(refs),
        task_kinds=targets.kinds,
        task_metrics=task_metric_names(scoring, scoring_name, targets.kinds),
        n_repeats=getattr(splitter, "n_repeats", 1),
        test_train_ratio=n_test / n_train,
    )



def _reference_name(refs):
    """The reference models' class names, "A/B" when the tasks' kinds need
    two; None without one."""
    if refs[0] is None:
        return None
    return "/".join(dict.fromkeys(_estimator_name(ref) for ref in refs))
