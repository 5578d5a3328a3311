"""Tests of the shared trees (sklearn_mtl/_tree)."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_mtl import SharedForestClassifier, SharedTreeClassifier
from sklearn_mtl._labels import encode_targets
from sklearn_mtl._tree import _criterion, _kinds

ESTIMATORS = [SharedTreeClassifier, SharedForestClassifier]
SMALL = {SharedTreeClassifier: {}, SharedForestClassifier: {"n_estimators": 10}}


def make(cls, **params):
    return cls(**{"random_state": 0, **SMALL[cls], **params})


@pytest.fixture(scope="module")
def digits():
    """Digits with three tasks: the digit, its parity and digit >= 5."""
    X, digit = load_digits(return_X_y=True)
    Y = np.column_stack([digit, digit % 2, (digit >= 5).astype(int)])
    return train_test_split(X, Y, test_size=0.3, random_state=0)


@pytest.fixture(scope="module")
def tie_data():
    """Small integer features (many tied thresholds), tasks of 3, 2, 4 classes."""
    rng = np.random.RandomState(0)
    X = rng.randint(0, 6, size=(150, 4)).astype(np.float32)
    noise = rng.randint(0, 2, size=150)
    Y = np.column_stack([
        (X[:, 0] + noise) % 3,
        X[:, 1] > 2 + noise,
        (X[:, 2] + X[:, 3] * noise) % 4,
    ]).astype(int)
    return X, Y


@pytest.fixture
def regressor_route(monkeypatch):
    """Force the one-hot regressor route even where the classifier route is exact."""
    original = _criterion.gini_targets

    def forced(*args, **kwargs):
        return original(*args, **kwargs, route="regressor")

    monkeypatch.setattr(_kinds, "gini_targets", forced)


def hide(Y, fraction, seed=0):
    """Y as floats with a random ``fraction`` of the labels set to NaN."""
    rng = np.random.RandomState(seed)
    Y = Y.astype(float)
    Y[rng.uniform(size=Y.shape) < fraction] = np.nan
    return Y


def same_structure(a, b):
    return (
        a.node_count == b.node_count
        and np.array_equal(a.feature, b.feature)
        and np.array_equal(a.threshold, b.threshold)
    )


# ---------------------------------------------------------------- the API
def test_import_does_not_import_torch():
    code = (
        "import sys, sklearn_mtl; sklearn_mtl.SharedTreeClassifier; "
        "sklearn_mtl.SharedForestClassifier; print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_multi_task_outputs(cls, digits):
    X_train, X_test, Y_train, Y_test = digits
    clf = make(cls).fit(X_train, Y_train)
    assert clf.predict(X_test).shape == (len(X_test), 3)
    probas = clf.predict_proba(X_test)
    assert [p.shape[1] for p in probas] == [10, 2, 2]
    for p in probas:
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert clf.score(X_test, Y_test) > 0.75
    assert clf.feature_importances_.shape == (64,)
    assert clf.feature_importances_.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_1d_target_and_string_labels(cls, digits):
    X_train, _, Y_train, _ = digits
    y = np.where(Y_train[:, 1] == 1, "odd", "even")
    clf = make(cls).fit(X_train, y)
    assert clf.predict(X_train[:5]).shape == (5,)
    assert set(clf.predict(X_train)) <= {"odd", "even"}
    assert list(clf.classes_) == ["even", "odd"]
    assert clf.predict_proba(X_train[:5]).shape == (5, 2)


def test_dataframe_task_names_and_dict_weights(digits):
    pd = pytest.importorskip("pandas")
    X_train, _, Y_train, _ = digits
    Y = pd.DataFrame(Y_train, columns=["digit", "odd", "big"])
    clf = SharedTreeClassifier(task_weights={"odd": 0}, random_state=0).fit(X_train, Y)
    assert list(clf.task_names_) == ["digit", "odd", "big"]
    np.testing.assert_array_equal(clf.task_weights_, [1.0, 0.0, 1.0])


@pytest.mark.parametrize(
    "task_weights, error",
    [([1, 2], ValueError), ([1, -1, 1], ValueError), ({"nope": 1}, ValueError),
     ([0, 0, 0], ValueError), ("heavy", TypeError)],
)
def test_bad_task_weights_raise(task_weights, error, digits):
    X_train, _, Y_train, _ = digits
    with pytest.raises(error, match="task_weights"):
        SharedTreeClassifier(task_weights=task_weights).fit(X_train, Y_train)


def test_forest_parameter_errors(digits):
    X_train, _, Y_train, _ = digits
    with pytest.raises(ValueError, match="oob_score"):
        SharedForestClassifier(oob_score=True, bootstrap=False).fit(X_train, Y_train)
    with pytest.raises(ValueError, match="max_samples"):
        SharedForestClassifier(max_samples=0.5, bootstrap=False).fit(X_train, Y_train)
    with pytest.raises(ValueError, match="splitter"):
        SharedForestClassifier(splitter="worst").fit(X_train, Y_train)


# -------------------------------------------------------------- exactness
@pytest.mark.parametrize("route", ["auto", "regressor"])
def test_single_task_weight_is_sklearn_tree_on_that_task(route, digits, request):
    """Weights (1, 0, 0): task 0's tree is DecisionTreeClassifier on task 0.

    Both criteria compute the same Gini on the same samples with the same
    random_state, so the trees are identical node for node, including under
    pruning (``ccp_alpha`` is in units of the task's Gini).
    """
    if route == "regressor":
        request.getfixturevalue("regressor_route")
    X_train, X_test, Y_train, _ = digits
    for params in ({}, {"ccp_alpha": 0.005}, {"min_impurity_decrease": 0.002}):
        ours = SharedTreeClassifier(task_weights=[1, 0, 0], random_state=0, **params)
        ours.fit(X_train, Y_train)
        ref = DecisionTreeClassifier(random_state=0, **params).fit(X_train, Y_train[:, 0])
        assert type(ours.estimator_).__name__.lower().endswith(
            "classifier" if route == "auto" else "regressor"
        )
        assert same_structure(ours.tree_, ref.tree_)
        np.testing.assert_array_equal(ours.predict(X_test)[:, 0], ref.predict(X_test))
        np.testing.assert_allclose(ours.predict_proba(X_test)[0], ref.predict_proba(X_test))


@pytest.mark.parametrize("route", ["auto", "regressor"])
def test_equal_weights_is_multi_output_sklearn_tree(route, digits, request):
    """Equal weights: the multi-output DecisionTreeClassifier, node for node.

    The automatic route *is* that classifier. The one-hot regressor route
    computes the same impurities in another order of floating-point
    operations, so an exact tie between two candidate splits could in
    principle break the other way; on this data (integer pixels, many tied
    thresholds) no tie breaks differently, and we assert identical trees.
    """
    if route == "regressor":
        request.getfixturevalue("regressor_route")
    X_train, X_test, Y_train, _ = digits
    ours = SharedTreeClassifier(task_weights=[3, 3, 3], random_state=0).fit(X_train, Y_train)
    ref = DecisionTreeClassifier(random_state=0).fit(X_train, Y_train)
    assert same_structure(ours.tree_, ref.tree_)
    np.testing.assert_array_equal(ours.predict(X_test), ref.predict(X_test))


def test_equal_weight_forest_is_multi_output_random_forest(digits):
    """Same trees and the same averaged probabilities as RandomForestClassifier."""
    X_train, X_test, Y_train, _ = digits
    ours = SharedForestClassifier(n_estimators=10, random_state=0).fit(X_train, Y_train)
    ref = RandomForestClassifier(n_estimators=10, random_state=0).fit(X_train, Y_train)
    for a, b in zip(ours.estimator_.estimators_, ref.estimators_):
        assert same_structure(a.tree_, b.tree_)
    for p, q in zip(ours.predict_proba(X_test), ref.predict_proba(X_test)):
        np.testing.assert_allclose(p, q, atol=1e-12)


def test_regressor_route_forest_matches_random_forest_up_to_ties(digits, regressor_route):
    """The one-hot route grows the same forest but for exact ties.

    With bootstrap counts as sample weights, the regressor and the classifier
    criteria sum the same integers in a different order, so an exact tie
    between two candidate splits can resolve differently (measured: 1 node
    pair in 10 trees, at depth ~10). We assert that most trees are identical
    and that the predictions agree on at least 98% of the entries.
    """
    X_train, X_test, Y_train, _ = digits
    ours = SharedForestClassifier(n_estimators=10, random_state=0).fit(X_train, Y_train)
    ref = RandomForestClassifier(n_estimators=10, random_state=0).fit(X_train, Y_train)
    identical = [
        same_structure(a.tree_, b.tree_)
        for a, b in zip(ours.estimator_.estimators_, ref.estimators_)
    ]
    assert sum(identical) >= 8
    assert np.mean(ours.predict(X_test) == ref.predict(X_test)) >= 0.98


def weighted_impurity(codes, n_classes, weights):
    """sum_j w_j Gini_j / sum_j w_j of the rows ``codes`` (complete labels)."""
    total = 0.0
    for j, (k, w) in enumerate(zip(n_classes, weights)):
        p = np.bincount(codes[:, j], minlength=k) / len(codes)
        total += w * (1.0 - p @ p)
    return total / np.sum(weights)


def best_split_cost(X, codes, n_classes, weights):
    """min over all thresholds of n_left * I_left + n_right * I_right."""
    m = len(X)
    best = np.inf
    for f in range(X.shape[1]):
        order = np.argsort(X[:, f], kind="stable")
        xs = X[order, f]
        n_left = np.arange(1, m)
        cost = np.zeros(m - 1)
        for j, (k, w) in enumerate(zip(n_classes, weights)):
            left = np.cumsum(np.eye(k)[codes[order, j]], axis=0)[:-1]
            right = left[-1] + np.eye(k)[codes[order[-1], j]] - left
            gini_l = 1 - np.sum((left / n_left[:, None]) ** 2, axis=1)
            gini_r = 1 - np.sum((right / (m - n_left)[:, None]) ** 2, axis=1)
            cost += w * (n_left * gini_l + (m - n_left) * gini_r)
        valid = xs[1:] > xs[:-1]
        if valid.any():
            best = min(best, cost[valid].min() / np.sum(weights))
    return best


@pytest.mark.parametrize("task_weights", [[1.0, 2.5, 0.3], [0.7, 0.1, 1.3], [1.0, 1.0, 0.0]])
def test_every_split_minimises_weighted_gini(task_weights, tie_data):
    """Brute force over every threshold of every feature at every node.

    Also checks that no node whose weighted impurity is 0 was split (the
    float-noise floor of the regressor route).
    """
    X, Y = tie_data
    clf = SharedTreeClassifier(task_weights=task_weights, random_state=0).fit(X, Y)
    codes = encode_targets(Y).codes
    n_classes = clf.n_classes_
    tree = clf.tree_
    paths = clf.decision_path(X).tocsc()
    n_checked = 0
    for node in range(tree.node_count):
        rows = paths[:, node].nonzero()[0]
        impurity = weighted_impurity(codes[rows], n_classes, task_weights)
        if tree.children_left[node] == -1:
            continue
        assert impurity > 0, f"node {node} is pure but split"
        goes_left = X[rows, tree.feature[node]] <= tree.threshold[node]
        chosen = sum(
            weighted_impurity(codes[rows[side]], n_classes, task_weights) * side.sum()
            for side in (goes_left, ~goes_left)
        )
        best = best_split_cost(X[rows], codes[rows], n_classes, task_weights)
        assert chosen <= best + 1e-9 * len(rows), f"node {node} split is not optimal"
        n_checked += 1
    assert n_checked > 10


@pytest.mark.parametrize("task_weights", [[1, 0.5, 0.3], [0.1, 0.7, 0.3]])
def test_pure_nodes_are_not_split(task_weights):
    """With weights like sqrt(0.5), float noise must not split pure nodes.

    Labels are thresholds of the features, so the ideal tree has few leaves
    and large pure regions, where the noise would show.
    """
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(3000, 3))
    Y = np.column_stack([X[:, 0] > 0.5, (X[:, 1] > 0.3) + (X[:, 0] > 0.8), X[:, 2] > 0.9])
    codes = encode_targets(Y.astype(int)).codes
    clf = SharedTreeClassifier(task_weights=task_weights, random_state=0).fit(X, Y)
    paths = clf.decision_path(X).tocsc()
    internal = np.flatnonzero(clf.tree_.children_left != -1)
    for node in internal:
        rows = paths[:, node].nonzero()[0]
        assert weighted_impurity(codes[rows], clf.n_classes_, task_weights) > 0
    assert clf.get_n_leaves() <= 24  # noise splits gave 100+ leaves


def test_only_weight_ratios_shape_the_tree(tie_data):
    X, Y = tie_data
    a = SharedTreeClassifier(task_weights=[1, 2.5, 0.3], random_state=0).fit(X, Y)
    b = SharedTreeClassifier(task_weights=[2, 5, 0.6], random_state=0).fit(X, Y)
    assert same_structure(a.tree_, b.tree_)
    c = SharedTreeClassifier(task_weights=[1, 0.1, 0.1], random_state=0).fit(X, Y)
    assert not same_structure(a.tree_, c.tree_)


def test_zero_weight_task_has_leaf_frequencies(digits):
    """A task that does not shape the tree still gets its leaf class frequencies."""
    X_train, _, Y_train, _ = digits
    clf = SharedTreeClassifier(task_weights=[0, 1, 1], max_depth=3, random_state=0)
    clf.fit(X_train, Y_train)
    leaves = clf.apply(X_train)
    proba = clf.predict_proba(X_train)[0]
    for leaf in np.unique(leaves):
        rows = leaves == leaf
        expected = np.bincount(Y_train[rows, 0], minlength=10) / rows.sum()
        np.testing.assert_allclose(proba[rows], np.tile(expected, (rows.sum(), 1)))


# ---------------------------------------------------------- missing labels
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_missing_labels_never_crash_nor_get_predicted(cls, digits):
    X_train, X_test, Y_train, _ = digits
    Y = hide(Y_train, 0.5).astype(object)
    Y[np.equal(Y, None) | (Y != Y)] = None
    clf = make(cls).fit(X_train, Y)
    for classes in clf.classes_:
        assert not np.any(np.isnan(classes.astype(float)))
    pred = clf.predict(X_test)
    assert not np.any(pred != pred)
    for p in clf.predict_proba(X_test):
        assert np.all(np.isfinite(p))
        np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_missing_labels_leaf_uses_labelled_samples_and_ancestor():
    """Leaf probabilities count labelled samples only; a leaf that no
    labelled sample reaches takes its parent's frequencies."""
    X = np.arange(8, dtype=float)[:, None]
    shape = np.array([0, 0, 1, 1, 2, 2, 3, 3])  # task 0 alone shapes the tree
    other = np.array([0, 1, np.nan, np.nan, 1, 1, 0, np.nan])
    Y = np.column_stack([shape, other])
    clf = SharedTreeClassifier(task_weights=[1, 0], random_state=0).fit(X, Y)
    proba = clf.predict_proba(X)[1]
    leaves = clf.apply(X)
    assert len(np.unique(leaves)) == 4
    paths = clf.decision_path(X).tocsc()
    labelled = ~np.isnan(other)
    for leaf in np.unique(leaves):
        node = leaf
        while not np.any(labelled & (paths[:, node].toarray().ravel() > 0)):
            node = np.flatnonzero(
                (clf.tree_.children_left == node) | (clf.tree_.children_right == node)
            )[0]
        rows = labelled & (paths[:, node].toarray().ravel() > 0)
        expected = np.bincount(other[rows].astype(int), minlength=2) / rows.sum()
        np.testing.assert_allclose(proba[leaves == leaf], [expected] * np.sum(leaves == leaf))
    # the leaf of samples 2 and 3 has no label of task 1: it used an ancestor
    assert not labelled[leaves == leaves[2]].any()


def test_missing_label_prior_keeps_classifier_splits_on_labelled_tasks(tie_data):
    """Missing labels only in a zero-weight task leave the tree unchanged."""
    X, Y = tie_data
    Y_missing = Y.astype(float)
    Y_missing[::3, 2] = np.nan
    a = SharedTreeClassifier(task_weights=[1, 1, 0], random_state=0).fit(X, Y)
    b = SharedTreeClassifier(task_weights=[1, 1, 0], random_state=0).fit(X, Y_missing)
    assert same_structure(a.tree_, b.tree_)


def test_hidden_labels_cost_little_accuracy(digits):
    X_train, X_test, Y_train, Y_test = digits
    full = SharedForestClassifier(n_estimators=30, random_state=0).fit(X_train, Y_train)
    hidden = SharedForestClassifier(n_estimators=30, random_state=0)
    hidden.fit(X_train, hide(Y_train, 0.3))
    assert hidden.score(X_test, Y_test) > full.score(X_test, Y_test) - 0.03


# ------------------------------------------------------------ inputs
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_sparse_input_matches_dense(cls, digits):
    X_train, X_test, Y_train, _ = digits
    dense = make(cls).fit(X_train, Y_train)
    sp = make(cls).fit(sparse.csr_matrix(X_train), Y_train)
    np.testing.assert_array_equal(
        dense.predict(X_test), sp.predict(sparse.csr_matrix(X_test))
    )


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("task_weights", [None, [1, 2, 3]])
def test_missing_feature_values(cls, task_weights, digits):
    X_train, X_test, Y_train, Y_test = digits
    X_nan = X_train.copy()
    X_nan[np.random.RandomState(0).uniform(size=X_nan.shape) < 0.1] = np.nan
    clf = make(cls, task_weights=task_weights).fit(X_nan, Y_train)
    assert clf.__sklearn_tags__().input_tags.allow_nan
    X_test = X_test.copy()
    X_test[:, 10] = np.nan
    assert clf.score(X_test, Y_test) > 0.6


def test_sample_weight_zero_equals_dropping_rows(digits):
    X_train, X_test, Y_train, _ = digits
    weight = np.ones(len(X_train))
    weight[::4] = 0
    keep = weight > 0
    for task_weights in (None, [1, 2, 3]):
        a = SharedTreeClassifier(task_weights=task_weights, random_state=0)
        a.fit(X_train, hide(Y_train, 0.2), sample_weight=weight)
        b = SharedTreeClassifier(task_weights=task_weights, random_state=0)
        b.fit(X_train[keep], hide(Y_train, 0.2)[keep])
        for p, q in zip(a.predict_proba(X_test), b.predict_proba(X_test)):
            np.testing.assert_allclose(p, q)


# ------------------------------------------------------------ forest extras
def test_oob_score_is_per_task(digits):
    X_train, X_test, Y_train, Y_test = digits
    clf = SharedForestClassifier(n_estimators=30, oob_score=True, random_state=0)
    clf.fit(X_train, hide(Y_train, 0.2))
    assert [p.shape for p in clf.oob_decision_function_] == [
        (len(X_train), 10), (len(X_train), 2), (len(X_train), 2)
    ]
    assert abs(clf.oob_score_ - clf.score(X_test, Y_test)) < 0.05
    y = clf.oob_decision_function_[1]
    np.testing.assert_allclose(y.sum(axis=1), 1.0)


def test_oob_warns_when_a_sample_is_never_out_of_bag(digits):
    X_train, _, Y_train, _ = digits
    clf = SharedForestClassifier(n_estimators=2, oob_score=True, random_state=0)
    with pytest.warns(UserWarning, match="out-of-bag"):
        clf.fit(X_train[:50], Y_train[:50])
    assert np.isnan(clf.oob_decision_function_[0]).any()


def test_extra_trees_splitter(digits):
    X_train, X_test, Y_train, Y_test = digits
    clf = SharedForestClassifier(
        n_estimators=10, splitter="random", bootstrap=False, task_weights=[1, 2, 2],
        random_state=0,
    ).fit(X_train, Y_train)
    assert type(clf.estimator_).__name__ == "ExtraTreesRegressor"
    assert clf.score(X_test, Y_test) > 0.8


# ------------------------------------------------------ composition, state
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pickle_round_trip(cls, digits):
    X_train, X_test, Y_train, _ = digits
    clf = make(cls, task_weights=[1, 2, 0]).fit(X_train, hide(Y_train, 0.1))
    clone = pickle.loads(pickle.dumps(clf))
    for p, q in zip(clf.predict_proba(X_test), clone.predict_proba(X_test)):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_same_random_state_same_model(cls, digits):
    X_train, X_test, Y_train, _ = digits
    params = {"task_weights": [1, 2, 3], "max_features": "sqrt"}
    a = make(cls, **params).fit(X_train, Y_train)
    b = make(cls, **params).fit(X_train, Y_train)
    for p, q in zip(a.predict_proba(X_test), b.predict_proba(X_test)):
        np.testing.assert_array_equal(p, q)


def test_pipeline_and_grid_search_over_task_weights(digits):
    X_train, X_test, Y_train, Y_test = digits
    pipe = make_pipeline(StandardScaler(), SharedTreeClassifier(max_depth=6, random_state=0))
    grid = GridSearchCV(
        pipe,
        {"sharedtreeclassifier__task_weights": [None, [1, 0, 0], [1, 3, 3]]},
        cv=3,
    ).fit(X_train, Y_train)
    assert len(grid.cv_results_["mean_test_score"]) == 3
    assert grid.best_params_["sharedtreeclassifier__task_weights"] != [1, 0, 0]
    assert grid.score(X_test, Y_test) > 0.7


def test_apply_and_decision_path_shapes(digits):
    X_train, X_test, Y_train, _ = digits
    forest = SharedForestClassifier(n_estimators=4, random_state=0).fit(X_train, Y_train)
    assert forest.apply(X_test).shape == (len(X_test), 4)
    indicator, ptr = forest.decision_path(X_test)
    assert indicator.shape == (len(X_test), ptr[-1])
    tree = SharedTreeClassifier(random_state=0).fit(X_train, Y_train)
    assert tree.decision_path(X_test).shape == (len(X_test), tree.tree_.node_count)
    assert tree.get_n_leaves() == len(np.unique(tree.apply(X_train)))
