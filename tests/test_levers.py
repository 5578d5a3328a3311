"""Training levers of the neural estimators: label smoothing
(sklearn_mtl/_neural/_loss.py), weight averaging (_net.py) and the
learning-rate schedule (_callbacks.py, wired in _wiring.py); their
parameters are in _params.py."""

import copy
import math
import pickle

import numpy as np
import pytest
import torch
from _estimators import SMALL_NET, make_regression_tasks
from skorch.callbacks import Callback
from torch.nn import functional as F

from sklearn_mtl import MultiTaskClassifier, MultiTaskEstimator, MultiTaskRegressor
from sklearn_mtl._neural._callbacks import LRSchedule
from sklearn_mtl._neural._loss import TaskCriterion, TaskLoss, cross_entropy_sums
from sklearn_mtl._neural._net import WeightAverage

# no dropout: a training step's outputs are the evaluation mode's
FAST = dict(SMALL_NET, hidden_layer_sizes=(16,), max_epochs=15, lr=0.03, dropout=0.0)


# ------------------------------------------------------------- the loss
@pytest.fixture(scope="module")
def logits():
    """Two tasks: 4 classes, and 3 classes padded to 4 with ``-inf``; some
    samples unlabelled (``-1``)."""
    gen = torch.Generator().manual_seed(0)
    outputs = torch.randn(12, 2, 4, generator=gen)
    outputs[:, 1, 3] = -torch.inf
    y = torch.tensor([[0, 1], [1, 2], [3, -1], [2, 0], [-1, 1], [0, 0],
                      [1, 1], [2, 2], [3, 0], [0, -1], [-1, 2], [2, 1]])
    return outputs, y


@pytest.mark.parametrize("eps", [0.05, 0.3])
def test_label_smoothing_is_torchs_over_each_tasks_own_classes(logits, eps):
    outputs, y = logits
    sums, counts = cross_entropy_sums(outputs, y, label_smoothing=eps)
    # task 0: every class real; task 1: torch's smoothing over its 3 real classes
    expected = [F.cross_entropy(outputs[:, 0], y[:, 0], ignore_index=-1, reduction="sum",
                                label_smoothing=eps),
                F.cross_entropy(outputs[:, 1, :3], y[:, 1], ignore_index=-1, reduction="sum",
                                label_smoothing=eps)]
    torch.testing.assert_close(sums, torch.stack(expected))
    assert counts.tolist() == [10, 10]
    plain, _ = cross_entropy_sums(outputs, y)
    assert (sums != plain).all()


def test_label_smoothing_gradient_is_finite_with_padded_classes(logits):
    outputs, y = logits
    outputs = outputs.clone().requires_grad_(True)
    cross_entropy_sums(outputs, y, label_smoothing=0.1)[0].sum().backward()
    real = torch.isfinite(outputs)
    assert torch.isfinite(outputs.grad).all()
    assert (outputs.grad[~real] == 0).all() and (outputs.grad[real] != 0).any()


def test_label_smoothing_averages_over_members(logits):
    outputs, y = logits
    members = torch.stack([outputs, outputs * 2], dim=1)  # (n, k=2, n_tasks, C)
    sums, _ = cross_entropy_sums(members, y, label_smoothing=0.2)
    each = [cross_entropy_sums(m, y, label_smoothing=0.2)[0] for m in (outputs, outputs * 2)]
    torch.testing.assert_close(sums, (each[0] + each[1]) / 2)


def test_label_smoothing_applies_in_training_mode_only(logits):
    outputs, y = logits
    criterion = TaskCriterion(["classification", "classification"], label_smoothing=0.2)
    plain, _ = TaskLoss(["classification", "classification"])(outputs, y)
    criterion.train()
    smoothed, _ = criterion(outputs, y)
    criterion.eval()
    evaluated, _ = criterion(outputs, y)
    torch.testing.assert_close(evaluated, plain)
    assert (smoothed != plain).all()


def test_label_smoothing_leaves_regression_tasks_alone(logits):
    outputs, y = logits
    mixed_y = torch.stack([y[:, 0].float(), torch.linspace(-1, 1, len(y))], dim=1)
    kinds = ["classification", "regression"]
    smoothed, _ = TaskLoss(kinds, label_smoothing=0.3)(outputs, mixed_y, training=True)
    plain, _ = TaskLoss(kinds)(outputs, mixed_y, training=True)
    assert smoothed[0] != plain[0]
    assert smoothed[1] == plain[1]


def test_a_task_loss_pickled_before_label_smoothing_loads_without_it():
    loss = TaskLoss(["classification"])
    state = loss.__getstate__()
    del state["label_smoothing"]
    old = TaskLoss.__new__(TaskLoss)
    old.__setstate__(state)
    assert old.label_smoothing == 0.0
    assert pickle.loads(pickle.dumps(old)).label_smoothing == 0.0


