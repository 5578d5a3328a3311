"""Numeric feature embeddings for the built-in trunk (Gorishniy et al., 2022).

Each numeric column ``x_i`` is mapped to a vector of ``d_embedding`` numbers
before the MLP, instead of entering it as one scalar:

* ``"piecewise_linear"``: the piecewise-linear encoding of ``x_i`` over bins
  learned from the training rows (quantiles, or the thresholds of decision
  trees fitted on the tasks), followed by a per-feature linear map;
* ``"periodic"``: ``[cos(2 pi c x_i), sin(2 pi c x_i)]`` for trained
  frequencies ``c``, followed by a per-feature linear map and a ReLU.

Columns with at most two distinct values at fit (constant columns, binary
flags, one-hot outputs of a preprocessing step) carry no shape to embed: they
pass through unchanged, after the embedded ones.

The modules come from ``rtdl_num_embeddings``, the authors' package.

References
----------
Y. Gorishniy, I. Rubachev and A. Babenko. "On embeddings for numerical
features in tabular deep learning." NeurIPS 2022.
"""

import warnings
from typing import NamedTuple

import numpy as np
import torch
from rtdl_num_embeddings import PeriodicEmbeddings, PiecewiseLinearEmbeddings
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from torch import nn

NUM_EMBEDDINGS = ("piecewise_linear", "periodic")
BINNINGS = ("quantile", "tree")

# Decision trees of tree-based bins: the leaf size of the paper's search space
# floor, clipped for small data sets.
_TREE_MIN_SAMPLES_LEAF = 64


class EmbeddingPlan(NamedTuple):
    """What fit learned about the columns: which to embed, and their bins.

    ``embedded`` and ``passthrough`` are column indices; ``bins`` is a list
    of bin-edge tensors (one per embedded column) for piecewise-linear
    embeddings, None for periodic ones.
    """

    kind: str
    embedded: np.ndarray
    passthrough: np.ndarray
    bins: list | None
    d_embedding: int

    @property
    def n_features_out(self):
        """Width of the embedded representation, ``(n, n_features_out)``."""
        return len(self.embedded) * self.d_embedding + len(self.passthrough)

    @property
    def chunks(self):
        """Width of each input feature's representation, in output order."""
        return [self.d_embedding] * len(self.embedded) + [1] * len(self.passthrough)

    def make(self):
        """A freshly initialised :class:`NumericEmbeddings` module."""
        return NumericEmbeddings(self)


def n_distinct(X):
    """Number of distinct values of each column of a finite 2D array."""
    if X.shape[0] == 0:
        return np.zeros(X.shape[1], dtype=int)
    ordered = np.sort(X, axis=0)
    return 1 + (np.diff(ordered, axis=0) != 0).sum(axis=0)


def plan_embeddings(X, targets, *, kind, n_bins, binning, d_embedding, kinds=None):
    """Decide from the training rows which columns to embed, and how.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32, finite
        The training rows (already validated).
    targets : ndarray of shape (n_samples, n_tasks)
        Encoded targets (used by tree-based bins): class codes, ``-1``
        where missing, or standardised values, NaN where missing.
    kind : {"piecewise_linear", "periodic"}
        The embedding.
    n_bins : int
        Maximum number of bins per column. A column gets fewer when it has
        fewer distinct values (quantile edges that coincide are merged) or
        when the data have fewer than ``n_bins + 1`` rows.
    binning : {"quantile", "tree"}
        How piecewise-linear bins are placed.
    d_embedding : int
        Size of each column's embedding.
    kinds : sequence of str, default=None
        Kind of each task (None: every task a classification task).

    Returns
    -------
    plan : EmbeddingPlan or None
        None when no column has more than two distinct values (nothing to
        embed: the trunk sees the raw columns).
    """
    embedded = np.flatnonzero(n_distinct(X) > 2)
    if embedded.size == 0:
        return None
    passthrough = np.setdiff1d(np.arange(X.shape[1]), embedded)
    bins = None
    if kind == "piecewise_linear":
        columns = X[:, embedded]
        if binning == "quantile":
            bins = _quantile_bins(columns, n_bins)
        else:
            bins = _tree_bins(columns, targets, n_bins, kinds)
    return EmbeddingPlan(kind, embedded, passthrough, bins, d_embedding)


