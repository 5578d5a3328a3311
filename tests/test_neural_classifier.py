"""MultiTaskClassifier (sklearn_mtl/_neural/_classifier.py)."""

import copy
import functools
import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from _estimators import SMALL_NET
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback, Checkpoint, EarlyStopping, LRScheduler, ProgressBar
from torch import nn

from sklearn_mtl import MultiTaskClassifier

FAST = dict(SMALL_NET, hidden_layer_sizes=(16,), max_epochs=15, lr=0.03)


@pytest.fixture(scope="module")
def data(tasks):
    return tasks


@pytest.fixture(scope="module")
def fitted(data):
    X, Y = data
    return MultiTaskClassifier(**FAST).fit(X, Y)


# ------------------------------------------------------------------ outputs
def test_outputs_follow_multioutput_conventions(fitted, data):
    X, Y = data
    assert fitted.n_tasks_ == 3
    assert [c.tolist() for c in fitted.classes_] == [[0, 1], ["high", "low", "mid"],
                                                     [False, True]]
    assert fitted.n_classes_ == [2, 3, 2]
    assert list(fitted.task_names_) == ["task_0", "task_1", "task_2"]
    pred = fitted.predict(X)
    assert pred.shape == (len(X), 3) and pred.dtype == object
    for j, classes in enumerate(fitted.classes_):
        assert set(pred[:, j]) <= set(classes)
    proba = fitted.predict_proba(X)
    assert [p.shape for p in proba] == [(len(X), 2), (len(X), 3), (len(X), 2)]
    for j, p in enumerate(proba):
        assert p.dtype == np.float32  # the network's precision, as MLPClassifier on float32
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
        assert (fitted.classes_[j][p.argmax(axis=1)] == pred[:, j]).all()


def test_learns_all_tasks(fitted, data):
    X, Y = data
    per_task = (fitted.predict(X) == Y).mean(axis=0)
    assert per_task.min() > 0.8, per_task


def test_score_is_mean_per_task_accuracy_on_labelled_entries(fitted, data):
    X, Y = data
    Y_missing = Y.copy()
    Y_missing[:100, 1] = None
    pred = fitted.predict(X)
    expected = np.mean([
        (pred[:, 0] == Y[:, 0]).mean(),
        (pred[100:, 1] == Y[100:, 1]).mean(),
        (pred[:, 2] == Y[:, 2]).mean(),
    ])
    assert fitted.score(X, Y_missing) == pytest.approx(expected)


def test_score_ignores_task_weights(fitted, data):
    X, Y = data
    reweighted = copy.deepcopy(fitted).set_params(task_weights=[0.0, 5.0, 1.0])
    assert reweighted.score(X, Y) == fitted.score(X, Y)


def test_one_dimensional_target_gives_single_output_forms(data):
    X, Y = data
    y = Y[:, 1].astype(str)
    clf = MultiTaskClassifier(**FAST).fit(X, y)
    assert isinstance(clf.classes_, np.ndarray) and clf.classes_.tolist() == [
        "high", "low", "mid"]
    assert clf.n_classes_ == 3 and clf.n_tasks_ == 1
    assert clf.predict(X).shape == (len(X),)
    assert clf.predict_proba(X).shape == (len(X), 3)
    assert clf.score(X, y) == pytest.approx((clf.predict(X) == y).mean())


def test_column_vector_target_keeps_2d_outputs(data):
    X, Y = data
    clf = MultiTaskClassifier(**FAST).fit(X, Y[:, :1].astype(int))
    assert clf.predict(X).shape == (len(X), 1)
    assert isinstance(clf.predict_proba(X), list)


def test_dataframes_give_task_and_feature_names(data):
    X, Y = data
    Xdf = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    Ydf = pd.DataFrame({"sign": Y[:, 0].astype(int), "level": Y[:, 1]})
    clf = MultiTaskClassifier(**FAST).fit(Xdf, Ydf)
    assert list(clf.task_names_) == ["sign", "level"]
    assert list(clf.feature_names_in_) == list(Xdf.columns)
    assert list(clf.history_[-1]) and "train_loss_level" in clf.history_[-1]
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(Xdf.rename(columns={"f0": "other"}))


