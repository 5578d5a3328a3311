"""The shared regression trees with missing targets: the exact masked
criterion (sklearn_mtl/_tree/_masked.py, _search.py) against a plain
brute-force search, scikit-learn's tree on complete targets, and every
growth parameter."""

import numpy as np
import pytest
from _estimators import make_regression_tasks
from scipy import sparse
from sklearn.tree import DecisionTreeRegressor

from sklearn_mtl import SharedForestRegressor, SharedTreeClassifier, SharedTreeRegressor
from sklearn_mtl._tree import _criterion, _kinds, _masked, _search
from sklearn_mtl._tree._masked import MaskedTreeRegressor, masked_targets


@pytest.fixture(scope="module")
def holes():
    """Three tasks over 6 features, about 10% of two tasks' targets missing."""
    return make_regression_tasks(n=160)


@pytest.fixture(scope="module")
def small():
    """40 samples, 3 features (one with missing values), 2 tasks with holes."""
    rng = np.random.RandomState(3)
    X = rng.normal(size=(40, 3)).astype(np.float32).astype(np.float64)
    Y = np.column_stack([X[:, 0] + 0.5 * rng.normal(size=40),
                         np.sin(2 * X[:, 1]) + X[:, 2] + 0.3 * rng.normal(size=40)])
    Y[rng.uniform(size=Y.shape) < 0.3] = np.nan
    X_nan = X.copy()
    X_nan[rng.uniform(size=40) < 0.15, 2] = np.nan
    return X, X_nan, Y


@pytest.fixture
def masked_route(monkeypatch):
    """Force the masked builder even where no target is missing."""
    original = _criterion.variance_targets

    def forced(*args, **kwargs):
        return original(*args, **kwargs, route="masked")

    monkeypatch.setattr(_kinds, "variance_targets", forced)


def masked_cost(Z, weights, sample_weight, left):
    """sum_j w_j / max(w) * [SSE_j(L) + SSE_j(R)] over observed targets, plainly."""
    cost = 0.0
    for part in (left, ~left):
        for j in range(Z.shape[1]):
            rows = part & ~np.isnan(Z[:, j])
            if rows.any():
                z, s = Z[rows, j], sample_weight[rows]
                mean = np.sum(s * z) / np.sum(s)
                cost += weights[j] / max(weights) * np.sum(s * (z - mean) ** 2)
    return cost


def brute_force(X, Z, weights, sample_weight):
    """(cost, left mask) of every split of every feature, missing values of X
    sent left and right, and all present values left of the missing ones."""
    splits = []
    for f in range(X.shape[1]):
        x = X[:, f]
        present = ~np.isnan(x)
        levels = np.unique(x[present])
        for t in (levels[:-1] + levels[1:]) / 2:
            for missing_left in ([False, True] if not present.all() else [False]):
                splits.append(np.where(present, x <= t, missing_left))
        if not present.all():
            splits.append(present)
    splits = [s for s in splits if s.any() and not s.all()]
    costs = [masked_cost(Z, weights, sample_weight, s) for s in splits]
    best = int(np.argmin(costs))
    return costs[best], splits[best]


def goes_left(tree, node, X):
    x = X[:, tree.feature[node]]
    return np.where(np.isnan(x), bool(tree.missing_go_to_left[node]),
                    x <= tree.threshold[node])


def same_structure(a, b):
    return (
        a.node_count == b.node_count
        and np.array_equal(a.feature, b.feature)
        and np.array_equal(a.threshold, b.threshold)
    )


# ---------------------------------------------------------------- exactness
@pytest.mark.parametrize("use_nan_x", [False, True])
@pytest.mark.parametrize("weights, sample_weight", [([1, 1], None), ([1, 3], "ints")])
def test_depth_two_tree_is_the_brute_force_masked_search(use_nan_x, weights, sample_weight,
                                                         small):
    X, X_nan, Y = small
    X = X_nan if use_nan_x else X
    s = np.ones(len(X)) if sample_weight is None else np.arange(len(X)) % 3 + 1.0
    model = SharedTreeRegressor(task_weights=weights, max_depth=2, random_state=0)
    model.fit(X, Y, sample_weight=None if sample_weight is None else s)
    assert model.estimator_.__class__ is MaskedTreeRegressor
    Z = (Y - model.loc_) / model.scale_
    tree = model.tree_
    nodes = [(0, np.ones(len(X), dtype=bool))]
    checked = 0
    while nodes:
        node, rows = nodes.pop()
        if tree.children_left[node] == -1:
            continue
        cost, best = brute_force(X[rows], Z[rows], weights, s[rows])
        left = goes_left(tree, node, X[rows])
        np.testing.assert_array_equal(left, best)
        assert masked_cost(Z[rows], weights, s[rows], left) == pytest.approx(cost, rel=1e-12)
        checked += 1
        sent = goes_left(tree, node, X)
        nodes += [(tree.children_left[node], rows & sent),
                  (tree.children_right[node], rows & ~sent)]
    assert checked == 3