# ------------------------------------------------------------ estimators
@pytest.fixture(scope="module")
def plain_and_smoothed(tasks):
    X, Y = tasks
    plain = MultiTaskClassifier(**FAST).fit(X, Y)
    smoothed = MultiTaskClassifier(**FAST, label_smoothing=0.3).fit(X, Y)
    return plain, smoothed


def test_smoothed_classifier_is_less_confident_and_still_learns(plain_and_smoothed, tasks):
    X, Y = tasks
    plain, smoothed = plain_and_smoothed
    assert smoothed.net_.task_loss_.label_smoothing == 0.3
    for p, s in zip(plain.predict_proba(X), smoothed.predict_proba(X)):
        assert s.max(axis=1).mean() < p.max(axis=1).mean() - 0.02
    assert (smoothed.predict(X) == Y).mean(axis=0).min() > 0.8


def test_net_smooths_its_training_steps_only(plain_and_smoothed, tasks):
    """A training step's task losses are smoothed; a validation step's (the
    early-stopping loss) are the plain cross-entropy; a fitted net is left
    in evaluation mode."""
    X, _ = tasks
    _, smoothed = plain_and_smoothed
    net = copy.deepcopy(smoothed.net_)
    assert not net.criterion_.training and not net.module_.training
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float32))
    yt = torch.stack([torch.arange(len(X)) % k for k in smoothed.n_classes_], dim=1)
    with torch.no_grad():
        outputs = net.infer(Xt)
    plain = TaskLoss(["classification"] * smoothed.n_tasks_)(outputs, yt)[0]
    smooth = TaskLoss(["classification"] * smoothed.n_tasks_, label_smoothing=0.3)(
        outputs, yt, training=True)[0]
    torch.testing.assert_close(net.validation_step((Xt, yt))["task_losses"], plain)
    step = net.train_step_single((Xt, yt))
    torch.testing.assert_close(step["task_losses"], smooth)
    assert (smooth != plain).all()


def test_label_smoothing_zero_is_the_default(plain_and_smoothed, tasks):
    X, Y = tasks
    plain, _ = plain_and_smoothed
    assert MultiTaskClassifier().label_smoothing == 0.0
    again = MultiTaskClassifier(**FAST, label_smoothing=0.0).fit(X, Y)
    for a, b in zip(plain.predict_proba(X), again.predict_proba(X)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [-0.1, 1.0, "0.1"])
def test_label_smoothing_is_validated(tasks, bad):
    X, Y = tasks
    with pytest.raises((ValueError, TypeError), match="label_smoothing"):
        MultiTaskClassifier(**FAST, label_smoothing=bad).fit(X, Y)


def test_warm_start_applies_a_new_label_smoothing(tasks):
    X, Y = tasks
    model = MultiTaskClassifier(**dict(FAST, max_epochs=2)).fit(X, Y)
    model.set_params(warm_start=True, label_smoothing=0.2).fit(X, Y)
    assert model.net_.task_loss_.label_smoothing == 0.2


def test_estimator_smooths_its_classification_tasks_and_regressor_has_none():
    X, Y = make_regression_tasks(n=120, missing=False)
    mixed = np.column_stack([Y[:, 0], (Y[:, 1] > np.median(Y[:, 1])).astype(int)])
    model = MultiTaskEstimator(**dict(FAST, max_epochs=2), label_smoothing=0.1,
                               task_kinds={"task_0": "regression",
                                           "task_1": "classification"}).fit(X, mixed)
    assert model.net_.task_loss_.label_smoothing == 0.1
    assert "label_smoothing" not in MultiTaskRegressor().get_params()


# ------------------------------------------------------ weight averaging
class StateRecorder(Callback):
    """The module's state at the start, after every training step and at
    every epoch's end."""

    def on_train_begin(self, net, **kwargs):
        self.start_ = _state(net)
        self.steps_, self.epoch_ends_ = [], []

    def on_batch_end(self, net, training=None, **kwargs):
        if training:
            self.steps_.append(_state(net))

    def on_epoch_end(self, net, **kwargs):
        self.epoch_ends_.append(_state(net))


def _state(net):
    return {k: v.detach().clone() for k, v in net.module_.state_dict().items()}


def test_weight_average_is_the_warmed_up_ema_of_the_steps():
    module = torch.nn.Linear(3, 2)
    average = WeightAverage(module, decay=0.8)
    expected = module.weight.detach().clone()
    for t in range(1, 8):
        with torch.no_grad():
            module.weight.add_(torch.full_like(module.weight, float(t)))
        average.update(module)
        d = min(0.8, (1 + t) / (10 + t))
        expected = d * expected + (1 - d) * module.weight.detach()
    raw = module.weight.detach().clone()
    average.apply(module)
    torch.testing.assert_close(module.weight.detach(), expected)
    average.restore(module)
    assert torch.equal(module.weight.detach(), raw)


