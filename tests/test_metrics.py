import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.multioutput import MultiOutputClassifier

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.metrics import (
    make_task_scorer,
    make_task_scorers,
    multitask_gain,
    per_task_score,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    Y = np.column_stack(
        [
            X[:, 0] > 0,  # learnable
            rng.randint(3, size=80),  # noise, 3 classes
        ]
    ).astype(int)
    return X, Y


@pytest.fixture(scope="module")
def multioutput(data):
    X, Y = data
    return MultiOutputClassifier(LogisticRegression()).fit(X, Y)


@pytest.fixture(scope="module")
def neural(data):
    X, Y = data
    frame = pd.DataFrame(Y, columns=["sign", "noise"])
    return MultiTaskClassifier(hidden_layer_sizes=(8,), max_epochs=5, random_state=0).fit(
        X, frame
    )


# ------------------------------------------------------------ per_task_score
def test_per_task_score_leaves_out_missing_labels():
    Y_true = np.array([[0, 1], [1, np.nan], [1, 0], [0, 0]])
    Y_pred = np.array([[0, 1], [1, 1], [0, 0], [0, 1]])
    expected = [accuracy_score([0, 1, 1, 0], [0, 1, 0, 0]), accuracy_score([1, 0, 0], [1, 0, 1])]
    np.testing.assert_allclose(per_task_score(Y_true, Y_pred), expected)


def test_per_task_score_names_tasks_of_a_dataframe_with_pd_na():
    Y_true = pd.DataFrame(
        {"a": pd.array([1, 0, pd.NA, 1], dtype="Int64"), "b": ["x", None, "y", "y"]}
    )
    Y_pred = np.array([[1, "x"], [1, "y"], [0, "y"], [1, "x"]], dtype=object)
    scores = per_task_score(Y_true, Y_pred)
    assert list(scores.index) == ["a", "b"]
    np.testing.assert_allclose(scores.to_numpy(), [2 / 3, 2 / 3])


def test_per_task_score_passes_kwargs_and_sample_weight():
    Y_true = np.array([[0, 1], [1, 1], [1, 0], [0, 0]])
    Y_pred = np.array([[0, 1], [0, 1], [1, 1], [0, 0]])
    weights = np.array([1.0, 3.0, 1.0, 1.0])
    scores = per_task_score(Y_true, Y_pred, score_func=f1_score, average="macro",
                            sample_weight=weights)
    expected = f1_score(Y_true[:, 0], Y_pred[:, 0], average="macro", sample_weight=weights)
    assert scores[0] == pytest.approx(expected)


def test_per_task_score_with_predict_proba(multioutput, data):
    X, Y = data
    proba = multioutput.predict_proba(X)
    auc = per_task_score(Y[:, :1], proba[:1], score_func=roc_auc_score)
    assert auc[0] == pytest.approx(roc_auc_score(Y[:, 0], proba[0][:, 1]))
    losses = per_task_score(Y, proba, score_func=log_loss)
    assert losses[1] == pytest.approx(log_loss(Y[:, 1], proba[1]))


def test_per_task_score_single_task_proba_array(multioutput, data):
    X, Y = data
    proba = multioutput.predict_proba(X)[1]
    assert per_task_score(Y[:, 1], proba, score_func=log_loss)[0] == pytest.approx(
        log_loss(Y[:, 1], proba)
    )


def test_per_task_score_task_without_labels_is_nan():
    Y_true = np.array([[0, np.nan], [1, np.nan]])
    with pytest.warns(UserWarning, match="no labelled sample"):
        scores = per_task_score(Y_true, np.array([[0, 1], [1, 1]]))
    assert scores[0] == 1.0 and np.isnan(scores[1])


@pytest.mark.parametrize(
    "Y_pred, match",
    [(np.zeros((3, 2)), "Y_pred must be labels"), (np.zeros((4, 3)), "Y_pred must be labels")],
)
def test_per_task_score_rejects_mismatched_predictions(Y_pred, match):
    with pytest.raises(ValueError, match=match):
        per_task_score(np.zeros((4, 2)), Y_pred)


def test_per_task_score_mixed_type_predictions_of_a_fitted_model(neural, data):
    X, Y = data
    Y_mixed = pd.DataFrame({"sign": Y[:, 0] == 1, "noise": Y[:, 1]})
    clf = MultiTaskClassifier(hidden_layer_sizes=(8,), max_epochs=3, random_state=0)
    pred = clf.fit(X, Y_mixed).predict(X)
    assert pred.dtype == object
    scores = per_task_score(Y_mixed, pred)
    assert scores["sign"] == pytest.approx(accuracy_score(Y_mixed["sign"], pred[:, 0].astype(bool)))


# ------------------------------------------------------------------ scorers
@pytest.mark.parametrize("task", [0, 1])
def test_task_scorer_selects_the_task(multioutput, data, task):
    X, Y = data
    score = make_task_scorer(accuracy_score, task=task)(multioutput, X, Y)
    assert score == accuracy_score(Y[:, task], multioutput.predict(X)[:, task])


def test_task_scorer_predict_proba_uses_positive_class(multioutput, data):
    X, Y = data
    scorer = make_task_scorer(roc_auc_score, task=0, response_method="predict_proba")
    assert scorer(multioutput, X, Y) == pytest.approx(
        roc_auc_score(Y[:, 0], multioutput.predict_proba(X)[0][:, 1])
    )
    loss = make_task_scorer("neg_log_loss", task=1)(multioutput, X, Y)
    assert loss == pytest.approx(-log_loss(Y[:, 1], multioutput.predict_proba(X)[1]))


def test_task_scorer_with_random_forest(data):
    X, Y = data
    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, Y)
    scorer = make_task_scorer(roc_auc_score, task=0, response_method="predict_proba")
    assert scorer(forest, X, Y) == pytest.approx(
        roc_auc_score(Y[:, 0], forest.predict_proba(X)[0][:, 1])
    )


