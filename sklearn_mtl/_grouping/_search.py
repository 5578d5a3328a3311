"""The ``task_groups="auto"`` search of the task-grouping meta-estimators.

Tasks are linked when their targets are statistically dependent on an
inner training split (each pair measured by its tasks' kinds,
``Task.dependence``). Each set of linked tasks is fitted together and
alone, and kept together unless the validation score (each task's default
score: accuracy, R²) drops; otherwise its groups
are merged greedily under the same rule (a budgeted, validated version of
the "train together versus alone" affinity of Standley et al., ICML 2020).
The partition found is then checked against all tasks together and every
task alone, on the same validation rows, and replaced by the better of the
two only if that one wins by more than one standard error.
Nothing here imports torch.
"""

import warnings
from math import ceil

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed

from .._tasks import make_task

DEPENDENCE_ALPHA = 0.01
"""Family-wise level of the tests of independence of the targets."""


def label_dependence(tasks, rows, kinds=None):
    """Dependence strength and p-value of every pair of tasks, each pair
    measured by its tasks' kinds (``Task.dependence``: Cramér's V for two
    classification tasks, absolute Spearman for two regression tasks, the rank
    correlation ratio for a mixed pair), all on [0, 1].

    Parameters
    ----------
    tasks : list of TaskLabels
        The tasks of the target matrix.
    rows : ndarray of int
        The rows to measure on; each pair uses the rows labelled for both.
    kinds : list of str, default=None
        The kind of each task; None means all classification tasks.

    Returns
    -------
    strength : ndarray of shape (n_tasks, n_tasks)
        Strength of the dependence, in [0, 1]; 1 on the diagonal.
    p_values : ndarray of shape (n_tasks, n_tasks)
        p-value of the test of independence; 0 on the diagonal.
    """
    n_tasks = len(tasks)
    kinds = ["classification"] * n_tasks if kinds is None else kinds
    fitted = [make_task(kind, task.name) for kind, task in zip(kinds, tasks)]
    columns = [_row_values(task, rows) for task in tasks]
    encoded = [t.fit_encode(c) for t, c in zip(fitted, columns)]
    observed = [~t.missing(e) for t, e in zip(fitted, encoded)]
    strength, p_values = np.eye(n_tasks), np.zeros((n_tasks, n_tasks))
    for i in range(n_tasks):
        for j in range(i + 1, n_tasks):
            both = observed[i] & observed[j]
            v, p = fitted[i].dependence(encoded[i][both], encoded[j][both], fitted[j])
            strength[i, j] = strength[j, i] = v
            p_values[i, j] = p_values[j, i] = p
    return strength, p_values


def _row_values(task, rows):
    """A task's raw values on ``rows``, None where unlabelled (an object
    column, which every kind of task reads)."""
    column = np.full(len(task.labelled), None, dtype=object)
    column[task.labelled] = task.values.tolist()
    return column[rows]


def _hits(pred, task, rows):
    """1.0 where the prediction on a row of ``rows`` is right, 0.0 where
    wrong, NaN where the row is not labelled for ``task``: their mean over
    the labelled rows is the accuracy."""
    truth, labelled = _truth(task, rows)
    hits = np.full(len(rows), np.nan)
    hits[labelled] = pred[labelled] == truth
    return hits


def _r2_terms(pred, task, rows):
    """``1 - (y - pred)**2 / var(y)`` on each row of ``rows`` labelled for
    ``task`` (variance over those rows), NaN elsewhere: their mean over the
    labelled rows is the R² score, so a row's term is its share of R² as a
    hit is its share of the accuracy."""
    truth, labelled = _truth(task, rows)
    truth = truth.astype(np.float64)
    variance = truth.var() if truth.size else 0.0
    terms = np.full(len(rows), np.nan)
    errors = (truth - np.asarray(pred, dtype=np.float64)[labelled]) ** 2
    terms[labelled] = 1.0 - errors / (variance if variance > 0 else 1.0)
    return terms


ROW_SCORES = {"classification": _hits, "regression": _r2_terms}
"""Per kind of task, the per-row terms whose mean is its default score
(accuracy, R²): the search compares groups on their sums per row."""