def test_fitted_network_is_the_average_of_its_training_steps(tasks):
    X, Y = tasks
    params = dict(FAST, max_epochs=3, early_stopping=False)
    model = MultiTaskClassifier(**params, average_weights=0.9,
                                callbacks=[("record", StateRecorder())]).fit(X, Y)
    recorder = dict(model.net_.callbacks_)["record"]
    expected = recorder.start_
    for t, state in enumerate(recorder.steps_, start=1):
        d = min(0.9, (1 + t) / (10 + t))
        expected = {k: d * v + (1 - d) * state[k] if v.is_floating_point() else state[k]
                    for k, v in expected.items()}
    final = model.net_.module_.state_dict()
    last_raw = recorder.steps_[-1]
    changed = [k for k, v in final.items() if not torch.equal(v, last_raw[k])]
    assert changed  # the fitted weights are not the last step's
    for k, v in final.items():
        torch.testing.assert_close(v, expected[k], rtol=1e-5, atol=1e-6)
    plain = MultiTaskClassifier(**params).fit(X, Y)
    assert not np.array_equal(plain.predict_proba(X)[1], model.predict_proba(X)[1])


def test_early_stopping_judges_and_keeps_the_averaged_weights(tasks):
    X, Y = tasks
    model = MultiTaskClassifier(**dict(FAST, max_epochs=12, early_stopping=True,
                                       n_iter_no_change=3),
                                average_weights=0.8,
                                callbacks=[("record", StateRecorder())]).fit(X, Y)
    net = model.net_
    recorder = dict(net.callbacks_)["record"]
    best = int(dict(net.callbacks_)["early_stopping"].best_epoch_)
    final = net.module_.state_dict()
    # the best epoch's state at its end (the average, which validation
    # judged), not the raw weights the epoch's last step left
    at_end = recorder.epoch_ends_[best - 1]
    for k, v in final.items():
        assert torch.equal(v, at_end[k]), k
    steps_per_epoch = len(recorder.steps_) // len(recorder.epoch_ends_)
    raw = recorder.steps_[best * steps_per_epoch - 1]
    assert any(not torch.equal(v, raw[k]) for k, v in final.items())


@pytest.mark.parametrize("bad", [-0.5, 1.0])
def test_average_weights_is_validated(tasks, bad):
    X, Y = tasks
    with pytest.raises(ValueError, match="average_weights"):
        MultiTaskClassifier(**FAST, average_weights=bad).fit(X, Y)
    with pytest.raises(ValueError, match="average_weights"):
        MultiTaskRegressor(average_weights=bad).fit(*make_regression_tasks(n=40))


# -------------------------------------------------- learning-rate schedule
class LRRecorder(Callback):
    """The optimizer's learning rates (every parameter group) at the start
    of every epoch: the rates the epoch's steps used."""

    def on_train_begin(self, net, **kwargs):
        self.lrs_ = []

    def on_epoch_begin(self, net, **kwargs):
        self.lrs_.append([group["lr"] for group in net.optimizer_.param_groups])


def _epoch_lrs(model, name="record"):
    """Per epoch, the one learning rate of every parameter group."""
    lrs = dict(model.net_.callbacks_)[name].lrs_
    assert all(len(set(epoch)) == 1 for epoch in lrs)
    return [epoch[0] for epoch in lrs]


