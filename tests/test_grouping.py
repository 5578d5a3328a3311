"""TaskGroupingClassifier: explicit, "all", "single" and "auto" groups."""

import os
import pathlib
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from sklearn_mtl import MultiTaskClassifier, SharedTreeClassifier, TaskGroupingClassifier
from sklearn_mtl.datasets import make_multitask_classification

TREE = SharedTreeClassifier(max_depth=4, random_state=0)


@pytest.fixture(scope="module")
def data():
    """Two clusters of two related tasks, then a pure-noise task; string
    labels on task_1 so that tasks differ in label type."""
    X, Y = make_multitask_classification(
        n_samples=300, groups=[2, 2], n_noise_tasks=1, task_relatedness=0.9, random_state=0
    )
    Y = Y.astype(object)
    Y[:, 1] = np.where(Y[:, 1] == 1, "yes", "no")
    return X, Y


@pytest.fixture(scope="module")
def auto(data):
    X, Y = data
    return TaskGroupingClassifier(TREE, random_state=0).fit(X, Y)


def _fit_alone(X, Y, t):
    return clone(TREE).fit(X, Y[:, t])


# ----------------------------------------------------------- fixed groups
def test_all_is_the_estimator_itself(data):
    X, Y = data
    model = TaskGroupingClassifier(TREE, task_groups="all").fit(X, Y)
    reference = clone(TREE).fit(X, Y)
    assert model.groups_ == [[f"task_{t}" for t in range(5)]]
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    for ours, theirs in zip(model.predict_proba(X), reference.predict_proba(X)):
        np.testing.assert_allclose(ours, theirs)


def test_single_fits_each_task_alone(data):
    X, Y = data
    model = TaskGroupingClassifier(TREE, task_groups="single").fit(X, Y)
    assert model.groups_ == [[f"task_{t}"] for t in range(5)]
    assert len(model.estimators_) == 5
    for t in range(5):
        np.testing.assert_array_equal(model.predict(X)[:, t], _fit_alone(X, Y, t).predict(X))


def test_explicit_groups_by_name_and_index_keep_the_columns_of_y(data):
    X, Y = data
    by_index = TaskGroupingClassifier(TREE, task_groups=[[4], [2], [1], [0], [3]]).fit(X, Y)
    single = TaskGroupingClassifier(TREE, task_groups="single").fit(X, Y)
    np.testing.assert_array_equal(by_index.predict(X), single.predict(X))
    for ours, theirs in zip(by_index.predict_proba(X), single.predict_proba(X)):
        np.testing.assert_allclose(ours, theirs)

    mixed = TaskGroupingClassifier(TREE, task_groups=[["task_3", 0], [4, "task_1", 2]]).fit(X, Y)
    assert mixed.groups_ == [["task_3", "task_0"], ["task_4", "task_1", "task_2"]]
    pair = clone(TREE).fit(X, Y[:, [3, 0]])
    np.testing.assert_array_equal(mixed.predict(X)[:, [3, 0]], pair.predict(X))
    assert set(mixed.predict(X)[:, 1]) == {"yes", "no"}
    assert [len(c) for c in mixed.classes_] == [2, 2, 2, 2, 2]


def test_dataframe_targets_are_grouped_by_column_name(data):
    X, Y = data
    Ydf = pd.DataFrame(Y[:, :3], columns=["c", "a", "b"])
    Xdf = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = TaskGroupingClassifier(TREE, task_groups=[["b", "c"], ["a"]]).fit(Xdf, Ydf)
    assert model.groups_ == [["b", "c"], ["a"]]
    assert list(model.task_names_) == ["c", "a", "b"]
    assert list(model.feature_names_in_) == list(Xdf.columns)
    pred = model.predict(Xdf)
    np.testing.assert_array_equal(pred[:, 1], _fit_alone(X, Y, 1).predict(X))


def test_score_matches_a_dataframe_target_by_column_name(data):
    X, Y = data
    Ydf = pd.DataFrame(Y[:, :3], columns=["c", "a", "b"])
    model = TaskGroupingClassifier(TREE, task_groups=[["b", "c"], ["a"]]).fit(X, Ydf)
    Ydf.iloc[:, 1] = np.roll(Ydf["a"].to_numpy(), 1)  # scores differ per task
    expected = model.score(X, Ydf)
    assert model.score(X, Ydf[["b", "a", "c"]]) == pytest.approx(expected)
    with pytest.raises(ValueError, match="'d'"):
        model.score(X, Ydf.rename(columns={"c": "d"}))


