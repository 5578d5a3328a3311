import io
import json
import sys
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from scipy import stats
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold, RepeatedKFold
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.datasets import make_multitask_classification
from sklearn_mtl.model_selection import (
    ComparisonResult,
    compare_with_single_task,
    task_affinity,
)
from sklearn_mtl.model_selection._run import Progress
from sklearn_mtl.model_selection._stats import corrected_ttest

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
    return compare_with_single_task(
        MultiOutputClassifier(LogisticRegression()), X, Y, cv=CV, reference="none"
    )


def _manual_scores(estimator, X, y, cv=CV):
    """Per-fold accuracy of the estimator fitted on a task's labelled rows."""
    labelled = ~np.isnan(y)
    scores = []
    for train, test in cv.split(X):
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
    assert list(frame.columns[:5]) == ["mtl_mean", "mtl_std", "stl_mean", "stl_std", "gain"]
    assert {"majority_mean", "reference_mean", "gain_low", "gain_p_value"} <= set(frame.columns)
    assert list(frame.index) == ["task_0", "task_1", "task_2"]
    summary = json.loads(json.dumps(independent.to_dict()))
    assert summary["n_splits"] == 3
    assert summary["tasks"]["task_2"]["stl_fold_scores"] == independent.stl_scores[:, 2].tolist()
    assert "delta_m=0.0000" in repr(independent)
    assert summary["verdict"]["overall"] == "no detectable difference"
    assert summary["reference_estimator"] is None


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
    # every per-task model, baselines included, is fitted on its task's labelled rows
    for j in range(3):
        for scores, model in [
            (result.stl_scores, LogisticRegression()),
            (result.reference_scores, HistGradientBoostingClassifier(random_state=0)),
            (result.majority_scores, DummyClassifier(strategy="most_frequent")),
        ]:
            np.testing.assert_allclose(scores[:, j], _manual_scores(model, X, Y[:, j]))
    assert result.single_task_name == "LogisticRegression"
    assert result.reference_name == "HistGradientBoostingClassifier"
    # default baseline: the same network, task_weights reset for a single task
    default = compare_with_single_task(mtl, X, Y, cv=2, reference="none")
    assert default.single_task_name == "MultiTaskClassifier"


def test_verbose_levels(data, capsys):
    X, Y = data
    model = MultiOutputClassifier(LogisticRegression())
    compare_with_single_task(model, X, Y, cv=2, verbose=0, reference="none")
    assert capsys.readouterr().out == ""
    compare_with_single_task(model, X, Y, cv=2, verbose=1, reference="none")
    lines = capsys.readouterr().out.splitlines()
    # per kind of model (multi- and single-task, majority class): a header,
    # then one line per model (task group)
    assert len(lines) == (1 + 4) + (1 + 3)
    compare_with_single_task(model, X, Y, cv=2, verbose=2, reference="none")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == (1 + 4 + 2 * 4) + (1 + 3 + 2 * 3)
    assert sum(line.startswith("[compare] fold ") for line in lines) == 8 + 6


def test_parallel_gives_the_same_result(independent, data):
    X, Y = data
    with parallel_config(backend="threading"):
        result = compare_with_single_task(
            MultiOutputClassifier(LogisticRegression()), X, Y, cv=CV, n_jobs=2, reference="none"
        )
    np.testing.assert_allclose(result.mtl_scores, independent.mtl_scores)


def test_other_scorers(data):
    X, Y = data
    result = compare_with_single_task(
        MultiOutputClassifier(LogisticRegression()), X, Y, cv=CV, scoring="neg_log_loss",
        reference="none",
    )
    assert (result.mtl_scores < 0).all() and result.scoring == "neg_log_loss"


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"scoring": "nope"}, ValueError, "scoring"),
        ({"scoring": 3}, TypeError, "scoring"),
        ({"reference": "svm"}, ValueError, "reference must be one of 'hgb', 'lightgbm'"),
        ({"reference": 3}, TypeError, "reference must be a scikit-learn estimator"),
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


def test_pandas_rows_and_dict_tasks_are_matched_by_label(data, independent):
    pd = pytest.importorskip("pandas")
    X, Y = data
    X = pd.DataFrame(X, index=[f"r{i}" for i in range(len(X))])
    Y = pd.DataFrame(Y, index=X.index, columns=["task_0", "task_1", "task_2"])
    model = MultiOutputClassifier(LogisticRegression())
    shuffled = Y.sample(frac=1.0, random_state=0)  # same rows, other order
    result = compare_with_single_task(model, X, shuffled, cv=CV, reference="none")
    np.testing.assert_allclose(result.mtl_scores, independent.mtl_scores)
    as_dict = {name: Y[name] for name in ["task_2", "task_0", "task_1"]}
    result = compare_with_single_task(model, X, as_dict, cv=CV, reference="none")
    assert result.task_names == ["task_2", "task_0", "task_1"]
    np.testing.assert_allclose(result.stl_scores[:, 1], independent.stl_scores[:, 0])
    with pytest.raises(ValueError, match=r"different row labels .* missing from Y: \['r0'"):
        compare_with_single_task(model, X, Y.reset_index(drop=True), cv=CV, reference="none")


