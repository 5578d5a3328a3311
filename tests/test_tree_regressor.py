"""SharedTreeRegressor and SharedForestRegressor: the weighted variance of the
standardised targets, exactly; missing targets left out of the leaves."""

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from _estimators import REGRESSORS, estimator_id, make_regression_tasks
from sklearn.base import clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeRegressor

from sklearn_mtl import SharedForestRegressor, SharedTreeRegressor

regressors = pytest.mark.parametrize("estimator", REGRESSORS, ids=estimator_id)


@pytest.fixture(scope="module")
def complete():
    """Three tasks in very different units, no target missing."""
    return make_regression_tasks(n=200, missing=False)


@pytest.fixture(scope="module")
def holes():
    """The same tasks with some targets missing (NaN)."""
    return make_regression_tasks(n=200)


def standardised(Y):
    """Each column's (y - mean) / std, computed column by column: the same
    floating-point operations as the tasks' (a 2D mean sums in another
    order, and a last-bit difference can break a tie between splits)."""
    return np.column_stack([(y - y.mean()) / y.std() for y in Y.T])


def same_structure(a, b):
    return (
        a.node_count == b.node_count
        and np.array_equal(a.feature, b.feature)
        and np.array_equal(a.threshold, b.threshold)
    )


# ---------------------------------------------------------------- exactness
@pytest.mark.parametrize("params", [{}, {"max_depth": 4}, {"ccp_alpha": 0.01},
                                    {"min_impurity_decrease": 0.01}, {"max_leaf_nodes": 9},
                                    {"max_features": 2, "splitter": "random"}])
def test_equal_weights_is_sklearn_multi_output_tree_on_standardised_targets(params, complete):
    X, Y = complete
    ours = SharedTreeRegressor(task_weights=[2, 2, 2], random_state=0, **params).fit(X, Y)
    ref = DecisionTreeRegressor(random_state=0, **params).fit(X, standardised(Y))
    assert same_structure(ours.tree_, ref.tree_)
    np.testing.assert_allclose(
        ours.predict(X), ref.predict(X) * Y.std(axis=0) + Y.mean(axis=0), rtol=1e-12
    )
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_)


def test_equal_weight_forest_is_sklearn_random_forest(complete):
    """Bootstrap, max_features and random_state as RandomForestRegressor's."""
    X, Y = complete
    params = dict(n_estimators=8, max_features=0.5, max_samples=0.8, random_state=3)
    ours = SharedForestRegressor(oob_score=True, **params).fit(X, Y)
    ref = RandomForestRegressor(oob_score=True, **params).fit(X, standardised(Y))
    for a, b in zip(ours.estimator_.estimators_, ref.estimators_):
        assert same_structure(a.tree_, b.tree_)
    np.testing.assert_allclose(
        ours.predict(X), ref.predict(X) * Y.std(axis=0) + Y.mean(axis=0), rtol=1e-12
    )
    assert ours.oob_score_ == pytest.approx(ref.oob_score_, rel=1e-12)
    np.testing.assert_allclose(
        ours.oob_prediction_, ref.oob_prediction_ * Y.std(axis=0) + Y.mean(axis=0), rtol=1e-12
    )


def test_task_weights_scale_each_task_variance(complete):
    """Weights (1, 4, 0): the tree of columns sqrt(w_j)-scaled, task 2 not in it."""
    X, Y = complete
    ours = SharedTreeRegressor(task_weights=[1, 4, 0], random_state=0).fit(X, Y)
    Z = standardised(Y)
    ref = DecisionTreeRegressor(random_state=0).fit(X, Z[:, :2] * [0.5, 1.0])
    assert same_structure(ours.tree_, ref.tree_)
    # every task still gets its leaf means, task 2 counted in the leaves
    leaves = ours.apply(X)
    for leaf in np.unique(leaves)[:20]:
        np.testing.assert_allclose(ours.predict(X[leaves == leaf][:1])[0],
                                   Y[leaves == leaf].mean(axis=0), rtol=1e-10)


