"""Tasks fitted on a target read block by block (sklearn_mtl/_tasks/_survey.py,
RegressionTask.fit_moments, Moments): the same tasks as a fit on the whole."""

import warnings

import numpy as np
import pytest

from sklearn_mtl._tasks import RegressionTask, TargetSurvey, TaskSet
from sklearn_mtl._tasks._regression import Moments

pd = pytest.importorskip("pandas")


def _blocks(frame, sizes):
    bounds = np.cumsum([0, *sizes])
    return [frame.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def _surveyed(frame, sizes, task_kinds=None, n_rows=None):
    survey = TargetSurvey(task_kinds, n_rows=n_rows)
    for block in _blocks(frame, sizes):
        survey.update(block)
    return survey


@pytest.fixture(scope="module")
def target():
    rng = np.random.RandomState(0)
    n = 300
    frame = pd.DataFrame({
        "price": 1e6 * rng.lognormal(size=n),
        "cut": rng.choice(["a", "b", "c"], size=n),
        "stars": rng.randint(1, 6, size=n).astype(float),
        "age": rng.randint(18, 91, size=n),  # 73 values: above max(20, 15)
        "flag": rng.rand(n) > 0.5,
    })
    frame.loc[::7, "price"] = np.nan
    frame.loc[3::5, "stars"] = np.nan
    frame.loc[1::9, "cut"] = None
    return frame


@pytest.mark.parametrize("sizes", [[300], [100, 100, 100], [7, 1, 150, 0, 142]])
def test_blocks_give_the_tasks_of_the_whole(target, sizes):
    whole = TaskSet().fit(target)
    streamed = _surveyed(target, sizes).task_set()
    assert streamed.task_kinds_ == whole.task_kinds_ == {
        "price": "regression", "cut": "classification", "stars": "classification",
        "age": "regression", "flag": "classification"}
    for a, b in zip(streamed, whole):
        if b.kind == "regression":
            assert a.loc_ == pytest.approx(b.loc_, rel=1e-12)
            assert a.scale_ == pytest.approx(b.scale_, rel=1e-12)
        else:
            np.testing.assert_array_equal(a.classes_, b.classes_)
    for a, b in zip(streamed.encode(target), whole.encode(target)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_distinct_values_counted_across_blocks():
    # 10 distinct values in every block of 30 rows, 100 over the 300 rows
    frame = pd.DataFrame({"rank": np.arange(300) // 3})
    assert TaskSet().fit(frame.iloc[:30]).kinds == ["classification"]
    assert _surveyed(frame, [30] * 10).task_set().kinds == TaskSet().fit(frame).kinds \
        == ["regression"]
    # a known row count bounds the values kept: past max(20, 0.05 * 300)
    # distinct values the column is a regression task, and they are dropped
    survey = _surveyed(frame, [30] * 3, n_rows=300)
    assert survey._columns[0].decided == "regression"
    assert survey._columns[0].distinct is None


def test_given_kinds_are_kept(target):
    kinds = {"stars": "regression", "age": "classification"}
    streamed = _surveyed(target, [150, 150], task_kinds=kinds).task_set()
    assert streamed.task_kinds_ == TaskSet().fit(target, kinds).task_kinds_
    assert streamed[3].classes_.tolist() == sorted(target["age"].unique())
    assert _surveyed(target[["stars"]], [100, 200], "regression").task_set().kinds == \
        ["regression"]


def test_many_classes_warning_counts_the_observed_entries():
    few = pd.DataFrame({"id": np.arange(30) % 12})  # 12 classes in 30 rows: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _surveyed(few, [10, 10, 10], "classification").task_set()
    many = pd.DataFrame({"id": np.arange(30) % 20})
    with pytest.warns(UserWarning, match="unique classes"):
        TaskSet().fit(many, "classification")
    with pytest.warns(UserWarning, match="unique classes"):
        _surveyed(many, [10, 10, 10], "classification").task_set()


def test_refusals(target):
    with pytest.raises(ValueError, match="non-numeric"):
        _surveyed(target, [150, 150], task_kinds={"cut": "regression"})
    mixed = pd.DataFrame({"x": pd.Series([1.5, 2.5, "a", "b"], dtype=object)})
    with pytest.raises(ValueError, match="numbers in some blocks and labels in others"):
        _surveyed(mixed, [2, 2])
    with pytest.raises(ValueError, match="different task columns"):
        TargetSurvey().update(target[["price"]]).update(target[["cut"]])
    with pytest.raises(ValueError, match="no observed value"):
        _surveyed(pd.DataFrame({"y": [np.nan] * 4}), [2, 2], "regression").task_set()
    with pytest.raises(ValueError, match="no labelled sample"):
        _surveyed(pd.DataFrame({"y": [None] * 4}), [2, 2], "classification").task_set()
    with pytest.raises(ValueError, match="y has no rows"):
        TargetSurvey().task_set()


def test_moments_combine_parts_exactly():
    rng = np.random.RandomState(1)
    values = 1e8 + rng.normal(size=1000)  # a large mean: the naive sums lose digits
    moments = Moments()
    for part in np.array_split(values, [1, 5, 500, 500, 999]):
        moments.update(part)
    assert moments.count == 1000
    assert moments.mean == pytest.approx(values.mean(), rel=1e-15)
    assert moments.variance == pytest.approx(values.var(), rel=1e-9)
    task = RegressionTask("y").fit_moments(moments.count, moments.mean, moments.variance)
    whole = RegressionTask("y").fit(values)
    assert task.loc_ == pytest.approx(whole.loc_, rel=1e-15)
    assert task.scale_ == pytest.approx(whole.scale_, rel=1e-9)
    assert RegressionTask("c").fit_moments(3, 2.0, 0.0).scale_ == 1.0  # a constant target