# ------------------------------------------------------------- missing labels
def test_missing_labels_are_masked_and_never_predicted(data):
    X, Y = data
    Ym = pd.DataFrame(Y.copy(), columns=["a", "b", "c"])
    rng = np.random.RandomState(1)
    Ym = Ym.mask(rng.rand(*Ym.shape) < 0.3)  # NaN where masked
    clf = MultiTaskClassifier(**FAST).fit(X, Ym)
    assert [len(c) for c in clf.classes_] == [2, 3, 2]
    pred = clf.predict(X)
    assert not pd.isna(pred).any()
    assert clf.score(X, Y) > 0.75
    losses = clf.history_[:, "train_loss"]
    assert np.all(np.isfinite(losses))


@pytest.mark.parametrize("early_stopping", [False, True])
def test_rows_without_any_label_are_not_trained_on_but_shape_the_input(data, early_stopping):
    # a row unlabelled for every task carries no loss: the network trains
    # on the other rows exactly as if they were the whole data (same
    # batches, same hold-out), while the input normalisation sees them all
    X, Y = data
    Y = Y.astype(object)
    empty = np.zeros(len(Y), dtype=bool)
    empty[::3] = True
    Y[empty] = None
    params = {**FAST, "input_normalization": None, "num_embeddings": None,
              "early_stopping": early_stopping}
    with_empty = MultiTaskClassifier(**params).fit(X, Y)
    without = MultiTaskClassifier(**params).fit(X[~empty], Y[~empty])
    np.testing.assert_array_equal(with_empty.predict_proba(X)[0], without.predict_proba(X)[0])
    trained = sum(b["train_batch_size"] for b in with_empty.history_[-1]["batches"]
                  if "train_batch_size" in b)
    held_out = round(0.1 * (~empty).sum()) if early_stopping else 0
    assert trained == (~empty).sum() - held_out
    robust = MultiTaskClassifier(**{**params, "input_normalization": "robust"}).fit(X, Y)
    np.testing.assert_array_equal(robust.input_normalizer_.center_, np.median(X, axis=0))


def test_sparse_batches_of_a_task_keep_loss_finite(data):
    # task 1 is labelled on 5 rows only: most batches of 8 have none of them
    X, Y = data
    Y = Y.copy()
    Y[5:, 1] = np.nan
    clf = MultiTaskClassifier(**{**FAST, "batch_size": 8}).fit(X, Y)
    history = clf.history_
    assert np.all(np.isfinite(history[:, "train_loss"]))
    assert np.all(np.isfinite(history[:, "train_loss_task_1"]))


# --------------------------------------------------------------- task weights
def test_zero_weight_task_has_no_influence_on_shared_trunk(data):
    X, Y = data
    Y = Y[:, [0, 2]].astype(int)
    Y_other = Y.copy()
    Y_other[:, 1] = np.random.RandomState(3).randint(0, 2, len(Y))
    params = {**FAST, "task_weights": (1, 0)}
    a = MultiTaskClassifier(**params).fit(X, Y)
    b = MultiTaskClassifier(**params).fit(X, Y_other)
    np.testing.assert_array_equal(a.predict_proba(X)[0], b.predict_proba(X)[0])
    for pa, pb in zip(a.net_.module_.trunk.parameters(), b.net_.module_.trunk.parameters()):
        assert torch.equal(pa, pb)
    # with a positive weight the second task's labels do move the trunk
    params["task_weights"] = (1, 1)
    c = MultiTaskClassifier(**params).fit(X, Y)
    d = MultiTaskClassifier(**params).fit(X, Y_other)
    assert not np.array_equal(c.predict_proba(X)[0], d.predict_proba(X)[0])


def test_dict_task_weights_by_name(data):
    X, Y = data
    Ydf = pd.DataFrame(Y[:, :2], columns=["sign", "level"])
    clf = MultiTaskClassifier(**{**FAST, "max_epochs": 2, "task_weights": {"level": 2.5}})
    clf.fit(X, Ydf)
    assert clf.task_weights_.tolist() == [1.0, 2.5]


# -------------------------------------------------------- training machinery
def test_history_has_per_task_losses_every_epoch(fitted):
    history = fitted.history_
    assert len(history) == fitted.n_iter_ == FAST["max_epochs"]
    for name in fitted.task_names_:
        curve = history[:, f"train_loss_{name}"]
        assert len(curve) == FAST["max_epochs"] and curve[-1] < curve[0]
    # the total is the weighted sum of the per-task epoch losses
    last = history[-1]
    total = sum(last[f"train_loss_{n}"] for n in fitted.task_names_)
    assert last["train_loss"] == pytest.approx(total, rel=1e-4)


