"""Fitting on dask collections block by block (sklearn_mtl/_neural/_stream.py):
the blocks are shuffled within and across, never computed whole, the
network is built from a bounded sample of the training blocks, early
stopping holds out whole blocks; partial_fit under dask-ml's Incremental."""

import numpy as np
import pytest
import torch
from _estimators import SMALL_NET

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl._neural import _stream

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")

NET = dict(SMALL_NET, max_epochs=8, batch_size=32)


def make_data(n=480, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    Y = np.column_stack([X[:, 0] + X[:, 1] > 0, X[:, 2] > 0.3]).astype(int)
    return X, Y


@pytest.fixture(scope="module")
def data():
    X, Y = make_data()
    return X, Y, da.from_array(X, chunks=(60, 4)), da.from_array(Y, chunks=(60, 2))


@pytest.fixture(scope="module")
def streamed(data):
    X, Y, dX, dY = data
    return MultiTaskClassifier(**NET).fit(dX, dY)


def test_stream_fit_learns_as_in_memory(streamed, data):
    X, Y, _, _ = data
    in_memory = MultiTaskClassifier(**NET).fit(X, Y)
    assert streamed.n_tasks_ == 2 and streamed.n_features_in_ == 4
    assert streamed.score(X, Y) > 0.85
    assert streamed.score(X, Y) > in_memory.score(X, Y) - 0.05


def test_same_random_state_same_model(streamed, data):
    X, _, dX, dY = data
    again = MultiTaskClassifier(**NET).fit(dX, dY)
    for a, b in zip(again.predict_proba(X), streamed.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    other = MultiTaskClassifier(**dict(NET, random_state=1)).fit(dX, dY)
    assert not np.array_equal(other.predict_proba(X)[0], streamed.predict_proba(X)[0])


def test_early_stopping_holds_out_whole_blocks(streamed):
    holdout = streamed.net_.train_split
    assert isinstance(holdout, _stream.BlockHoldout)
    assert len(holdout.blocks) == 1 and holdout.n_rows == 60  # 10 % of 8 blocks
    assert "valid_loss" in streamed.history_[-1]


def _id_blocks(n_blocks, size):
    """Blocks whose single feature is the row's index, labels its parity."""
    rows = np.arange(n_blocks * size, dtype=np.float32)
    X = da.from_array(rows[:, None], chunks=(size, 1))
    y = da.from_array((rows % 2).astype(int), chunks=size)
    return _stream.row_blocks(X, y)


def _identity_stream(pairs, size):
    def read(xb, yb):
        return torch.from_numpy(xb.copy()), torch.from_numpy(yb[:, None].copy())
    return _stream.BlockStream(pairs, [size] * len(pairs), read, range(len(pairs)))


def test_iterator_shuffles_within_and_across_blocks(monkeypatch):
    monkeypatch.setattr(_stream, "WINDOW_ROWS", 40)  # two blocks per window
    stream = _identity_stream(_id_blocks(8, 20), 20)
    iterator = _stream.StreamIterator(stream, batch_size=16, shuffle=True)
    epochs = []
    for seed in (1, 2):
        iterator.reseed(seed)
        batches = [X[:, 0].long() for X, _ in iterator]
        assert all(len(b) == 16 for b in batches)  # leftovers carried to the next window
        order = torch.cat(batches)
        assert sorted(order.tolist()) == list(range(160))  # every row once
        assert any(len(set((b // 20).tolist())) > 1 for b in batches)  # across blocks
        assert order[:20].tolist() != sorted(order[:20].tolist())  # within a block
        epochs.append(order)
    assert not torch.equal(epochs[0], epochs[1])
    iterator.reseed(1)
    assert torch.equal(torch.cat([X[:, 0].long() for X, _ in iterator]), epochs[0])


def test_iterator_merges_a_last_single_row():
    stream = _identity_stream(_id_blocks(3, 11), 11)  # 33 rows, batches of 16
    training = [len(X) for X, _ in _stream.StreamIterator(stream, 16, shuffle=True)]
    in_order = [len(X) for X, _ in _stream.StreamIterator(stream, 16)]
    assert training == [16, 17] and in_order == [16, 16, 1]


def test_never_computes_more_than_a_window(monkeypatch, data):
    _, _, dX, dY = data
    monkeypatch.setattr(_stream, "WINDOW_ROWS", 100)
    loaded = []
    real_load = _stream._load

    def spy(pairs):
        out = real_load(pairs)
        loaded.append(sum(len(x) for x, _ in out))
        return out

    monkeypatch.setattr(_stream, "_load", spy)
    MultiTaskClassifier(**dict(NET, max_epochs=2)).fit(dX, dY)
    assert max(loaded) <= 120  # a window: >= 100 rows, in blocks of 60
    assert sum(loaded) == 480 * 3  # a survey pass and two epochs, each row once


def test_network_built_from_a_bounded_sample_of_training_blocks(monkeypatch):
    monkeypatch.setattr(_stream, "SAMPLE_ROWS", 30)
    pairs = _id_blocks(6, 20)
    training = np.array([True, False, True, True, False, True])
    clf = MultiTaskClassifier(**NET)
    survey = _stream._survey(clf, pairs, training, np.random.RandomState(0), False)
    ids = survey.X_sample[:, 0].astype(int)
    assert len(ids) == 4 * 8  # ceil(30 / 4 training blocks) rows from each
    assert set(ids // 20) == {0, 2, 3, 5}  # never from a held-out block
    assert survey.lengths == [20] * 6
    assert [t.classes_.tolist() for t in survey.targets.task_set()] == [[0, 1]]


def test_bins_come_from_the_sample(monkeypatch, data):
    _, _, dX, dY = data
    monkeypatch.setattr(_stream, "SAMPLE_ROWS", 16)
    clf = MultiTaskClassifier(**dict(NET, max_epochs=1, n_bins=48)).fit(dX, dY)
    # 3 rows from each of the 7 training blocks: at most 20 quantile bins,
    # where the 432 training rows would give all 48
    weight = clf.net_.module_.trunk[0].embeddings.linear.weight  # (n_columns, n_bins, d)
    assert weight.shape[1] <= 20


def test_dataframes_keep_names(data):
    X, Y, _, _ = data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    labels = pd.DataFrame({"sign": np.where(Y[:, 0], "pos", "neg"), "big": Y[:, 1]})
    clf = MultiTaskClassifier(**NET).fit(dd.from_pandas(frame, npartitions=6),
                                         dd.from_pandas(labels, npartitions=6))
    assert list(clf.feature_names_in_) == ["a", "b", "c", "d"]
    assert list(clf.task_names_) == ["sign", "big"]
    assert clf.classes_[0].tolist() == ["neg", "pos"]
    assert clf.score(frame, labels) > 0.85
    # an array X with DataFrame y: the array follows y's partitions
    mixed = MultiTaskClassifier(**NET).fit(da.from_array(X, chunks=(100, 4)),
                                           dd.from_pandas(labels, npartitions=6))
    assert mixed.score(X, labels) > 0.85


def test_one_dimensional_target(data):
    X, Y, dX, _ = data
    clf = MultiTaskClassifier(**NET).fit(dX, da.from_array(Y[:, 0], chunks=50))
    assert clf.classes_.tolist() == [0, 1] and clf.predict(X).shape == (len(X),)


def test_warm_start_continues(data):
    _, _, dX, dY = data
    clf = MultiTaskClassifier(**dict(NET, max_epochs=2, early_stopping=False,
                                     warm_start=True))
    clf.fit(dX, dY).fit(dX, dY)
    assert clf.n_iter_ == 4


def test_refusals(data):
    X, Y, dX, dY = data
    with pytest.raises(TypeError, match="X and y both as dask"):
        MultiTaskClassifier(**NET).fit(dX, Y)
    with pytest.raises(ValueError, match="rechunk X into more row blocks"):
        MultiTaskClassifier(**NET).fit(dX.rechunk({0: -1}), dY)
    with pytest.raises(TypeError, match="Incremental"):
        MultiTaskClassifier(**NET).partial_fit(dX, dY)
    with pytest.raises(ValueError, match="same tasks and classes"):
        clf = MultiTaskClassifier(**dict(NET, max_epochs=1, warm_start=True)).fit(dX, dY)
        clf.fit(dX, dY.map_blocks(lambda b: b * 2))


def test_partial_fit_under_incremental(data):
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, Y, dX, _ = data
    # dask-ml indexes y's blocks as a 1D collection: several tasks come as a
    # dask DataFrame with X's row blocks
    dY = dd.from_pandas(pd.DataFrame(Y, columns=["a", "b"]), npartitions=8)
    params = dict(NET, early_stopping=False)
    inc = wrappers.Incremental(MultiTaskClassifier(**params), shuffle_blocks=False)
    inc.fit(dX, dY, classes=[[0, 1], [0, 1]])
    by_hand = MultiTaskClassifier(**params)
    for start in range(0, len(X), 60):
        by_hand.partial_fit(X[start:start + 60], pd.DataFrame(Y[start:start + 60],
                            columns=["a", "b"]), classes=[[0, 1], [0, 1]])
    assert inc.estimator_.n_iter_ == by_hand.n_iter_ == 8  # one epoch per block
    np.testing.assert_array_equal(inc.predict_proba(X)[0], by_hand.predict_proba(X)[0])
    np.testing.assert_array_equal(inc.estimator_.predict(dX).compute(), by_hand.predict(X))


def test_input_normalisation_learned_from_the_sample(monkeypatch, data):
    _, _, dX, dY = data
    monkeypatch.setattr(_stream, "SAMPLE_ROWS", 70)
    seen = []
    real = _stream.fit_normalizer

    def spy(X, kind):
        seen.append(X.shape)
        return real(X, kind)

    monkeypatch.setattr(_stream, "fit_normalizer", spy)
    clf = MultiTaskClassifier(**dict(NET, max_epochs=1)).fit(dX, dY)
    assert seen == [(7 * 10, 4)]  # ceil(70 / 7 training blocks) rows of each
    assert clf.input_normalizer_ is not None


def test_rows_without_any_label_are_not_streamed_to_the_net(data):
    # as in memory: a row labelled for no task carries no loss, so the batches
    # hold only the others; a block without any label is left out whole,
    # while the input normalisation still learns from every block's rows
    X, Y, _, _ = data
    Y = Y.astype(float)
    Y[::3] = np.nan
    Y[120:180] = np.nan  # the third block has no label at all
    dX, dY = da.from_array(X, chunks=(60, 4)), da.from_array(Y, chunks=(60, 2))
    clf = MultiTaskClassifier(**dict(NET, early_stopping=False, max_epochs=2)).fit(dX, dY)
    for epoch in clf.history_:
        trained = sum(b["train_batch_size"] for b in epoch["batches"] if "train_batch_size" in b)
        assert trained == (~np.isnan(Y).all(axis=1)).sum()
    assert clf.score(X[~np.isnan(Y).all(axis=1)], Y[~np.isnan(Y).all(axis=1)]) > 0.8
