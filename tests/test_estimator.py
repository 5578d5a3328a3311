"""MultiTaskEstimator: mixed classification and regression targets."""

import pickle

import numpy as np
import pandas as pd
import pytest
from _estimators import REGRESSION_NET
from sklearn.base import clone
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mtl import MultiTaskClassifier, MultiTaskEstimator, MultiTaskRegressor

NET = dict(REGRESSION_NET, max_epochs=30)


def make_mixed(n=240, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5))
    s = X[:, 0] + X[:, 1]
    Y = pd.DataFrame({
        "price": 1e3 * (2 * s + X[:, 2]) + 50 * rng.normal(size=n),
        "cut": np.where(s > 0.5, "ideal", np.where(s < -0.5, "fair", "good")),
        "sold": s - X[:, 3] > 0,
    })
    Y.loc[::7, "price"] = np.nan
    Y.loc[2::9, "cut"] = None
    return X, Y


@pytest.fixture(scope="module")
def data():
    return make_mixed()


@pytest.fixture(scope="module")
def fitted(data):
    X, Y = data
    return MultiTaskEstimator(**NET).fit(X, Y)


def test_kinds_are_inferred_and_recorded(fitted):
    assert fitted.task_kinds_ == {"price": "regression", "cut": "classification",
                                  "sold": "classification"}
    assert fitted.classes_["cut"].tolist() == ["fair", "good", "ideal"]
    assert set(fitted.classes_) == {"cut", "sold"}


def test_predict_gives_values_and_labels_and_scores_per_kind(fitted, data):
    X, Y = data
    pred = fitted.predict(X)
    assert pred.shape == (X.shape[0], 3) and pred.dtype == object
    assert isinstance(pred[0, 0], float) and pred[0, 1] in ("fair", "good", "ideal")
    scores = fitted.task_scores(X, Y)
    price = Y["price"].notna().to_numpy()
    cut = Y["cut"].notna().to_numpy()
    assert scores[0] == pytest.approx(r2_score(Y["price"][price], pred[price, 0].astype(float)))
    assert scores[1] == pytest.approx(accuracy_score(Y["cut"][cut], pred[cut, 1].astype(str)))
    assert scores[0] > 0.8 and scores[1] > 0.8 and scores[2] > 0.8
    assert fitted.score(X, Y) == pytest.approx(scores.mean())


def test_predict_proba_by_task_name(fitted, data):
    X, _ = data
    proba = fitted.predict_proba(X[:4])
    assert set(proba) == {"cut", "sold"}
    assert proba["cut"].shape == (4, 3) and proba["sold"].shape == (4, 2)
    np.testing.assert_allclose(proba["cut"].sum(axis=1), 1, rtol=1e-6)
    codes = proba["cut"].argmax(axis=1)
    assert fitted.predict(X[:4])[:, 1].tolist() == fitted.classes_["cut"][codes].tolist()
    regression_only = MultiTaskEstimator(**dict(NET, max_epochs=1)).fit(
        X, _[["price"]])
    with pytest.raises(AttributeError, match="needs a classification task"):
        regression_only.predict_proba(X)


def test_task_kinds_override_and_errors(data):
    X, Y = data
    model = MultiTaskEstimator(**dict(NET, max_epochs=1),
                               task_kinds={"sold": "regression"}).fit(X, Y)
    assert model.task_kinds_["sold"] == "regression"
    assert model.predict(X).shape == (X.shape[0], 3)
    with pytest.raises(ValueError, match="unknown task"):
        MultiTaskEstimator(task_kinds={"size": "regression"}).fit(X, Y)
    with pytest.raises(ValueError, match=r"task_kinds\['cut'\] must be one of"):
        MultiTaskEstimator(task_kinds={"cut": "ranking"}).fit(X, Y)
    with pytest.raises(ValueError, match="'cut' is a regression task"):
        MultiTaskEstimator(task_kinds="regression").fit(X, Y)


def test_one_kind_matches_the_specialised_estimators(data):
    X, Y = data
    params = dict(NET, max_epochs=3)
    labels = Y[["cut", "sold"]]
    mixed = MultiTaskEstimator(**params).fit(X, labels)
    clf = MultiTaskClassifier(**params).fit(X, labels)
    for name, proba in zip(["cut", "sold"], clf.predict_proba(X)):
        np.testing.assert_array_equal(mixed.predict_proba(X)[name], proba)
    values = Y[["price"]]
    np.testing.assert_array_equal(MultiTaskEstimator(**params).fit(X, values).predict(X),
                                  MultiTaskRegressor(**params).fit(X, values).predict(X))


