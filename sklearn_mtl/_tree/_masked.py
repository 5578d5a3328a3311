"""The exact regression tree of tasks with missing targets.

scikit-learn's builders know no missing target: on its multi-output
squared error a sample missing task j would have to count as some value of
task j. :class:`MaskedTreeRegressor` grows the tree that minimises

    sum_j c_j^2 [SSE_j(L) + SSE_j(R)],   SSE_j(S) = sum_{i in S, y_ij observed}
                                                    s_i (z_ij - mean_j(S))^2

over the observed targets only (``z`` the standardised targets, ``c_j^2 =
w_j / max(w)``, ``s_i`` the sample weights), with the node impurity
``sum_j c_j^2 SSE_j(S) / (K W(S))`` (K criterion tasks, W the node's
weight): without missing targets, the impurity of scikit-learn's
multi-output squared error on the scaled columns. So ``min_impurity_decrease``,
``ccp_alpha`` and the feature importances mean what they mean there, and on
complete targets the tree is scikit-learn's (``_search.py`` draws and breaks
ties as scikit-learn does). The stopping rules count samples and weights as
scikit-learn does, observed or not.

The builder is numpy (``_search.py``; plain Python on its smallest nodes,
with the same floats); it fills a real ``sklearn.tree._tree.Tree`` (node
array and values), so ``apply``, ``decision_path``, pruning, feature
importances and pickling are scikit-learn's. Its y carries the mask: ``[c_j z_j (0 where missing) |
observed_j]``, 2K finite columns, which scikit-learn's forests pass to each
tree's ``_fit`` with their bootstrap counts as sample weights.
"""

import heapq
import numbers
from math import ceil

import numpy as np
from scipy import sparse
from sklearn.base import _fit_context
from sklearn.tree import DecisionTreeRegressor
from sklearn.tree._tree import NODE_DTYPE, Tree
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._search import RAND_R_MAX, SMALL_NODE, RandR, Splitter, node_impurity

EPSILON = np.finfo(np.float64).eps
TREE_LEAF = -1
TREE_UNDEFINED = -2


def masked_targets(values, observed):
    """The y of :class:`MaskedTreeRegressor`: values (0 where missing), then the mask."""
    return np.hstack([np.where(observed, values, 0.0), observed.astype(np.float64)])


class MaskedTreeRegressor(DecisionTreeRegressor):
    """A ``DecisionTreeRegressor`` that leaves missing targets out of its splits.

    ``y`` holds K target columns (any value where missing) followed by K
    columns that are 1 where the target is observed, 0 where it is missing
    (see :func:`masked_targets`). The fitted tree has K outputs; a node's
    value is the weighted mean of the observed targets that reach it (0 when
    none does). Only ``criterion="squared_error"`` and no
    ``monotonic_cst``.
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Grow the tree on ``y = [targets | observed mask]`` (see the class)."""
        return self._fit(X, y, sample_weight=sample_weight, check_input=check_input)

    def _fit(self, X, y, sample_weight=None, check_input=True,
             missing_values_in_feature_mask=None):
        if check_input:
            X, y = validate_data(
                self, X, y,
                validate_separately=(
                    dict(dtype=np.float32, accept_sparse="csc", ensure_all_finite="allow-nan"),
                    dict(ensure_2d=False, dtype=np.float64),
                ),
            )
        if self.criterion != "squared_error":
            raise ValueError(
                f"MaskedTreeRegressor needs criterion='squared_error', got {self.criterion!r}."
            )
        if self.monotonic_cst is not None:
            raise ValueError("monotonic_cst is not supported with missing targets.")
        n_samples, self.n_features_in_ = X.shape
        y = np.asarray(y, dtype=np.float64).reshape(n_samples, -1)
        if y.shape[1] % 2:
            raise ValueError(
                "y must hold the targets then their observed mask (an even number of "
                f"columns), got {y.shape[1]} columns."
            )
        n_outputs = y.shape[1] // 2
        X = X.toarray() if sparse.issparse(X) else X
        X = np.asarray(X, dtype=np.float32)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        params = self._growth_params(n_samples, sample_weight)
        rng = RandR(check_random_state(self.random_state).randint(0, RAND_R_MAX))
        state = build_tree(X, y[:, :n_outputs], y[:, n_outputs:] > 0.5, sample_weight,
                           params, rng)
        self.n_outputs_ = n_outputs
        self.tree_ = Tree(self.n_features_in_, np.ones(n_outputs, dtype=np.intp), n_outputs)
        self.tree_.__setstate__(state)
        self._prune_tree()
        return self

    def _growth_params(self, n_samples, sample_weight):
        """The growth parameters resolved as ``BaseDecisionTree._fit`` does."""
        min_samples_leaf = self.min_samples_leaf
        if not isinstance(min_samples_leaf, numbers.Integral):
            min_samples_leaf = ceil(min_samples_leaf * n_samples)
        min_samples_split = self.min_samples_split
        if not isinstance(min_samples_split, numbers.Integral):
            min_samples_split = max(2, ceil(min_samples_split * n_samples))
        n_features = self.n_features_in_
        if self.max_features == "sqrt":
            max_features = max(1, int(np.sqrt(n_features)))
        elif self.max_features == "log2":
            max_features = max(1, int(np.log2(n_features)))
        elif self.max_features is None:
            max_features = n_features
        elif isinstance(self.max_features, numbers.Integral):
            max_features = self.max_features
        else:
            max_features = max(1, int(self.max_features * n_features)) \
                if self.max_features > 0.0 else 0
        self.max_features_ = max_features
        total = n_samples if sample_weight is None else float(np.sum(sample_weight))
        return {
            "splitter": self.splitter,
            "max_depth": np.iinfo(np.int32).max if self.max_depth is None else self.max_depth,
            "min_samples_leaf": min_samples_leaf,
            "min_samples_split": max(min_samples_split, 2 * min_samples_leaf),
            "min_weight_leaf": self.min_weight_fraction_leaf * total,
            "max_features": max_features,
            "max_leaf_nodes": self.max_leaf_nodes,
            "min_impurity_decrease": self.min_impurity_decrease,
        }