def _quantile_bins(X, n_bins):
    """Edges at the ``n_bins + 1`` quantiles of each column, duplicates merged.

    The quantiles are values of the column (the nearest order statistics),
    so a column with ``m`` distinct values has at most ``m - 1`` bins.
    """
    q = np.linspace(0.0, 1.0, min(n_bins, X.shape[0] - 1) + 1)
    edges = np.quantile(X, q, axis=0, method="nearest").T
    return [torch.as_tensor(np.unique(e)) for e in edges]


def _tree_bins(X, targets, n_bins, kinds=None):
    """Edges at the split thresholds of one decision tree per task and column.

    Each task's tree (at most ``n_bins`` leaves; a classification tree for a
    classification task, a regression tree for a regression task) is fitted
    on the rows labelled for that task; the thresholds of all the tasks are pooled with
    the column's minimum and maximum, and thinned evenly to at most
    ``n_bins + 1`` edges.
    """
    n = X.shape[0]
    min_leaf = max(1, min(_TREE_MIN_SAMPLES_LEAF, n // (2 * n_bins)))
    bins = []
    for column in X.T:
        edges = [float(column.min()), float(column.max())]
        for j, task_targets in enumerate(targets.T):
            regression = kinds is not None and kinds[j] == "regression"
            labelled = ~np.isnan(task_targets) if regression else task_targets >= 0
            if np.unique(task_targets[labelled]).size < 2:
                continue
            tree_class = DecisionTreeRegressor if regression else DecisionTreeClassifier
            tree = tree_class(
                max_leaf_nodes=max(2, n_bins), min_samples_leaf=min_leaf,
                random_state=0,  # one feature: only ties could depend on it
            ).fit(column[labelled, None], task_targets[labelled]).tree_
            edges.extend(tree.threshold[tree.children_left != tree.children_right].tolist())
        edges = np.unique(np.clip(edges, edges[0], edges[1]).astype(np.float32))
        if len(edges) > n_bins + 1:
            edges = edges[np.unique(np.linspace(0, len(edges) - 1, n_bins + 1).round()
                                    .astype(int))]
        bins.append(torch.as_tensor(edges))
    return bins


class NumericEmbeddings(nn.Module):
    """Embed the numeric columns of a batch and pass the others through.

    Input ``(n, n_features)``; output ``(n, n_features_out)``: the flattened
    embeddings of the embedded columns, then the pass-through columns.
    """

    def __init__(self, plan):
        super().__init__()
        self.register_buffer("embedded", torch.as_tensor(plan.embedded, dtype=torch.long))
        self.register_buffer("passthrough",
                             torch.as_tensor(plan.passthrough, dtype=torch.long))
        self.has_passthrough = len(plan.passthrough) > 0
        n_embedded = len(plan.embedded)
        if plan.kind == "piecewise_linear":
            with warnings.catch_warnings():
                # A column whose bins collapsed to one (two distinct values
                # at the edges of a skewed column) is min-max scaled: fine.
                warnings.filterwarnings("ignore", message=".*just two bin edges")
                self.embeddings = PiecewiseLinearEmbeddings(
                    plan.bins, plan.d_embedding, activation=False, version="B")
        else:
            self.embeddings = PeriodicEmbeddings(n_embedded, plan.d_embedding, lite=False)
        self.n_features_out = plan.n_features_out

    def forward(self, x):
        z = self.embeddings(x.index_select(1, self.embedded)).flatten(1)
        if self.has_passthrough:
            z = torch.cat([z, x.index_select(1, self.passthrough)], dim=1)
        return z


class EmbeddedTrunk(nn.Sequential):
    """Numeric embeddings followed by a trunk of the embedded features."""

    def __init__(self, embeddings, trunk):
        super().__init__(embeddings, trunk)
        self.n_features_out = trunk.n_features_out
