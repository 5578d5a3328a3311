"""The neural estimator's safety rules: thread safety, divergence never
silent, warm start following scikit-learn, inputs never modified, and
errors that name the parameter at fault."""

import threading
import types
import warnings

import numpy as np
import pytest
import torch
from _estimators import SMALL_NET
from torch import nn

from sklearn_mtl import MultiTaskClassifier


def _in_threads(fn, n_threads=6):
    """Run ``fn(i)`` in threads started together; return the results by i."""
    results = [None] * n_threads
    barrier = threading.Barrier(n_threads)

    def run(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _state(clf):
    return {k: v.clone() for k, v in clf.net_.module_.state_dict().items()}


@pytest.fixture(scope="module")
def noisy(tasks):
    """A fitted model with dropout and batch norm: train and eval differ."""
    X, Y = tasks
    return MultiTaskClassifier(**dict(SMALL_NET, dropout=0.5, batch_norm=True)).fit(X, Y)


# ------------------------------------------------------------ thread safety
def test_predict_in_threads_equals_sequential_and_changes_nothing(noisy, tasks):
    X, _ = tasks
    before = _state(noisy)
    expected = noisy.predict_proba(X)
    results = _in_threads(lambda i: [noisy.predict_proba(X) for _ in range(5)])
    for per_thread in results:
        for proba in per_thread:
            for a, b in zip(proba, expected):
                np.testing.assert_array_equal(a, b)
    assert not noisy.net_.module_.training
    for name, value in _state(noisy).items():
        assert torch.equal(value, before[name]), name


@pytest.mark.parametrize("params", [{}, {"dropout": 0.3}, {"weighting": "rlw"}],
                         ids=["plain", "dropout", "random-weighting"])
def test_fits_in_threads_equal_sequential_and_leave_global_rng(tasks, params):
    X, Y = tasks
    params = dict(SMALL_NET, max_epochs=3, **params)
    sequential = MultiTaskClassifier(**params).fit(X, Y).predict_proba(X)
    state = torch.get_rng_state()
    results = _in_threads(lambda i: MultiTaskClassifier(**params).fit(X, Y).predict_proba(X),
                          n_threads=4)
    assert torch.equal(torch.get_rng_state(), state)
    for proba in results:
        for a, b in zip(proba, sequential):
            np.testing.assert_array_equal(a, b)


class _UserLayer(nn.Module):
    def forward(self, x):
        return x.relu()


@pytest.mark.parametrize("params, draws", [
    ({"dropout": 0.0}, False),  # rtdl_num_embeddings' layers are deterministic
    ({"dropout": 0.0, "architecture": "tabm", "n_members": 2}, False),  # tabm's too
    ({"dropout": 0.0, "num_embeddings": "periodic"}, False),
    ({"dropout": 0.1}, True),
    ({"module": nn.Sequential(nn.Linear(6, 4), nn.ReLU())}, False),  # torch's layers
    ({"module": nn.Sequential(nn.Linear(6, 4), _UserLayer())}, True),  # unknown code
], ids=["piecewise-linear", "tabm", "periodic", "dropout", "torch-module", "user-layer"])
def test_only_random_or_unknown_layers_take_the_global_rng_lock(tasks, params, draws):
    X, Y = tasks
    model = MultiTaskClassifier(**dict(SMALL_NET, max_epochs=1, **params)).fit(X, Y)
    assert model.net_.uses_global_rng_ is draws


def test_criterion_is_the_loss_the_net_trains_on(tasks):
    from sklearn_mtl._neural._loss import masked_task_losses

    X, Y = tasks
    model = MultiTaskClassifier(**dict(SMALL_NET, max_epochs=1)).fit(X, Y)
    net = model.net_
    codes = torch.as_tensor(np.stack([np.searchsorted(c, list(y)) for c, y in
                                      zip(model.classes_, Y.T)], axis=1))
    with torch.no_grad():
        logits = net.module_(torch.tensor(X, dtype=torch.float32))
        losses, counts = net.criterion_(logits, codes)
        expected, _ = masked_task_losses(logits, codes)
    assert not isinstance(net.criterion_, nn.CrossEntropyLoss)
    torch.testing.assert_close(losses, expected)
    assert counts.tolist() == [len(X)] * 3
    assert float(net.get_loss(logits, codes)) == pytest.approx(float(losses.sum()))


# ------------------------------------------------------------ divergence
@pytest.mark.parametrize("params, match", [
    ({"optimizer": "sgd", "lr": 1e30}, "non-finite at epoch"),
    ({"task_weights": [1e30, 1e30, 1e30]}, "epoch 1.*task_weights"),
], ids=["huge-lr-sgd", "huge-task-weights"])
def test_divergence_raises_naming_epoch_and_cause(tasks, params, match):
    X, Y = tasks
    with pytest.raises(FloatingPointError, match=match):
        MultiTaskClassifier(**dict(SMALL_NET, **params)).fit(X, Y)


# the last optimiser step diverges (parameters ~5e28): no later forward pass
# sees a non-finite loss, so only a check at the end of the fit can tell
@pytest.mark.parametrize("train", [
    lambda m, X, Y: m.fit(X, Y),
    lambda m, X, Y: m.set_params(early_stopping=True).fit(X, Y),
    lambda m, X, Y: m.partial_fit(X, Y),
], ids=["fit", "fit-early-stopping", "partial_fit"])
def test_fit_ending_with_useless_parameters_raises_naming_cause(tasks, train):
    X, Y = tasks
    model = MultiTaskClassifier(**dict(SMALL_NET, optimizer="sgd", lr=1e30, max_epochs=1,
                                       batch_size=len(X), early_stopping=False))
    with pytest.raises(FloatingPointError, match=r"end of the fit.*\(lr\).*task_weights.*X"):
        train(model, X, Y)


def test_exploding_loss_warns(tasks):
    X, Y = tasks
    with pytest.warns(UserWarning, match=r"exploded at epoch 1.*\(lr\)"):
        MultiTaskClassifier(**dict(SMALL_NET, lr=1e6, max_epochs=4)).fit(X, Y)


@pytest.mark.parametrize("losses, warns", [
    ([-0.614, -0.593], False),  # a negative objective that barely moved
    ([0.7, 0.69], False),
    ([0.7, 800.0], True),
    ([-0.5, 600.0], True),
    # a well-trained loss that rises again is not an explosion: the
    # reference is the untrained network's loss, not the lowest seen
    ([0.7, 0.000273, 0.38], False),
    ([0.7, 0.69, 7.61], False),  # an overshoot that training recovers from
    ([0.7, 0.000273, 500.0], True),
])
def test_explosion_is_measured_against_the_loss_magnitude(losses, warns):
    from skorch.history import History

    from sklearn_mtl._neural._callbacks import DivergenceCheck

    history = History()
    for loss in losses:
        history.new_epoch()
        history.record("train_loss", loss)
    net = types.SimpleNamespace(history=history, module_=nn.Linear(1, 1))
    check = DivergenceCheck()
    check.on_train_begin(net)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check.on_epoch_end(net)
    assert any("exploded" in str(w.message) for w in caught) is warns


def test_predict_proba_never_returns_nan(tasks):
    X, Y = tasks
    clf = MultiTaskClassifier(**SMALL_NET).fit(X, Y)
    with torch.no_grad():
        next(clf.net_.module_.parameters()).fill_(float("nan"))
    with pytest.raises(ValueError, match="non-finite probabilities"):
        clf.predict_proba(X)


# ------------------------------------------------------------ warm start
def test_warm_start_uses_changed_training_settings(tasks):
    X, Y = tasks
    clf = MultiTaskClassifier(**dict(SMALL_NET, warm_start=True, max_epochs=2)).fit(X, Y)
    clf.set_params(lr=0.001, batch_size=len(X), max_epochs=50, weight_decay=0.1,
                   early_stopping=True, n_iter_no_change=1)
    clf.fit(X, Y)
    group = clf.net_.optimizer_.param_groups[0]
    assert (group["lr"], group["weight_decay"]) == (0.001, 0.1)
    assert 2 < clf.n_iter_ < 52  # early stopping, now on, ended the 50 epochs early
    assert clf.history_[-1, "train_batch_count"] == 1
    assert "valid_loss" in clf.history_[-1]
    clf.set_params(optimizer="sgd").fit(X, Y)
    assert isinstance(clf.net_.optimizer_, torch.optim.SGD)


@pytest.mark.parametrize("param, value", [
    ("hidden_layer_sizes", (5,)), ("activation", "tanh"), ("dropout", 0.3),
    ("batch_norm", True), ("head_hidden_size", 3), ("architecture", "mmoe"),
    ("num_embeddings", None), ("n_bins", 8), ("architecture", "tabm"),
])
def test_warm_start_refuses_a_change_of_network(tasks, param, value):
    X, Y = tasks
    clf = MultiTaskClassifier(**dict(SMALL_NET, warm_start=True, max_epochs=1)).fit(X, Y)
    clf.set_params(**{param: value})
    with pytest.raises(ValueError, match=f"cannot change {param}"):
        clf.fit(X, Y)


# ------------------------------------------------------- inputs untouched
def test_in_place_module_never_modifies_the_input(tasks):
    X, Y = tasks
    X = X.astype(np.float32)
    original = X.copy()
    module = nn.Sequential(nn.ReLU(inplace=True), nn.Linear(X.shape[1], 8))
    clf = MultiTaskClassifier(**dict(SMALL_NET, module=module)).fit(X, Y)
    np.testing.assert_array_equal(X, original)
    clf.predict_proba(X)
    clf.predict(X[:1])
    np.testing.assert_array_equal(X, original)


# ------------------------------------------------ errors naming the cause
class _NotACallback:
    pass


@pytest.mark.parametrize("params, rows, error, match", [
    ({"batch_norm": True, "batch_size": 1}, None, ValueError, "batch_size=1"),
    ({"batch_norm": True}, 1, ValueError, "1 training row"),
    ({"device": "nonsense"}, None, ValueError, "device"),
    ({"device": "meta"}, None, ValueError, "device='meta'"),
    ({"callbacks": [_NotACallback()]}, None, TypeError, r"callbacks\[0\]"),
    ({"optimizer": lambda params, lr: None, "weight_decay": 0.0}, None, TypeError,
     "optimizer.*NoneType"),
    ({"optimizer": lambda params, lr: torch.optim.SGD(params, lr)}, None, TypeError,
     "does not take weight_decay"),
], ids=["batch-norm-batch-size-1", "batch-norm-one-row", "unknown-device", "meta-device",
        "not-a-callback", "optimizer-returning-none", "optimizer-without-weight-decay"])
def test_errors_name_the_parameter(tasks, params, rows, error, match):
    X, Y = tasks
    if rows is not None:
        X, Y = X[:rows], Y[:rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # single-class tasks of one row
        with pytest.raises(error, match=match):
            MultiTaskClassifier(**dict(SMALL_NET, **params)).fit(X, Y)


def test_partial_fit_takes_scikit_learn_flat_classes(tasks):
    X, Y = tasks
    clf = MultiTaskClassifier(**SMALL_NET).partial_fit(X[:5], Y[:5, 0], classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    with pytest.raises(ValueError, match="one array-like of classes per task for a 2D y"):
        MultiTaskClassifier(**SMALL_NET).partial_fit(X, Y, classes=[0, 1, 2])


# ------------------------------------------------- one-row fast path checks
def test_one_row_fast_path_keeps_every_check(tasks):
    pd = pytest.importorskip("pandas")
    X, Y = tasks
    clf = MultiTaskClassifier(**SMALL_NET).fit(X, Y)
    row = X[:1].copy()
    np.testing.assert_array_equal(clf.predict_proba(row)[0],
                                  clf.predict_proba(row.astype(np.float32))[0])
    with pytest.raises(ValueError, match="features"):
        clf.predict(row[:, :-1])
    row[0, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(row)
    named = MultiTaskClassifier(**SMALL_NET).fit(
        pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]), Y)
    with pytest.warns(UserWarning, match="feature names"):
        named.predict(X[:1])


_MODES = []


class _ModeProbe(torch.nn.Module):
    """A trunk that records the mode of each forward pass it runs."""

    def __init__(self):
        super().__init__()
        self.inner = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Dropout(0.1))

    def forward(self, x):
        _MODES.append((self.training, self.inner[1].training))
        return self.inner(x)


def test_training_batches_run_in_train_mode_and_validation_in_eval_mode():
    # the net skips a mode switch when the module is already in that mode:
    # every training batch must still see train mode (submodules included)
    # and every validation batch eval mode, and the fitted module ends in eval
    X = np.random.RandomState(0).normal(size=(100, 4)).astype(np.float32)
    Y = (X[:, :2] > 0).astype(int)
    _MODES.clear()
    model = MultiTaskClassifier(module=_ModeProbe, max_epochs=3, batch_size=20,
                                early_stopping=True, validation_fraction=0.2,
                                n_iter_no_change=10, random_state=0).fit(X, Y)
    train_batches, valid_batches = 4, 1  # 80 training rows, 20 held out
    modes = _MODES[1:]  # the first pass is the output-size probe, in eval mode
    assert len(modes) == 3 * (train_batches + valid_batches)
    for epoch in range(3):
        chunk = modes[epoch * 5:(epoch + 1) * 5]
        assert chunk[:train_batches] == [(True, True)] * train_batches
        assert chunk[train_batches:] == [(False, False)] * valid_batches
    assert not model.net_.module_.training
    assert not any(m.training for m in model.net_.module_.modules())


def test_seeding_the_cpu_generator_draws_as_torch_manual_seed():
    # the per-epoch seeding of dropout on the CPU skips torch.manual_seed's
    # queued CUDA seeding, and must leave the CPU generator where it would
    from sklearn_mtl._neural._random import seed_global_rng

    saved = torch.get_rng_state()
    try:
        torch.manual_seed(123)
        expected = torch.rand(5)
        torch.manual_seed(0)
        seed_global_rng(123, torch.device("cpu"))
        np.testing.assert_array_equal(torch.rand(5).numpy(), expected.numpy())
    finally:
        torch.set_rng_state(saved)


@pytest.mark.parametrize("what", ["parameter", "gradient"])
def test_epoch_check_names_the_diverged_parameter(what):
    from skorch.history import History

    from sklearn_mtl._neural._callbacks import DivergenceCheck

    module = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    for p in module.parameters():
        p.grad = torch.zeros_like(p)
    with torch.no_grad():
        if what == "parameter":
            module[2].bias[1] = float("inf")
        else:
            module[2].bias.grad[1] = 1e20
    history = History()
    history.new_epoch()
    history.record("train_loss", 0.5)
    net = types.SimpleNamespace(history=history, module_=module)
    check = DivergenceCheck()
    check.on_train_begin(net)
    match = ("parameter '2.bias' became non-finite at epoch 1" if what == "parameter"
             else "gradient of '2.bias' reached 1e\\+20 at epoch 1")
    with pytest.raises(FloatingPointError, match=match):
        check.on_epoch_end(net)
    with torch.no_grad():  # healthy again: no error
        module[2].bias.fill_(0.0)
        module[2].bias.grad.fill_(0.0)
    check.on_epoch_end(net)


def test_early_stopping_restores_its_best_epoch_from_its_own_copy(tasks):
    X, Y = tasks
    clf = MultiTaskClassifier(**dict(SMALL_NET, early_stopping=True, n_iter_no_change=3,
                                     max_epochs=60, lr=0.05)).fit(X, Y)
    stopper = dict(clf.net_.callbacks_)["early_stopping"]
    best = stopper.best_model_weights_
    valid = clf.history_[:, "valid_loss"]
    assert stopper.best_epoch_ < len(valid)  # stopped after the best epoch
    # the best epoch: it improved on every earlier one by more than tol, and
    # no later one improved on it by more than tol
    best_loss = valid[stopper.best_epoch_ - 1]
    assert all(best_loss < v - clf.tol for v in valid[:stopper.best_epoch_ - 1])
    assert all(v >= best_loss - clf.tol for v in valid[stopper.best_epoch_:])
    state = clf.net_.module_.state_dict()
    assert set(state) == set(best)
    for key, value in state.items():
        assert torch.equal(value, best[key])
        if value.numel():  # a copy, not the live tensor
            assert value.data_ptr() != best[key].data_ptr()