@pytest.mark.parametrize(
    "groups, match",
    [
        ([[0, 1], [1, 2, 3, 4]], r"exactly one group; repeated: \['task_1'\]"),
        ([[0, 1], [2, 3]], r"in no group: \['task_4'\]"),
        ([[0, 1, 2, 3], ["nope"]], "unknown task 'nope'"),
        ([[0, 1, 2, 3], [5]], "task index 5, but Y has 5 task"),
        ([[0, 1, 2, 3], []], "non-empty lists"),
        ([[0, 1, 2, 3], "task_4"], "non-empty lists"),
        ([[0, 1, 2, 3], [True]], "unknown task True"),
        ("some", "task_groups"),
    ],
)
def test_bad_groups_are_refused_with_a_clear_error(data, groups, match):
    X, Y = data
    with pytest.raises(ValueError, match=match):
        TaskGroupingClassifier(TREE, task_groups=groups).fit(X, Y)


def test_groups_is_the_deprecated_name_of_task_groups(data):
    """``groups`` means cross-validation groups elsewhere: the task partition is
    ``task_groups``; the old name works for one release, with a FutureWarning."""
    X, Y = data
    partition = [[0, 1], [2, 3, 4]]
    with pytest.warns(FutureWarning, match="groups was renamed task_groups"):
        old = TaskGroupingClassifier(TREE, groups=partition).fit(X, Y)
    new = TaskGroupingClassifier(TREE, task_groups=partition).fit(X, Y)
    assert old.groups_ == new.groups_ == [["task_0", "task_1"], ["task_2", "task_3", "task_4"]]
    np.testing.assert_array_equal(old.predict(X), new.predict(X))
    with pytest.raises(ValueError, match="set task_groups only"):
        TaskGroupingClassifier(TREE, groups="single", task_groups="all").fit(X, Y)


def test_one_dimensional_target_gives_one_dimensional_outputs(data):
    X, Y = data
    y = Y[:, 1]
    model = TaskGroupingClassifier(TREE).fit(X, y)
    assert model.groups_ == [["task_0"]]
    assert model.predict(X).shape == (300,)
    np.testing.assert_array_equal(model.classes_, ["no", "yes"])
    assert model.predict_proba(X).shape == (300, 2)
    assert model.score(X, y) == np.mean(model.predict(X) == y)


def test_missing_labels_are_left_out_of_fit_and_score(data):
    X, Y = data
    Y = Y.copy()
    Y[::3, 0] = np.nan
    Y[1::4, 3] = None
    model = TaskGroupingClassifier(TREE, task_groups=[[0], [1, 2, 3, 4]]).fit(X, Y)
    labelled = np.arange(300) % 3 != 0
    alone = clone(TREE).fit(X[labelled], Y[labelled, 0].astype(int))
    np.testing.assert_array_equal(model.predict(X)[:, 0], alone.predict(X))
    pred = model.predict(X)
    expected = np.mean([
        np.mean(pred[keep, t] == Y[keep, t])
        for t in range(5)
        for keep in [np.array([v is not None and v == v for v in Y[:, t]])]
    ])
    assert model.score(X, Y) == pytest.approx(expected)


# ------------------------------------------------------------ task weights
NET = MultiTaskClassifier(hidden_layer_sizes=(4,), max_epochs=1, batch_size=64, random_state=0)


@pytest.mark.parametrize("weights", [[1.0, 2.0, 3.0, 4.0, 5.0],
                                     {"task_2": 3.0, "task_0": 1.0, "task_1": 2.0,
                                      "task_3": 4.0, "task_4": 5.0}])
def test_task_weights_are_subset_by_name_for_each_group(data, weights):
    X, Y = data
    net = clone(NET).set_params(task_weights=weights)
    model = TaskGroupingClassifier(net, task_groups=[[2, 0], [1], [3, 4]]).fit(X, Y)
    assert [e.task_weights for e in model.estimators_] == [[3.0, 1.0], [2.0], [4.0, 5.0]]
    assert net.task_weights is weights  # the user's estimator is untouched


def test_task_weights_inside_a_pipeline_are_subset_too(data):
    X, Y = data
    pipe = make_pipeline(StandardScaler(), clone(NET).set_params(task_weights={"task_4": 0.0}))
    model = TaskGroupingClassifier(pipe, task_groups=[[4, 0], [1, 2, 3]]).fit(X, Y)
    weights = [e[-1].task_weights for e in model.estimators_]
    assert weights == [[0.0, 1.0], [1.0, 1.0, 1.0]]


