"""The network's own input normalisation (sklearn_mtl/_neural/_normalize.py):
raw columns in any units, offsets or float64-only variation just work."""

import warnings

import numpy as np
import pytest
import torch
from rtdl_num_embeddings import _PiecewiseLinearEncodingImpl
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl._neural._normalize import (
    _CHUNK_ROWS,
    INPUT_NORMALIZATIONS,
    _column_quantiles,
    fit_normalizer,
    normalize,
)

FAST = dict(hidden_layer_sizes=(32,), max_epochs=30, lr=0.01, batch_size=32,
            early_stopping=False, random_state=0)
N_TRAIN = 300


def make_tasks(n=500, seed=0):
    """Two tasks on three numeric columns and a binary flag; task 1 ignores
    column 0 (the one the tests rescale)."""
    rng = np.random.RandomState(seed)
    X = np.column_stack([rng.normal(size=(n, 3)), rng.randint(0, 2, n)])
    Y = np.column_stack([X[:, 0] + X[:, 3] > 0.5, X[:, 1] - X[:, 2] > 0]).astype(int)
    return X, Y


def per_task_accuracy(clf, X, Y):
    pred = clf.predict(X[N_TRAIN:])
    return (pred == Y[N_TRAIN:]).mean(axis=0)


@pytest.fixture(scope="module")
def data():
    return make_tasks()


@pytest.fixture(scope="module")
def plain_accuracy(data):
    X, Y = data
    return {kind: per_task_accuracy(
        MultiTaskClassifier(input_normalization=kind, **FAST).fit(X[:N_TRAIN], Y[:N_TRAIN]),
        X, Y) for kind in INPUT_NORMALIZATIONS}


# ---------------------------------------------------------------- the maps
@pytest.mark.parametrize("kind", INPUT_NORMALIZATIONS)
@pytest.mark.parametrize("scale, offset", [(1e4, 0.0), (1.0, 1e9), (1e-6, -3.0)])
def test_maps_do_not_depend_on_units_or_offset(data, kind, scale, offset):
    X = data[0]
    Z = normalize(fit_normalizer(X, kind), X)
    moved = X * scale + offset
    Z_moved = normalize(fit_normalizer(moved, kind), moved)
    np.testing.assert_allclose(Z_moved, Z, atol=1e-4)


def test_robust_map_centres_scales_and_clips_smoothly():
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.normal(5.0, 2.0, 1001), np.full(1001, 7.0)])
    X[0, 0] = 1e12  # an outlier
    normalizer = fit_normalizer(X, "robust")
    Z = normalize(normalizer, X)
    assert normalizer.center_[0] == np.median(X[:, 0])
    assert abs(np.median(Z[:, 0])) < 1e-6
    assert np.all(np.abs(Z) < 3.0 + 1e-6) and Z[0, 0] > 2.99  # outlier clipped to ~3
    assert np.all(np.diff(Z[np.argsort(X[:, 0]), 0]) >= 0)  # monotone
    np.testing.assert_array_equal(Z[:, 1], 0.0)  # a constant column is 0


def test_quantile_map_is_normal_and_monotone():
    rng = np.random.RandomState(0)
    X = rng.exponential(size=(2000, 1)) * 5e4
    Z = normalize(fit_normalizer(X, "quantile"), X)[:, 0]
    assert abs(Z.mean()) < 0.05 and abs(Z.std() - 1.0) < 0.1
    assert np.all(np.diff(Z[np.argsort(X[:, 0])]) >= 0)


def test_computed_in_float64_before_the_cast():
    z = np.random.RandomState(0).normal(size=(200, 1))
    X = 1.0 + 1e-9 * z
    assert np.unique(X.astype(np.float32)).size == 1  # what the cast alone leaves
    Z = normalize(fit_normalizer(X, "robust"), X)
    assert Z.dtype == np.float32
    assert np.corrcoef(Z[:, 0], z[:, 0])[0, 1] > 0.95


# ------------------------------------------------------------- the estimator
@pytest.mark.parametrize("kind", INPUT_NORMALIZATIONS)
@pytest.mark.parametrize("scale, offset", [(1e4, 0.0), (1.0, 1e9)])
def test_accuracy_does_not_depend_on_a_columns_units(data, plain_accuracy, kind, scale,
                                                      offset):
    X, Y = data
    moved = X.copy()
    moved[:, 0] = moved[:, 0] * scale + offset
    clf = MultiTaskClassifier(input_normalization=kind, **FAST).fit(moved[:N_TRAIN],
                                                                     Y[:N_TRAIN])
    accuracy = per_task_accuracy(clf, moved, Y)
    assert np.abs(accuracy.mean() - plain_accuracy[kind].mean()) < 0.01
    assert plain_accuracy[kind].min() > 0.85  # the plain fit learned both tasks


@pytest.mark.parametrize("extra", ["income", "id"])
def test_a_raw_income_or_id_column_does_not_collapse_the_tasks(data, extra):
    """The issue's cases: one income-like (~5e4) or id-like (~1e9) column used
    to drop every task to chance, including tasks that never use it."""
    X, Y = data
    rng = np.random.RandomState(1)
    column = (rng.lognormal(10.8, 0.5, len(X)) if extra == "income"
              else 1e9 + rng.permutation(len(X)).astype(float))
    raw = np.column_stack([X, column])
    clf = MultiTaskClassifier(**FAST).fit(raw[:N_TRAIN], Y[:N_TRAIN])
    assert per_task_accuracy(clf, raw, Y).min() > 0.85