def test_task_scorer_by_name(neural, data):
    X, Y = data
    expected = accuracy_score(Y[:, 1], neural.predict(X)[:, 1])
    by_names = make_task_scorer(accuracy_score, task="noise")
    assert by_names(neural, X, Y) == pytest.approx(expected)  # via task_names_
    frame = pd.DataFrame(Y, columns=["sign", "noise"])
    assert by_names(neural, X, frame) == pytest.approx(expected)  # via the columns


def test_task_scorer_skips_missing_labels(multioutput, data):
    X, Y = data
    Y_missing = Y.astype(float)
    Y_missing[::2, 0] = np.nan
    score = make_task_scorer(accuracy_score, task=0)(multioutput, X, Y_missing)
    assert score == accuracy_score(Y[1::2, 0], multioutput.predict(X[1::2])[:, 0])


@pytest.mark.parametrize(
    "task, exc, match",
    [
        ("nope", ValueError, "not one of the tasks"),
        (5, ValueError, "out of range"),
    ],
)
def test_task_scorer_rejects_unknown_tasks(neural, data, task, exc, match):
    X, Y = data
    with pytest.raises(exc, match=match):
        make_task_scorer(accuracy_score, task=task)(neural, X, Y)


def test_task_scorer_name_needs_names(multioutput, data):
    X, Y = data
    with pytest.raises(ValueError, match="task_names_"):
        make_task_scorer(accuracy_score, task="sign")(multioutput, X, Y)


@pytest.mark.parametrize("score_func, task", [(3.0, 0), (accuracy_score, 1.5)])
def test_make_task_scorer_validates_arguments(score_func, task):
    with pytest.raises(TypeError):
        make_task_scorer(score_func, task=task)


def test_make_task_scorers_with_cross_validate(data):
    X, Y = data
    scorers = make_task_scorers(accuracy_score, 2)
    assert list(scorers) == ["task_0", "task_1", "mean"]
    cv = KFold(2, shuffle=True, random_state=0)
    out = cross_validate(MultiOutputClassifier(LogisticRegression()), X, Y, cv=cv,
                         scoring=scorers)
    np.testing.assert_allclose(out["test_mean"], (out["test_task_0"] + out["test_task_1"]) / 2)
    for fold, (train, test) in enumerate(cv.split(X)):
        clf = MultiOutputClassifier(LogisticRegression()).fit(X[train], Y[train])
        assert out["test_task_0"][fold] == accuracy_score(Y[test, 0], clf.predict(X[test])[:, 0])


def test_make_task_scorers_validates_tasks():
    with pytest.raises(ValueError, match="tasks"):
        make_task_scorers(accuracy_score, [])
    with pytest.raises(ValueError, match="mean"):
        make_task_scorers(accuracy_score, ["mean", "b"])


def test_grid_search_tunes_task_weights_for_a_primary_task(data):
    X, Y = data
    frame = pd.DataFrame(Y, columns=["sign", "noise"])
    grid = GridSearchCV(
        MultiTaskClassifier(hidden_layer_sizes=(8,), max_epochs=5, lr=0.05, random_state=0),
        {"task_weights": [{"noise": 0.0}, {"noise": 1.0}]},
        scoring=make_task_scorers(accuracy_score, ["sign", "noise"]),
        refit="sign",
        cv=2,
    ).fit(X, frame)
    best = np.argmax(grid.cv_results_["mean_test_sign"])
    assert grid.best_params_ == grid.cv_results_["params"][best]
    assert grid.best_estimator_.task_weights_.tolist() in ([1.0, 0.0], [1.0, 1.0])


