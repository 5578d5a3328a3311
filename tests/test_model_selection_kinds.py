"""compare_with_single_task and task_affinity on regression and mixed targets:
each task's kind gives its default score, its floor and its reference."""

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold
from sklearn.multioutput import MultiOutputRegressor

from sklearn_mtl import MultiTaskEstimator, MultiTaskRegressor
from sklearn_mtl.model_selection import compare_with_single_task, task_affinity

CV = KFold(2, shuffle=True, random_state=0)
NET = dict(hidden_layer_sizes=(8,), max_epochs=8, lr=0.02, early_stopping=False,
           random_state=0)


def make_mixed(n=90, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    Y = pd.DataFrame({
        "price": 50.0 * X[:, 0] + 20.0 * X[:, 1] + rng.normal(size=n),
        "cut": np.where(X[:, 0] + X[:, 2] > 0, "ideal", "fair"),
    })
    Y.loc[::8, "price"] = np.nan
    return X, Y


@pytest.fixture(scope="module")
def mixed_result():
    X, Y = make_mixed()
    return compare_with_single_task(MultiTaskEstimator(**NET), X, Y, cv=CV), X, Y


def _fold_scores(model, X, y, score):
    """Score of ``model`` fitted on each training fold, on its test fold,
    rows with a missing target left out."""
    y = pd.Series(y)
    out = []
    for train, test in CV.split(X):
        train, test = train[y.iloc[train].notna()], test[y.iloc[test].notna()]
        fitted = model.fit(X[train], y.iloc[train])
        out.append(score(y.iloc[test], fitted.predict(X[test])))
    return np.array(out)


def test_mixed_comparison_uses_each_kinds_score_floor_and_reference(mixed_result):
    result, X, Y = mixed_result
    assert result.task_kinds == ["regression", "classification"]
    assert result.task_metrics == ["r2", "accuracy"]
    assert result.reference_name == (
        "HistGradientBoostingRegressor/HistGradientBoostingClassifier")
    floor = _fold_scores(DummyRegressor(), X, Y["price"], r2_score)
    np.testing.assert_allclose(result.majority_scores[:, 0], floor)
    assert np.all(result.majority_scores[:, 0] <= 0.0)  # the mean scores no R²
    hgb = _fold_scores(HistGradientBoostingRegressor(random_state=0), X, Y["price"], r2_score)
    np.testing.assert_allclose(result.reference_scores[:, 0], hgb)
    hgb_cut = _fold_scores(HistGradientBoostingClassifier(random_state=0), X, Y["cut"],
                           accuracy_score)
    np.testing.assert_allclose(result.reference_scores[:, 1], hgb_cut)


def test_mixed_comparison_reports_the_metric_of_each_task(mixed_result):
    result = mixed_result[0]
    text = str(result)
    assert "accuracy or r2 by task kind" in text.splitlines()[0]
    header = text.splitlines()[1].split()
    assert header[:2] == ["task", "metric"] and "floor" in header
    assert text.splitlines()[2].split()[:2] == ["price", "r2"]
    assert result.to_dict()["task_metrics"] == {"price": "r2", "cut": "accuracy"}
    assert result.to_dict()["task_kinds"] == {"price": "regression", "cut": "classification"}


def test_comparison_gives_every_fit_the_kinds_found_on_all_of_y():
    # an integer column declared a regression target by name, on a plain
    # array: the single-task fits see a 1D column, the multi-task fit task_j
    rng = np.random.RandomState(1)
    X = rng.normal(size=(80, 3))
    Y = np.column_stack([np.round(10 * X[:, 0]), X[:, 1] > 0]).astype(float)
    est = MultiTaskEstimator(task_kinds={"task_0": "regression"}, **NET)
    result = compare_with_single_task(est, X, Y, cv=CV, reference="none")
    assert result.task_kinds == ["regression", "classification"]
    assert result.task_metrics == ["r2", "accuracy"]
    assert np.all(result.majority_scores[:, 0] <= 0.0)


def test_regressor_comparison_and_refusals():
    X, Y = make_mixed()
    Y = Y.assign(price=Y["price"].fillna(0.0), cut=X[:, 3] * 3.0 + 0.1)
    reg = MultiOutputRegressor(LinearRegression())
    result = compare_with_single_task(reg, X, Y, cv=CV, reference="none")
    assert result.scoring == "r2" and result.task_kinds == ["regression"] * 2
    assert result.mtl_mean[1] == pytest.approx(1.0)
    assert "training mean" in str(result) or "floor" in str(result)
    with pytest.raises(ValueError, match="Task 'price' is a regression task, but accuracy"):
        compare_with_single_task(reg, X, Y, cv=CV, reference="none", scoring="accuracy")
    with pytest.raises(ValueError, match="reference is a classifier, but task 'price'"):
        compare_with_single_task(reg, X, Y, cv=CV,
                                 reference=HistGradientBoostingClassifier())
    mae = compare_with_single_task(reg, X, Y, cv=CV, reference="none",
                                   scoring="neg_mean_absolute_error")
    assert np.all(mae.mtl_mean <= 0.0) and mae.task_metrics == ["neg_mean_absolute_error"] * 2


def test_task_affinity_of_a_regressor_scores_r2():
    X, Y = make_mixed()
    Y = Y.assign(cut=X[:, 0] - X[:, 1])
    result = task_affinity(MultiTaskRegressor(**NET), X, Y, cv=CV)
    assert result.scoring == "r2"
    assert result.scores.shape == (2, 2, 2)
    single = _fold_scores(MultiTaskRegressor(**NET), X, Y["cut"].to_numpy(), r2_score)
    np.testing.assert_allclose(result.scores[:, 1, 1], single)