@pytest.mark.parametrize("params", [dict(architecture="tabm", n_members=4),
                                    dict(architecture="mmoe", n_experts=2),
                                    dict(binning="tree"), dict(weighting="pcgrad")])
def test_architectures_learn_mixed_targets(data, params):
    X, Y = data
    model = MultiTaskEstimator(**dict(NET, max_epochs=40), **params).fit(X, Y)
    assert np.all(model.task_scores(X, Y) > 0.7)


def test_pipeline_grid_search_cross_validate_and_pickle(data):
    X, Y = data
    pipe = make_pipeline(StandardScaler(), MultiTaskEstimator(**dict(NET, max_epochs=5)))
    search = GridSearchCV(pipe, {"multitaskestimator__lr": [0.01, 0.02]}, cv=2).fit(X, Y)
    assert search.best_params_["multitaskestimator__lr"] in (0.01, 0.02)
    results = cross_validate(pipe, X, Y, cv=2)
    assert np.all(np.isfinite(results["test_score"]))
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X), search.best_estimator_.predict(X))


def test_warm_start_and_partial_fit_keep_tasks(data):
    X, Y = data
    model = MultiTaskEstimator(**dict(NET, max_epochs=1), warm_start=True).fit(X, Y)
    model.fit(X, Y[["sold", "price", "cut"]])  # matched by name
    assert model.n_iter_ == 2
    with pytest.raises(ValueError, match="not seen during fit"):
        model.fit(X, Y.assign(cut="premium"))
    stream = clone(model).set_params(warm_start=False)
    stream.partial_fit(X[:120], Y[:120]).partial_fit(X[120:], Y[120:])
    assert stream.n_iter_ == 2


def test_partial_fit_takes_the_classes_by_name_or_per_task(data):
    # a stream whose first batch lacks a class: declared up front, the later
    # batch's label trains; without them it is refused
    X, Y = data
    first = Y["cut"] != "ideal"
    Xa, Ya, Xb, Yb = X[first], Y[first], X[~first], Y[~first]
    kinds = {"price": "regression", "cut": "classification", "sold": "classification"}
    params = dict(NET, task_kinds=kinds)
    plain = MultiTaskEstimator(**params).partial_fit(Xa, Ya)
    assert plain.classes_["cut"].tolist() == ["fair", "good"]
    with pytest.raises(ValueError, match="ideal"):
        plain.partial_fit(Xb, Yb)
    cut = ["fair", "good", "ideal"]
    by_name = MultiTaskEstimator(**params).partial_fit(Xa, Ya, classes={"cut": cut})
    assert by_name.classes_["cut"].tolist() == cut
    assert by_name._task_set[1].classes_.tolist() == cut
    assert by_name.predict_proba(X[:3])["cut"].shape == (3, 3)
    by_name.partial_fit(Xb, Yb).partial_fit(Xb, Yb, classes={"cut": cut})
    assert by_name.n_iter_ == 3
    # the codes of the first batch follow the declared classes: the same
    # network as declaring them per task, in column order
    per_task = MultiTaskEstimator(**params).partial_fit(
        Xa, Ya, classes=[None, cut, [False, True]])
    np.testing.assert_array_equal(per_task.predict_proba(X)["cut"],
                                  MultiTaskEstimator(**params).partial_fit(
                                      Xa, Ya, classes={"cut": cut}).predict_proba(X)["cut"])
    with pytest.raises(ValueError, match="classes of the first call"):
        by_name.partial_fit(Xb, Yb, classes={"cut": [*cut, "premium"]})
    assert by_name.classes_["cut"].tolist() == cut  # a refused call changes nothing
    with pytest.raises(ValueError, match="regression task"):
        MultiTaskEstimator(**params).partial_fit(Xa, Ya, classes={"price": [1.0]})
    with pytest.raises(ValueError, match="not tasks of y"):
        MultiTaskEstimator(**params).partial_fit(Xa, Ya, classes={"colour": ["red"]})
    with pytest.raises(ValueError, match="one entry per task"):
        MultiTaskEstimator(**params).partial_fit(Xa, Ya, classes=[cut])
    with pytest.raises(ValueError, match="lacks|not in"):
        MultiTaskEstimator(**params).partial_fit(Xa, Ya, classes={"cut": ["fair"]})
