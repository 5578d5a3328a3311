"""The dask fit of the estimators whose tasks have kinds (MultiTaskRegressor,
MultiTaskEstimator; sklearn_mtl/_neural/_stream.py): the survey pass fits
the tasks on the whole target, block by block, to what an in-memory fit of
the same rows learns (the targets' location and scale, the kinds, the
classes); training streams the blocks as for the classifier."""

import numpy as np
import pytest
from _estimators import REGRESSION_NET, make_regression_tasks

from sklearn_mtl import MultiTaskEstimator, MultiTaskRegressor
from sklearn_mtl._neural import _stream

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

NET = dict(REGRESSION_NET, max_epochs=20, batch_size=32)
N, CHUNK = 480, 60


@pytest.fixture(scope="module")
def data():
    X, Y = make_regression_tasks(n=N)
    return X, Y, da.from_array(X, chunks=(CHUNK, 6)), da.from_array(Y, chunks=(CHUNK, 3))


@pytest.fixture(scope="module")
def streamed(data):
    _, _, dX, dY = data
    return MultiTaskRegressor(**dict(NET, early_stopping=True)).fit(dX, dY)


@pytest.fixture(scope="module")
def mixed_data():
    """Named features and four tasks: a float target, labels, few integers
    (classification) and integers whose distinct values are few in every
    block (20 of 60 rows) but many over the whole column (160 of 480)."""
    X, Y = make_regression_tasks(n=N)
    features = pd.DataFrame(X, columns=[f"f{j}" for j in range(6)])
    s = X[:, 0] + X[:, 1]
    targets = pd.DataFrame({
        "price": Y[:, 1],
        "cut": np.where(s > 0.5, "good", np.where(s > -0.5, "fair", "poor")),
        "grade": (X[:, 2] > 0).astype(int) + (X[:, 3] > 0),
        "rank": np.arange(N) // 3,
    })
    targets.loc[::7, "price"] = np.nan
    targets.loc[2::13, "cut"] = None
    return features, targets