# ------------------------------------------- baselines, tests and the verdict
def _result(mtl, stl, *, majority=0.5, reference=None, **kwargs):
    mtl = np.asarray(mtl, dtype=float)
    return ComparisonResult(
        ["a", "b"], mtl, stl, scoring="accuracy", estimator_name="M", single_task_name="S",
        majority_scores=np.full_like(mtl, majority), reference_scores=reference,
        reference_name=None if reference is None else "R", **kwargs,
    )


STL = np.array([[0.80, 0.70], [0.82, 0.71], [0.78, 0.69], [0.81, 0.72], [0.79, 0.70]])
STEADY = np.array([0.05, 0.06, 0.05, 0.055, 0.05])[:, None]  # a steady per-fold gain
NOISE = np.array([0.02, -0.02, 0.01, -0.01, 0.0])[:, None]  # no gain, some noise


def test_corrected_ttest_is_the_t_test_with_an_inflated_variance():
    d = np.array([0.03, -0.01, 0.02, 0.04, 0.0])
    plain = stats.ttest_1samp(d, 0.0)
    test = corrected_ttest(d, test_train_ratio=0.0)  # no correction: the usual t-test
    assert test.p_value == pytest.approx(plain.pvalue)
    low, high = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    assert (test.low, test.high) == (pytest.approx(low), pytest.approx(high))
    # Nadeau & Bengio: the variance of the mean is s^2 (1/J + n_test/n_train)
    corrected = corrected_ttest(d, test_train_ratio=0.25)
    t = plain.statistic * np.sqrt((1 / 5) / (1 / 5 + 0.25))
    assert corrected.p_value == pytest.approx(2 * stats.t.sf(abs(t), df=4))
    assert corrected.p_value > test.p_value
    # NaN splits are left out; fewer than 2 splits cannot be tested
    assert corrected_ttest([*d, np.nan], 0.25).n_splits == 5
    assert np.isnan(corrected_ttest([0.1, np.nan], 0.25).p_value)


@pytest.mark.parametrize(
    "offsets, words, overall",
    [
        ((STEADY, STEADY), ("helps", "helps"), "helps"),
        ((-STEADY, -STEADY), ("hurts", "hurts"), "hurts"),
        ((STEADY, -STEADY), ("helps", "hurts"), None),
        ((NOISE, NOISE), ("no detectable difference",) * 2, "no detectable difference"),
    ],
)
def test_verdict_in_plain_words(offsets, words, overall):
    result = _result(STL + np.hstack(offsets), STL)
    assert result.verdict.tasks == {"a": words[0], "b": words[1]}
    if overall is not None:
        assert result.verdict.overall == overall
    text = str(result)
    verdict = [line for line in text.splitlines() if line.startswith("Verdict:")]
    assert verdict == [result.verdict.text]
    assert f"{words[0]} on a" in verdict[0].replace("makes no", "no")
    assert "corrected resampled t-test" in text
    test = result.gain_tests[0]
    assert test.low <= result.gain[0] <= test.high
    assert result.delta_m_test.mean == pytest.approx(result.delta_m)


def test_reference_and_majority_in_the_verdict():
    reference = STL + STEADY  # the reference beats the multi-task model on both tasks
    result = _result(STL + NOISE, STL, majority=0.75, reference=reference)
    assert result.verdict.reference == {"a": "hurts", "b": "hurts"}
    assert "R reference the multi-task model is worse on a, b" in result.verdict.text
    # task b (0.70) is below the majority class (0.75), task a (0.80) is not
    np.testing.assert_array_equal(result.at_or_below_majority, [False, True])
    assert result.verdict.at_or_below_majority == ["b"]
    assert "majority class on b" in result.verdict.text
    lines = str(result).splitlines()
    assert lines[2].startswith("a") and "!" not in lines[2]
    assert lines[3].startswith("b") and lines[3].count("!") == 2  # multi- and single-task
    assert "at or below the majority-class baseline" in str(result)
    task = json.loads(json.dumps(result.to_dict()))["tasks"]["b"]
    assert task["majority_mean"] == 0.75 and task["at_or_below_majority"] is True
    assert task["reference_mean"] == pytest.approx(reference[:, 1].mean())