def _plateau_lrs(losses, lr, patience, tol):
    """The rates "plateau" gives: halved after ``patience // 2`` epochs whose
    loss is not below the best by ``tol``."""
    rates, best, misses = [], math.inf, 0
    for loss in losses:
        rates.append(lr)
        if loss < best - tol:
            best, misses = loss, 0
        else:
            misses += 1
        if misses >= max(1, patience // 2):
            lr, misses = lr / 2, 0
    return rates


@pytest.mark.parametrize("early_stopping", [True, False])
def test_plateau_halves_lr_after_half_the_patience_without_improvement(tasks, early_stopping):
    X, Y = tasks
    params = dict(FAST, lr=0.05, max_epochs=40, early_stopping=early_stopping,
                  n_iter_no_change=6, tol=0.01 if early_stopping else 0.05)
    model = MultiTaskClassifier(**params, lr_schedule="plateau",
                                callbacks=[("record", LRRecorder())]).fit(X, Y)
    lrs = _epoch_lrs(model)
    watched = model.history_[:, "valid_loss" if early_stopping else "train_loss"]
    assert len(lrs) == len(watched) == model.n_iter_
    assert lrs == pytest.approx(_plateau_lrs(watched, 0.05, 6, params["tol"]), rel=1e-12)
    assert min(lrs) <= 0.025  # it did reduce, on this run
    assert model.history_[:, "event_lr"] == pytest.approx(lrs, rel=1e-12)


def test_cosine_anneals_over_max_epochs(tasks):
    X, Y = tasks
    params = dict(FAST, lr=0.04, max_epochs=6, early_stopping=False)
    model = MultiTaskClassifier(**params, lr_schedule="cosine",
                                callbacks=[("record", LRRecorder())]).fit(X, Y)
    expected = [0.04 * (1 + math.cos(math.pi * e / 6)) / 2 for e in range(6)]
    assert _epoch_lrs(model) == pytest.approx(expected, rel=1e-9)
    plain = MultiTaskClassifier(**params).fit(X, Y)
    assert not np.array_equal(plain.predict_proba(X)[0], model.predict_proba(X)[0])


def test_no_schedule_is_the_default_and_keeps_lr(tasks):
    X, Y = tasks
    assert MultiTaskClassifier().lr_schedule is None
    params = dict(FAST, max_epochs=8, early_stopping=True, n_iter_no_change=2)
    default = MultiTaskClassifier(**params, callbacks=[("record", LRRecorder())]).fit(X, Y)
    explicit = MultiTaskClassifier(**params, lr_schedule=None,
                                   callbacks=[("record", LRRecorder())]).fit(X, Y)
    assert not any(isinstance(cb, LRSchedule) for _, cb in default.net_.callbacks_)
    assert "event_lr" not in default.history_[-1]
    assert _epoch_lrs(default) == [params["lr"]] * default.n_iter_
    for a, b in zip(default.predict_proba(X), explicit.predict_proba(X)):
        np.testing.assert_array_equal(a, b)


@pytest.fixture(scope="module")
def plateau_model(tasks):
    X, Y = tasks
    return MultiTaskClassifier(**dict(FAST, lr=0.05, max_epochs=30, n_iter_no_change=4),
                               early_stopping=True, lr_schedule="plateau").fit(X, Y)


def test_schedule_is_reproducible_and_pickles(plateau_model, tasks):
    X, Y = tasks
    again = MultiTaskClassifier(**plateau_model.get_params()).fit(X, Y)
    np.testing.assert_array_equal(again.history_[:, "event_lr"],
                                  plateau_model.history_[:, "event_lr"])
    for a, b in zip(again.predict_proba(X), plateau_model.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    loaded = pickle.loads(pickle.dumps(plateau_model))
    for a, b in zip(loaded.predict_proba(X), plateau_model.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    # the unpickled net continues with its schedule, afresh from lr
    loaded.set_params(warm_start=True, max_epochs=3, early_stopping=False,
                      lr_schedule="cosine", lr=0.02).fit(X, Y)
    expected = [0.02 * (1 + math.cos(math.pi * e / 3)) / 2 for e in range(3)]
    assert loaded.history_[-3:, "event_lr"] == pytest.approx(expected, rel=1e-9)


def test_each_fit_starts_the_schedule_afresh_and_partial_fit_trains_at_lr(plateau_model, tasks):
    X, Y = tasks
    model = copy.deepcopy(plateau_model)
    assert model.net_.optimizer_.param_groups[0]["lr"] < 0.05  # the run ended reduced
    n_before = len(model.history_)
    model.set_params(warm_start=True, lr=0.01, max_epochs=4, early_stopping=False,
                     lr_schedule="cosine", callbacks=[("record", LRRecorder())]).fit(X, Y)
    expected = [0.01 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(4)]
    assert _epoch_lrs(model) == pytest.approx(expected, rel=1e-9)
    assert len(model.history_) == n_before + 4
    for _ in range(2):
        model.partial_fit(X, Y)
        assert _epoch_lrs(model) == [0.01]
    model.set_params(lr_schedule=None).fit(X, Y)  # off: lr again, every epoch
    assert _epoch_lrs(model) == [0.01] * 4


@pytest.mark.parametrize("bad", ["step", "Plateau", 1])
def test_lr_schedule_is_validated(tasks, bad):
    X, Y = tasks
    with pytest.raises((ValueError, TypeError), match="lr_schedule"):
        MultiTaskClassifier(**FAST, lr_schedule=bad).fit(X, Y)
    with pytest.raises((ValueError, TypeError), match="lr_schedule"):
        MultiTaskRegressor(lr_schedule=bad).fit(*make_regression_tasks(n=40))


def test_regressor_and_estimator_schedule_too():
    X, Y = make_regression_tasks(n=120, missing=False)
    params = dict(FAST, max_epochs=5, early_stopping=False, lr_schedule="cosine")
    for model in (MultiTaskRegressor(**params),
                  MultiTaskEstimator(**params, task_kinds="regression")):
        model.fit(X, Y)
        expected = [0.03 * (1 + math.cos(math.pi * e / 5)) / 2 for e in range(5)]
        assert model.history_[:, "event_lr"] == pytest.approx(expected, rel=1e-9)