def _frames(features, targets, npartitions=N // CHUNK):
    return (dd.from_pandas(features, npartitions=npartitions),
            dd.from_pandas(targets, npartitions=npartitions))


@pytest.fixture(scope="module")
def mixed(mixed_data):
    return MultiTaskEstimator(**NET).fit(*_frames(*mixed_data))


def test_targets_standardised_as_in_memory(streamed, data):
    X, Y, _, _ = data
    # over every row of y (the held-out blocks too, as an in-memory fit
    # learns them before its hold-out split), NaN left out
    np.testing.assert_allclose(streamed.loc_, np.nanmean(Y, axis=0), rtol=1e-12)
    np.testing.assert_allclose(streamed.scale_, np.nanstd(Y, axis=0), rtol=1e-12)
    in_memory = MultiTaskRegressor(**dict(NET, max_epochs=1)).fit(X, Y)
    np.testing.assert_allclose(streamed.loc_, in_memory.loc_, rtol=1e-12)
    np.testing.assert_allclose(streamed.scale_, in_memory.scale_, rtol=1e-12)


def test_regressor_learns_with_missing_targets(streamed, data):
    X, Y, _, _ = data
    assert np.isnan(Y).any()  # masked out of the loss: the losses stay finite
    assert np.isfinite(streamed.history_[:, "train_loss"]).all()
    assert streamed.score(X, Y) > 0.9
    pred = streamed.predict(X)
    assert pred.shape == Y.shape and pred.dtype == np.float64


def test_early_stopping_holds_out_whole_blocks(streamed):
    holdout = streamed.net_.train_split
    assert isinstance(holdout, _stream.BlockHoldout)
    assert len(holdout.blocks) == 1 and holdout.n_rows == CHUNK  # 10 % of 8 blocks
    last = streamed.history_[-1]
    assert np.isfinite(last["valid_loss"])
    assert all(np.isfinite(last[f"valid_loss_task_{j}"]) for j in range(3))


def test_same_random_state_same_model(streamed, data):
    X, _, dX, dY = data
    again = MultiTaskRegressor(**dict(NET, early_stopping=True)).fit(dX, dY)
    np.testing.assert_array_equal(again.predict(X), streamed.predict(X))
    other = MultiTaskRegressor(**dict(NET, early_stopping=True, random_state=1)).fit(dX, dY)
    assert not np.array_equal(other.predict(X), streamed.predict(X))


def test_dask_predict_equals_in_memory(streamed, data):
    X, _, dX, _ = data
    pred = streamed.predict(dX)
    assert isinstance(pred, da.Array)
    np.testing.assert_array_equal(pred.compute(), streamed.predict(X))


def test_mixed_kinds_and_classes_as_in_memory(mixed, mixed_data):
    features, targets = mixed_data
    in_memory = MultiTaskEstimator(**dict(NET, max_epochs=1)).fit(features, targets)
    assert mixed.task_kinds_ == in_memory.task_kinds_ == {
        "price": "regression", "cut": "classification", "grade": "classification",
        "rank": "regression"}  # rank: 20 distinct values a block, 160 in all
    assert mixed.classes_.keys() == in_memory.classes_.keys() == {"cut", "grade"}
    for name in ("cut", "grade"):
        np.testing.assert_array_equal(mixed.classes_[name], in_memory.classes_[name])
    for streamed_task, task in zip(mixed._task_set, in_memory._task_set):
        if task.kind == "regression":
            assert streamed_task.loc_ == pytest.approx(task.loc_, rel=1e-12)
            assert streamed_task.scale_ == pytest.approx(task.scale_, rel=1e-12)
    assert list(mixed.feature_names_in_) == list(features.columns)
    assert list(mixed.task_names_) == list(targets.columns)


def test_mixed_learns_every_task(mixed, mixed_data):
    features, targets = mixed_data
    scores = dict(zip(targets.columns, mixed.task_scores(features, targets)))
    assert scores["price"] > 0.8 and scores["cut"] > 0.8 and scores["grade"] > 0.6
    pred = mixed.predict(features)
    assert pred.dtype == object and set(pred[:, 1]) <= {"good", "fair", "poor"}
    # by name: the target's columns in another order change nothing
    shuffled = targets[["rank", "grade", "cut", "price"]]
    assert mixed.score(features, shuffled) == mixed.score(features, targets)


def test_task_kinds_override_the_rule(mixed_data):
    features, targets = mixed_data
    est = MultiTaskEstimator(**dict(NET, max_epochs=1),
                             task_kinds={"grade": "regression", "rank": "classification"})
    est.fit(*_frames(features, targets))
    assert est.task_kinds_["grade"] == "regression"
    np.testing.assert_array_equal(est.classes_["rank"], np.arange(N // 3))


def test_array_target_bounds_the_distinct_values(monkeypatch):
    """With a dask array y the rows are known up front: an integer column
    stops keeping its distinct values once they are too many for a
    classification task, and is a regression task, as in memory."""
    kept = []
    real = _stream.TargetSurvey

    def spy(*args, **kwargs):
        kept.append(real(*args, **kwargs))
        return kept[-1]

    monkeypatch.setattr(_stream, "TargetSurvey", spy)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(N, 3))
    Y = np.column_stack([np.arange(N) % 200, X[:, 0] > 0]).astype(float)
    est = MultiTaskEstimator(**dict(NET, max_epochs=1)).fit(
        da.from_array(X, chunks=(CHUNK, 3)), da.from_array(Y, chunks=(CHUNK, 2)))
    assert kept[0].n_rows == N
    counter = kept[0]._columns[0]
    assert counter.decided == "regression" and counter.distinct is None
    assert est.task_kinds_ == MultiTaskEstimator().set_params(max_epochs=1).fit(
        X, Y).task_kinds_ == {"task_0": "regression", "task_1": "classification"}


def test_warm_start_continues_with_the_first_fit_tasks(data):
    X, Y, dX, dY = data
    reg = MultiTaskRegressor(**dict(NET, max_epochs=2, warm_start=True)).fit(dX, dY)
    loc, scale = reg.loc_.copy(), reg.scale_.copy()
    reg.fit(dX, dY * 2)  # the first fit's standardisation is kept, as in memory
    assert reg.n_iter_ == 4
    np.testing.assert_array_equal(reg.loc_, loc)
    np.testing.assert_array_equal(reg.scale_, scale)
    with pytest.raises(ValueError, match="fitted on 3 task"):
        reg.fit(dX, dY[:, :2])


def test_warm_start_refuses_unseen_labels(mixed_data):
    features, targets = mixed_data
    est = MultiTaskEstimator(**dict(NET, max_epochs=1, warm_start=True))
    est.fit(*_frames(features, targets))
    changed = targets.assign(cut=targets["cut"].replace("poor", "bad"))
    with pytest.raises(ValueError, match="labels not seen during fit"):
        est.fit(*_frames(features, changed))
    assert est.n_iter_ == 1  # nothing trained


def test_refusals(data, mixed_data):
    X, Y, dX, dY = data
    with pytest.raises(TypeError, match="X and y both as dask"):
        MultiTaskRegressor(**NET).fit(dX, Y)
    with pytest.raises(ValueError, match="rechunk X into more row blocks"):
        MultiTaskRegressor(**dict(NET, early_stopping=True)).fit(dX.rechunk({0: -1}), dY)
    with pytest.raises(TypeError, match="Incremental"):
        MultiTaskRegressor(**NET).partial_fit(dX, dY)

    class Accelerator:
        def wait_for_everyone(self):
            pass

    with pytest.raises(ValueError, match="does not combine with accelerator"):
        MultiTaskRegressor(**dict(NET, accelerator=Accelerator())).fit(dX, dY)
    labels = mixed_data[1].assign(price="high")
    with pytest.raises(ValueError, match="regression task but holds non-numeric"):
        MultiTaskEstimator(**NET, task_kinds={"price": "regression"}).fit(
            *_frames(mixed_data[0], labels))
    empty = np.full_like(Y, np.nan)
    with pytest.raises(ValueError, match="no observed value"):
        MultiTaskRegressor(**NET).fit(dX, da.from_array(empty, chunks=(CHUNK, 3)))


def test_partial_fit_under_incremental(data):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, Y, dX, _ = data
    # dask-ml indexes y's blocks as a 1D collection: several tasks come as a
    # dask DataFrame with X's row blocks
    frame = pd.DataFrame(Y, columns=["a", "b", "c"])
    inc = wrappers.Incremental(MultiTaskRegressor(**NET), shuffle_blocks=False)
    inc.fit(dX, dd.from_pandas(frame, npartitions=N // CHUNK))
    by_hand = MultiTaskRegressor(**NET)
    for start in range(0, N, CHUNK):
        by_hand.partial_fit(X[start:start + CHUNK], frame.iloc[start:start + CHUNK])
    assert inc.estimator_.n_iter_ == by_hand.n_iter_ == N // CHUNK  # one epoch a block
    # the first block's standardisation, as partial_fit documents
    np.testing.assert_allclose(inc.estimator_.loc_, np.nanmean(Y[:CHUNK], axis=0), rtol=1e-12)
    np.testing.assert_array_equal(inc.predict(X), by_hand.predict(X))
    np.testing.assert_array_equal(inc.estimator_.predict(dX).compute(), by_hand.predict(X))


def test_one_dimensional_target(data):
    X, Y, dX, _ = data
    reg = MultiTaskRegressor(**dict(NET, max_epochs=2)).fit(dX, da.from_array(Y[:, 1], chunks=50))
    assert reg.predict(X).shape == (N,) and reg.n_tasks_ == 1
    np.testing.assert_allclose(reg.loc_, [np.nanmean(Y[:, 1])], rtol=1e-12)


def test_mixed_partial_fit_under_incremental(mixed_data):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    features, targets = mixed_data
    X, targets = features.to_numpy(), targets[["price", "cut"]]
    inc = wrappers.Incremental(MultiTaskEstimator(**NET), shuffle_blocks=False)
    inc.fit(da.from_array(X, chunks=(CHUNK, 6)),
            dd.from_pandas(targets, npartitions=N // CHUNK))
    by_hand = MultiTaskEstimator(**NET)
    for start in range(0, N, CHUNK):
        by_hand.partial_fit(X[start:start + CHUNK], targets.iloc[start:start + CHUNK])
    assert inc.estimator_.task_kinds_ == {"price": "regression", "cut": "classification"}
    assert inc.estimator_.n_iter_ == N // CHUNK
    np.testing.assert_array_equal(inc.estimator_.predict(X), by_hand.predict(X))