def gini_cost(codes, weights, left):
    """sum_j w_j / max(w) * [n_j(L) Gini_j(L) + n_j(R) Gini_j(R)] over labelled rows."""
    cost = 0.0
    for part in (left, ~left):
        for j in range(codes.shape[1]):
            labels = codes[part & (codes[:, j] >= 0), j]
            if labels.size:
                p = np.bincount(labels) / labels.size
                cost += weights[j] / max(weights) * labels.size * (1 - p @ p)
    return cost


@pytest.mark.parametrize("weights", [[1, 1], [1, 2.5]])
def test_classifier_with_missing_labels_is_the_brute_force_masked_gini(weights, small):
    """Missing labels count for nothing in the Gini impurity of their task."""
    X, _, Y = small
    labels = np.column_stack([Y[:, 0] > 0, Y[:, 1] > 0.5]).astype(float)
    labels[np.isnan(Y)] = np.nan
    labels[:, 0] += (X[:, 2] > 0.5) * ~np.isnan(labels[:, 0])  # three classes
    model = SharedTreeClassifier(task_weights=weights, max_depth=2, random_state=0)
    model.fit(X, labels)
    assert model.estimator_.__class__ is MaskedTreeRegressor
    codes = np.where(np.isnan(labels), -1, labels).astype(int)
    tree, checked = model.tree_, 0
    nodes = [(0, np.ones(len(X), dtype=bool))]
    while nodes:
        node, rows = nodes.pop()
        if tree.children_left[node] == -1:
            continue
        splits = []
        for f in range(X.shape[1]):
            levels = np.unique(X[rows, f])
            splits += [X[rows, f] <= t for t in (levels[:-1] + levels[1:]) / 2]
        costs = [gini_cost(codes[rows], weights, s) for s in splits]
        left = goes_left(tree, node, X[rows])
        np.testing.assert_array_equal(left, splits[int(np.argmin(costs))])
        checked += 1
        sent = goes_left(tree, node, X)
        nodes += [(tree.children_left[node], rows & sent),
                  (tree.children_right[node], rows & ~sent)]
    assert checked == 3


def test_impurity_is_the_masked_weighted_variance(small):
    X, _, Y = small
    model = SharedTreeRegressor(task_weights=[1, 3], max_depth=3, random_state=0).fit(X, Y)
    Z = (Y - model.loc_) / model.scale_
    leaves = model.estimator_.decision_path(X.astype(np.float32)).toarray().astype(bool)
    for node in range(model.tree_.node_count):
        rows = leaves[:, node]
        sse = masked_cost(Z[rows], [1, 3], np.ones(rows.sum()), np.ones(rows.sum(), bool))
        assert model.tree_.impurity[node] == pytest.approx(sse / (2 * rows.sum()), rel=1e-9)


