import json
import sys

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.datasets import make_multitask_classification
from sklearn_mtl.model_selection import compare_with_single_task, task_affinity

CV = KFold(3, shuffle=True, random_state=0)


@pytest.fixture(scope="module")
def data():
    return make_multitask_classification(
        n_samples=90, n_features=6, n_informative=4, n_tasks=3, random_state=0
    )


@pytest.fixture(scope="module")
def independent(data):
    """Independent per-task models: multi-task training changes nothing."""
    X, Y = data
    return compare_with_single_task(MultiOutputClassifier(LogisticRegression()), X, Y, cv=CV)


def _manual_scores(estimator, X, y):
    """Per-fold accuracy of the estimator fitted on a task's labelled rows."""
    labelled = ~np.isnan(y)
    scores = []
    for train, test in CV.split(X):
        train, test = train[labelled[train]], test[labelled[test]]
        fitted = clone(estimator).fit(X[train], y[train])
        scores.append(accuracy_score(y[test], fitted.predict(X[test])))
    return np.array(scores)


def test_independent_models_have_zero_gain(independent, data):
    X, Y = data
    assert independent.mtl_scores.shape == independent.stl_scores.shape == (3, 3)
    np.testing.assert_allclose(independent.mtl_scores, independent.stl_scores)
    np.testing.assert_array_equal(independent.gain, 0.0)
    assert independent.delta_m == 0.0
    expected = _manual_scores(LogisticRegression(), X, Y[:, 1].astype(float))
    np.testing.assert_allclose(independent.stl_scores[:, 1], expected)


def test_result_reports(independent):
    text = str(independent)
    assert "task_0" in text and "Delta_m" in text and "3-fold" in text
    frame = independent.to_frame()
    assert list(frame.columns) == ["mtl_mean", "mtl_std", "stl_mean", "stl_std", "gain"]
    assert list(frame.index) == ["task_0", "task_1", "task_2"]
    summary = json.loads(json.dumps(independent.to_dict()))
    assert summary["n_splits"] == 3
    assert summary["tasks"]["task_2"]["stl_fold_scores"] == independent.stl_scores[:, 2].tolist()
    assert "delta_m=0.0000" in repr(independent)


def test_missing_labels_are_dropped_per_task_and_task_weights_reset(data):
    X, Y = data
    Y = Y.astype(float)
    Y[::4, 0] = np.nan
    Y[1::5, 2] = np.nan
    mtl = MultiTaskClassifier(
        hidden_layer_sizes=(8,), max_epochs=3, task_weights=[1.0, 0.5, 0.5], random_state=0
    )
    result = compare_with_single_task(
        mtl, X, Y, cv=CV, single_task_estimator=LogisticRegression()
    )
    assert np.isfinite(result.mtl_scores).all()
    for j in range(3):
        np.testing.assert_allclose(
            result.stl_scores[:, j], _manual_scores(LogisticRegression(), X, Y[:, j])
        )
    assert result.single_task_name == "LogisticRegression"
    # default baseline: the same network, task_weights reset for a single task
    default = compare_with_single_task(mtl, X, Y, cv=2)
    assert default.single_task_name == "MultiTaskClassifier"


def test_verbose_levels(data, capsys):
    X, Y = data
    model = MultiOutputClassifier(LogisticRegression())
    compare_with_single_task(model, X, Y, cv=2, verbose=0)
    assert capsys.readouterr().out == ""
    compare_with_single_task(model, X, Y, cv=2, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 4  # a header, then one per model (task group)
    compare_with_single_task(model, X, Y, cv=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 4 + 2 * 4
    assert sum(line.startswith("[compare] fold ") for line in lines) == 8


def test_parallel_gives_the_same_result(independent, data):
    X, Y = data
    with parallel_config(backend="threading"):
        result = compare_with_single_task(
            MultiOutputClassifier(LogisticRegression()), X, Y, cv=CV, n_jobs=2
        )
    np.testing.assert_allclose(result.mtl_scores, independent.mtl_scores)


def test_other_scorers(data):
    X, Y = data
    result = compare_with_single_task(
        MultiOutputClassifier(LogisticRegression()), X, Y, cv=CV, scoring="neg_log_loss"
    )
    assert (result.mtl_scores < 0).all() and result.scoring == "neg_log_loss"


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"scoring": "nope"}, ValueError, "scoring"),
        ({"scoring": 3}, TypeError, "scoring"),
    ],
)
def test_compare_rejects_bad_arguments(data, kwargs, exc, match):
    X, Y = data
    with pytest.raises(exc, match=match):
        compare_with_single_task(MultiOutputClassifier(LogisticRegression()), X, Y, **kwargs)


