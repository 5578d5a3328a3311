"""The TabM architecture (sklearn_mtl/_neural/_tabm.py)."""

import numpy as np
import pytest
import torch
from torch import nn

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl._neural._loss import masked_task_losses
from sklearn_mtl._neural._normalize import normalize
from sklearn_mtl._neural._tabm import EnsembleTaskHeads, TabMTrunk

FAST = dict(hidden_layer_sizes=(16,), max_epochs=20, lr=0.03, batch_size=32,
            dropout=0.0, early_stopping=False, architecture="tabm", n_members=4,
            random_state=0)


def make_tasks(n=240, seed=0):
    """Three tasks (2, 3 and 2 classes) over 5 numeric columns and a flag."""
    rng = np.random.RandomState(seed)
    X = np.column_stack([rng.normal(size=(n, 5)), rng.randint(0, 2, n)])
    s = X[:, 0] + X[:, 1]
    Y = np.column_stack([s > 0, np.digitize(s, [-0.7, 0.7]), X[:, 2] + X[:, 5] > 0.5])
    return X, Y.astype(int)


@pytest.fixture(scope="module")
def data():
    return make_tasks()


@pytest.fixture(scope="module")
def fitted(data):
    X, Y = data
    return MultiTaskClassifier(**FAST).fit(X, Y)


def test_tabm_learns_all_tasks(fitted, data):
    X, Y = data
    assert (fitted.predict(X) == Y).mean(axis=0).min() > 0.85


def test_predict_proba_is_the_mean_of_the_members_probabilities(fitted, data):
    X, _ = data
    module = fitted.net_.module_
    module.train()  # no dropout here: training mode only exposes the members
    try:
        with torch.no_grad():
            members = module(torch.from_numpy(normalize(fitted.input_normalizer_, X)))
    finally:
        module.eval()
    assert members.shape == (len(X), 4, 3, 3)
    mean = members.softmax(-1).mean(dim=1).numpy()
    for j, (p, k) in enumerate(zip(fitted.predict_proba(X), fitted.n_classes_)):
        np.testing.assert_allclose(p, mean[:, j, :k], atol=1e-5)
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)


def test_members_differ(fitted, data):
    X, _ = data
    module = fitted.net_.module_
    module.train()
    try:
        with torch.no_grad():
            members = module(torch.from_numpy(normalize(fitted.input_normalizer_, X[:20])))
    finally:
        module.eval()
    assert not torch.allclose(members[:, 0], members[:, 1])


def test_weights_are_shared_between_members(fitted):
    trunk = fitted.net_.module_.trunk
    assert isinstance(trunk, TabMTrunk)
    layer = trunk.layers[0]
    # one weight matrix for all members; per-member scalings and biases
    assert layer.weight.shape == (16, trunk.front.n_features_out)
    assert layer.r.shape[0] == layer.s.shape[0] == layer.bias.shape[0] == 4


def test_training_loss_is_the_mean_over_members():
    torch.manual_seed(0)
    logits = torch.randn(6, 3, 2, 4)
    logits[..., 1, 3] = float("-inf")  # task 1 has 3 classes
    y = torch.tensor([[0, 1], [1, -1], [3, 2], [2, 0], [-1, -1], [0, 2]])
    losses, counts = masked_task_losses(logits, y)
    per_member = torch.stack([masked_task_losses(logits[:, i], y)[0] for i in range(3)])
    torch.testing.assert_close(losses, per_member.mean(dim=0))
    assert counts.tolist() == [5, 4]


def test_ensemble_heads_with_a_hidden_layer():
    heads = EnsembleTaskHeads(8, [2, 5], n_members=3, hidden_size=4)
    out = heads(torch.randn(7, 3, 8))
    assert out.shape == (7, 3, 2, 5)
    assert torch.isinf(out[:, :, 0, 2:]).all() and torch.isfinite(out[:, :, 1]).all()


@pytest.mark.parametrize("params", [
    {"num_embeddings": None},
    {"n_members": 1},
    {"head_hidden_size": 8},
    {"weighting": "uncertainty"},
    {"early_stopping": True, "max_epochs": 30},
])
def test_tabm_variants_learn(data, params):
    X, Y = data
    clf = MultiTaskClassifier(**{**FAST, **params}).fit(X, Y)
    assert clf.score(X, Y) > 0.8


def test_same_random_state_same_model(data):
    X, Y = data
    a = MultiTaskClassifier(**FAST).fit(X, Y).predict_proba(X)
    b = MultiTaskClassifier(**FAST).fit(X, Y).predict_proba(X)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)


@pytest.mark.parametrize("params, match", [
    ({"module": nn.Linear(6, 4)}, "does not take a module"),
    ({"hidden_layer_sizes": ()}, "at least one hidden layer"),
    ({"batch_norm": True}, "batch_norm"),
    ({"n_members": 0}, "n_members"),
])
def test_bad_tabm_settings_are_named(data, params, match):
    X, Y = data
    with pytest.raises(ValueError, match=match):
        MultiTaskClassifier(**{**FAST, **params}).fit(X, Y)
