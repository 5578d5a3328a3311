"""The multi-gate mixture-of-experts trunk."""

import functools

import numpy as np
import pytest
import torch
from _estimators import PLAIN_MLP, SMALL_NET
from torch import nn

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl._neural._mmoe import MMoETrunk
from sklearn_mtl.weighting import WEIGHTINGS

FAST = dict(SMALL_NET, **PLAIN_MLP, max_epochs=4, architecture="mmoe", n_experts=3)


def _data(n=90, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 0, np.digitize(X[:, 1], [-0.5, 0.5])]).astype(float)
    Y[::4, 1] = np.nan
    return X, Y


def test_gates_are_softmax_mixtures_per_task():
    torch.manual_seed(0)
    trunk = MMoETrunk([nn.Linear(5, 4) for _ in range(3)], n_features=5, n_tasks=2)
    x = torch.randn(7, 5)
    gates = trunk.gate_weights(x)
    assert gates.shape == (7, 2, 3)
    torch.testing.assert_close(gates.sum(-1), torch.ones(7, 2))
    experts = torch.stack([e(x) for e in trunk.experts], 1)
    torch.testing.assert_close(trunk(x), torch.einsum("nte,ned->ntd", gates, experts))


def test_shared_parameters_are_the_experts():
    X, Y = _data()
    module = MultiTaskClassifier(**FAST).fit(X, Y).net_.module_
    shared = {id(p) for p in module.shared_parameters()}
    assert shared == {id(p) for p in module.trunk.experts.parameters()}
    assert id(module.trunk.gates.weight) not in shared
    assert [tuple(p.shape) for p in module.last_shared_parameters()] == [(8, 5)] * 3


def test_experts_differ_and_tasks_get_their_own_features():
    X, Y = _data()
    clf = MultiTaskClassifier(**FAST).fit(X, Y)
    experts = clf.net_.module_.trunk.experts
    assert not torch.equal(experts[0][0].weight, experts[1][0].weight)
    features = clf.net_.module_.trunk(torch.from_numpy(X))
    assert features.shape == (len(X), 2, 8)
    assert not torch.allclose(features[:, 0], features[:, 1])


@pytest.mark.parametrize("name", sorted(WEIGHTINGS))
def test_mmoe_trains_with_every_strategy(name):
    X, Y = _data()
    clf = MultiTaskClassifier(weighting=name, **FAST).fit(X, Y)
    assert clf.predict(X).shape == (len(X), 2)
    assert np.all(np.isfinite(clf.task_weights_))


def test_user_module_instance_is_copied_and_reinitialised_per_expert():
    torch.manual_seed(0)
    expert = nn.Sequential(nn.Linear(5, 6), nn.ReLU())
    before = expert[0].weight.detach().clone()
    X, Y = _data()
    clf = MultiTaskClassifier(**dict(FAST, module=expert)).fit(X, Y)
    experts = clf.net_.module_.trunk.experts
    assert len(experts) == 3 and all(e is not expert for e in experts)
    assert not torch.equal(experts[0][0].weight, experts[1][0].weight)
    torch.testing.assert_close(expert[0].weight, before)  # never trained in place


def test_user_module_class_is_called_per_expert():
    calls = []

    def factory():
        calls.append(1)
        return nn.Sequential(nn.Flatten(), nn.Linear(5, 4))

    X, Y = _data()
    clf = MultiTaskClassifier(**dict(FAST, module=factory)).fit(X, Y)
    assert len(calls) == 3
    assert clf.predict_proba(X)[0].shape == (len(X), 2)


def test_mmoe_with_images_and_a_cnn_expert():
    X, Y = _data(n=40)
    images = np.repeat(X[:, None, None, :], 5, axis=2)  # (n, 1, 5, 5)
    cnn = functools.partial(nn.Sequential, nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten())
    clf = MultiTaskClassifier(**dict(FAST, module=cnn)).fit(images, Y)
    assert clf.net_.module_.trunk.gates.in_features == 25
    assert clf.predict(images).shape == (40, 2)


def test_mmoe_without_hidden_layer_is_refused():
    X, Y = _data()
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MultiTaskClassifier(**dict(FAST, hidden_layer_sizes=())).fit(X, Y)


@pytest.mark.parametrize("param, value", [("architecture", "tree"), ("n_experts", 0)])
def test_invalid_architecture_params_raise(param, value):
    X, Y = _data()
    with pytest.raises(ValueError, match=param):
        MultiTaskClassifier(**dict(FAST, **{param: value})).fit(X, Y)


def test_same_random_state_same_model():
    X, Y = _data()
    a = MultiTaskClassifier(**FAST).fit(X, Y).predict_proba(X)
    b = MultiTaskClassifier(**FAST).fit(X, Y).predict_proba(X)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)