def build_tree(X, values, observed, sample_weight, params, rng):
    """Grow the tree; return the ``Tree.__getstate__`` dict of its nodes."""
    weight = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    total_weight = float(np.sum(weight))
    keep = np.flatnonzero(weight != 0.0)  # as scikit-learn, drop weightless samples
    X, values, observed, weight = X[keep], values[keep], observed[keep], weight[keep]
    mass = weight[:, np.newaxis] * observed
    stats = np.hstack([weight[:, np.newaxis], mass, mass * values])
    squares = mass * values * values
    splitter = Splitter(X, stats, params, rng)
    builder = _Builder(splitter, squares, total_weight, params)
    root = np.ascontiguousarray(np.argsort(X, axis=0, kind="stable").T)
    if params["max_leaf_nodes"] is None:
        builder.depth_first(root)
    else:
        builder.best_first(root)
    return builder.state(values.shape[1])


def _impurity(sums, n_tasks):
    """:func:`node_impurity` of one node's sums (a list), in plain Python."""
    sse = 0.0
    for j in range(1, 1 + n_tasks):
        observed, total = sums[j], sums[j + n_tasks]
        sse += sums[j + 2 * n_tasks] - (total * total / observed if observed > 0 else 0.0)
    return sse / (n_tasks * sums[0])