def test_a_zero_single_task_score_is_reported_not_a_crash():
    stl = STL.copy()
    stl[:, 1] = 0.0
    result = _result(STL + STEADY, stl)
    assert np.isnan(result.gain[1]) and np.isfinite(result.gain[0])
    assert np.isnan(result.delta_m) and result.verdict.overall == "undefined"
    assert result.verdict.tasks == {"a": "helps", "b": "helps"}  # the test needs no scale
    text = str(result)
    assert "gain undefined on b" in text and "Delta_m (mean relative gain): undefined" in text
    assert "non-zero single-task score on every task (none on b)" in result.verdict.text
    summary = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert summary["delta_m"] is None and summary["tasks"]["b"]["gain"] is None
    assert summary["tasks"]["b"]["stl_fold_scores"] == [0.0] * 5
    assert result.to_frame()["gain"].isna().tolist() == [False, True]


def test_a_zero_score_from_a_real_comparison(data):
    X, Y = data

    def zero_for_single_task(view, X, y):
        """0.5 for the multi-output model, 0 for the single-task ones."""
        return 0.5 if hasattr(getattr(view, "estimator", view), "estimators_") else 0.0

    result = compare_with_single_task(
        MultiOutputClassifier(LogisticRegression()), X, Y, cv=CV, reference="none",
        single_task_estimator=LogisticRegression(), scoring=zero_for_single_task,
    )
    assert np.isnan(result.delta_m) and (result.mtl_scores == 0.5).all()
    assert "undefined" in str(result)


def test_repeated_cv_and_the_reference_after_the_same_preprocessing(data):
    X, Y = data
    cv = RepeatedKFold(n_splits=3, n_repeats=2, random_state=0)
    model = make_pipeline(StandardScaler(), MultiOutputClassifier(LogisticRegression()))
    result = compare_with_single_task(
        model, X, Y, cv=cv, single_task_estimator=LogisticRegression(),
        reference=LogisticRegression(C=0.01),
    )
    assert (result.n_splits, result.n_repeats) == (6, 2)
    assert result.test_train_ratio == pytest.approx(0.5)
    assert "3-fold CV x 2 repeats" in str(result)
    expected = _manual_scores(
        make_pipeline(StandardScaler(), LogisticRegression(C=0.01)), X, Y[:, 1].astype(float), cv
    )
    np.testing.assert_allclose(result.reference_scores[:, 1], expected)


class _RecordsStderr(MultiOutputClassifier):
    """Records what stderr held when each fit started."""

    at_fit = []

    def fit(self, X, Y, **fit_params):
        type(self).at_fit.append(sys.stderr.getvalue())
        return super().fit(X, Y, **fit_params)


def test_progress_on_stderr_starts_before_the_first_fit(data, monkeypatch):
    X, Y = data
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    _RecordsStderr.at_fit.clear()
    compare_with_single_task(
        _RecordsStderr(LogisticRegression()), X, Y, cv=CV, reference="none", progress=True
    )
    n_fits = 3 * (1 + 3 + 3)  # multi-task, single-task and majority, 3 folds
    assert _RecordsStderr.at_fit[0] == f"compare: 0/{n_fits} fits, starting\n"
    lines = sys.stderr.getvalue().splitlines()
    assert lines[-1].startswith(f"compare: {n_fits}/{n_fits} fits in ")
    assert len(lines) <= 12  # not a terminal: a plain line per tenth of the run
    assert any("left" in line for line in lines[1:-1])


def test_progress_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(4, label="compare", stream=stream)
    progress.start()
    for _ in range(4):
        progress.update()
    out = stream.getvalue()
    assert out.count("\r[") == 5 and out.endswith("\n") and out.count("\n") == 1
    assert "[" + "#" * Progress.width + "] compare: 4/4 fits in" in out


class _Warns(MultiOutputClassifier):
    def fit(self, X, Y, **fit_params):
        warnings.warn("the same warning on every fit", UserWarning, stacklevel=1)
        return super().fit(X, Y, **fit_params)


@pytest.mark.parametrize("backend, n_jobs", [("sequential", None), ("threading", 2),
                                             ("loky", 2)])
def test_each_distinct_warning_once_per_run(data, backend, n_jobs):
    X, Y = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with parallel_config(backend=backend):
            compare_with_single_task(
                _Warns(LogisticRegression()), X, Y, cv=CV, reference="none", n_jobs=n_jobs
            )
    messages = [str(w.message) for w in caught]
    assert messages.count("the same warning on every fit") == 1


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
    if result_name == "independent":  # the verdict is in the title
        assert "Verdict: multi-task learning makes no detectable difference" in ax.get_title()
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