def test_only_weight_ratios_shape_the_tree(complete):
    X, Y = complete
    a = SharedTreeRegressor(task_weights=[1, 2, 3], random_state=0).fit(X, Y)
    b = SharedTreeRegressor(task_weights=[10, 20, 30], random_state=0).fit(X, Y)
    assert same_structure(a.tree_, b.tree_)
    single = SharedTreeRegressor(task_weights=[0, 1, 0], random_state=0).fit(X, Y)
    assert not same_structure(a.tree_, single.tree_)
    ref = DecisionTreeRegressor(random_state=0).fit(X, standardised(Y)[:, 1])
    assert same_structure(single.tree_, ref.tree_)


@pytest.mark.parametrize("factor, depth", [(2.0**-10, 5), (2.0**20, 5), (1e-3, 3), (1e6, 3)])
def test_units_change_nothing_but_the_units(factor, depth, holes):
    """A power of two rescales exactly, so even the ties between equally
    good splits of small nodes break the same way; other factors round the
    standardised targets in the last bit, which can break an exact tie the
    other way deep in a tree, so they are checked on shallower trees."""
    X, Y = holes
    scaled = Y * [1.0, factor, 1.0]
    for estimator in REGRESSORS:
        a = clone(estimator).set_params(max_depth=depth).fit(X, Y)
        b = clone(estimator).set_params(max_depth=depth).fit(X, scaled)
        np.testing.assert_allclose(b.predict(X), a.predict(X) * [1.0, factor, 1.0],
                                   rtol=1e-9)
        assert b.score(X, scaled) == pytest.approx(a.score(X, Y), rel=1e-9)


# ---------------------------------------------------------- missing targets
@regressors
def test_missing_targets_are_left_out_of_the_leaves(estimator, holes):
    X, Y = holes
    model = clone(estimator).set_params(min_samples_leaf=10)
    model.set_params(**({"bootstrap": False} if hasattr(model, "bootstrap") else {}))
    model.fit(X, Y)
    pred = model.predict(X)
    assert np.isfinite(pred).all()
    trees = getattr(model.estimator_, "estimators_", [model.estimator_])
    leaves = np.column_stack([tree.apply(X.astype(np.float32)) for tree in trees])
    expected = np.zeros_like(Y)
    for t in range(leaves.shape[1]):
        for leaf in np.unique(leaves[:, t]):
            rows = leaves[:, t] == leaf
            for j in range(Y.shape[1]):
                observed = Y[rows, j][~np.isnan(Y[rows, j])]
                assert observed.size  # 10 samples, at most 1 or 2 missing

                expected[rows, j] += observed.mean()
    np.testing.assert_allclose(pred, expected / leaves.shape[1], rtol=1e-9)


def test_a_leaf_without_observed_target_takes_its_parent_mean():
    X = np.arange(8, dtype=float)[:, None]
    Y = np.column_stack([[0, 0, 0, 0, 10, 10, 20, 20], [1, 1, 2, 2, np.nan, 5, np.nan, np.nan]])
    tree = SharedTreeRegressor(task_weights=[1, 0], random_state=0).fit(X, Y)
    pred = tree.predict(X)
    np.testing.assert_allclose(pred[:, 0], Y[:, 0])
    # leaves {0..3}, {4, 5}, {6, 7}; the last has no observed task-1 target,
    # so it takes its parent {4..7}'s mean, 5 (not the root's 2.2)
    assert tree.get_n_leaves() == 3
    np.testing.assert_allclose(pred[:, 1], [1.5, 1.5, 1.5, 1.5, 5, 5, 5, 5])


