"""The compare command's task columns, checked before any training: enough
classes, not a near-continuous target, and no feature that alone predicts a
task (a leak: a column computed from the label, or known only after it)."""

import numpy as np

from ._args import CLIError
from ._columns import MIN_ROWS

LEAK_ACCURACY = 0.99
"""A feature whose one-feature tree reaches this accuracy on a task's
labelled rows is flagged as a likely leak."""

LEAK_TREE = {"max_depth": 2, "min_samples_leaf": 5}
"""The depth-limited one-feature tree of the leak check (a few thresholds:
enough for ``low = bwt < 2500``, too few to memorise rows)."""

def _continuous(column):
    """(n distinct values, fractional) when the labels look like measurements
    rather than classes, else None: over 10 distinct fractional numbers, or
    over 20 distinct values with fewer than 2 labelled rows per value."""
    labels = column.dropna()
    n_values = labels.nunique()
    numeric = labels.dtype.kind in "iuf"
    fractional = bool(numeric and np.any(labels.to_numpy(dtype=float) % 1 != 0))
    if (fractional and n_values > 10) or (n_values > 20 and n_values > len(labels) / 2):
        return n_values, fractional
    return None


def check_tasks(Y, regression_option=None):
    """Refuse a task with fewer than 2 classes, or that looks continuous.

    Parameters
    ----------
    Y : DataFrame
        The task columns, NaN where unlabelled.
    regression_option : str, default=None
        The option that makes a task a regression, to name in the message
        (e.g. ``"--task-kind"``); None says that regression is not supported
        by the command.
    """
    for task in Y.columns:
        n_classes = Y[task].nunique(dropna=True)
        if n_classes < 2:
            raise CLIError(
                f"task {task!r} has {n_classes} class(es) among its labels; a "
                "classification task needs at least 2."
            )
        found = _continuous(Y[task])
        if found is not None:
            n_values, fractional = found
            hint = (
                f"use {regression_option} {task}=regression" if regression_option else
                "regression is not supported by this command yet; bin the values into a "
                "few classes to compare classifiers"
            )
            raise CLIError(
                f"task {task!r} looks continuous ({n_values} distinct values among "
                f"{int(Y[task].notna().sum())} labelled rows"
                + (", with fractions" if fractional else "")
                + "): this command compares classifiers, and a class needs several "
                f"examples to be learnt and scored; {hint}."
            )


def _as_numbers(column):
    """A feature as one float column for a tree: numbers as they are,
    categories as their codes, missing values as NaN."""
    if column.dtype.kind in "biuf":
        return column.to_numpy(dtype=np.float64)
    codes = column.astype("category").cat.codes.to_numpy(dtype=np.float64)
    return np.where(codes < 0, np.nan, codes)


def find_leaks(X, Y):
    """Lines naming each feature that alone predicts a task almost perfectly.

    A depth-limited tree on the feature alone is fitted on the task's
    labelled rows; a training accuracy of at least :data:`LEAK_ACCURACY` that
    also halves the majority class's error is flagged. The feature is kept:
    the user knows whether it is available when the label is predicted.

    Parameters
    ----------
    X : DataFrame
        The feature columns.
    Y : DataFrame
        The task columns, NaN where unlabelled.

    Returns
    -------
    lines : list of str
    """
    from sklearn.tree import DecisionTreeClassifier

    lines = []
    features = {c: _as_numbers(X[c]) for c in X.columns}
    for task in Y.columns:
        labelled = Y[task].notna().to_numpy()
        if labelled.sum() < MIN_ROWS:
            continue
        y = Y[task][labelled].astype(str).to_numpy()
        majority = np.unique(y, return_counts=True)[1].max() / len(y)
        for name, values in features.items():
            x = values[labelled, None]
            if np.isnan(x).all():
                continue
            tree = DecisionTreeClassifier(**LEAK_TREE, random_state=0).fit(x, y)
            accuracy = tree.score(x, y)
            if accuracy >= LEAK_ACCURACY and 1 - accuracy <= (1 - majority) / 2:
                lines.append(
                    f"feature {name} alone predicts task {task} with accuracy {accuracy:.3f} "
                    f"on its labelled rows (a one-feature tree; the majority class scores "
                    f"{majority:.3f}): if it is computed from the label or known only after "
                    "it, it leaks the answer; drop it from the CSV (it is kept)"
                )
    return lines