# --------------------------------------------------------------------- gain
def test_multitask_gain_known_values():
    assert multitask_gain([0.9, 0.8], [0.8, 0.8]) == pytest.approx(0.0625)
    np.testing.assert_allclose(
        multitask_gain([0.2, 0.5], [0.4, 0.5], higher_is_better=False, average=False), [0.5, 0]
    )
    mixed = multitask_gain([0.9, 0.2], [0.8, 0.4], higher_is_better=[True, False], average=False)
    np.testing.assert_allclose(mixed, [0.125, 0.5])


def test_multitask_gain_of_negated_losses_equals_that_of_losses():
    assert multitask_gain([-0.3], [-0.5]) == pytest.approx(
        multitask_gain([0.3], [0.5], higher_is_better=False)
    )


@given(st.lists(st.floats(0.05, 1.0), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_multitask_gain_properties(scores, rnd):
    assert multitask_gain(scores, scores) == 0.0
    order = list(range(len(scores)))
    rnd.shuffle(order)
    mtl = [s * 1.1 for s in scores]
    assert multitask_gain(mtl, scores) == pytest.approx(0.1)
    assert multitask_gain([mtl[i] for i in order], [scores[i] for i in order]) == pytest.approx(
        multitask_gain(mtl, scores)
    )


@pytest.mark.parametrize(
    "mtl, stl, kwargs, match",
    [
        ([0.5], [0.0], {}, "non-zero"),
        ([0.5, 0.4], [0.5], {}, "same length"),
        ([0.5], [0.4], {"higher_is_better": "yes"}, "higher_is_better"),
        ([0.5, 0.4], [0.5, 0.4], {"higher_is_better": [True]}, "higher_is_better"),
    ],
)
def test_multitask_gain_rejects_bad_input(mtl, stl, kwargs, match):
    with pytest.raises(ValueError, match=match):
        multitask_gain(mtl, stl, **kwargs)


# ------------------------------------------------------------ names beat positions
@pytest.mark.parametrize("columns", [["noise", "sign"], ["noise"], ["sign"]])
def test_task_scorers_match_y_true_columns_to_the_tasks_by_name(neural, data, columns):
    """y_true's columns in another order, or a subset: each is scored against
    the estimator's task of that name, never the one at its position."""
    X, Y = data
    pred = pd.DataFrame(neural.predict(X), columns=["sign", "noise"])
    frame = pd.DataFrame(Y, columns=["sign", "noise"])[columns]
    expected = {c: accuracy_score(frame[c], pred[c]) for c in columns}
    for key, scorer in make_task_scorers(accuracy_score, columns).items():
        wanted = np.mean(list(expected.values())) if key == "mean" else expected[key]
        assert scorer(neural, X, frame) == pytest.approx(wanted), key
    first = make_task_scorer(accuracy_score, task=0)  # an index is a column of y_true
    assert first(neural, X, frame) == pytest.approx(expected[columns[0]])


def test_task_scorer_refuses_a_column_the_estimator_has_no_task_for(neural, data):
    X, Y = data
    frame = pd.DataFrame(Y, columns=["sign", "other"])
    with pytest.raises(ValueError, match=r"y columns \['other'\] are not tasks of the "
                                         r"estimator.*\['sign', 'noise'\]"):
        make_task_scorer(accuracy_score)(neural, X, frame)


def test_task_scorer_reads_a_dataframe_by_position_for_an_estimator_fitted_on_arrays(
        multioutput, data):
    X, Y = data
    frame = pd.DataFrame(Y, columns=["x", "y"])
    expected = accuracy_score(Y[:, 1], multioutput.predict(X)[:, 1])
    assert make_task_scorer(accuracy_score, task="y")(multioutput, X, frame) == expected


def test_per_task_score_matches_dataframe_predictions_by_name():
    Y_true = pd.DataFrame({"a": [0, 1, 1, 0], "b": [1, 1, 0, 0]})
    Y_pred = pd.DataFrame({"b": [1, 1, 0, 1], "a": [0, 1, 1, 0]})
    pd.testing.assert_series_equal(
        per_task_score(Y_true, Y_pred), pd.Series([1.0, 0.75], index=["a", "b"], name="score")
    )
    with pytest.raises(ValueError, match=r"Y_pred columns .* missing \['a'\], unexpected \['c'\]"):
        per_task_score(Y_true, Y_pred.rename(columns={"a": "c"}))


@pytest.mark.parametrize("tasks", [["a", "a"], [0, 0], ["task_1", 1]])
def test_make_task_scorers_refuses_repeated_tasks(tasks):
    with pytest.raises(ValueError, match="tasks must name each task once"):
        make_task_scorers(accuracy_score, tasks)


@pytest.mark.parametrize("as_series", [False, True])
def test_multitask_gain_matches_named_scores_by_name(as_series):
    def named(**scores):
        return pd.Series(scores) if as_series else scores

    gains = multitask_gain(named(a=0.9, b=0.8), named(b=0.8, a=0.8), average=False)
    assert dict(gains) == {"a": pytest.approx(0.125), "b": 0.0}
    lower_b = multitask_gain(named(a=0.9, b=0.4), named(b=0.5, a=0.9),
                             higher_is_better=named(b=False, a=True), average=False)
    assert dict(lower_b) == {"a": 0.0, "b": pytest.approx(0.2)}
    with pytest.raises(ValueError, match=r"stl_scores must name the same tasks .* "
                                         r"missing \['b'\], unexpected \['c'\]"):
        multitask_gain(named(a=0.9, b=0.8), named(a=0.8, c=0.8))


def test_multitask_gain_refuses_an_underflowing_reference():
    with pytest.raises(ValueError, match="overflows: stl_scores .*too close to 0"):
        multitask_gain([0.9, 0.5], [1e-320, 0.5])


# ------------------------------------------------ errors in the package's words
def test_task_scorer_names_a_response_method_the_estimator_lacks(data):
    from sklearn.svm import LinearSVC

    X, Y = data
    svc = MultiOutputClassifier(LinearSVC()).fit(X, Y)
    for scorer in (make_task_scorer(log_loss, task=0, response_method="predict_proba"),
                   make_task_scorer("neg_log_loss", task=0)):
        with pytest.raises(TypeError, match="response_method='predict_proba'.*"
                                            "MultiOutputClassifier does not have"):
            scorer(svc, X, Y)


def test_roc_auc_on_a_multi_class_task_names_the_task_and_the_metric(neural, multioutput, data):
    X, Y = data
    frame = pd.DataFrame(Y, columns=["sign", "noise"])
    match = "Task 'noise' has 3 classes, but roc_auc is for binary tasks; use the 'roc_auc_ovr'"
    with pytest.raises(ValueError, match=match):
        make_task_scorer("roc_auc", task="noise")(neural, X, frame)
    with pytest.raises(ValueError, match=match):
        per_task_score(frame, neural.predict_proba(X), score_func=roc_auc_score)
    ovr = make_task_scorer("roc_auc_ovr", task="noise")(neural, X, frame)
    assert ovr == pytest.approx(roc_auc_score(Y[:, 1], neural.predict_proba(X)[1],
                                              multi_class="ovr"))


@pytest.mark.parametrize("weights, match", [
    (np.full(80, np.nan), "sample_weight contains NaN"),
    (np.r_[-1.0, np.ones(79)], "Negative values in data passed to `sample_weight`"),
    (np.ones(3), r"sample_weight must have shape \(80,\)"),
])
def test_bad_sample_weight_is_refused_by_every_score(multioutput, data, weights, match):
    X, Y = data
    with pytest.raises(ValueError, match=match):
        per_task_score(Y, multioutput.predict(X), sample_weight=weights)
    with pytest.raises(ValueError, match=match):
        make_task_scorer(accuracy_score)(multioutput, X, Y, sample_weight=weights)


# ------------------------------------------------------------ tasks of every kind
def _mixed_data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    Y = pd.DataFrame({
        "price": 100.0 * X[:, 0] + 5.0 * rng.normal(size=n),
        "cut": np.where(X[:, 1] > 0, "ideal", "fair"),
    })
    Y.loc[::9, "price"] = np.nan
    return X, Y


@pytest.fixture(scope="module")
def mixed():
    from sklearn_mtl import MultiTaskEstimator

    X, Y = _mixed_data()
    est = MultiTaskEstimator(hidden_layer_sizes=(16,), max_epochs=40, lr=0.02,
                             early_stopping=False, random_state=0).fit(X, Y)
    return est, X, Y


def test_per_task_score_defaults_to_each_kinds_score():
    from sklearn.metrics import r2_score

    X, Y = _mixed_data()
    pred = Y.copy()
    pred["price"] = pred["price"].fillna(0.0) + 10.0
    pred.loc[:5, "cut"] = "fair"
    scores = per_task_score(Y, pred)
    observed = Y["price"].notna()
    assert scores["price"] == pytest.approx(r2_score(Y["price"][observed], pred["price"][observed]))
    assert scores["cut"] == pytest.approx(accuracy_score(Y["cut"], pred["cut"]))
    # integer-valued columns are classes by default, unless declared regression
    Y_int = np.array([[1, 2], [2, 4], [3, 6], [4, 9]])
    P_int = np.array([[1, 2], [2, 4], [3, 6], [4, 8]])
    assert per_task_score(Y_int, P_int).tolist() == [1.0, 0.75]
    declared = per_task_score(Y_int, P_int, task_kinds="regression")
    assert declared[1] == pytest.approx(r2_score(Y_int[:, 1], P_int[:, 1]))


def test_per_task_score_refuses_a_metric_of_the_other_kind_naming_the_task():
    X, Y = _mixed_data()
    with pytest.raises(ValueError, match="Task 'price' is a regression task, but accuracy_score"):
        per_task_score(Y, Y.fillna(0.0), score_func=accuracy_score)
    with pytest.raises(ValueError, match="task_kinds names unknown task"):
        per_task_score(Y, Y, task_kinds={"size": "regression"})


def test_task_scorers_know_the_kinds_of_a_mixed_estimator(mixed):
    from sklearn.metrics import r2_score

    est, X, Y = mixed
    pred = est.predict(X)
    observed = Y["price"].notna().to_numpy()
    r2 = r2_score(Y["price"][observed], pred[observed, 0].astype(float))
    assert make_task_scorer("r2", task="price")(est, X, Y) == pytest.approx(r2)
    assert make_task_scorer(task="price")(est, X, Y) == pytest.approx(r2)
    assert make_task_scorer(task="cut")(est, X, Y) == pytest.approx(
        accuracy_score(Y["cut"], pred[:, 1].astype(str)))
    assert make_task_scorer()(est, X, Y) == pytest.approx(est.score(X, Y))
    log_loss_cut = make_task_scorer("neg_log_loss", task="cut")(est, X, Y)
    assert log_loss_cut == pytest.approx(
        -log_loss(Y["cut"], est.predict_proba(X)["cut"]), rel=1e-4)
    with pytest.raises(ValueError, match="Task 'price' is a regression task, but accuracy_score"):
        make_task_scorer("accuracy", task="price")(est, X, Y)
    with pytest.raises(ValueError, match="Task 'cut' is a classification task, but r2_score"):
        make_task_scorer("r2", task="cut")(est, X, Y)


def test_task_scorers_in_a_grid_search_of_a_mixed_estimator(mixed):
    est, X, Y = mixed
    search = GridSearchCV(
        est.set_params(max_epochs=5), {"lr": [0.01, 0.02]}, cv=2,
        scoring=make_task_scorers(tasks=["price", "cut"]), refit="price",
    ).fit(X, Y)
    assert {"mean_test_price", "mean_test_cut", "mean_test_mean"} <= set(search.cv_results_)
    assert np.all(search.cv_results_["mean_test_cut"] <= 1.0)


def test_task_scorer_of_scikit_learn_multioutput_regressor():
    from sklearn.linear_model import LinearRegression
    from sklearn.multioutput import MultiOutputRegressor

    X, Y = _mixed_data()
    Y = pd.DataFrame({"price": Y["price"].fillna(0.0), "half": 0.5 * X[:, 2]})
    reg = MultiOutputRegressor(LinearRegression()).fit(X, Y)
    assert make_task_scorer(task="half")(reg, X, Y) == pytest.approx(1.0)
    rmse = make_task_scorer("neg_root_mean_squared_error", task="half")(reg, X, Y)
    assert rmse == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("metric, better", [
    ("r2", True), ("accuracy", True), ("root_mean_squared_error", False),
    ("mean_absolute_error", False), ("log_loss", False), ("neg_log_loss", True),
])
def test_multitask_gain_takes_the_direction_from_the_metric(metric, better):
    expected = multitask_gain([0.9], [0.8], higher_is_better=better)
    assert multitask_gain([0.9], [0.8], metric=metric) == pytest.approx(expected)


def test_multitask_gain_per_task_metrics_negate_errors():
    gains = multitask_gain(
        {"price": 90.0, "cut": 0.84}, {"price": 100.0, "cut": 0.80},
        metric={"cut": "accuracy", "price": "mean_absolute_error"}, average=False)
    assert gains == pytest.approx({"price": 0.1, "cut": 0.05})
    with pytest.raises(ValueError, match="not both"):
        multitask_gain([1.0], [1.0], metric="r2", higher_is_better=True)
    with pytest.raises(ValueError, match="direction is unknown"):
        multitask_gain([1.0], [1.0], metric="my_metric")