# ------------------------------------------------------------------- the API
def test_import_does_not_import_torch():
    code = ("import sys, sklearn_mtl; sklearn_mtl.SharedTreeRegressor; "
            "sklearn_mtl.SharedForestRegressor; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@regressors
def test_1d_target_gives_1d_predictions_and_r2(estimator, complete):
    X, Y = complete
    model = clone(estimator).fit(X[:150], Y[:150, 1])
    pred = model.predict(X[150:])
    assert pred.shape == (50,) and pred.dtype == np.float64
    assert model.score(X[150:], Y[150:, 1]) == pytest.approx(r2_score(Y[150:, 1], pred))


@regressors
def test_score_is_mean_r2_over_observed_targets(estimator, holes):
    X, Y = holes
    model = clone(estimator).fit(X[:150], Y[:150])
    pred = model.predict(X[150:])
    assert pred.shape == (50, 3)
    per_task = [r2_score(Y[150:, j][~np.isnan(Y[150:, j])], pred[:, j][~np.isnan(Y[150:, j])])
                for j in range(3)]
    assert model.score(X[150:], Y[150:]) == pytest.approx(np.mean(per_task))
    np.testing.assert_allclose(model.task_scores(X[150:], Y[150:]), per_task)


@regressors
def test_dataframe_tasks_by_name_and_dict_weights(estimator, holes):
    X, Y = holes
    Ydf = pd.DataFrame(Y, columns=["a", "b", "c"])
    model = clone(estimator).set_params(task_weights={"b": 3}).fit(X, Ydf)
    assert list(model.task_names_) == ["a", "b", "c"]
    np.testing.assert_array_equal(model.task_weights_, [1, 3, 1])
    assert model.score(X, Ydf[["c", "a", "b"]]) == pytest.approx(model.score(X, Ydf))
    with pytest.raises(ValueError, match="d"):
        model.score(X, Ydf.rename(columns={"c": "d"}))


@regressors
def test_pickle_round_trip_predicts_the_same(estimator, holes):
    X, Y = holes
    model = clone(estimator).fit(X, Y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    np.testing.assert_allclose(again.loc_, np.nanmean(Y, axis=0), rtol=1e-12)


@regressors
def test_same_random_state_same_model_and_inputs_untouched(estimator, holes):
    X, Y = holes
    X0, Y0 = X.copy(), Y.copy()
    a = clone(estimator).fit(X, Y).predict(X)
    b = clone(estimator).fit(X, Y).predict(X)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


def test_forest_threads_give_the_same_forest(holes):
    X, Y = holes
    one = SharedForestRegressor(n_estimators=6, n_jobs=1, random_state=0).fit(X, Y)
    two = SharedForestRegressor(n_estimators=6, n_jobs=2, random_state=0).fit(X, Y)
    np.testing.assert_allclose(one.predict(X), two.predict(X), rtol=1e-12)


def test_default_max_features_is_random_forest_regressor_s():
    assert SharedForestRegressor().max_features == RandomForestRegressor().max_features


@pytest.mark.parametrize("params, name", [({"task_weights": [1, -1, 1]}, "task_weights"),
                                          ({"task_weights": [1, 1]}, "task_weights"),
                                          ({"max_depth": 0}, "max_depth"),
                                          ({"splitter": "worst"}, "splitter")])
def test_bad_parameters_name_themselves(params, name, holes):
    X, Y = holes
    with pytest.raises(ValueError, match=name):
        SharedTreeRegressor(**params).fit(X, Y)


def test_non_numeric_target_is_refused(holes):
    X, _ = holes
    y = np.where(X[:, 0] > 0, "up", "down")
    with pytest.raises(ValueError, match="non-numeric"):
        SharedTreeRegressor().fit(X, y)


def test_grid_search_over_weights(holes):
    X, Y = holes
    search = GridSearchCV(SharedTreeRegressor(max_depth=4, random_state=0),
                          {"task_weights": [None, [1, 0, 0]]}, cv=3).fit(X, Y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all() and scores[0] != scores[1]
    assert search.best_estimator_.predict(X).shape == (200, 3)
