"""Class probabilities of every task at the leaves of a fitted shared tree.

A task whose labels shaped the tree and are all present has its node class
frequencies stored in the scikit-learn tree's values already: they are read
from there at prediction time, so fitting adds no work and no memory for
them. Every other task (weight 0, or some labels missing) is counted once
after fitting: the (weighted) class frequencies of the training samples
labelled for the task that reach each node. A node that no labelled sample
of a task reaches takes the probabilities of its closest ancestor that one
reaches (the root falls back to the task's training class prior), so an
unlabelled sample never becomes a class and a small leaf still predicts what
its region says.
"""

import numpy as np

from .._labels import MISSING


def class_slices(n_classes):
    """Column slice of each task in a side-by-side probability array."""
    ends = np.cumsum(n_classes)
    return [slice(int(end - k), int(end)) for k, end in zip(n_classes, ends)]


def counted_node_proba(tree, targets, encoded, leaves, sample_weight=None):
    """Per-node class probabilities of the tasks not read from the tree's values.

    Parameters
    ----------
    tree : sklearn.tree._tree.Tree
        The fitted scikit-learn tree (``estimator.tree_``).
    targets : InnerTargets
        The targets the tree was fitted on.
    encoded : EncodedTargets
        The encoded training labels.
    leaves : ndarray of shape (n_samples,)
        Leaf of every training sample.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weight of every training sample in this tree (bootstrap counts times
        sample weights); samples of weight 0 are left out.

    Returns
    -------
    proba : ndarray of shape (n_nodes, sum of the counted tasks' n_classes) or None
        The counted tasks side by side, in task order; None if there is none.
    """
    counted = np.flatnonzero(~targets.from_value)
    if not counted.size:
        return None
    if sample_weight is None:
        sample_weight = np.ones(encoded.codes.shape[0])
    levels = _levels(tree)
    return np.hstack([
        _counted_proba(
            tree, levels, leaves, encoded.codes[:, j], len(encoded.classes[j]), sample_weight
        )
        for j in counted
    ])


def leaf_proba(tree, leaves, targets, counted, slices):
    """Class probabilities of all tasks, side by side, at the given leaves.

    Parameters
    ----------
    tree : sklearn.tree._tree.Tree
        The fitted scikit-learn tree.
    leaves : ndarray of shape (n_samples,)
        A leaf (node id) per sample.
    targets : InnerTargets
        The targets the tree was fitted on (``y`` is not used).
    counted : ndarray or None
        The tree's :func:`counted_node_proba`.
    slices : list of slice
        The :func:`class_slices` of the tasks.

    Returns
    -------
    proba : ndarray of shape (n_samples, sum of n_classes)
    """
    proba = np.empty((leaves.shape[0], slices[-1].stop))
    if targets.from_value.any():
        value = np.take(tree.value, leaves, axis=0)
        for position, j in enumerate(targets.tasks):
            if not targets.from_value[j]:
                continue
            if targets.route == "classifier":  # class fractions already
                proba[:, slices[j]] = value[:, position, : slices[j].stop - slices[j].start]
            else:  # sqrt(w_j) times the class fractions
                block = value[:, targets.columns[position], 0]
                proba[:, slices[j]] = block / block.sum(axis=1, keepdims=True)
    if counted is not None:
        columns = np.concatenate([
            np.arange(s.start, s.stop) for s, read in zip(slices, targets.from_value)
            if not read
        ])
        proba[:, columns] = np.take(counted, leaves, axis=0)
    return proba


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


def _counted_proba(tree, levels, leaves, codes, n_classes, sample_weight):
    """Class frequencies of one task at every node, with ancestor fallback."""
    n_nodes = tree.node_count
    left, right = tree.children_left, tree.children_right
    use = (codes != MISSING) & (sample_weight > 0)
    counts = np.bincount(
        leaves[use] * n_classes + codes[use],
        weights=sample_weight[use],
        minlength=n_nodes * n_classes,
    ).reshape(n_nodes, n_classes)
    for level in reversed(levels[:-1]):
        split = level[left[level] != -1]
        counts[split] = counts[left[split]] + counts[right[split]]
    totals = counts.sum(axis=1, keepdims=True)
    reached = totals[:, 0] > 0
    proba = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    if not reached[0]:
        labelled = codes != MISSING
        prior = np.bincount(codes[labelled], minlength=n_classes)
        proba[0] = prior / prior.sum()
    for level in levels[:-1]:
        split = level[left[level] != -1]
        for children in (left[split], right[split]):
            orphan = ~reached[children]
            proba[children[orphan]] = proba[split[orphan]]
    return proba
