"""TaskGroupingRegressor: the grouping meta-estimator on regression targets,
and the per-row R² terms its "auto" search validates groups with."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import r2_score
from sklearn.multioutput import MultiOutputRegressor
from sklearn.svm import SVR

from sklearn_mtl import SharedTreeRegressor, TaskGroupingRegressor

TREE = SharedTreeRegressor(max_depth=3, random_state=0)
NAMES = ["a", "b", "c", "d", "noise"]


@pytest.fixture(scope="module")
def data():
    """Two blocks of two noisy views of one signal each, in very different
    units (a, b of one signal; c, d of another), a pure-noise target, and a
    few missing targets."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 6))
    s, u = X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]
    units = np.array([1, 1e3, 1, 1e-3, 1])
    Y = (np.column_stack([s, s, u, u, np.zeros(400)])
         + 0.5 * rng.normal(size=(400, 5))) * units
    Y[::13, 1] = np.nan
    Y[5::17, 2] = np.nan
    return X, pd.DataFrame(Y, columns=NAMES)


@pytest.fixture(scope="module")
def auto(data):
    X, Y = data
    return TaskGroupingRegressor(TREE, random_state=0).fit(X, Y)


def test_auto_finds_the_two_blocks_and_leaves_noise_alone(auto):
    assert auto.groups_ == [["a", "b"], ["c", "d"], ["noise"]]
    assert auto.affinity_.shape == (5, 5)
    assert auto.affinity_[0, 1] > 0.7 and auto.affinity_[2, 3] > 0.7
    assert auto.affinity_[0, 2] < 0.2 and auto.affinity_[0, 4] < 0.2
    kept = [entry["group"] for entry in auto.search_history_ if entry["accepted"]]
    assert ["a", "b"] in kept and ["c", "d"] in kept
    alone = {entry["group"][0]: entry["scores"][0] for entry in auto.search_history_[:5]}
    assert alone["a"] > 0.5 and alone["noise"] < 0.1  # validation R², not accuracy


def test_predictions_are_the_inner_estimators_on_each_group(auto, data):
    X, Y = data
    pred = auto.predict(X)
    assert pred.shape == (400, 5) and pred.dtype == np.float64
    for names, estimator in zip(auto.groups_, auto.estimators_):
        columns = [NAMES.index(name) for name in names]
        refit = clone(TREE).fit(X, Y[names]) if len(names) > 1 else None
        if refit is not None:  # the group's own fit, refitted by hand
            np.testing.assert_array_equal(pred[:, columns], refit.predict(X))
        np.testing.assert_array_equal(
            pred[:, columns], np.asarray(estimator.predict(X)).reshape(400, -1))


def test_explicit_groups_by_name_are_reassembled_in_the_order_of_y(data):
    X, Y = data
    model = TaskGroupingRegressor(TREE, task_groups=[["noise", "a"], ["d", "b", "c"]])
    model.fit(X, Y)
    assert model.groups_ == [["noise", "a"], ["d", "b", "c"]]
    pred = model.predict(X)
    np.testing.assert_array_equal(pred[:, [4, 0]], clone(TREE).fit(X, Y[["noise", "a"]])
                                  .predict(X))
    np.testing.assert_array_equal(pred[:, [3, 1, 2]], clone(TREE).fit(X, Y[["d", "b", "c"]])
                                  .predict(X))


def test_all_is_the_estimator_itself_and_single_one_fit_per_task(data):
    X, Y = data
    together = TaskGroupingRegressor(TREE, task_groups="all").fit(X, Y)
    np.testing.assert_array_equal(together.predict(X), clone(TREE).fit(X, Y).predict(X))
    apart = TaskGroupingRegressor(TREE, task_groups="single").fit(X, Y)
    for t, name in enumerate(NAMES):
        observed = Y[name].notna().to_numpy()
        alone = clone(TREE).fit(X[observed], Y[name][observed])
        np.testing.assert_array_equal(apart.predict(X)[:, t], alone.predict(X))


def test_task_weights_are_split_by_name(data):
    X, Y = data
    model = TaskGroupingRegressor(
        clone(TREE).set_params(task_weights={"b": 3.0, "d": 0.5}),
        task_groups=[["a", "b"], ["c", "d"], ["noise"]],
    ).fit(X, Y)
    assert [list(e.task_weights) for e in model.estimators_[:2]] == [[1.0, 3.0], [1.0, 0.5]]
    assert model.estimators_[2].task_weights == [1.0]


