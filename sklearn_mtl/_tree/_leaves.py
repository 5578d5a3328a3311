"""Class probabilities of every node of a fitted shared tree, for every task.

A task whose labels shaped the tree and are all present has its node class
frequencies stored in the scikit-learn tree's values already. Every other
task (weight 0, or some labels missing) is counted here: the (weighted) class
frequencies of the training samples labelled for the task that reach the
node. A node that no labelled sample of a task reaches takes the
probabilities of its closest ancestor that one reaches (the root falls back
to the task's training class prior), so an unlabelled sample never becomes a
class and a small leaf still predicts what its region says.
"""

import numpy as np

from .._labels import MISSING


def node_proba(tree, targets, encoded, leaves=None, sample_weight=None):
    """Per-node class probabilities of all tasks, side by side.

    Parameters
    ----------
    tree : sklearn.tree._tree.Tree
        The fitted scikit-learn tree (``estimator.tree_``).
    targets : InnerTargets
        The targets the tree was fitted on.
    encoded : EncodedTargets
        The encoded training labels.
    leaves : ndarray of shape (n_samples,), default=None
        Leaf of every training sample; needed when some task is counted.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weight of every training sample in this tree (bootstrap counts times
        sample weights); samples of weight 0 are left out.

    Returns
    -------
    proba : ndarray of shape (n_nodes, sum of n_classes)
        Task j's probabilities in the columns of ``class_slices(...)[j]``.
    """
    n_classes = [len(c) for c in encoded.classes]
    slices = class_slices(n_classes)
    proba = np.empty((tree.node_count, slices[-1].stop))
    value = tree.value
    for position, j in enumerate(targets.tasks):
        if not targets.from_value[j]:
            continue
        if targets.route == "classifier":
            block = value[:, position, : n_classes[j]]
        else:
            block = value[:, targets.columns[position], 0]
        proba[:, slices[j]] = block / block.sum(axis=1, keepdims=True)
    counted = np.flatnonzero(~targets.from_value)
    if counted.size:
        if sample_weight is None:
            sample_weight = np.ones(encoded.codes.shape[0])
        levels = _levels(tree)
        for j in counted:
            proba[:, slices[j]] = _counted_proba(
                tree, levels, leaves, encoded.codes[:, j], n_classes[j], sample_weight
            )
    return proba


def class_slices(n_classes):
    """Column slice of each task in a side-by-side probability array."""
    ends = np.cumsum(n_classes)
    return [slice(int(end - k), int(end)) for k, end in zip(n_classes, ends)]


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
    proba = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
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
