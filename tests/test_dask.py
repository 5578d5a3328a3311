"""Predictions over dask collections: lazy, block by block, equal to the
in-memory predictions; dask-ml's ParallelPostFit around our estimators."""

import warnings

import numpy as np
import pytest
from _estimators import ESTIMATORS, estimator_id
from sklearn.base import clone

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")


@pytest.fixture(scope="module", params=ESTIMATORS, ids=estimator_id)
def fitted(request, tasks):
    X, Y = tasks
    return clone(request.param).fit(X, Y)


@pytest.fixture(scope="module")
def fitted_1d(tasks):
    X, Y = tasks
    return clone(ESTIMATORS[0]).fit(X, Y[:, 0].astype(int))


def _counting_array(X, chunk):
    """X as a dask array whose blocks count their computations in ``calls``."""
    calls = []

    def load(start):
        calls.append(start)
        return np.asarray(X[start:start + chunk])

    blocks = [da.from_delayed(dask.delayed(load)(s), shape=X[s:s + chunk].shape, dtype=X.dtype)
              for s in range(0, len(X), chunk)]
    return da.concatenate(blocks), calls


def test_predict_is_lazy_blockwise_and_equal(fitted, tasks):
    X, _ = tasks
    dX, calls = _counting_array(X, 70)
    pred = fitted.predict(dX)
    assert isinstance(pred, da.Array) and calls == []  # nothing computed yet
    rows = getattr(fitted, "_predict_rows", None)  # a network's predict chunk
    assert pred.chunks == (dX.rechunk({0: rows or dX.chunks[0]}).chunks[0],
                           (fitted.n_tasks_,))
    computed = pred.compute()
    assert sorted(calls) == [0, 70, 140, 210]  # each block read once
    expected = fitted.predict(X)
    assert computed.dtype == expected.dtype == pred.dtype
    np.testing.assert_array_equal(computed, expected)


def test_predict_proba_equal_in_one_pass(fitted, tasks):
    X, _ = tasks
    dX, calls = _counting_array(X, 50)
    probas = fitted.predict_proba(dX)
    assert [p.shape for p in probas] == [(len(X), len(c)) for c in fitted.classes_]
    computed = dask.compute(*probas)
    assert len(calls) == dX.numblocks[0]  # the tasks share one pass over X
    for got, expected in zip(computed, fitted.predict_proba(X)):
        np.testing.assert_array_equal(got, expected)


def test_column_chunks_are_joined(fitted, tasks):
    X, _ = tasks
    dX = da.from_array(X, chunks=(100, 2))
    np.testing.assert_array_equal(fitted.predict(dX).compute(), fitted.predict(X))


def test_one_task_gives_1d_dask_arrays(fitted_1d, tasks):
    X, _ = tasks
    dX = da.from_array(X, chunks=(64, 6))
    pred, proba = fitted_1d.predict(dX), fitted_1d.predict_proba(dX)
    assert pred.shape == (len(X),) and proba.shape == (len(X), 2)
    np.testing.assert_array_equal(pred.compute(), fitted_1d.predict(X))
    np.testing.assert_array_equal(proba.compute(), fitted_1d.predict_proba(X))


def test_dask_dataframe_keeps_feature_names(tasks):
    X, Y = tasks
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = clone(ESTIMATORS[0]).fit(frame, Y)
    dframe = dd.from_pandas(frame, npartitions=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing-feature-names warning would fail
        pred = clf.predict(dframe).compute()
        proba = dask.compute(*clf.predict_proba(dframe))
    np.testing.assert_array_equal(pred, clf.predict(frame))
    for got, expected in zip(proba, clf.predict_proba(frame)):
        np.testing.assert_array_equal(got, expected)
    # the partitions are checked like any X: renamed columns are refused
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(dframe.rename(columns={"f0": "g0"})).compute()


def test_one_dimensional_dask_array_refused(fitted_1d, tasks):
    X, _ = tasks
    with pytest.raises(ValueError, match="2D dask array"):
        fitted_1d.predict(da.from_array(X[:, 0]))


def test_unfitted_estimator_raises_before_any_compute(tasks):
    from sklearn.exceptions import NotFittedError

    dX, calls = _counting_array(tasks[0], 100)
    with pytest.raises(NotFittedError):
        clone(ESTIMATORS[0]).predict(dX)
    assert calls == []


def test_parallel_post_fit_single_task(tasks):
    # dask-ml's ParallelPostFit declares 1D predictions and one probability
    # array (dask_ml.wrappers: drop_axis=1, "XXX: multiclass"): it serves
    # single-task estimators; several tasks go through the estimator's own
    # predict and predict_proba on the dask array (tests above)
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, Y = tasks
    dX = da.from_array(X, chunks=(60, 6))
    single = wrappers.ParallelPostFit(clone(ESTIMATORS[0])).fit(X, Y[:, 0].astype(int))
    inner = single.estimator  # fitted in place by ParallelPostFit.fit
    np.testing.assert_array_equal(single.predict(dX).compute(), inner.predict(X))
    np.testing.assert_array_equal(single.predict_proba(dX).compute(), inner.predict_proba(X))


def test_regressor_and_mixed_tasks_predict_over_dask(tasks):
    from _estimators import REGRESSION_NET, make_regression_tasks

    from sklearn_mtl import MultiTaskEstimator, MultiTaskRegressor

    X, Y = make_regression_tasks()
    dX = da.from_array(X, chunks=(70, 6))
    regressor = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=2)).fit(X, Y)
    regressor._predict_rows = 64  # forward passes of 64 rows, in memory and over dask
    pred = regressor.predict(dX)
    assert pred.chunks[0] == (64, 64, 64, 48)
    assert pred.shape == Y.shape and pred.dtype == regressor.predict(X).dtype
    np.testing.assert_array_equal(pred.compute(), regressor.predict(X))
    one = MultiTaskRegressor(**dict(REGRESSION_NET, max_epochs=2)).fit(X, Y[:, 1])
    np.testing.assert_array_equal(one.predict(dX).compute(), one.predict(X))
    # a regression task and a classification task: object predictions
    Xc, Yc = tasks
    mixed_Y = np.column_stack([Y[:, 1], Yc[:, 1]])
    mixed = MultiTaskEstimator(**dict(REGRESSION_NET, max_epochs=2)).fit(Xc, mixed_Y)
    got = mixed.predict(da.from_array(Xc, chunks=(100, 6)))
    assert got.dtype == object
    np.testing.assert_array_equal(got.compute(), mixed.predict(Xc))
    # the classification task's probabilities, by name, in one pass
    probas = mixed.predict_proba(da.from_array(Xc, chunks=(100, 6)))
    assert list(probas) == ["task_1"] and isinstance(probas["task_1"], da.Array)
    computed = dask.compute(probas)[0]
    assert computed["task_1"].dtype == mixed.predict_proba(Xc)["task_1"].dtype
    np.testing.assert_array_equal(computed["task_1"], mixed.predict_proba(Xc)["task_1"])
    with pytest.raises(AttributeError, match="needs a classification task"):
        regressor_only = MultiTaskEstimator(**dict(REGRESSION_NET, max_epochs=1)).fit(X, Y)
        regressor_only.predict_proba(dX)
