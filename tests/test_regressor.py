"""MultiTaskRegressor: continuous tasks on a shared network, standardised
inside, NaN targets masked, with the classifier's features."""

import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from _estimators import REGRESSION_NET, make_regression_tasks
from sklearn.base import clone
from sklearn.metrics import r2_score

from sklearn_mtl import MultiTaskRegressor


@pytest.fixture(scope="module")
def data():
    return make_regression_tasks()


@pytest.fixture(scope="module")
def fitted(data):
    X, Y = data
    return MultiTaskRegressor(**REGRESSION_NET).fit(X, Y)


def _observed_r2(Y, pred):
    scores = []
    for j in range(Y.shape[1]):
        keep = ~np.isnan(Y[:, j])
        scores.append(r2_score(Y[keep, j], pred[keep, j]))
    return np.array(scores)


def test_predicts_every_task_in_its_units_and_scores_mean_r2(fitted, data):
    X, Y = data
    pred = fitted.predict(X)
    assert pred.shape == Y.shape and pred.dtype == np.float64
    per_task = _observed_r2(Y, pred)
    assert np.all(per_task > 0.8), per_task
    assert fitted.score(X, Y) == pytest.approx(per_task.mean())
    np.testing.assert_allclose(fitted.task_scores(X, Y), per_task)
    assert fitted.loc_ == pytest.approx(np.nanmean(Y, axis=0))
    assert fitted.scale_ == pytest.approx(np.nanstd(Y, axis=0))
    assert fitted.n_tasks_ == 3 and fitted.task_names_.tolist() == ["task_0", "task_1",
                                                                    "task_2"]


def test_a_1d_target_gives_1d_predictions_and_r2(data):
    X, Y = data
    y = Y[:, 1]
    model = MultiTaskRegressor(**REGRESSION_NET).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == (X.shape[0],)
    assert model.score(X, y) == pytest.approx(r2_score(y, pred))


@pytest.mark.parametrize("factor", [1e-3, 1e6])
def test_target_units_only_change_the_units_of_predictions(data, fitted, factor):
    X, Y = data
    scaled = Y.copy()
    scaled[:, 1] *= factor
    model = MultiTaskRegressor(**REGRESSION_NET).fit(X, scaled)
    pred, reference = model.predict(X), fitted.predict(X)
    np.testing.assert_allclose(pred[:, 1], reference[:, 1] * factor, rtol=1e-4)
    np.testing.assert_allclose(pred[:, [0, 2]], reference[:, [0, 2]], rtol=1e-4)


def test_missing_targets_are_left_out_of_loss_and_score(data):
    X, Y = data
    model = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=2)).fit(X, Y)
    with_nan = Y.copy()
    with_nan[::5, 1] = np.nan
    a = clone(model).fit(X, with_nan)
    assert np.isfinite(a.history_[-1, "train_loss_task_1"])
    assert np.isfinite(a.predict(X)).all()
    assert a.loc_[1] == pytest.approx(np.nanmean(with_nan[:, 1]))
    keep = ~np.isnan(with_nan[:, 1])
    assert a.task_scores(X, with_nan)[1] == pytest.approx(
        r2_score(with_nan[keep, 1], a.predict(X)[keep, 1]))


def test_huber_loss_is_used_when_asked(data):
    X, Y = data
    params = dict(REGRESSION_NET, max_epochs=3)
    squared = MultiTaskRegressor(**params).fit(X, Y)
    huber = MultiTaskRegressor(**params, regression_loss="huber").fit(X, Y)
    assert not np.allclose(squared.predict(X), huber.predict(X))
    assert huber.net_.task_loss_.regression_loss == "huber"
    with pytest.raises(ValueError, match="regression_loss"):
        MultiTaskRegressor(regression_loss="absolute").fit(X, Y)


@pytest.mark.parametrize("params", [
    dict(architecture="mmoe", n_experts=2),
    dict(architecture="tabm", n_members=4),
    dict(num_embeddings="piecewise_linear", binning="tree"),
    dict(num_embeddings="periodic"),
    dict(weighting="gradnorm"),
    dict(weighting="pcgrad"),
    dict(weighting="uncertainty", head_hidden_size=8),
])
def test_architectures_embeddings_and_weightings_learn(data, params):
    X, Y = data
    model = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=60), **params).fit(X, Y)
    assert model.score(X, Y) > 0.7


