"""The compare command's folds, checked before any fit: every task has
labelled training rows in every split, and the scorer can score every
split's labels. A failure names the task, the split and a fix, instead of
an error from deep inside scikit-learn after minutes of training."""

import warnings

import numpy as np

from ._args import CLIError


def _classes_text(values):
    return ", ".join(map(str, values))


def _binary_fix(scoring, task, classes):
    """The fix for a binary-only scorer (``f1``, ``precision``, ...) on a task
    whose labels are not 0/1 or that has more than 2 classes."""
    from sklearn.metrics import get_scorer_names

    names = get_scorer_names()
    macro = f"{scoring}_macro"
    use = f"--scoring {macro}" if macro in names else "--scoring balanced_accuracy"
    if len(classes) > 2:
        return (f"task {task!r} has {len(classes)} classes and --scoring {scoring} scores a "
                f"binary task only: use {use} (the mean over the classes)")
    return (f"--scoring {scoring} scores the class 1 of a binary task (pos_label=1), but "
            f"task {task!r} has labels {_classes_text(classes)}: use {use} (the mean over "
            "both classes), or recode the task's labels as 0/1")


def _rare_fix(scoring, task, y, n_folds, split):
    """The fix when a split's training and test rows hold different classes of
    the task, which a probability scorer (``neg_log_loss``) cannot score."""
    counts = y.value_counts()
    rare = counts[counts < n_folds]
    if len(rare):
        what = "; ".join(
            f"class {c!r} has {n} labelled row{'s' if n > 1 else ''}"
            for c, n in rare.items()
        )
        cause = (f"{what}, fewer than the folds of --cv {n_folds}, so some splits lack "
                 "it in their training or test rows")
    else:
        cause = f"the training and test rows of split {split} hold different classes"
    smaller = "use a smaller --cv, " if n_folds > 2 else ""
    return (f"--scoring {scoring} cannot score task {task!r}: {cause}. Merge the "
            f"rare class into another, {smaller}or use --scoring accuracy or "
            "balanced_accuracy")


def check_folds(Y, splits, scoring, n_folds, kinds=None):
    """Raise a CLIError naming the task, the split and a fix when a split
    has no labelled training rows for a task, or when the scorer fails on a
    split's labels (tried with a class-prior model: the labels decide).

    Parameters
    ----------
    Y : DataFrame
        The task columns, NaN where unlabelled.
    splits : list of (train, test) index arrays
        The splits of the run.
    scoring : str or None
        The scorer name of ``--scoring``; None for each task's kind's
        default score.
    n_folds : int
        ``--cv``.
    kinds : dict of str to str, default=None
        Each task's kind; None means classification tasks. A scorer of the
        other kind is refused, naming the task; the floor model of the task's
        kind tries the scorer.
    """
    from sklearn.metrics import get_scorer

    from .._tasks import make_task
    from ..metrics._registry import check_metric_kind
    from ..metrics._scorer import default_scorer

    kinds = kinds or {}
    for task in Y.columns:
        kind = kinds.get(task, "classification")
        if scoring is None:
            scorer, scoring_name = default_scorer(kind), make_task(kind).default_metric
        else:
            scorer, scoring_name = get_scorer(scoring), scoring
            try:
                check_metric_kind(scoring, kind, task)
            except ValueError as exc:
                raise CLIError(str(exc).replace("leave the metric out (None)",
                                                "leave --scoring out")) from None
        column = Y[task]
        labelled = column.notna().to_numpy()
        n_labelled = int(labelled.sum())
        for k, (train, test) in enumerate(splits, start=1):
            train, test = train[labelled[train]], test[labelled[test]]
            if len(train) == 0:
                raise CLIError(
                    f"task {task!r} has {n_labelled} labelled rows, and the folds of --cv "
                    f"{n_folds} left all of them out of the training rows of split {k}, so "
                    "no model can learn it there: label more rows of the task, "
                    + ("use a smaller --cv, " if n_folds > 2 else "")
                    + "or leave it out of --tasks."
                )
            if len(test) == 0:
                continue  # the comparison leaves this split out of the task's tests
            y_train, y_test = column.iloc[train], column.iloc[test]
            prior = make_task(kind, task).floor_estimator().fit(
                np.zeros((len(train), 1)), y_train)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    scorer(prior, np.zeros((len(test), 1)), y_test)
            except ValueError as exc:
                message = str(exc)
                classes = sorted(column.dropna().unique(), key=str)
                if "pos_label" in message or "average=" in message:
                    fix = _binary_fix(scoring_name, task, classes)
                elif "classes" in message or "labels" in message:
                    fix = _rare_fix(scoring_name, task, column.dropna(), n_folds, k)
                else:
                    fix = (f"--scoring {scoring_name} fails on task {task!r} in split {k}: "
                           f"{message}. Try --scoring accuracy or balanced_accuracy")
                raise CLIError(fix + ".") from None