def test_a_group_of_zero_weight_tasks_is_refused(data):
    X, Y = data
    net = clone(NET).set_params(task_weights={"task_4": 0.0})
    with pytest.raises(ValueError, match=r"weight 0 to every task of the group \['task_4'\]"):
        TaskGroupingClassifier(net, task_groups="single").fit(X, Y)


def test_bad_task_weights_are_refused_by_the_shared_check(data):
    X, Y = data
    with pytest.raises(ValueError, match="task_weights names unknown task"):
        TaskGroupingClassifier(clone(NET).set_params(task_weights={"nope": 1.0})).fit(X, Y)


# -------------------------------------------------------------------- auto
def test_auto_recovers_planted_groups_and_leaves_noise_alone(auto):
    assert auto.groups_ == [["task_0", "task_1"], ["task_2", "task_3"], ["task_4"]]
    assert auto.affinity_.shape == (5, 5)
    assert auto.affinity_[0, 1] > 0.3 and auto.affinity_[0, 4] < 0.15
    kept = [entry["group"] for entry in auto.search_history_ if entry["accepted"]]
    assert ["task_0", "task_1"] in kept and ["task_2", "task_3"] in kept


def _rigged_search(monkeypatch, accuracy):
    """Make every search fit score ``accuracy(group, task)`` on each validation row."""
    from sklearn_mtl._grouping import _search

    def fake(fit_group, X_rows, tasks, kinds, group, train, valid):
        return np.array([[accuracy(group, t) for t in group]] * len(valid), dtype=float)

    monkeypatch.setattr(_search, "_fit_and_validate", fake)


def test_auto_shares_everything_when_all_tasks_together_validate_better(data, monkeypatch):
    _rigged_search(monkeypatch, lambda group, t: float(len(group) == 5))
    X, Y = data
    model = TaskGroupingClassifier(TREE, random_state=0).fit(X, Y)
    assert model.groups_ == [[f"task_{t}" for t in range(5)]]  # the noise task included
    assert model.search_history_[-1] == {"group": model.groups_[0], "scores": [1.0] * 5,
                                         "accepted": True}


def test_the_found_partition_is_kept_unless_beaten_by_one_standard_error():
    from sklearn_mtl._grouping._search import _choose_partition

    def hits_missing(rows, n_tasks):
        """Right everywhere except task 0 on ``rows``."""
        hits = np.ones((400, n_tasks))
        hits[rows, 0] = 0.0
        return hits

    everything = (0, 1, 2)
    hits = {(0, 1): hits_missing(range(6), 2), (2,): np.ones((400, 1)),
            (0,): hits_missing(range(10), 1), (1,): np.ones((400, 1)),
            everything: hits_missing(range(10, 14), 3)}  # 6 rows better, 4 worse
    found = {(0, 1): hits[(0, 1)], (2,): hits[(2,)]}
    assert _choose_partition(found, hits, everything) == [[0, 1], [2]]  # within 1 SE
    hits[everything] = np.ones((400, 3))  # 6 rows better, none worse
    assert _choose_partition(found, hits, everything) == [[0, 1, 2]]
    hits[everything], hits[(0,)] = hits_missing(range(20), 3), np.ones((400, 1))
    assert _choose_partition(found, hits, everything) == [[0], [1], [2]]


def test_auto_is_reproducible_and_seeds_unseeded_estimators(data):
    X, Y = data
    tree = SharedTreeClassifier(max_depth=4, max_features=0.5)  # random splits, no seed
    first = TaskGroupingClassifier(tree, random_state=3).fit(X, Y)
    second = TaskGroupingClassifier(tree, random_state=3).fit(X, Y)
    assert first.groups_ == second.groups_
    assert first.search_history_ == second.search_history_
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    assert tree.random_state is None


def test_max_groups_merges_the_most_linked_groups(data):
    X, Y = data
    model = TaskGroupingClassifier(TREE, max_groups=2, random_state=0).fit(X, Y)
    assert len(model.groups_) == 2
    assert sorted(sum(model.groups_, [])) == [f"task_{t}" for t in range(5)]
    assert TaskGroupingClassifier(TREE, max_groups=1, random_state=0).fit(X, Y).groups_ == [
        [f"task_{t}" for t in range(5)]]