def test_a_float64_only_column_is_learnable():
    rng = np.random.RandomState(0)
    z = rng.normal(size=(N_TRAIN + 200, 2))
    X = np.column_stack([1.0 + 1e-9 * z[:, 0], z[:, 1]])
    Y = np.column_stack([z[:, 0] > 0, z[:, 1] > 0]).astype(int)
    clf = MultiTaskClassifier(**FAST).fit(X[:N_TRAIN], Y[:N_TRAIN])
    assert per_task_accuracy(clf, X, Y).min() > 0.9


def test_a_column_lost_in_the_network_input_is_named_in_a_warning():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"height": rng.normal(size=60), "tiny": 1.0 + 1e-9 * rng.normal(size=60),
                      "flat": np.full(60, 2.0)})
    y = (X["height"] > 0).astype(int)
    params = {**FAST, "max_epochs": 2}
    with pytest.warns(UserWarning, match=r"column\(s\) tiny vary") as record:
        MultiTaskClassifier(input_normalization=None, **params).fit(X, y)
    assert "flat" not in str(record[0].message)  # constant in the rows: nothing lost
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        MultiTaskClassifier(**params).fit(X, y)  # normalised in float64: not lost


def test_bins_are_planned_on_the_normalised_columns(data):
    X, Y = data
    raw = X * np.array([1e4, 1.0, 1.0, 1.0]) + np.array([1e9, 0.0, 0.0, 0.0])
    clf = MultiTaskClassifier(**{**FAST, "max_epochs": 1}).fit(raw, Y)
    [encoding] = [m for m in clf.net_.module_.modules()
                  if isinstance(m, _PiecewiseLinearEncodingImpl)]
    left_edges = -encoding.bias / encoding.weight  # bias = -left / width, weight = 1 / width
    assert torch.all(left_edges.abs() <= 3.0)


def test_a_scaler_in_front_changes_nothing(data):
    """The maps are affine-invariant, so a user's StandardScaler is redundant."""
    X, Y = data
    alone = MultiTaskClassifier(**FAST).fit(X[:N_TRAIN], Y[:N_TRAIN])
    scaled = make_pipeline(StandardScaler(), MultiTaskClassifier(**FAST)).fit(
        X[:N_TRAIN], Y[:N_TRAIN])
    agree = (alone.predict(X[N_TRAIN:]) == scaled.predict(X[N_TRAIN:])).mean()
    assert agree >= 0.99


def test_continued_training_reuses_the_normalizer(data):
    X, Y = data
    clf = MultiTaskClassifier(**{**FAST, "max_epochs": 2}).partial_fit(X[:100], Y[:100])
    normalizer = clf.input_normalizer_
    center = normalizer.center_.copy()
    clf.partial_fit(X[100:200] * 10.0 + 5.0, Y[100:200])
    assert clf.input_normalizer_ is normalizer
    np.testing.assert_array_equal(clf.input_normalizer_.center_, center)
    clf.set_params(warm_start=True).fit(X[200:] + 100.0, Y[200:])
    assert clf.input_normalizer_ is normalizer
    with pytest.raises(ValueError, match="cannot change input_normalization"):
        clf.set_params(input_normalization="quantile").fit(X, Y)


def test_none_feeds_x_as_given_and_a_custom_module_gets_x_unchanged(data):
    X, Y = data
    clf = MultiTaskClassifier(input_normalization=None, **{**FAST, "max_epochs": 1}).fit(X, Y)
    assert clf.input_normalizer_ is None
    trunk = torch.nn.Linear(X.shape[1], 4)
    custom = MultiTaskClassifier(module=trunk, **{**FAST, "max_epochs": 1}).fit(X, Y)
    assert custom.input_normalizer_ is None


def test_unknown_normalization_is_refused(data):
    X, Y = data
    with pytest.raises(ValueError, match="input_normalization"):
        MultiTaskClassifier(input_normalization="minmax").fit(X, Y)


def test_the_regressor_normalizes_its_input_too():
    from sklearn_mtl import MultiTaskRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(N_TRAIN + 200, 3))
    Y = np.column_stack([X[:, 0] - X[:, 1], X[:, 2] ** 2])
    scores = []
    for scale in (1.0, 1e4):
        moved = X * np.array([scale, 1.0, 1.0]) + np.array([1e9, 0.0, 0.0])
        reg = MultiTaskRegressor(**FAST).fit(moved[:N_TRAIN], Y[:N_TRAIN])
        assert reg.input_normalizer_ is not None
        scores.append(reg.score(moved[N_TRAIN:], Y[N_TRAIN:]))
    assert scores[0] > 0.8 and abs(scores[1] - scores[0]) < 0.01


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 2, 7, 1001])
def test_column_quantiles_equal_numpys(dtype, n):
    # the robust scaler's quantiles come from one sort of the columns; they
    # must be numpy's, ties, huge offsets and tiny spreads included
    rng = np.random.RandomState(n)
    X = (rng.normal(size=(n, 4)) * [1.0, 1e-9, 1e9, 1.0] + [0.0, 1.0, 1e9, 5.0]).astype(dtype)
    X[: n // 3, 0] = X[0, 0]
    X[:, 3] = 5.0
    quantiles = (0.25, 0.5, 0.75, 0.0, 1.0)
    got = np.array(_column_quantiles(X, quantiles))
    expected = np.quantile(X, quantiles, axis=0)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_normalize_in_chunks_equals_one_pass():
    # normalize runs the rows through the normaliser chunk by chunk
    rng = np.random.RandomState(0)
    X = rng.lognormal(size=(2 * _CHUNK_ROWS + 17, 3)) * [1.0, 1e4, 1e-3]
    for kind in ("robust", "quantile"):
        normalizer = fit_normalizer(X, kind)
        np.testing.assert_array_equal(
            normalize(normalizer, X), normalizer.transform(X).astype(np.float32))