def test_same_random_state_same_model_and_global_rng_untouched(data):
    X, Y = data
    state = torch.get_rng_state()
    a = MultiTaskClassifier(**{**FAST, "dropout": 0.2}).fit(X, Y)
    assert torch.equal(torch.get_rng_state(), state)
    b = MultiTaskClassifier(**{**FAST, "dropout": 0.2}).fit(X, Y)
    for pa, pb in zip(a.predict_proba(X), b.predict_proba(X)):
        np.testing.assert_array_equal(pa, pb)
    c = MultiTaskClassifier(**{**FAST, "dropout": 0.2, "random_state": 1}).fit(X, Y)
    assert not np.array_equal(a.predict_proba(X)[0], c.predict_proba(X)[0])


def test_early_stopping_holds_out_validation(data):
    X, Y = data
    clf = MultiTaskClassifier(**{**FAST, "max_epochs": 200, "lr": 0.1},
                              early_stopping=True, n_iter_no_change=3)
    clf.fit(X, Y)
    assert clf.n_iter_ < 200
    assert "valid_loss_task_1" in clf.history_[-1]
    n_train = clf.history_[-1]["batches"][0]["train_batch_size"]
    assert n_train <= FAST["batch_size"]


def test_early_stopping_is_the_default_and_a_single_row_trains_without_it(data):
    X, Y = data
    assert MultiTaskClassifier().early_stopping
    clf = MultiTaskClassifier(**{**FAST, "max_epochs": 4}).fit(X[:1], Y[:1])
    assert clf.n_iter_ == 4 and "valid_loss" not in clf.history_[-1]
    clf = MultiTaskClassifier(**{**FAST, "max_epochs": 4}).fit(X[:2], Y[:2])
    assert "valid_loss" in clf.history_[-1]


@pytest.mark.parametrize("n, expected", [(40, 32), (1000, 100), (5000, 200)])
def test_auto_batch_size_is_a_tenth_of_the_rows_within_32_and_200(data, n, expected):
    X, Y = data
    rows = np.resize(np.arange(len(X)), n)
    clf = MultiTaskClassifier(**{**FAST, "batch_size": "auto", "max_epochs": 1,
                                 "hidden_layer_sizes": (4,)}).fit(X[rows], Y[rows])
    sizes = [b["train_batch_size"] for b in clf.history_[-1]["batches"]
             if "train_batch_size" in b]
    assert max(sizes) == expected


def test_skorch_callbacks_work_and_are_not_modified(data, tmp_path):
    X, Y = data
    callbacks = [
        ("lr", LRScheduler(policy="StepLR", step_size=2, gamma=0.5)),
        EarlyStopping(monitor="train_loss", patience=2, threshold=10.0),
        Checkpoint(monitor="train_loss_best", dirname=str(tmp_path)),
        ProgressBar(),
    ]
    before = pickle.dumps(callbacks)
    clf = MultiTaskClassifier(**FAST, callbacks=callbacks).fit(X, Y)
    assert pickle.dumps(callbacks) == before
    assert clf.n_iter_ < FAST["max_epochs"]  # EarlyStopping with a huge threshold
    assert (tmp_path / "params.pt").exists()
    lrs = [group["lr"] for group in clf.net_.optimizer_.param_groups]
    assert lrs[0] < FAST["lr"]


class BatchCounter(Callback):
    """Counts the per-batch hooks it receives, by training flag."""

    def on_train_begin(self, net, **kwargs):
        self.calls_ = {"begin": [], "end": []}

    def on_batch_begin(self, net, training=None, **kwargs):
        self.calls_["begin"].append(training)

    def on_batch_end(self, net, training=None, loss=None, **kwargs):
        self.calls_["end"].append((training, loss is not None))

    def on_grad_computed(self, net, named_parameters, training=None, **kwargs):
        self.calls_.setdefault("grad", []).append(
            all(p.grad is not None for _, p in named_parameters))


class EndOnlyCounter(BatchCounter):
    """Inherits the hooks it does not override from a callback that has them."""

    def on_batch_begin(self, net, **kwargs):
        pass