@pytest.mark.parametrize("max_candidates, n_pairs", [(0, 0), (2, 2), (5, 3)])
def test_max_candidates_limits_the_fits_of_the_search(monkeypatch, max_candidates, n_pairs):
    from sklearn_mtl._grouping import _search

    monkeypatch.setattr(_search, "_no_worse", lambda merged, apart: False)  # every merge fails
    X, Y = make_multitask_classification(
        n_samples=300, groups=[3], n_noise_tasks=1, task_relatedness=0.9, random_state=0
    )
    model = TaskGroupingClassifier(TREE, max_candidates=max_candidates, random_state=0).fit(X, Y)
    # four tasks alone, the linked set, at most three pairs of it, all tasks together
    assert len(model.search_history_) == 4 + 1 + n_pairs + 1
    pairs = [entry["group"] for entry in model.search_history_[5:5 + n_pairs]]
    assert all(len(p) == 2 and "task_3" not in p for p in pairs)  # the noise task: no pair


def test_search_params_apply_to_the_search_fits_only(data, monkeypatch):
    from sklearn_mtl._grouping import _base

    depths = []
    fit_group = _base._fit_group

    def spy(base, *args, **kwargs):
        depths.append(base.max_depth)
        return fit_group(base, *args, **kwargs)

    monkeypatch.setattr(_base, "_fit_group", spy)
    X, Y = data
    model = TaskGroupingClassifier(TREE, search_params={"max_depth": 1}, random_state=0)
    model.fit(X, Y)
    n_search = len(model.search_history_)
    assert depths == [1] * n_search + [4] * len(model.groups_)
    assert [e.max_depth for e in model.estimators_] == [4] * len(model.groups_)
    with pytest.raises(ValueError, match="search_params: Invalid parameter 'nope'"):
        TaskGroupingClassifier(TREE, search_params={"nope": 1}).fit(X, Y)


def test_auto_without_validation_rows_for_a_task_trains_all_together(data):
    X, Y = data
    Y = Y[:40].copy()
    Y[1:, 2] = np.nan  # one labelled row: it cannot be on both sides of the split
    with pytest.warns(UserWarning, match="could not hold out validation rows"):
        model = TaskGroupingClassifier(TREE, random_state=0).fit(X[:40], Y)
    assert len(model.groups_) == 1


# ------------------------------------------------------------ compatibility
def test_pickle_pipeline_and_grid_search(data, auto):
    X, Y = data
    restored = pickle.loads(pickle.dumps(auto))
    np.testing.assert_array_equal(restored.predict(X), auto.predict(X))

    pipe = make_pipeline(StandardScaler(), TaskGroupingClassifier(TREE, task_groups="single"))
    search = GridSearchCV(
        pipe, {"taskgroupingclassifier__estimator__max_depth": [1, 4]}, cv=KFold(2)
    ).fit(X, Y)
    assert search.best_params_ == {"taskgroupingclassifier__estimator__max_depth": 4}
    assert search.best_estimator_[-1].estimators_[0].max_depth == 4


def test_default_estimator_is_a_multitask_network(data):
    X, Y = data
    model = TaskGroupingClassifier(task_groups="all").fit(X[:60], Y[:60, :2].astype(str))
    assert isinstance(model.estimators_[0], MultiTaskClassifier)
    assert model.estimator is None


def test_label_dependence_measures_each_pair_by_its_kinds():
    from scipy.stats import chi2_contingency, spearmanr

    from sklearn_mtl._grouping._search import label_dependence
    from sklearn_mtl._targets import task_labels

    rng = np.random.RandomState(0)
    n = 200
    price = rng.normal(size=n)
    size = price + 0.5 * rng.normal(size=n)
    cut = (price > 0).astype(int)
    noise = rng.randint(3, size=n)
    Y = np.column_stack([price, size, cut, noise]).astype(float)
    Y[::10, 1] = np.nan
    tasks, _ = task_labels(Y)
    rows = np.arange(n)
    strength, p = label_dependence(
        tasks, rows, ["regression", "regression", "classification", "classification"])
    both = ~np.isnan(Y[:, 1])
    assert strength[0, 1] == pytest.approx(abs(spearmanr(price[both], size[both])[0]))
    table = np.zeros((2, 3))
    np.add.at(table, (cut, noise), 1)
    v = np.sqrt(chi2_contingency(table, correction=False)[0] / n)
    assert strength[2, 3] == pytest.approx(v)
    # a binary class against a regression target: |Spearman| of the codes
    assert strength[0, 2] == pytest.approx(abs(spearmanr(cut, price)[0]))
    assert p[0, 2] < 1e-10 and p[0, 3] > 0.01 and strength[0, 3] < 0.2
    np.testing.assert_allclose(strength, strength.T)
    assert np.all(np.diag(strength) == 1.0)
# ----------------------------------------------- inner estimators of any kind
# scikit-learn's multi-output estimators: SVC's predict (decision function)
# and its Platt-scaled predict_proba disagree on some rows; LinearSVC has no
# predict_proba; a Pipeline's tags say "single output" whatever its last step
def _svc_moc():
    return MultiOutputClassifier(SVC(probability=True, random_state=0))


