"""The values of every task at the leaves of a fitted shared tree.

A task's leaf value is a row: its class probabilities (classification) or
the mean of its standardised target (regression). A task that shaped the
tree and has no missing target has these stored in the scikit-learn tree's
node values already: they are read from there at prediction time, so
fitting adds no work and no memory for them. Every other task (weight 0, or
some targets missing) is counted once after fitting: the (weighted) mean row
of the training samples observed for the task that reach each node (a
one-hot row per label gives the class frequencies). A node that no observed
sample of a task reaches takes the value of its closest ancestor that one
reaches (the root falls back to the task's training mean row), so a missing
target never counts and a small leaf still predicts what its region says.
"""

import numpy as np


def output_slices(widths):
    """Column slice of each task in a side-by-side array of leaf values."""
    ends = np.cumsum(widths)
    return [slice(int(end - k), int(end)) for k, end in zip(widths, ends)]


def counted_node_values(tree, targets, task_rows, leaves, sample_weight=None):
    """Per-node values of the tasks not read from the tree's values.

    Parameters
    ----------
    tree : sklearn.tree._tree.Tree
        The fitted scikit-learn tree (``estimator.tree_``).
    targets : InnerTargets
        The targets the tree was fitted on.
    task_rows : callable
        ``task_rows(j)`` gives task j's training rows, shape
        (n_samples, width_j), NaN on the rows where its target is missing.
    leaves : ndarray of shape (n_samples,)
        Leaf of every training sample.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weight of every training sample in this tree (bootstrap counts times
        sample weights); samples of weight 0 are left out.

    Returns
    -------
    values : ndarray of shape (n_nodes, sum of the counted tasks' widths) or None
        The counted tasks side by side, in task order; None if there is none.
    """
    counted = np.flatnonzero(~targets.from_value)
    if not counted.size:
        return None
    if sample_weight is None:
        sample_weight = np.ones(leaves.shape[0])
    levels = _levels(tree)
    return np.hstack([
        _counted_values(tree, levels, leaves, task_rows(j), sample_weight) for j in counted
    ])


def leaf_values(tree, leaves, targets, counted, slices):
    """Values of all tasks, side by side, at the given leaves.

    Parameters
    ----------
    tree : sklearn.tree._tree.Tree
        The fitted scikit-learn tree.
    leaves : ndarray of shape (n_samples,)
        A leaf (node id) per sample.
    targets : InnerTargets
        The targets the tree was fitted on (``y`` is not used).
    counted : ndarray or None
        The tree's :func:`counted_node_values`.
    slices : list of slice
        The :func:`output_slices` of the tasks.

    Returns
    -------
    values : ndarray of shape (n_samples, sum of the tasks' widths)
    """
    values = np.empty((leaves.shape[0], slices[-1].stop))
    if targets.from_value.any():
        value = np.take(tree.value, leaves, axis=0)
        for position, j in enumerate(targets.tasks):
            if not targets.from_value[j]:
                continue
            if targets.route == "classifier":  # class fractions already
                values[:, slices[j]] = value[:, position, : slices[j].stop - slices[j].start]
                continue
            block = value[:, targets.columns[position], 0]
            if targets.kind == "classification":  # c_j times the class fractions
                values[:, slices[j]] = block / block.sum(axis=1, keepdims=True)
            else:  # c_j times the mean standardised target
                values[:, slices[j]] = block / targets.scales[j]
    if counted is not None:
        columns = np.concatenate([
            np.arange(s.start, s.stop) for s, read in zip(slices, targets.from_value)
            if not read
        ])
        values[:, columns] = np.take(counted, leaves, axis=0)
    return values


def _levels(tree):
    """Node ids of the tree, level by level from the root."""
    left, right = tree.children_left, tree.children_right
    levels = []
    frontier = np.zeros(1, dtype=np.intp)
    while frontier.size:
        levels.append(frontier)
        split = frontier[left[frontier] != -1]
        frontier = np.concatenate([left[split], right[split]])
    return levels


def _counted_values(tree, levels, leaves, rows, sample_weight):
    """Mean observed row of one task at every node, with ancestor fallback."""
    n_nodes = tree.node_count
    left, right = tree.children_left, tree.children_right
    observed = ~np.isnan(rows[:, 0])
    use = observed & (sample_weight > 0)
    weights = np.bincount(leaves[use], weights=sample_weight[use], minlength=n_nodes)
    sums = np.column_stack([
        np.bincount(leaves[use], weights=sample_weight[use] * column, minlength=n_nodes)
        for column in rows[use].T
    ])
    for level in reversed(levels[:-1]):
        split = level[left[level] != -1]
        weights[split] = weights[left[split]] + weights[right[split]]
        sums[split] = sums[left[split]] + sums[right[split]]
    reached = weights > 0
    values = np.divide(
        sums, weights[:, np.newaxis], out=np.zeros(sums.shape), where=reached[:, np.newaxis]
    )
    if not reached[0]:
        values[0] = rows[observed].mean(axis=0)
    for level in levels[:-1]:
        split = level[left[level] != -1]
        for children in (left[split], right[split]):
            orphan = ~reached[children]
            values[children[orphan]] = values[split[orphan]]
    return values