class _Builder:
    """Depth-first or best-first growth, as scikit-learn's tree builders."""

    def __init__(self, splitter, squares, total_weight, params):
        self.splitter = splitter
        self.n_tasks = squares.shape[1]
        self.sums = np.hstack([splitter.stats, squares])
        self.total_weight = total_weight
        self.params = params
        self.nodes = []
        self.values = []
        self._left = np.zeros(squares.shape[0], dtype=bool)  # the side of each sample
        self._children = np.empty((2, self.sums.shape[1]))  # the two children's sums
        self.max_depth = 0

    def _node(self, idx, depth, impurity, n_constants):
        """Statistics of a node, and its split if it is to be split.

        Returns
        ``(sums, impurity, split)``: split is None for a leaf, else
        ``(feature, threshold, missing_go_to_left, improvement, left, right,
        n_constants)`` with the children's (idx, impurity).
        """
        p = self.params
        samples = idx[0]
        # as scikit-learn: a node's sums are its own, its impurity (but the
        # root's) the parent's total minus the sibling's
        sums = self.sums[samples[0]] if len(samples) == 1 else self.sums[samples].sum(axis=0)
        m, weight = idx.shape[1], sums[0]
        if impurity is None:
            impurity = float(node_impurity(sums, self.n_tasks))
        if (depth >= p["max_depth"] or m < p["min_samples_split"]
                or m < 2 * p["min_samples_leaf"] or weight < 2 * p["min_weight_leaf"]
                or impurity <= EPSILON):
            return sums, impurity, None
        found, n_constants = self.splitter.split(idx, sums[:1 + 2 * self.n_tasks], n_constants)
        if found is None:
            return sums, impurity, None
        feature, threshold, go_left = found
        x = self.splitter.Xt[feature, samples].astype(np.float64)  # compared as in C
        if self.splitter.any_missing:
            with np.errstate(invalid="ignore"):
                self._left[samples] = np.where(np.isnan(x), go_left, x <= threshold)
        else:
            self._left[samples] = x <= threshold
        left = self._left[idx]
        n_features = idx.shape[0]
        left_idx = idx[left].reshape(n_features, -1)
        right_idx = idx[~left].reshape(n_features, -1)
        if not 0 < left_idx.shape[1] < idx.shape[1]:  # would grow the same node forever
            raise RuntimeError(f"split of feature {feature} at {threshold} leaves a side empty")
        # as scikit-learn: right = total - left; numpy's floats, in Python where
        # that takes fewer calls (numpy sums fewer than 8 terms in order)
        in_python = self.n_tasks < 8
        if in_python and m <= SMALL_NODE:
            left_sums = None
            for row in self.sums[left_idx[0]].tolist():  # summed in order, as numpy
                left_sums = row if left_sums is None else [a + b for a, b in zip(left_sums, row)]
            children = (left_sums, [a - b for a, b in zip(sums.tolist(), left_sums)])
        else:
            children = self._children
            children[0] = self.sums[left_idx[0]].sum(axis=0)
            np.subtract(sums, children[0], out=children[1])
            if in_python:
                children = children.tolist()
        if in_python:
            imp_left, imp_right = (_impurity(side, self.n_tasks) for side in children)
        else:
            imp_left, imp_right = node_impurity(children, self.n_tasks)
        w_left, w_right = children[0][0], children[1][0]
        improvement = (weight / self.total_weight) * (
            impurity - w_right / weight * imp_right - w_left / weight * imp_left
        )
        if improvement + EPSILON < p["min_impurity_decrease"]:
            return sums, impurity, None
        return sums, impurity, (feature, threshold, go_left, improvement,
                                (left_idx, float(imp_left)), (right_idx, float(imp_right)),
                                n_constants)

    def _add(self, parent, is_left, stats, impurity, m, split, depth):
        """Append a node (a leaf when split is None); return its id."""
        node_id = len(self.nodes)
        if parent >= 0:
            self.nodes[parent][0 if is_left else 1] = node_id
        n_tasks = self.n_tasks
        row = stats[:1 + 2 * n_tasks].tolist()
        self.values.append([s / o if o > 0 else 0.0 for o, s in zip(row[1:1 + n_tasks],
                                                                     row[1 + n_tasks:])])
        if split is None:
            self.nodes.append([TREE_LEAF, TREE_LEAF, TREE_UNDEFINED, float(TREE_UNDEFINED),
                               impurity, m, row[0], 0])
        else:
            self.nodes.append([TREE_LEAF, TREE_LEAF, split[0], split[1], impurity, m,
                               row[0], int(split[2])])
        self.max_depth = max(self.max_depth, depth)
        return node_id

    def depth_first(self, root):
        """Left child first, as ``DepthFirstTreeBuilder`` (preorder node ids)."""
        stack = [(root, 0, -1, False, None, 0)]
        while stack:
            idx, depth, parent, is_left, impurity, n_constants = stack.pop()
            sums, impurity, split = self._node(idx, depth, impurity, n_constants)
            node_id = self._add(parent, is_left, sums, impurity, idx.shape[1], split, depth)
            if split is not None:
                (left, imp_left), (right, imp_right), n_constants = split[4:]
                stack.append((right, depth + 1, node_id, False, imp_right, n_constants))
                stack.append((left, depth + 1, node_id, True, imp_left, n_constants))

    def best_first(self, root):
        """Split the frontier node of largest improvement first, as
        ``BestFirstTreeBuilder``, until ``max_leaf_nodes`` leaves."""
        frontier = []
        counter = 0

        def add(idx, depth, parent, is_left, impurity):
            nonlocal counter
            sums, impurity, split = self._node(idx, depth, impurity, 0)
            node_id = self._add(parent, is_left, sums, impurity, idx.shape[1], split, depth)
            improvement = 0.0 if split is None else split[3]
            heapq.heappush(frontier, (-improvement, counter, node_id, depth, split))
            counter += 1

        add(root, 0, -1, False, None)
        max_split_nodes = self.params["max_leaf_nodes"] - 1
        while frontier:
            _, _, node_id, depth, split = heapq.heappop(frontier)
            if split is None or max_split_nodes <= 0:
                self.nodes[node_id][2:4] = [TREE_UNDEFINED, float(TREE_UNDEFINED)]
                continue
            max_split_nodes -= 1
            (left, imp_left), (right, imp_right) = split[4:6]
            add(left, depth + 1, node_id, True, imp_left)
            add(right, depth + 1, node_id, False, imp_right)

    def state(self, n_outputs):
        """The ``Tree.__getstate__`` dict of the grown nodes."""
        columns = np.array(self.nodes, dtype=np.float64)  # ids and counts < 2**53: exact
        nodes = np.zeros(len(self.nodes), dtype=NODE_DTYPE)
        for k, name in enumerate(nodes.dtype.names):
            nodes[name] = columns[:, k]
        values = np.asarray(self.values, dtype=np.float64).reshape(len(self.nodes), n_outputs, 1)
        return {"max_depth": self.max_depth, "node_count": len(self.nodes),
                "nodes": nodes, "values": np.ascontiguousarray(values)}