def _int_labels(Y):
    return np.where(Y == "yes", 1, np.where(Y == "no", 0, Y)).astype(int)


@pytest.mark.parametrize("task_groups", ["all", [[0, 2], [1, 3, 4]], "auto"])
def test_every_group_predicts_what_its_estimator_predicts(data, task_groups):
    X, Y = data
    Y = _int_labels(Y)
    model = TaskGroupingClassifier(_svc_moc(), task_groups=task_groups,
                                   random_state=0).fit(X, Y)
    pred = model.predict(X)
    for group, estimator in zip(model.groups_, model.estimators_):
        columns = [int(name.split("_")[1]) for name in group]
        np.testing.assert_array_equal(pred[:, columns],
                                      np.asarray(estimator.predict(X)).reshape(len(X), -1))
    if task_groups == "all":
        np.testing.assert_array_equal(pred, clone(_svc_moc()).fit(X, Y).predict(X))
    # the probabilities are the estimators' own too (their argmax may differ)
    assert model.score(X, Y) == pytest.approx(np.mean(pred == Y))


@pytest.mark.parametrize("task_groups", ["all", "single", "auto"])
def test_an_estimator_without_predict_proba_predicts_and_scores(data, task_groups):
    X, Y = data
    Y = _int_labels(Y)
    model = TaskGroupingClassifier(MultiOutputClassifier(LinearSVC()), task_groups=task_groups,
                                   random_state=0).fit(X, Y)
    assert model.predict(X).shape == Y.shape
    assert 0.5 < model.score(X, Y) <= 1
    assert not hasattr(model, "predict_proba")
    with pytest.raises(AttributeError, match="has no attribute 'predict_proba'") as error:
        model.predict_proba(X)
    assert "LinearSVC()) has no predict_proba" in str(error.value.__cause__)


@pytest.mark.parametrize("task_groups", ["all", "auto", [[0, 1], [2], [3], [4]]])
def test_a_single_output_estimator_is_refused_at_fit_for_groups_of_tasks(data, task_groups):
    X, Y = data
    with pytest.raises(ValueError, match=r"LogisticRegression.*one task at a time.*"
                                         r"task_groups='single'.*MultiOutputClassifier"):
        TaskGroupingClassifier(LogisticRegression(), task_groups=task_groups).fit(X, Y)
    single = TaskGroupingClassifier(LogisticRegression(), task_groups="single").fit(X, Y)
    assert single.predict(X).shape == Y.shape


@pytest.mark.parametrize("task_groups", ["all", "single", [[0, 1], [2, 3, 4]], "auto"])
def test_a_pipeline_ending_in_a_multi_output_classifier_works(data, task_groups):
    X, Y = data
    Y = _int_labels(Y)
    pipe = make_pipeline(StandardScaler(), MultiOutputClassifier(LogisticRegression()))
    model = TaskGroupingClassifier(pipe, task_groups=task_groups, random_state=0).fit(X, Y)
    assert model.predict(X).shape == Y.shape
    assert model.score(X, Y) > 0.6


def test_random_state_gives_the_same_groups_and_predictions_in_fresh_processes(tmp_path):
    """No hash seed, thread count or worker process changes the result."""
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent("""
        import hashlib, sys
        import numpy as np
        from sklearn_mtl import MultiTaskClassifier, TaskGroupingClassifier
        from sklearn_mtl.datasets import make_multitask_classification
        X, Y = make_multitask_classification(n_samples=200, groups=[2, 2], n_noise_tasks=1,
                                             task_relatedness=0.9, random_state=0)
        net = MultiTaskClassifier(hidden_layer_sizes=(8,), max_epochs=3, batch_size=32)
        model = TaskGroupingClassifier(net, random_state=0, n_jobs=int(sys.argv[1])).fit(X, Y)
        proba = np.concatenate([p.ravel() for p in model.predict_proba(X)])
        print(model.groups_, hashlib.sha1(model.predict(X).tobytes()).hexdigest(),
              hashlib.sha1(proba.tobytes()).hexdigest())
    """))
    root = str(pathlib.Path(__file__).resolve().parents[1])
    outputs = [
        subprocess.run([sys.executable, str(script), n_jobs], capture_output=True, text=True,
                       check=True, cwd=root,
                       env={**os.environ, "PYTHONPATH": root, "PYTHONHASHSEED": seed}).stdout
        for n_jobs, seed in [("1", "1"), ("2", "2")]
    ]
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith("[[")