def test_compare_needs_two_tasks(data):
    X, Y = data
    with pytest.raises(ValueError, match="at least 2 task"):
        compare_with_single_task(LogisticRegression(), X, Y[:, 0])


# ----------------------------------------------------------------- affinity
@pytest.fixture(scope="module")
def chain_affinity(data):
    X, Y = data
    return task_affinity(ClassifierChain(LogisticRegression()), X, Y, cv=CV)


def test_affinity_of_independent_models_is_zero(data):
    X, Y = data
    result = task_affinity(MultiOutputClassifier(LogisticRegression()), X, Y, cv=CV)
    np.testing.assert_array_equal(result.affinity, 0.0)


def test_affinity_matrix_matches_its_definition(chain_affinity, independent):
    mean = chain_affinity.scores.mean(axis=0)
    i, j = 2, 0
    assert chain_affinity.affinity[i, j] == pytest.approx((mean[i, j] - mean[i, i]) / mean[i, i])
    np.testing.assert_array_equal(np.diag(chain_affinity.affinity), 0.0)
    # the diagonal is each task trained alone, as in the comparison
    np.testing.assert_allclose(
        np.diagonal(chain_affinity.scores, axis1=1, axis2=2), independent.stl_scores
    )


def test_affinity_reports(chain_affinity):
    assert "task_0" in str(chain_affinity)
    frame = chain_affinity.to_frame()
    np.testing.assert_allclose(frame.to_numpy(), chain_affinity.affinity)
    summary = json.loads(json.dumps(chain_affinity.to_dict()))
    assert summary["tasks"] == ["task_0", "task_1", "task_2"]


# ----------------------------------------------------------------- plotting
@pytest.mark.parametrize("result_name", ["independent", "chain_affinity"])
def test_plot(result_name, request):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    result = request.getfixturevalue(result_name)
    ax = result.plot()
    assert ax.get_title()
    assert len(ax.patches) == 6 or len(ax.images) == 1
    matplotlib.pyplot.close("all")


def test_plot_without_matplotlib_says_how_to_install(independent, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"sklearn-mtl\[plot\]"):
        independent.plot()


def test_affinity_refuses_repeated_task_names(data):
    import pandas as pd

    X, Y = data
    frame = pd.DataFrame(Y[:, :2], columns=["t", "t"])
    with pytest.raises(ValueError, match=r"Y columns must name each task once; \['t'\]"):
        task_affinity(MultiOutputClassifier(LogisticRegression()), X, frame)


def test_affinity_reads_task_groups_of_a_dataframe_by_name(data):
    """Permuted columns give the same affinities, permuted (shared trees do not
    depend on the order of their tasks)."""
    import pandas as pd

    from sklearn_mtl import SharedTreeClassifier

    X, Y = data
    frame = pd.DataFrame(Y, columns=[f"t{j}" for j in range(Y.shape[1])])
    order = list(range(Y.shape[1]))[::-1]
    tree = SharedTreeClassifier(max_depth=3, random_state=0)
    result = task_affinity(tree, X, frame, cv=CV)
    permuted = task_affinity(tree, X, frame.iloc[:, order], cv=CV)
    assert permuted.task_names == [result.task_names[k] for k in order]
    np.testing.assert_array_equal(permuted.affinity, result.affinity[np.ix_(order, order)])
