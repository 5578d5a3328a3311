"""Numeric embeddings of the built-in trunk (sklearn_mtl/_neural/_embeddings.py)."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, KFold
from torch import nn

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl._neural._embeddings import (
    EmbeddedTrunk,
    NumericEmbeddings,
    n_distinct,
    plan_embeddings,
)

FAST = dict(hidden_layer_sizes=(16,), max_epochs=15, lr=0.03, batch_size=32,
            early_stopping=False, random_state=0)


def make_tasks(n=240, seed=0):
    """Two tasks over 4 numeric columns, a binary flag and a constant column."""
    rng = np.random.RandomState(seed)
    X = np.column_stack([rng.normal(size=(n, 4)), rng.randint(0, 2, n), np.full(n, 3.0)])
    Y = np.column_stack([X[:, 0] + X[:, 4] > 0.5, np.abs(X[:, 1]) > 0.8]).astype(int)
    return X, Y


@pytest.fixture(scope="module")
def data():
    return make_tasks()


@pytest.fixture(scope="module")
def fitted(data):
    X, Y = data
    return MultiTaskClassifier(**FAST).fit(X, Y)


def _plan(X, Y=None, **kwargs):
    codes = np.zeros((len(X), 1), dtype=np.int64) if Y is None else Y.astype(np.int64)
    params = dict(kind="piecewise_linear", n_bins=8, binning="quantile", d_embedding=4)
    return plan_embeddings(X.astype(np.float32), codes, **{**params, **kwargs})


# --------------------------------------------------------------------- plan
def test_constant_and_binary_columns_pass_through(data):
    X, Y = data
    plan = _plan(X)
    assert plan.embedded.tolist() == [0, 1, 2, 3]
    assert plan.passthrough.tolist() == [4, 5]
    assert plan.n_features_out == 4 * 4 + 2
    assert plan.chunks == [4, 4, 4, 4, 1, 1]
    z = plan.make()(torch.as_tensor(X[:5], dtype=torch.float32))
    assert z.shape == (5, 18)
    # the pass-through columns come out unchanged, after the embeddings
    np.testing.assert_array_equal(z[:, 16:].detach().numpy(), X[:5, 4:])


def test_nothing_to_embed_gives_no_plan():
    X = np.column_stack([np.zeros(10), np.arange(10) % 2])
    assert _plan(X) is None


def test_n_distinct_counts_distinct_values_per_column():
    X = np.array([[1.0, 0.0], [1.0, 2.0], [1.0, 0.0], [1.0, 5.0]])
    assert n_distinct(X).tolist() == [1, 3]


def test_quantile_bins_come_from_the_training_rows():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(500, 2))
    plan = _plan(X, n_bins=10)
    for j, edges in enumerate(plan.bins):
        assert len(edges) == 11
        assert edges[0] == np.float32(X[:, j].min()) and edges[-1] == np.float32(X[:, j].max())
        np.testing.assert_allclose(edges.numpy(), np.quantile(X[:, j], np.linspace(0, 1, 11)),
                                   atol=0.01)


def test_n_bins_above_the_distinct_values_gives_one_bin_per_gap():
    X = np.tile(np.array([[0.0], [1.0], [2.0], [7.0]]), (10, 1))
    plan = _plan(X, n_bins=48)
    assert plan.bins[0].tolist() == [0.0, 1.0, 2.0, 7.0]


def test_n_bins_above_the_number_of_rows_is_clipped():
    X = np.arange(5.0)[:, None]
    plan = _plan(X, n_bins=48)
    assert plan.bins[0].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_tree_bins_find_the_threshold_of_a_task():
    rng = np.random.RandomState(0)
    x = rng.uniform(size=(2000, 1))
    Y = np.column_stack([x[:, 0] > 0.3, x[:, 0] > 0.8])
    plan = _plan(x, Y, binning="tree", n_bins=4)
    edges = plan.bins[0].numpy()
    assert 3 <= len(edges) <= 5
    assert edges[0] == np.float32(x.min()) and edges[-1] == np.float32(x.max())
    assert np.abs(edges - 0.3).min() < 0.01 and np.abs(edges - 0.8).min() < 0.01


def test_tree_bins_ignore_missing_labels_and_single_class_tasks():
    rng = np.random.RandomState(0)
    x = rng.uniform(size=(400, 1))
    Y = np.column_stack([np.where(x[:, 0] > 0.5, 1, 0), np.zeros(400)])
    Y[::2, 0] = -1
    plan = _plan(x, Y, binning="tree", n_bins=4)
    assert np.abs(plan.bins[0].numpy() - 0.5).min() < 0.02


def test_periodic_plan_has_no_bins(data):
    X, _ = data
    plan = _plan(X, kind="periodic")
    assert plan.bins is None
    assert plan.make()(torch.zeros(3, X.shape[1])).shape == (3, plan.n_features_out)


# -------------------------------------------------------------- estimator
def test_default_trunk_embeds_the_numeric_columns(fitted, data):
    X, _ = data
    trunk = fitted.net_.module_.trunk
    assert isinstance(trunk, EmbeddedTrunk) and isinstance(trunk[0], NumericEmbeddings)
    assert trunk[0].embedded.tolist() == [0, 1, 2, 3]
    assert trunk[0].passthrough.tolist() == [4, 5]
    # 48 bins for each of the 4 continuous columns of the 240 training rows
    assert trunk[0].embeddings.impl.weight.shape == (4, 48)


@pytest.mark.parametrize("params", [
    {},
    {"num_embeddings": "periodic"},
    {"binning": "tree"},
    {"num_embeddings": None},
    {"architecture": "mmoe", "n_experts": 2},
])
def test_every_embedding_learns_the_tasks(data, params):
    X, Y = data
    clf = MultiTaskClassifier(**{**FAST, "max_epochs": 30, **params}).fit(X, Y)
    assert clf.score(X, Y) > 0.85


def test_num_embeddings_none_is_the_plain_mlp(data):
    X, Y = data
    clf = MultiTaskClassifier(**FAST, num_embeddings=None).fit(X, Y)
    first = clf.net_.module_.trunk[0]
    assert isinstance(first, nn.Linear) and first.in_features == X.shape[1]


def test_same_random_state_same_model_with_tree_bins(data):
    X, Y = data
    a = MultiTaskClassifier(**FAST, binning="tree").fit(X, Y).predict_proba(X)
    b = MultiTaskClassifier(**FAST, binning="tree").fit(X, Y).predict_proba(X)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)


def test_user_module_gets_no_embeddings(data):
    X, Y = data
    clf = MultiTaskClassifier(**FAST, module=nn.Linear(X.shape[1], 8)).fit(X, Y)
    assert isinstance(clf.net_.module_.trunk, nn.Linear)


def test_rows_outside_the_training_range_are_predicted(fitted, data):
    X, _ = data
    far = X[:5].copy()
    far[:, :4] *= 100.0
    proba = fitted.predict_proba(far)
    assert all(np.isfinite(p).all() for p in proba)


# -------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_a_column_at_fit_is_a_clear_error(data, bad):
    X, Y = data
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        MultiTaskClassifier(**FAST).fit(X, Y)


def test_single_valued_column_passes_through_without_warning(data):
    X, Y = data
    X = X.copy()
    X[:, 2] = 1.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = MultiTaskClassifier(**FAST).fit(X, Y)
    assert 2 in clf.net_.module_.trunk[0].passthrough.tolist()
    assert clf.score(X, Y) > 0.85


def test_all_columns_binary_trains_without_embeddings():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 2, size=(60, 3)).astype(float)
    Y = np.column_stack([X[:, 0], X[:, 1] != X[:, 2]]).astype(int)
    clf = MultiTaskClassifier(**FAST).fit(X, Y)
    assert isinstance(clf.net_.module_.trunk[0], nn.Linear)


def test_n_bins_above_the_distinct_values_trains_without_warning():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(30, 2)).astype(float)
    Y = (X[:, 0] > 1).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = MultiTaskClassifier(**FAST, n_bins=200).fit(X, Y)
    assert clf.score(X, Y) > 0.9


def test_integer_input_is_the_float_input(data):
    X, Y = data
    X_int = np.round(X * 10).astype(np.int64)
    a = MultiTaskClassifier(**FAST).fit(X_int, Y).predict_proba(X_int)
    b = MultiTaskClassifier(**FAST).fit(X_int.astype(float), Y).predict_proba(X_int.astype(float))
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)


def test_string_input_is_a_clear_error(data):
    X, Y = data
    X = X.astype(object)
    X[0, 0] = "high"
    with pytest.raises(ValueError, match="could not convert string to float"):
        MultiTaskClassifier(**FAST).fit(X, Y)


@pytest.mark.parametrize("params, match", [
    ({"num_embeddings": "linear"}, "num_embeddings"),
    ({"n_bins": 1}, "n_bins"),
    ({"binning": "kmeans"}, "binning"),
    ({"d_embedding": 0}, "d_embedding"),
])
def test_bad_parameters_are_named(data, params, match):
    X, Y = data
    with pytest.raises(ValueError, match=match):
        MultiTaskClassifier(**FAST, **params).fit(X, Y)


def test_embedding_parameters_are_grid_searchable(data):
    X, Y = data
    grid = GridSearchCV(
        MultiTaskClassifier(**{**FAST, "max_epochs": 5}),
        {"num_embeddings": ["piecewise_linear", None], "n_bins": [4, 16]},
        cv=KFold(2, shuffle=True, random_state=0),
    ).fit(X, Y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_estimator_.n_bins in (4, 16)
