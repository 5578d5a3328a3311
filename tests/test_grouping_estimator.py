"""TaskGroupingEstimator: task grouping over mixed classification and
regression targets."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, r2_score

from sklearn_mtl import MultiTaskEstimator, TaskGroupingEstimator

NET = MultiTaskEstimator(hidden_layer_sizes=(16,), max_epochs=15, lr=0.02, batch_size=32,
                         random_state=0)
KINDS = {"price": "regression", "cut": "classification", "size": "regression",
         "color": "classification"}


@pytest.fixture(scope="module")
def data():
    """Two blocks, each a noisy continuous target and a noisy class of the
    same signal: (price, cut) and (size, color)."""
    rng = np.random.RandomState(0)
    n = 300
    X = rng.normal(size=(n, 6))
    s, u = X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]
    Y = pd.DataFrame({"price": 100 * (s + 0.5 * rng.normal(size=n)),
                      "cut": np.where(s + 0.5 * rng.normal(size=n) > 0, "good", "fair"),
                      "size": u + 0.5 * rng.normal(size=n),
                      "color": np.where(u + 0.5 * rng.normal(size=n) > 0, "D", "E")})
    return X, Y


@pytest.fixture(scope="module")
def auto(data):
    X, Y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return TaskGroupingEstimator(NET, random_state=0).fit(X, Y)


def test_auto_finds_the_two_mixed_blocks(auto):
    assert auto.task_kinds_ == KINDS
    assert auto.groups_ == [["price", "cut"], ["size", "color"]]
    assert auto.affinity_[0, 1] > 0.5 and auto.affinity_[2, 3] > 0.5  # rank correlation ratio
    assert auto.affinity_[0, 2] < 0.2 and auto.affinity_[1, 3] < 0.2  # Spearman, Cramér's V
    alone = {entry["group"][0]: entry["scores"][0] for entry in auto.search_history_[:4]}
    assert all(0.5 < score <= 1.0 for score in alone.values())


def test_each_group_estimator_gets_its_tasks_kinds(auto):
    assert [e.task_kinds for e in auto.estimators_] == [
        {"price": "regression", "cut": "classification"},
        {"size": "regression", "color": "classification"},
    ]
    assert [e.task_kinds_ for e in auto.estimators_] == [e.task_kinds for e in auto.estimators_]


def test_predictions_and_probabilities_are_the_group_estimators(auto, data):
    X, _ = data
    pred = auto.predict(X)
    assert pred.shape == (300, 4) and pred.dtype == object
    for columns, estimator in zip([[0, 1], [2, 3]], auto.estimators_):
        theirs = estimator.predict(X)
        np.testing.assert_array_equal(pred[:, columns[0]].astype(float),
                                      theirs[:, 0].astype(float))
        assert pred[:, columns[1]].tolist() == theirs[:, 1].tolist()
    proba = auto.predict_proba(X)
    assert list(proba) == ["cut", "color"]
    np.testing.assert_array_equal(proba["cut"], auto.estimators_[0].predict_proba(X)["cut"])
    np.testing.assert_array_equal(proba["color"],
                                  auto.estimators_[1].predict_proba(X)["color"])


def test_score_is_the_mean_of_each_kinds_default_score(auto, data):
    X, Y = data
    pred = auto.predict(X)
    expected = [r2_score(Y["price"], pred[:, 0].astype(float)),
                accuracy_score(Y["cut"], pred[:, 1].tolist()),
                r2_score(Y["size"], pred[:, 2].astype(float)),
                accuracy_score(Y["color"], pred[:, 3].tolist())]
    np.testing.assert_allclose(auto.task_scores(X, Y), expected)
    assert auto.score(X, Y) == pytest.approx(np.mean(expected))


def test_task_kinds_override_reaches_the_groups(data):
    X, Y = data
    Y = Y.assign(rating=np.arange(300) % 5)  # few integers: classification by the rule
    model = TaskGroupingEstimator(
        MultiTaskEstimator(hidden_layer_sizes=(8,), max_epochs=2, random_state=0),
        task_kinds={"rating": "regression"},
        task_groups=[["rating", "cut"], ["price"], ["size", "color"]],
    ).fit(X, Y)
    assert model.task_kinds_["rating"] == "regression"
    assert model.estimators_[0].task_kinds == {"rating": "regression", "cut": "classification"}
    assert model.estimators_[1].task_kinds == "regression"
    pred = model.predict(X)
    assert pred.shape == (300, 5) and isinstance(pred[0, 4], float)


def test_group_kinds_follow_the_names_the_inner_estimator_sees():
    from sklearn_mtl._grouping._base import _group_kinds

    kinds = ["regression", "classification", "regression"]
    assert _group_kinds(kinds, ["task_kinds"], None, (2, 1)) == {
        "task_kinds": {"task_0": "regression", "task_1": "classification"}}
    assert _group_kinds(kinds, ["est__task_kinds"], np.array(["a", "b", "c"]), (2, 1)) == {
        "est__task_kinds": {"c": "regression", "b": "classification"}}
    assert _group_kinds(kinds, ["task_kinds"], None, (0, 2)) == {"task_kinds": "regression"}
    assert _group_kinds(kinds, [], None, (0, 1)) == {}


def test_dask_input_predicts_block_by_block_as_in_memory(auto, data):
    da = pytest.importorskip("dask.array")
    X, _ = data
    lazy = auto.predict(da.from_array(X, chunks=(100, 6)))
    assert lazy.dtype == object
    assert lazy.compute().tolist() == auto.predict(X).tolist()