def test_every_callback_that_overrides_a_step_hook_gets_every_batch(data):
    # the net skips skorch's no-op batch hooks: overridden ones, inherited
    # overrides included, still run for every training and validation batch
    X, Y = data
    counter, end_only = BatchCounter(), EndOnlyCounter()
    clf = MultiTaskClassifier(**{**FAST, "max_epochs": 2, "batch_size": 16},
                              callbacks=[("count", counter), ("end", end_only)]).fit(X, Y)
    counts = [sum(1 for b in epoch["batches"] if f"{prefix}_loss" in b)
              for epoch in clf.history_ for prefix in ("train", "valid")]
    n_train, n_valid = sum(counts[0::2]), sum(counts[1::2])
    assert n_train > 2 and n_valid > 0
    fitted = dict(clf.net_.callbacks_)
    for name in ("count", "end"):
        calls = fitted[name].calls_
        assert [t for t, _ in calls["end"]].count(True) == n_train
        assert [t for t, _ in calls["end"]].count(False) == n_valid
        assert all(has_loss for _, has_loss in calls["end"])
    assert fitted["count"].calls_["begin"].count(True) == n_train
    assert fitted["end"].calls_["begin"] == []
    for name in ("count", "end"):  # once per training step, after the backward pass
        assert fitted[name].calls_["grad"] == [True] * n_train


def test_warm_start_continues_training(data):
    X, Y = data
    clf = MultiTaskClassifier(**{**FAST, "max_epochs": 3}, warm_start=True)
    clf.fit(X, Y)
    first = copy.deepcopy(clf.net_.module_.state_dict())
    clf.fit(X, Y)
    assert clf.n_iter_ == 6
    assert not torch.equal(first["heads.out.weight"], clf.net_.module_.state_dict()[
        "heads.out.weight"])
    with pytest.raises(ValueError, match="same tasks and classes"):
        clf.fit(X, Y[:, :2])


def test_non_finite_loss_stops_with_task_and_epoch(data):
    X, Y = data
    clf = MultiTaskClassifier(hidden_layer_sizes=(16,), optimizer="sgd", lr=1e12,
                              max_epochs=20, random_state=0)
    with pytest.raises(FloatingPointError, match=r"task '\w+' became non-finite at epoch"):
        clf.fit(X * 1e3, Y)


def test_head_hidden_layer_and_no_trunk_layers(data):
    X, Y = data
    clf = MultiTaskClassifier(**{**FAST, "hidden_layer_sizes": ()}, head_hidden_size=8)
    clf.fit(X, Y)
    assert clf.net_.module_.heads.hidden is not None
    assert clf.score(X, Y) > 0.75


def test_optimizer_class_and_batch_norm(data):
    X, Y = data
    clf = MultiTaskClassifier(**FAST, optimizer=torch.optim.AdamW, batch_norm=True,
                              weight_decay=1e-3).fit(X, Y)
    assert isinstance(clf.net_.optimizer_, torch.optim.AdamW)
    assert clf.score(X, Y) > 0.8



@pytest.mark.parametrize("name, fused", [("adam", True), ("adamw", True), ("sgd", None)])
def test_named_adam_trains_fused_with_the_same_update(data, name, fused):
    # the fused kernel is the per-parameter loop's update in one call: the
    # same model (up to float rounding) as the same optimizer given as a class
    X, Y = data
    clf = MultiTaskClassifier(**FAST, optimizer=name).fit(X, Y)
    assert clf.net_.optimizer_.defaults.get("fused") is fused
    loop = MultiTaskClassifier(**FAST, optimizer=type(clf.net_.optimizer_)).fit(X, Y)
    assert loop.net_.optimizer_.defaults.get("fused") is None  # a class: as the user gave it
    for p_fused, p_loop in zip(clf.predict_proba(X), loop.predict_proba(X)):
        np.testing.assert_allclose(p_fused, p_loop, atol=1e-4)


# ------------------------------------------------------------ custom modules
class SmallCNN(nn.Module):
    def __init__(self, channels=4):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))

    def forward(self, x):
        return self.conv(x)  # (n, channels, 4, 4), flattened by the network


@pytest.fixture(scope="module")
def digits_images():
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = (digits.images[:600] / 16.0).reshape(-1, 1, 8, 8)
    d = digits.target[:600]
    return X, np.column_stack([d, d % 2])