def test_score_is_the_mean_r2_over_observed_targets(auto, data):
    X, Y = data
    pred = auto.predict(X)
    per_task = []
    for t, name in enumerate(NAMES):
        observed = Y[name].notna().to_numpy()
        per_task.append(r2_score(Y[name][observed], pred[observed, t]))
    np.testing.assert_allclose(auto.task_scores(X, Y), per_task)
    assert auto.score(X, Y) == pytest.approx(np.mean(per_task))
    assert auto.score(X, Y[NAMES[::-1]]) == pytest.approx(auto.score(X, Y))  # by name


def test_units_do_not_change_the_groups(auto, data):
    X, Y = data
    scaled = Y * [1e6, 1e-4, 1.0, 1e5, 1.0]
    again = TaskGroupingRegressor(TREE, random_state=0).fit(X, scaled)
    assert again.groups_ == auto.groups_
    np.testing.assert_allclose(again.affinity_, auto.affinity_)


def test_1d_target_gives_1d_float_predictions(data):
    X, Y = data
    model = TaskGroupingRegressor(TREE, random_state=0).fit(X, Y["a"].to_numpy())
    assert model.groups_ == [["task_0"]]
    pred = model.predict(X)
    assert pred.shape == (400,) and pred.dtype == np.float64
    assert model.score(X, Y["a"]) == pytest.approx(r2_score(Y["a"], pred))


def test_one_output_regressor_is_refused_for_groups_and_wrapped_works(data):
    X, Y = data
    with pytest.raises(ValueError, match=r"MultiOutputRegressor\(SVR"):
        TaskGroupingRegressor(SVR(), task_groups="all").fit(X, Y[["a", "c"]].to_numpy())
    wrapped = TaskGroupingRegressor(MultiOutputRegressor(SVR()), task_groups="all")
    Yc = Y[["a", "c"]].fillna(0.0)
    np.testing.assert_array_equal(wrapped.fit(X, Yc).predict(X),
                                  MultiOutputRegressor(SVR()).fit(X, Yc).predict(X))


def test_non_numeric_target_is_refused_by_name(data):
    X, _ = data
    Y = pd.DataFrame({"price": np.arange(400.0), "cut": ["good"] * 400})
    with pytest.raises(ValueError, match="'cut' is a regression task but holds non-numeric"):
        TaskGroupingRegressor(TREE).fit(X, Y)


# ------------------------------------------------------- per-row R² terms
def test_r2_terms_average_to_r2_on_the_labelled_rows():
    from sklearn_mtl._grouping._search import ROW_SCORES
    from sklearn_mtl._targets import task_labels

    rng = np.random.RandomState(1)
    y = rng.normal(size=40) * 50 + 7
    y[::6] = np.nan
    pred = y + rng.normal(size=40) * 20
    rows = np.arange(3, 40, 2)
    (task,), _ = task_labels(y)
    terms = ROW_SCORES["regression"](pred[rows], task, rows)  # predictions on rows
    observed = ~np.isnan(y[rows])
    assert np.isnan(terms[~observed]).all()
    assert np.nanmean(terms) == pytest.approx(r2_score(y[rows][observed],
                                                       pred[rows][observed]))


def test_pickle_and_grid_search_over_task_groups(auto, data):
    import pickle

    from sklearn.model_selection import GridSearchCV, KFold

    X, Y = data
    again = pickle.loads(pickle.dumps(auto))
    np.testing.assert_array_equal(again.predict(X), auto.predict(X))
    search = GridSearchCV(TaskGroupingRegressor(TREE, random_state=0),
                          {"task_groups": ["all", "single"]}, cv=KFold(3)).fit(X, Y)
    assert search.best_params_["task_groups"] in ("all", "single")
    assert search.best_estimator_.score(X, Y) == pytest.approx(search.score(X, Y))


def test_dask_input_predicts_block_by_block_as_in_memory(auto, data):
    da = pytest.importorskip("dask.array")
    X, _ = data
    lazy = auto.predict(da.from_array(X, chunks=(150, 6)))
    assert lazy.dtype == np.float64
    np.testing.assert_array_equal(lazy.compute(), auto.predict(X))
