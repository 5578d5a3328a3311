"""Which tasks help which: pairwise training versus training alone."""

from itertools import combinations

import numpy as np

from ._report import PlotMixin, format_table, percent, require_pandas
from ._validation import (
    _check_scoring,
    _estimator_name,
    _Targets,
    cross_validate_task_groups,
    without_task_weights,
)


class TaskAffinityResult(PlotMixin):
    """Pairwise task affinities, as returned by :func:`task_affinity`.

    Attributes
    ----------
    task_names : list of str
        Names of the tasks.
    scores : ndarray of shape (n_splits, n_tasks, n_tasks)
        ``scores[f, i, j]`` is task i's test score on fold f when trained
        together with task j; the diagonal holds task i trained alone.
    scoring : str
        Name of the scorer.
    estimator_name : str
        Class name of the estimator.

    Methods
    -------
    plot(ax=None)
        Heatmap of the affinity matrix, in percent (requires matplotlib).
    """

    def __init__(self, task_names, scores, *, scoring, estimator_name):
        self.task_names = list(task_names)
        self.scores = np.asarray(scores, dtype=np.float64)
        self.scoring = scoring
        self.estimator_name = estimator_name

    @property
    def affinity(self):
        """ndarray of shape (n_tasks, n_tasks): entry (i, j) is the relative
        change of task i's mean score when trained with task j instead of
        alone (0.01 = +1 %); the diagonal is 0."""
        mean = np.nanmean(self.scores, axis=0)
        alone = np.diag(mean)[:, None]
        return (mean - alone) / np.abs(alone) + 0.0

    def __str__(self):
        rows = [
            (name, *(percent(a) if i != j else "." for j, a in enumerate(row)))
            for i, (name, row) in enumerate(zip(self.task_names, self.affinity))
        ]
        table = format_table(("task \\ helped by", *self.task_names), rows)
        return (
            f"Task affinity of {self.estimator_name}: change of the row task's "
            f"{self.scoring} when trained with the column task instead of alone, "
            f"{self.scores.shape[0]}-fold CV\n{table}"
        )

    def __repr__(self):
        return f"TaskAffinityResult(tasks={self.task_names}, scoring={self.scoring!r})"

    def to_frame(self):
        """The affinity matrix as a pandas DataFrame (rows: helped task,
        columns: helping task)."""
        pd = require_pandas()
        index = pd.Index(self.task_names, name="task")
        return pd.DataFrame(self.affinity, index=index, columns=list(self.task_names))

    def to_dict(self):
        """A JSON-serialisable summary."""
        return {
            "estimator": self.estimator_name,
            "scoring": self.scoring,
            "n_splits": int(self.scores.shape[0]),
            "tasks": self.task_names,
            "affinity": self.affinity.tolist(),
            "mean_scores": np.nanmean(self.scores, axis=0).tolist(),
        }

    def _figsize(self):
        n_tasks = len(self.task_names)
        return (1.1 * n_tasks + 2.5, 1.0 * n_tasks + 1.5)

    def _draw(self, ax):
        n_tasks = len(self.task_names)
        values = 100 * self.affinity
        bound = max(float(np.nanmax(np.abs(values))), 1e-9)
        image = ax.imshow(values, cmap="RdBu", vmin=-bound, vmax=bound)
        for i in range(n_tasks):
            for j in range(n_tasks):
                if i != j:
                    ax.text(j, i, f"{values[i, j]:+.1f}", ha="center", va="center", fontsize=8)
        ax.set_xticks(range(n_tasks), self.task_names, rotation=45, ha="right")
        ax.set_yticks(range(n_tasks), self.task_names)
        ax.set_xlabel("trained together with")
        ax.set_ylabel("task scored")
        ax.figure.colorbar(image, ax=ax, label=f"change of {self.scoring} (%)")
        ax.set_title("Task affinity")


def task_affinity(estimator, X, Y, *, cv=3, scoring=None, groups=None, n_jobs=None,
                  verbose=0):
    """Measure which tasks help which, by training them in pairs.

    The affinity of task j onto task i is the relative change of task i's
    cross-validated score when the model is trained on tasks i and j
    together instead of on task i alone, on the same folds:

    ``A[i, j] = (S_i(i, j) - S_i(i)) / |S_i(i)|``.

    Positive entries mean that j helps i. This is the direct, pairwise
    definition of task affinity (the in-training lookahead affinity of
    Fifty et al., NeurIPS 2021, approximates it from one run); tasks with
    high mutual affinity are candidates to train together, and
    ``task_weights`` tuned with ``GridSearchCV`` balance them.

    Parameters
    ----------
    estimator : estimator
        A multi-task model of any kind of task (classifier, regressor, or a
        ``MultiTaskEstimator`` of mixed targets, whose ``task_kinds`` are set
        to the kinds found on all of ``Y`` in every fit); its
        ``task_weights`` are reset, since every fit sees one or two tasks.
    X : array-like of shape (n_samples, ...)
        Features.
    Y : array-like of shape (n_samples, n_tasks) or DataFrame
        Targets of at least 2 tasks; missing entries allowed.
    cv : int, cross-validation generator or iterable, default=3
        As in scikit-learn (an int gives unshuffled ``KFold``).
    scoring : str, callable or None, default=None
        A scikit-learn scorer name or a single-output scorer callable; None
        scores each task with its kind's default, accuracy or R².
    groups : array-like of shape (n_samples,), default=None
        Group labels for a group splitter.
    n_jobs : int, default=None
        Number of fits run in parallel (joblib).
    verbose : int, default=0
        0 is silent; 1 prints one line per task group; 2 one per fold.

    Returns
    -------
    result : TaskAffinityResult
        ``affinity`` (the matrix), ``scores``, ``str``, ``to_frame()``,
        ``to_dict()`` and ``plot()`` (a heatmap).

    Notes
    -----
    The cost grows quadratically: ``n_splits * n_tasks * (n_tasks + 1) / 2``
    fits (each pair once, each task alone once).

    Examples
    --------
    >>> from sklearn.multioutput import ClassifierChain
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_mtl.datasets import make_multitask_classification
    >>> from sklearn_mtl.model_selection import task_affinity
    >>> X, Y = make_multitask_classification(n_samples=150, n_tasks=3, random_state=0)
    >>> result = task_affinity(ClassifierChain(LogisticRegression()), X, Y)
    >>> result.affinity.shape
    (3, 3)
    """
    targets = _Targets(Y, estimator)
    scorer, scoring_name = _check_scoring(scoring, targets.kinds)
    estimator = without_task_weights(estimator)
    n_tasks = len(targets.tasks)
    task_groups = [(i,) for i in range(n_tasks)] + list(combinations(range(n_tasks), 2))
    scores = cross_validate_task_groups(
        {group: targets.for_group(estimator, group) for group in task_groups}, X, targets,
        cv=cv, scoring=scorer,
        groups=groups, n_jobs=n_jobs, verbose=verbose, label="affinity",
    )
    n_splits = scores[(0,)].shape[0]
    matrix = np.empty((n_splits, n_tasks, n_tasks))
    for group, group_scores in scores.items():
        for k, i in enumerate(group):
            partner = group[1 - k] if len(group) == 2 else i
            matrix[:, i, partner] = group_scores[:, k]
    return TaskAffinityResult(
        targets.names, matrix, scoring=scoring_name, estimator_name=_estimator_name(estimator)
    )