def test_cnn_trunk_on_digit_images(digits_images):
    X, Y = digits_images
    clf = MultiTaskClassifier(module=functools.partial(SmallCNN, channels=6), lr=0.01,
                              max_epochs=10, batch_size=64, random_state=0).fit(X, Y)
    assert clf.net_.module_.heads.out.weight.shape[1] == 6 * 4 * 4
    assert clf.predict(X).shape == (len(X), 2)
    assert clf.score(X, Y) > 0.85
    with pytest.raises(ValueError, match="features"):
        clf.predict(X.reshape(len(X), 64))


def test_module_instance_is_copied_not_trained(digits_images):
    X, Y = digits_images
    trunk = SmallCNN()
    before = copy.deepcopy(trunk.state_dict())
    clf = MultiTaskClassifier(module=trunk, max_epochs=2, random_state=0).fit(X, Y)
    for key, value in trunk.state_dict().items():
        assert torch.equal(value, before[key])
    assert clf.net_.module_.trunk is not trunk


class TupleTrunk(nn.Module):
    def forward(self, x):
        return (x, x)


class ScalarTrunk(nn.Module):
    def forward(self, x):
        return x.sum()


@pytest.mark.parametrize(
    "module, error, match",
    [
        (TupleTrunk, TypeError, "must return a torch.Tensor"),
        (ScalarTrunk, ValueError, "must return a tensor of shape"),
        (lambda: "not a module", TypeError, "module must be a torch.nn.Module"),
        (lambda: nn.Linear(3, 2), ValueError, "module failed on a batch"),
    ],
)
def test_bad_modules_are_reported(data, module, error, match):
    X, Y = data
    with pytest.raises(error, match=match):
        MultiTaskClassifier(module=module, max_epochs=1).fit(X, Y)


# --------------------------------------------------------- sklearn citizenship
def test_pipeline_and_clone(data):
    X, Y = data
    pipe = make_pipeline(StandardScaler(), MultiTaskClassifier(**FAST)).fit(X, Y)
    assert pipe.predict(X).shape == Y.shape
    assert pipe.score(X, Y) > 0.8
    clone(pipe)  # unfitted copy with the same parameters
    assert clone(pipe).get_params()["multitaskclassifier__lr"] == FAST["lr"]


@pytest.mark.slow
def test_cross_validate_and_grid_search_over_task_weights(data):
    X, Y = data
    Ydf = pd.DataFrame(Y, columns=["sign", "level", "other"])
    cv = KFold(3, shuffle=True, random_state=0)
    res = cross_validate(MultiTaskClassifier(**FAST), X, Ydf, cv=cv)
    assert res["test_score"].shape == (3,) and res["test_score"].min() > 0.6
    grid = GridSearchCV(
        MultiTaskClassifier(**{**FAST, "max_epochs": 8}),
        {"task_weights": [None, [1, 0.2, 0.2], {"level": 3.0}]},
        cv=cv,
    ).fit(X, Ydf)
    assert len(grid.cv_results_["mean_test_score"]) == 3
    assert list(grid.best_estimator_.task_names_) == ["sign", "level", "other"]
    # an integer cv lets scikit-learn inspect y, which needs one label type
    grid2d = GridSearchCV(MultiTaskClassifier(**{**FAST, "max_epochs": 4}),
                          {"task_weights": [None, [1, 0]]}, cv=2).fit(X, Y[:, [0, 2]].astype(int))
    assert np.isfinite(grid2d.best_score_)


def test_unfitted_history_is_not_available():
    clf = MultiTaskClassifier()
    assert not hasattr(clf, "history_")


def test_row_by_row_prediction_matches_batch_up_to_float32_rounding(fitted, data):
    # scikit-learn's check_methods_subset_invariance asks for 1e-7; float32
    # kernels differ by a few ulps between batch sizes (see test_common.py):
    # a logit z moves by a few ulps of |z| (|z| up to ~20 here: ~1e-5), a
    # probability p by about p * (1 - p) times that
    X, _ = data
    full = fitted.predict_proba(X[:40])
    rows = [fitted.predict_proba(X[i:i + 1]) for i in range(40)]
    for j, proba in enumerate(full):
        by_row = np.vstack([r[j] for r in rows])
        np.testing.assert_allclose(by_row, proba, rtol=1e-5, atol=1e-6)
    assert (fitted.predict(X[:40]) == np.vstack([fitted.predict(X[i:i + 1])
                                                  for i in range(40)])).all()
