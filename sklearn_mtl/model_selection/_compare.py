"""Does multi-task learning help? Cross-validated per-task comparison with
single-task models trained on the same folds."""

import numpy as np

from ..metrics import multitask_gain
from ._report import PlotMixin, format_table, percent, require_pandas
from ._validation import (
    _check_scoring,
    _estimator_name,
    _Targets,
    cross_validate_task_groups,
    without_task_weights,
)


class ComparisonResult(PlotMixin):
    """Per-task cross-validated scores of a multi-task model and of
    single-task models, as returned by :func:`compare_with_single_task`.

    Scores follow scikit-learn's convention: higher is better (losses are
    negated, e.g. ``neg_log_loss``).

    Attributes
    ----------
    task_names : list of str
        Names of the tasks.
    mtl_scores : ndarray of shape (n_splits, n_tasks)
        Test score of the multi-task model on each fold and task.
    stl_scores : ndarray of shape (n_splits, n_tasks)
        Test score of the single-task model of each task on each fold.
    scoring : str
        Name of the scorer.
    estimator_name, single_task_name : str
        Class names of the two kinds of models.
    mtl_mean, mtl_std, stl_mean, stl_std : ndarray of shape (n_tasks,)
        Mean and standard deviation over the folds of each task's scores.

    Methods
    -------
    plot(ax=None)
        Bar chart of the mean scores per task with their standard
        deviations and the gains (requires matplotlib).
    """

    def __init__(
        self, task_names, mtl_scores, stl_scores, *, scoring, estimator_name, single_task_name
    ):
        self.task_names = list(task_names)
        self.mtl_scores = np.asarray(mtl_scores, dtype=np.float64)
        self.stl_scores = np.asarray(stl_scores, dtype=np.float64)
        self.scoring = scoring
        self.estimator_name = estimator_name
        self.single_task_name = single_task_name
        self.mtl_mean = np.nanmean(self.mtl_scores, axis=0)
        self.mtl_std = np.nanstd(self.mtl_scores, axis=0)
        self.stl_mean = np.nanmean(self.stl_scores, axis=0)
        self.stl_std = np.nanstd(self.stl_scores, axis=0)

    @property
    def n_splits(self):
        """Number of cross-validation folds."""
        return self.mtl_scores.shape[0]

    @property
    def gain(self):
        """Relative gain of the multi-task model on each task (0.01 = +1 %)."""
        return multitask_gain(self.mtl_mean, self.stl_mean, average=False)

    @property
    def delta_m(self):
        """Delta_m: the mean relative gain over the tasks (Maninis et al., 2019)."""
        return float(np.mean(self.gain))

    def __str__(self):
        rows = [
            (name, f"{m:.3f} ± {ms:.3f}", f"{s:.3f} ± {ss:.3f}", percent(g))
            for name, m, ms, s, ss, g in zip(
                self.task_names, self.mtl_mean, self.mtl_std, self.stl_mean, self.stl_std, self.gain
            )
        ]
        table = format_table(("task", "multi-task", "single-task", "gain"), rows)
        return (
            f"{self.estimator_name} (multi-task) vs {self.single_task_name} (one per task): "
            f"{self.scoring}, {self.n_splits}-fold CV\n{table}\n"
            f"Delta_m (mean relative gain): {percent(self.delta_m)}"
        )

    def __repr__(self):
        return (
            f"ComparisonResult(tasks={self.task_names}, scoring={self.scoring!r}, "
            f"delta_m={self.delta_m:.4f})"
        )

    def to_frame(self):
        """The per-task summary as a pandas DataFrame indexed by task.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``mtl_mean``, ``mtl_std``, ``stl_mean``, ``stl_std``, ``gain``.
        """
        pd = require_pandas()
        return pd.DataFrame(
            {
                "mtl_mean": self.mtl_mean,
                "mtl_std": self.mtl_std,
                "stl_mean": self.stl_mean,
                "stl_std": self.stl_std,
                "gain": self.gain,
            },
            index=pd.Index(self.task_names, name="task"),
        )

    def to_dict(self):
        """A JSON-serialisable summary, fold scores included."""
        tasks = {}
        for j, name in enumerate(self.task_names):
            tasks[name] = {
                "mtl_mean": float(self.mtl_mean[j]),
                "mtl_std": float(self.mtl_std[j]),
                "stl_mean": float(self.stl_mean[j]),
                "stl_std": float(self.stl_std[j]),
                "gain": float(self.gain[j]),
                "mtl_fold_scores": self.mtl_scores[:, j].tolist(),
                "stl_fold_scores": self.stl_scores[:, j].tolist(),
            }
        return {
            "estimator": self.estimator_name,
            "single_task_estimator": self.single_task_name,
            "scoring": self.scoring,
            "n_splits": self.n_splits,
            "tasks": tasks,
            "delta_m": self.delta_m,
        }

    def _figsize(self):
        return (1.6 * len(self.task_names) + 2.5, 4)

    def _draw(self, ax):
        x = np.arange(len(self.task_names))
        width = 0.38
        ax.bar(x - width / 2, self.mtl_mean, width, yerr=self.mtl_std, capsize=3,
               label=f"multi-task ({self.estimator_name})")
        ax.bar(x + width / 2, self.stl_mean, width, yerr=self.stl_std, capsize=3,
               label=f"single-task ({self.single_task_name})")
        tops = np.maximum(self.mtl_mean + self.mtl_std, self.stl_mean + self.stl_std)
        for xi, top, gain in zip(x, tops, self.gain):
            ax.annotate(percent(gain), (xi, top), textcoords="offset points", xytext=(0, 4),
                        ha="center", fontsize=8)
        ax.set_xticks(x, self.task_names)
        # zoom on the scores: the differences are what the chart is for
        low = np.nanmin(np.minimum(self.mtl_mean - self.mtl_std, self.stl_mean - self.stl_std))
        high = np.nanmax(np.maximum(self.mtl_mean + self.mtl_std, self.stl_mean + self.stl_std))
        pad = max(0.1 * (high - low), 1e-3)
        ax.set_ylim(low - pad, high + 3 * pad)
        ax.set_ylabel(f"{self.scoring} (axis zoomed)")
        ax.set_title(f"{self.n_splits}-fold CV, Delta_m = {percent(self.delta_m)}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)


def compare_with_single_task(
    estimator,
    X,
    Y,
    *,
    cv=5,
    single_task_estimator=None,
    scoring="accuracy",
    groups=None,
    n_jobs=None,
    verbose=0,
):
    """Cross-validate a multi-task model against one single-task model per task.

    On every fold, a clone of ``estimator`` is fitted on all the tasks, and
    one single-task model per task is fitted on that task's column alone
    (the rows whose label is missing for that task are dropped from its
    training and test sets). Both are scored on each task's labelled test
    rows, so the comparison is paired fold by fold.

    Parameters
    ----------
    estimator : estimator
        A multi-task classifier (an estimator of this package, a Pipeline
        ending in one, or any scikit-learn multi-output classifier).
    X : array-like of shape (n_samples, ...)
        Features.
    Y : array-like of shape (n_samples, n_tasks) or DataFrame
        Labels of at least 2 tasks; NaN, None and pd.NA mark missing labels
        (fitting with them requires an estimator that supports them, like
        those of this package).
    cv : int, cross-validation generator or iterable, default=5
        As in scikit-learn; an int gives unshuffled ``KFold``, so pass
        ``KFold(n, shuffle=True, random_state=0)`` for sorted data.
    single_task_estimator : classifier, default=None
        The baseline fitted on each task alone. None uses ``estimator``
        itself (its ``task_weights`` reset), fitted on a 1D target.
    scoring : str or callable, default="accuracy"
        A scikit-learn scorer name (``"balanced_accuracy"``, ``"roc_auc_ovr"``,
        ``"neg_log_loss"``, ...) or a scorer ``scorer(estimator, X, y)`` of a
        single-output classifier, e.g. ``make_scorer(f1_score,
        average="macro")``. It is applied to each task.
    groups : array-like of shape (n_samples,), default=None
        Group labels for a group splitter.
    n_jobs : int, default=None
        Number of fits run in parallel (joblib).
    verbose : int, default=0
        0 is silent; 1 prints one line per model (task group); 2 adds one
        line per fold.

    Returns
    -------
    result : ComparisonResult
        Per-task means and standard deviations, per-task gains, Delta_m, a
        text table (``str(result)``), ``to_frame()``, ``to_dict()`` and
        ``plot()``.

    Notes
    -----
    This costs ``n_splits * (1 + n_tasks)`` fits. Set ``random_state`` on
    the estimators so that the differences come from the tasks, not the
    seeds.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.multioutput import MultiOutputClassifier
    >>> from sklearn_mtl.datasets import make_multitask_classification
    >>> from sklearn_mtl.model_selection import compare_with_single_task
    >>> X, Y = make_multitask_classification(n_samples=200, n_tasks=2, random_state=0)
    >>> result = compare_with_single_task(
    ...     MultiOutputClassifier(LogisticRegression()), X, Y, cv=3)
    >>> print(result)  # independent models: no gain, as expected
    MultiOutputClassifier (multi-task) vs MultiOutputClassifier (one per task): accuracy, 3-fold CV
    task       multi-task    single-task    gain
    task_0  0.915 ± 0.025  0.915 ± 0.025  +0.00%
    task_1  0.935 ± 0.025  0.935 ± 0.025  +0.00%
    Delta_m (mean relative gain): +0.00%
    """
    targets = _Targets(Y)
    scorer, scoring_name = _check_scoring(scoring)
    single = (
        without_task_weights(estimator)
        if single_task_estimator is None
        else single_task_estimator
    )
    all_tasks = tuple(range(len(targets.tasks)))
    estimators = {all_tasks: estimator}
    estimators.update({(j,): single for j in all_tasks})
    scores = cross_validate_task_groups(
        estimators, X, targets, cv=cv, scoring=scorer, groups=groups,
        n_jobs=n_jobs, verbose=verbose, label="compare",
    )
    stl_scores = np.hstack([scores[(j,)] for j in all_tasks])
    return ComparisonResult(
        targets.names,
        scores[all_tasks],
        stl_scores,
        scoring=scoring_name,
        estimator_name=_estimator_name(estimator),
        single_task_name=_estimator_name(single),
    )