def test_early_stopping_watches_the_standardised_validation_loss(data):
    X, Y = data
    model = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=300, early_stopping=True,
                                      n_iter_no_change=5)).fit(X, Y)
    assert model.n_iter_ < 300
    valid = model.history_[:, "valid_loss_task_1"]
    # task 1 is in units of 1e4, yet its loss is that of a standardised target
    assert np.all(np.isfinite(valid)) and min(valid) < 1.0


def test_non_numeric_targets_are_refused_by_name(data):
    X, _ = data
    Y = pd.DataFrame({"price": np.arange(X.shape[0], dtype=float),
                      "cut": ["a", "b"] * (X.shape[0] // 2)})
    with pytest.raises(ValueError, match="'cut' is a regression task but holds non-numeric"):
        MultiTaskRegressor(**REGRESSION_NET).fit(X, Y)


def test_named_tasks_are_matched_by_name(data):
    X, Y = data
    Ydf = pd.DataFrame(Y, columns=["a", "b", "c"])
    model = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=3)).fit(X, Ydf)
    permuted = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=3)).fit(
        X, Ydf[["c", "a", "b"]])
    np.testing.assert_allclose(permuted.predict(X), model.predict(X)[:, [2, 0, 1]],
                               rtol=1e-5)
    assert model.score(X, Ydf[["b", "c", "a"]]) == pytest.approx(model.score(X, Ydf))


def test_warm_start_and_partial_fit_keep_the_standardisation(data):
    X, Y = data
    model = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=2), warm_start=True)
    model.fit(X, Y)
    loc = model.loc_.copy()
    model.fit(X, Y * 3)
    assert model.n_iter_ == 4 and np.array_equal(model.loc_, loc)
    stream = MultiTaskRegressor(**REGRESSION_NET)
    stream.partial_fit(X[:120], Y[:120])
    first = stream.loc_.copy()
    stream.partial_fit(X[120:], Y[120:])
    assert stream.n_iter_ == 2 and np.array_equal(stream.loc_, first)
    with pytest.raises(ValueError, match="2 task column"):
        stream.partial_fit(X, Y[:, :2])
    # epochs by partial_fit equal epochs by fit
    steps = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=1))
    steps.partial_fit(X, Y).partial_fit(X, Y)
    whole = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=2)).fit(X, Y)
    np.testing.assert_array_equal(steps.predict(X), whole.predict(X))


def test_pickle_and_threads_give_the_same_predictions(fitted, data):
    X, _ = data
    expected = fitted.predict(X)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), expected)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: fitted.predict(X), range(8)))
    for result in results:
        np.testing.assert_array_equal(result, expected)


def test_same_random_state_same_model(data):
    X, Y = data
    params = dict(REGRESSION_NET, max_epochs=3)
    a = MultiTaskRegressor(**params).fit(X, Y).predict(X)
    b = MultiTaskRegressor(**params).fit(X, Y).predict(X)
    np.testing.assert_array_equal(a, b)


def test_rows_without_any_target_are_not_trained_on(data):
    # -1.0 is an ordinary standardised value of a regression task, never a
    # missing one: only all-NaN rows are left out of the training batches
    X, Y = data
    Y = Y.astype(float).copy()
    Y[::4] = np.nan
    Y[1::4, 0] = np.nan
    Y[1::4, 1] = -1.0
    params = dict(REGRESSION_NET, input_normalization=None, num_embeddings=None,
                  early_stopping=False)
    with_empty = MultiTaskRegressor(**params).fit(X, Y)
    kept = ~np.isnan(Y).all(axis=1)
    without = MultiTaskRegressor(**params).fit(X[kept], Y[kept])
    np.testing.assert_array_equal(with_empty.predict(X), without.predict(X))
    trained = sum(b["train_batch_size"] for b in with_empty.history_[-1]["batches"]
                  if "train_batch_size" in b)
    assert trained == kept.sum()