def _truth(task, rows):
    """The task's labels on the rows of ``rows`` labelled for it, and the
    mask of those rows."""
    position = np.cumsum(task.labelled) - 1
    labelled = task.labelled[rows]
    return task.values[position[rows[labelled]]], labelled


def _fit_and_validate(fit_group, X_rows, tasks, kinds, group, train, valid):
    """Fit the group on ``train``; return the per-row score terms of its
    tasks on ``valid`` (:data:`ROW_SCORES`), shape (n_valid, len(group))."""
    fitted = fit_group(group, train)
    pred = fitted.predict(X_rows(valid))
    pred = np.asarray(pred).reshape(len(valid), len(group))
    return np.column_stack([ROW_SCORES[kinds[t]](pred[:, k], tasks[t], valid)
                            for k, t in enumerate(group)])


def _accuracies(hits):
    """Per-task validation score (accuracy, R²) of a matrix of row terms."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a task without labelled row
        return np.nanmean(hits, axis=0)


def _no_worse(merged, apart):
    """Whether the merged group's row terms are not worse than those of the
    groups apart by more than one standard error of the paired difference
    of their sums per row (correct predictions, R² terms)."""
    diff = np.nansum(merged, axis=1) - np.nansum(apart, axis=1)
    return bool(diff.mean() >= -diff.std() / np.sqrt(len(diff)))


def _split(n_samples, tasks, validation_fraction, random_state):
    """Shuffled inner train/validation rows, or None if a task lacks rows on
    a side."""
    rows = check_random_state(random_state).permutation(n_samples)
    n_valid = ceil(validation_fraction * n_samples)
    valid, train = np.sort(rows[:n_valid]), np.sort(rows[n_valid:])
    for task in tasks:
        if not (task.labelled[train].any() and task.labelled[valid].any()):
            return None
    return train, valid


def search_groups(fit_group, X_rows, tasks, *, validation_fraction, max_candidates,
                  random_state, n_jobs, kinds=None):
    """Choose a partition of the tasks on an inner validation split.

    Parameters
    ----------
    fit_group : callable
        ``fit_group(group, rows)`` returns a clone of the estimator fitted on
        the tasks of ``group`` (tuple of task indices) and the given rows.
    X_rows : callable
        ``X_rows(rows)`` returns those rows of X.
    tasks : list of TaskLabels
        The tasks.
    validation_fraction : float
        Fraction of the rows held out to validate the groups.
    max_candidates : int
        Most merged groups fitted by the greedy search, after the first fits
        (every task alone, each linked set, all tasks together).
    random_state : int, RandomState instance or None
        Seed of the inner split.
    n_jobs : int or None
        The first fits of the search run in parallel (joblib).
    kinds : list of str, default=None
        The kind of each task; None means all classification tasks. It
        chooses each pair's dependence measure and each task's score.

    Returns
    -------
    groups : list of list of int
        The chosen partition, groups in order of their first task.
    info : dict
        ``affinity`` (dependence strengths, :func:`label_dependence`),
        ``p_values``, ``history`` (one dict per fitted candidate) and ``n_fits`` (fits on the inner
        training rows).
    """
    n_tasks = len(tasks)
    kinds = ["classification"] * n_tasks if kinds is None else list(kinds)
    split = _split(len(tasks[0].labelled), tasks, validation_fraction, random_state)
    if split is None:
        warnings.warn(
            "task_groups='auto' could not hold out validation rows labelled for every "
            "task (too few labelled samples); all tasks are trained together.",
            UserWarning,
            stacklevel=5,  # the caller of fit
        )
        return [list(range(n_tasks))], {"affinity": None, "p_values": None, "history": [],
                                        "n_fits": 0}
    train, valid = split
    strength, p_values = label_dependence(tasks, train, kinds)
    n_pairs = n_tasks * (n_tasks - 1) / 2
    dependent = p_values < DEPENDENCE_ALPHA / n_pairs  # Bonferroni over the pairs
    np.fill_diagonal(dependent, False)

    components = [c for c in _components(dependent) if len(c) > 1]
    everything = tuple(range(n_tasks))
    starts = [(t,) for t in everything] + components
    if everything not in components:
        starts.append(everything)
    hits = dict(zip(starts, Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_validate)(fit_group, X_rows, tasks, kinds, g, train, valid) for g in starts
    )))
    history = [{"group": [t], "scores": _accuracies(hits[(t,)]).tolist(), "accepted": True}
               for t in everything]
    current = {(t,): hits[(t,)] for t in everything}
    budget = [max_candidates]

    def try_merge(parts):
        """Fit the union of ``parts`` (groups of ``current``) unless already
        fitted; keep it when it does no worse than the parts apart."""
        merged = tuple(sorted(sum(parts, ())))
        if merged not in hits:
            if budget[0] == 0:
                return False
            budget[0] -= 1
            hits[merged] = _fit_and_validate(fit_group, X_rows, tasks, kinds, merged, train,
                                            valid)
        order = np.argsort(sum(parts, ()))
        apart = np.column_stack([current[p] for p in parts])[:, order]
        accepted = _no_worse(hits[merged], apart)
        history.append({"group": list(merged), "scores": _accuracies(hits[merged]).tolist(),
                        "accepted": accepted})
        if accepted:
            for part in parts:
                del current[part]
            current[merged] = hits[merged]
        return accepted

    for component in components:
        try_merge([(t,) for t in component])
    tried = {frozenset(c) for c in components}
    while budget[0] > 0:
        pair = _best_candidate(list(current), strength, dependent, tried)
        if pair is None:
            break
        tried.add(frozenset(pair[0] + pair[1]))
        try_merge(list(pair))

    groups = _choose_partition(current, hits, everything)
    if everything not in components:
        history.append({"group": list(everything),
                        "scores": _accuracies(hits[everything]).tolist(),
                        "accepted": groups == [list(everything)]})
    info = {"affinity": strength, "p_values": p_values, "history": history,
            "n_fits": len(history)}
    return groups, info


def _choose_partition(found, hits, everything):
    """The partition found by the merges, unless all tasks together or every
    task alone (the better of the two on the validation rows) beats it by
    more than one standard error."""
    def assembled(partition):
        matrix = np.empty((len(hits[everything]), len(everything)))
        for group in partition:
            matrix[:, list(group)] = hits[group]
        return matrix

    partition = sorted(list(g) for g in found)
    ours = assembled(found)
    rivals = [[everything], [(t,) for t in everything]]
    rival = max(rivals, key=lambda p: np.nansum(assembled(p)))  # ties: all together
    if not _no_worse(ours, assembled(rival)):
        return sorted(list(g) for g in rival)
    return partition


def _components(adjacency):
    """Connected components of a boolean adjacency matrix, as sorted tuples."""
    n_nodes = adjacency.shape[0]
    label = np.full(n_nodes, -1)
    for start in range(n_nodes):
        if label[start] >= 0:
            continue
        stack = [start]
        label[start] = start
        while stack:
            node = stack.pop()
            for other in np.flatnonzero(adjacency[node] & (label < 0)):
                label[other] = start
                stack.append(other)
    return [tuple(np.flatnonzero(label == c).tolist()) for c in np.unique(label)]


def _best_candidate(groups, strength, dependent, tried):
    """The untried pair of groups with dependent labels and the strongest
    link (largest dependence strength between their tasks), or None."""
    best, best_link = None, -1.0
    for i, a in enumerate(groups):
        for b in groups[i + 1:]:
            if frozenset(a + b) in tried or not dependent[np.ix_(a, b)].any():
                continue
            link = strength[np.ix_(a, b)].max()
            if link > best_link:
                best, best_link = (a, b), link
    return best


def force_max_groups(groups, strength, max_groups):
    """Merge the most strongly linked groups until at most ``max_groups`` remain."""
    groups = [list(g) for g in groups]
    while len(groups) > max_groups:
        links = [
            (strength[np.ix_(a, b)].max() if strength is not None else 0.0, i, j)
            for i, a in enumerate(groups) for j, b in enumerate(groups) if i < j
        ]
        _, i, j = max(links)
        merged = sorted(groups[i] + groups[j])
        groups = [g for k, g in enumerate(groups) if k not in (i, j)] + [merged]
    return sorted(groups)