# ------------------------- item 2/8 of issue 18: intervals, folds, verdict order
def _with_holes(seed, holes):
    """Random scores of 2 tasks on 6 splits, NaN (no labelled test rows) for
    task b on the splits in ``holes``."""
    rng = np.random.RandomState(seed)
    stl = rng.uniform(0.5, 0.9, size=(6, 2))
    mtl = stl + rng.normal(0.03, 0.05, size=(6, 2))
    mtl[holes, 1] = stl[holes, 1] = np.nan
    return mtl, stl


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("holes", [[], [2], [0, 5]])
def test_delta_m_lies_in_its_interval_from_the_same_splits(seed, holes):
    mtl, stl = _with_holes(seed, holes)
    result = _result(mtl, stl)
    test = result.delta_m_test
    assert test.mean == result.delta_m  # one estimate, from the splits of its interval
    assert test.low <= result.delta_m <= test.high
    assert test.n_splits == 6 - len(holes)
    np.testing.assert_array_equal(np.flatnonzero(~result.delta_m_splits), holes)
    for gain, task in zip(result.gain, result.gain_tests):
        assert task.low <= gain <= task.high
    text = str(result)
    assert f"over the J = {6 - len(holes)} splits" in text
    if holes:
        left = ", ".join(str(h + 1) for h in holes)
        why = f"split(s) {left} left out: no labelled test rows for b"
        assert why in text and why in result.verdict.text
        assert result.to_dict()["delta_m_n_splits"] == 6 - len(holes)
    else:
        assert "left out" not in text


def test_zero_width_intervals_read_no_variation(independent):
    text = str(independent)
    assert "[+0.00%, +0.00%]" not in text and "+0.00% to +0.00%" not in text
    assert text.count("no variation") == 3 + 1 + 1  # 3 tasks, Delta_m line, verdict
    assert json.loads(json.dumps(independent.to_dict()))["delta_m_ci_low"] == 0.0


def test_holm_correction():
    from sklearn_mtl.model_selection._stats import holm

    # hand computation: sorted p 0.01, 0.02, 0.04 x 3, 2, 1 -> 0.03, 0.04, 0.04
    np.testing.assert_allclose(holm([0.04, 0.01, 0.02]), [0.04, 0.03, 0.04])
    np.testing.assert_allclose(holm([0.5, 0.01]), [0.5, 0.02])  # capped by monotonicity
    assert np.isnan(holm([np.nan, 0.01])).tolist() == [True, False]
    assert holm([np.nan, 0.01])[1] == pytest.approx(0.01)  # NaN is no test


def test_per_task_words_are_holm_corrected_across_tasks():
    # task a alone would be significant (p ~ 0.03); among 2 tasks it is not
    d = np.array([0.045, 0.05, 0.01, 0.055, 0.05])[:, None]
    weak = np.array([0.02, -0.02, 0.01, -0.01, 0.0])[:, None]
    result = _result(STL + np.hstack([d, weak]), STL)
    p = corrected_ttest(d[:, 0], result.test_train_ratio).p_value
    assert 0.025 < p < 0.05
    assert result.verdict.tasks["a"] == "no detectable difference"
    assert "Holm" in result.verdict.text and "across the 2 tasks" in result.verdict.text
    assert result.to_dict()["tasks"]["a"]["gain_p_value_holm"] == pytest.approx(2 * p)


def test_the_floor_claim_comes_first_and_is_not_contradicted():
    reference = STL - STEADY  # the multi-task model beats the reference on both tasks
    result = _result(STL + NOISE, STL, majority=0.75, reference=reference)
    assert result.verdict.reference == {"a": "helps", "b": "helps"}
    text = result.verdict.text
    floor = text.index("no better than always predicting the majority class on b")
    assert floor < text.index("Per task") and floor < text.index("reference")
    assert "better on a" in text and "better on a, b" not in text


def test_a_pipeline_ending_in_a_multi_output_classifier_is_compared(data, independent):
    """A Pipeline's tags say "single output" whatever its last step: the
    single-task fits must still give its MultiOutputClassifier a 2D target."""
    X, Y = data
    pipe = make_pipeline(StandardScaler(), MultiOutputClassifier(LogisticRegression()))
    result = compare_with_single_task(pipe, X, Y, cv=CV, reference="none")
    scaled = compare_with_single_task(
        MultiOutputClassifier(make_pipeline(StandardScaler(), LogisticRegression())),
        X, Y, cv=CV, reference="none")
    # the same per-task models either way: the same scores on every split
    np.testing.assert_allclose(result.mtl_scores, scaled.mtl_scores)
    np.testing.assert_allclose(result.stl_scores, scaled.stl_scores)
    np.testing.assert_allclose(result.mtl_scores, result.stl_scores)