def test_missing_targets_no_longer_count_as_the_task_mean():
    """Task b is observed only where x0 > 0, and there it is a step in x1.
    Counting its missing targets as its mean (the old approximation) halves
    that signal and splits on x2 (task a's weaker step); the exact criterion
    splits on x1."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3)).astype(np.float32).astype(np.float64)
    a = 0.82 * np.sign(X[:, 2]) + rng.normal(size=300)
    b = np.where(X[:, 0] > 0, 3 * np.sign(X[:, 1]) + 0.3 * rng.normal(size=300), np.nan)
    Y = np.column_stack([a, b])
    model = SharedTreeRegressor(max_depth=1).fit(X, Y)
    Z = (Y - model.loc_) / model.scale_
    approximation = DecisionTreeRegressor(max_depth=1).fit(X, np.nan_to_num(Z))
    assert approximation.tree_.feature[0] == 2
    assert model.tree_.feature[0] == 1
    _, best = brute_force(X, Z, [1, 1], np.ones(300))
    np.testing.assert_array_equal(goes_left(model.tree_, 0, X), best)


@pytest.mark.parametrize("params", [{"max_depth": 3}, {"min_samples_leaf": 4},
                                    {"max_leaf_nodes": 12}, {"min_impurity_decrease": 0.01},
                                    {"ccp_alpha": 0.01}, {"max_features": 2, "max_depth": 4},
                                    {"splitter": "random", "max_depth": 6}])
def test_masked_builder_on_complete_targets_is_sklearn_s_tree(params, masked_route):
    """Forced onto complete targets, the masked builder grows scikit-learn's
    tree: same features, thresholds, impurities, values (and random draws).
    The trees are kept shallow or their leaves large: in a node of a few
    samples two features can cut off the same sample, one to the left, one
    to the right, at exactly equal cost, and the last bit of rounding
    breaks that tie, differently in the two builders."""
    X, Y = make_regression_tasks(n=200, missing=False)
    ours = SharedTreeRegressor(random_state=0, **params).fit(X, Y)
    assert ours.estimator_.__class__ is MaskedTreeRegressor
    Z = np.column_stack([(y - y.mean()) / y.std() for y in Y.T])
    ref = DecisionTreeRegressor(random_state=0, **params).fit(X, Z)
    assert same_structure(ours.tree_, ref.tree_)
    np.testing.assert_allclose(ours.tree_.impurity, ref.tree_.impurity, atol=1e-12)
    np.testing.assert_allclose(ours.tree_.value, ref.tree_.value, atol=1e-12)
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=1e-9)


def test_masked_builder_with_missing_features_and_weights_is_sklearn_s_tree():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(150, 4)).astype(np.float32)
    X[rng.uniform(size=X.shape) < 0.1] = np.nan
    Y = np.column_stack([np.nan_to_num(X[:, 0]) + rng.normal(size=150), rng.normal(size=150)])
    weight = rng.randint(0, 3, size=150).astype(float)  # zero weights as bootstrap gives
    for splitter in ("best", "random"):
        params = dict(splitter=splitter, max_depth=4, random_state=2)
        ours = MaskedTreeRegressor(**params).fit(X, masked_targets(Y, np.ones(Y.shape, bool)),
                                                 sample_weight=weight)
        ref = DecisionTreeRegressor(**params).fit(X, Y, sample_weight=weight)
        assert same_structure(ours.tree_, ref.tree_)
        split = ref.tree_.feature >= 0
        np.testing.assert_array_equal(ours.tree_.missing_go_to_left[split],
                                      ref.tree_.missing_go_to_left[split])


def test_thresholds_compare_in_double_precision():
    """Between two adjacent float32 values the midpoint rounds, in float32,
    to the larger one; compared in double, as scikit-learn, it separates them."""
    x = np.array([16 + 2.0**-19, 16 + 2.0**-18], dtype=np.float32)
    X = np.column_stack([x, x])
    Y = np.array([[0.0, np.nan], [1.0, 2.0]])
    model = SharedTreeRegressor().fit(X, Y)
    assert model.get_n_leaves() == 2
    np.testing.assert_array_equal(model.apply(X), [1, 2])


def test_random_splitter_skips_splits_that_leave_a_side_empty():
    """Present values all equal, missing ones drawn to the same side: no split,
    as scikit-learn (its draws followed the same way on complete targets)."""
    rng = np.random.RandomState(0)
    X = np.column_stack([np.where(rng.uniform(size=60) < 0.5, 1.0, np.nan),
                         rng.normal(size=60)]).astype(np.float32)
    Y = rng.normal(size=(60, 2))
    for seed in range(6):
        params = dict(splitter="random", max_features=1, random_state=seed)
        ours = MaskedTreeRegressor(**params).fit(X, masked_targets(Y, np.ones(Y.shape, bool)))
        ref = DecisionTreeRegressor(**params).fit(X, Y)
        assert ours.tree_.n_node_samples.min() >= 1
        assert same_structure(ours.tree_, ref.tree_)


@pytest.mark.parametrize("params", [{}, {"max_features": 3}, {"min_samples_leaf": 2},
                                    {"min_weight_fraction_leaf": 0.004},
                                    {"max_leaf_nodes": 150, "max_features": 4},
                                    {"splitter": "random"}])
@pytest.mark.parametrize("variant", ["plain", "nan_x", "weights", "many_tasks"])
def test_small_node_path_grows_the_numpy_path_s_tree(params, variant):
    """Nodes of a few samples are searched in plain Python (``SMALL_NODE``):
    the tree is node for node, bit for bit, the one the numpy search alone
    grows, deep trees included, where such nodes are most of the nodes."""
    rng = np.random.RandomState(7)
    n, n_tasks = 240, 9 if variant == "many_tasks" else 3
    X = rng.normal(size=(n, 5)).astype(np.float32)
    X[:, 3] = np.round(X[:, 3])  # ties
    if variant == "nan_x":
        X[rng.uniform(size=X.shape) < 0.1] = np.nan
    Y = np.column_stack([np.nan_to_num(X[:, j % 5]) + rng.normal(size=n) for j in range(n_tasks)])
    y = masked_targets(Y, rng.uniform(size=Y.shape) > 0.2)
    weight = rng.randint(0, 4, size=n).astype(float) if variant == "weights" else None

    def grow(small_node):
        with pytest.MonkeyPatch.context() as patch:
            for module in (_search, _masked):
                patch.setattr(module, "SMALL_NODE", small_node)
            model = MaskedTreeRegressor(random_state=3, **params)
            return model.fit(X, y, sample_weight=weight).tree_

    ref = grow(0)  # numpy alone
    for small_node in (_search.SMALL_NODE, 8):  # the default, and more nodes in Python
        small = grow(small_node)
        split = small.children_left != -1
        if small_node >= 2 * params.get("min_samples_leaf", 1):  # such nodes can split
            assert (small.n_node_samples[split] <= small_node).sum() > 5
        assert small.node_count == ref.node_count
        for name in ("children_left", "children_right", "feature", "threshold", "impurity",
                     "n_node_samples", "weighted_n_node_samples", "missing_go_to_left",
                     "value"):
            np.testing.assert_array_equal(getattr(small, name), getattr(ref, name),
                                          err_msg=name)


@pytest.mark.parametrize("n_tasks", [1, 3, 7])
def test_python_impurity_is_numpy_s_bit_for_bit(n_tasks):
    """The builder sums a split's children in plain Python (fewer than 8
    tasks): the same floats as :func:`node_impurity`, a task observed
    nowhere in the node included."""
    rng = np.random.RandomState(n_tasks)
    weight = rng.uniform(1, 50, size=(200, 1))
    observed = weight * rng.uniform(0, 1, size=(200, n_tasks))
    observed[rng.uniform(size=observed.shape) < 0.2] = 0.0
    sums = observed * rng.normal(size=observed.shape) * 10.0 ** rng.randint(-3, 4, size=(200, 1))
    squares = sums * sums / np.where(observed > 0, observed, 1.0) + observed
    rows = np.hstack([weight, observed, sums, squares])
    expected = _search.node_impurity(rows, n_tasks)
    for row, value in zip(rows.tolist(), expected):
        assert _masked._impurity(row, n_tasks) == value


# --------------------------------------------------------- growth parameters
def test_growth_limits_are_honoured(holes):
    X, Y = holes
    tree = SharedTreeRegressor(max_depth=3, random_state=0).fit(X, Y)
    assert tree.get_depth() == 3
    tree = SharedTreeRegressor(min_samples_leaf=7, random_state=0).fit(X, Y)
    leaves = tree.tree_.children_left == -1
    assert tree.tree_.n_node_samples[leaves].min() >= 7
    tree = SharedTreeRegressor(max_leaf_nodes=9, random_state=0).fit(X, Y)
    assert tree.get_n_leaves() == 9
    full = SharedTreeRegressor(random_state=0).fit(X, Y)
    assert full.get_n_leaves() > 9


def test_min_impurity_decrease_bounds_every_split(holes):
    X, Y = holes
    full = SharedTreeRegressor(random_state=0).fit(X, Y).tree_
    model = SharedTreeRegressor(min_impurity_decrease=0.005, random_state=0).fit(X, Y)
    t = model.tree_
    assert t.node_count < full.node_count
    split = np.flatnonzero(t.children_left != -1)
    left, right = t.children_left[split], t.children_right[split]
    w = t.weighted_n_node_samples
    gain = (w[split] * t.impurity[split] - w[left] * t.impurity[left]
            - w[right] * t.impurity[right]) / w[0]
    threshold = 0.005 * model._targets.impurity_scale
    assert gain.min() >= threshold - 1e-12


def test_ccp_alpha_prunes_the_weakest_links(holes):
    X, Y = holes
    alpha = 0.01
    model = SharedTreeRegressor(ccp_alpha=alpha, random_state=0).fit(X, Y)
    full = SharedTreeRegressor(random_state=0).fit(X, Y)
    t, scale = model.tree_, model._targets.impurity_scale
    assert 1 < t.node_count < full.tree_.node_count
    risk = t.weighted_n_node_samples * t.impurity / t.weighted_n_node_samples[0]

    def subtree(node):  # (risk of its leaves, number of leaves)
        if t.children_left[node] == -1:
            return risk[node], 1
        a, b = subtree(t.children_left[node]), subtree(t.children_right[node])
        return a[0] + b[0], a[1] + b[1]

    for node in np.flatnonzero(t.children_left != -1):
        leaves_risk, n_leaves = subtree(node)
        assert (risk[node] - leaves_risk) / (n_leaves - 1) > alpha * scale


def test_max_features_draws_candidates_by_random_state(holes):
    X, Y = holes
    roots = {SharedTreeRegressor(max_features=1, max_depth=1, random_state=seed)
             .fit(X, Y).tree_.feature[0] for seed in range(8)}
    assert len(roots) > 1
    a = SharedTreeRegressor(max_features=2, random_state=4).fit(X, Y)
    b = SharedTreeRegressor(max_features=2, random_state=4).fit(X, Y)
    assert same_structure(a.tree_, b.tree_)


def test_random_splitter_draws_thresholds(holes):
    X, Y = holes
    best = SharedTreeRegressor(max_depth=1).fit(X, Y)
    drawn = [SharedTreeRegressor(splitter="random", max_depth=1, random_state=seed)
             .fit(X, Y).tree_ for seed in range(3)]
    thresholds = {t.threshold[0] for t in drawn}
    assert len(thresholds) == 3 and best.tree_.threshold[0] not in thresholds
    for t in drawn:  # between the node's smallest and largest value
        x = X[:, t.feature[0]]
        assert x.min() <= t.threshold[0] < x.max()


def test_sample_weight_is_repetition(holes):
    X, Y = holes
    counts = np.arange(len(X)) % 3
    weighted = SharedTreeRegressor(max_depth=4, random_state=0).fit(X, Y, sample_weight=counts)
    repeated = SharedTreeRegressor(max_depth=4, random_state=0).fit(
        np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0))
    assert same_structure(weighted.tree_, repeated.tree_)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-10)


def test_missing_features_go_where_training_sent_them(holes):
    X, Y = holes
    X = X.copy()
    X[np.random.RandomState(0).uniform(size=X.shape) < 0.2] = np.nan
    model = SharedTreeRegressor(max_depth=4, random_state=0).fit(X, Y)
    t = model.tree_
    assert t.missing_go_to_left[t.children_left != -1].any()
    leaves = model.apply(X)
    for leaf in np.unique(leaves):  # leaf means of the training samples that got there
        rows = leaves == leaf
        expected = [np.nanmean(Y[rows, j]) for j in range(3)]
        np.testing.assert_allclose(model.predict(X[rows][:1])[0], expected, rtol=1e-9)


def test_sparse_x_grows_the_dense_tree(holes):
    X, Y = holes
    X = np.where(np.abs(X) < 0.7, 0.0, X)
    dense = SharedTreeRegressor(max_depth=4, random_state=0).fit(X, Y)
    sparse_fit = SharedTreeRegressor(max_depth=4, random_state=0).fit(sparse.csr_matrix(X), Y)
    assert same_structure(dense.tree_, sparse_fit.tree_)
    np.testing.assert_array_equal(sparse_fit.predict(sparse.csr_matrix(X)), dense.predict(X))


# ---------------------------------------------------------------- forests
def test_forest_trees_are_masked_trees_grown_on_bootstrap_counts(holes):
    X, Y = holes
    forest = SharedForestRegressor(n_estimators=4, max_depth=3, random_state=0).fit(X, Y)
    for tree, drawn in zip(forest.estimator_.estimators_, forest.estimator_.estimators_samples_):
        assert isinstance(tree, MaskedTreeRegressor)
        counts = np.bincount(drawn, minlength=len(X)).astype(float)
        alone = SharedTreeRegressor(max_depth=3, random_state=tree.random_state)
        alone.fit(X, Y, sample_weight=counts)
        assert same_structure(tree.tree_, alone.tree_)
    again = SharedForestRegressor(n_estimators=4, max_depth=3, random_state=0).fit(X, Y)
    np.testing.assert_array_equal(again.predict(X), forest.predict(X))


def test_masked_tree_refuses_what_it_cannot_grow():
    X = np.zeros((4, 1))
    y = masked_targets(np.zeros((4, 1)), np.ones((4, 1), bool))
    with pytest.raises(ValueError, match="criterion"):
        MaskedTreeRegressor(criterion="absolute_error").fit(X, y)
    with pytest.raises(ValueError, match="monotonic_cst"):
        MaskedTreeRegressor(monotonic_cst=[1]).fit(X, y)
    with pytest.raises(ValueError, match="even number"):
        MaskedTreeRegressor().fit(X, np.zeros((4, 3)))
