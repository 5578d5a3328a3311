"""Nothing lost: pickle/joblib round trips, version checks, skorch parameter
files, checkpoint resume, and continued training that keeps the classes."""

import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch
from _estimators import ESTIMATORS, SMALL_NET, estimator_id
from sklearn.base import clone
from skorch.callbacks import Callback, Checkpoint

import sklearn_mtl
from sklearn_mtl import InconsistentVersionWarning, MultiTaskClassifier

estimators = pytest.mark.parametrize("estimator", ESTIMATORS, ids=estimator_id)

NEURAL = dict(SMALL_NET, max_epochs=6, batch_size=16, dropout=0.2, early_stopping=False)


def make_data(n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    Y = np.empty((n, 2), dtype=object)
    Y[:, 0] = (X[:, 0] + X[:, 1] > 0).astype(int)
    Y[:, 1] = np.where(X[:, 2] > 0.5, "c", np.where(X[:, 2] < -0.5, "a", "b"))
    Y[::5, 1] = None  # missing labels travel too
    return X, Y


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def fitted(data):
    X, Y = data
    return {estimator_id(est): clone(est).fit(X, Y) for est in ESTIMATORS}


def _assert_same_predictions(a, b, X):
    for pa, pb in zip(a.predict_proba(X), b.predict_proba(X)):
        np.testing.assert_array_equal(pa, pb)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def _joblib_round_trip(model):
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


@estimators
@pytest.mark.parametrize("round_trip", [lambda m: pickle.loads(pickle.dumps(m)),
                                        _joblib_round_trip], ids=["pickle", "joblib"])
def test_round_trip_gives_identical_predictions(estimator, fitted, data, round_trip):
    model = fitted[estimator_id(estimator)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same version: no warning
        restored = round_trip(model)
    _assert_same_predictions(model, restored, data[0])
    for a, b in zip(model.classes_, restored.classes_):
        np.testing.assert_array_equal(a, b)
    assert restored.get_params().keys() == model.get_params().keys()


@estimators
def test_loading_under_another_version_warns(estimator, fitted, data, monkeypatch):
    model = fitted[estimator_id(estimator)]
    monkeypatch.setattr(sklearn_mtl._base, "__version__", "0.0.1")
    payload = pickle.dumps(model)
    monkeypatch.undo()
    with pytest.warns(InconsistentVersionWarning, match=(
            f"{type(model).__name__} from sklearn-mtl 0.0.1 when using sklearn-mtl "
            f"{sklearn_mtl.__version__}")):
        restored = pickle.loads(payload)
    _assert_same_predictions(model, restored, data[0])


@estimators
def test_pickles_without_a_version_warn(estimator, fitted):
    model = fitted[estimator_id(estimator)]
    state = dict(model.__getstate__())
    del state["_sklearn_mtl_version"]
    restored = type(model).__new__(type(model))
    with pytest.warns(InconsistentVersionWarning, match="unknown"):
        restored.__setstate__(state)


# ------------------------------------------------------- neural: devices
@pytest.mark.parametrize("architecture", ["hard", "tabm"])
def test_a_classifier_pickled_before_task_kinds_predicts_and_continues(data, architecture):
    X, Y = data
    model = MultiTaskClassifier(**NEURAL, architecture=architecture, n_members=2).fit(X, Y)
    expected = model.predict_proba(X)
    # what a pickle of a version without task kinds lacks
    del model._heads
    for name in ("task_kinds", "regression_loss"):
        delattr(model.net_, name)
    model.net_.criterion_ = torch.nn.CrossEntropyLoss()
    model.net_.module_._buffers.pop("regression_tasks")
    old = pickle.loads(pickle.dumps(model))
    for a, b in zip(old.predict_proba(X), expected):
        np.testing.assert_array_equal(a, b)
    old.set_params(warm_start=True, max_epochs=1).fit(X, Y)
    assert old.n_iter_ == NEURAL["max_epochs"] + 1


def test_model_saved_for_cuda_loads_on_cpu(data):
    """A net pickled on a GPU maps to the CPU where CUDA is missing (skorch's
    unpickling); without a GPU here, the pickle claims device "cuda". The
    real GPU round trip is benchmarks/check_gpu_persistence.py."""
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA; see benchmarks/check_gpu_persistence.py")
    X, Y = data
    model = MultiTaskClassifier(**NEURAL).fit(X, Y)
    expected = model.predict_proba(X)
    model.net_.device = "cuda"
    model.device = "cuda"
    with pytest.warns(UserWarning, match="no CUDA devices are available"):
        restored = pickle.loads(pickle.dumps(model))
    assert str(restored.net_.device) == "cpu"
    for a, b in zip(expected, restored.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="device='cuda'.*not available"):
        restored.set_params(warm_start=True).fit(X, Y)
    restored.set_params(device="cpu").fit(X, Y)  # continues on the CPU
    assert restored.n_iter_ == 2 * NEURAL["max_epochs"]


# --------------------------------------- neural: skorch parameter files
def test_save_params_then_load_params_restores_the_model(data, tmp_path):
    X, Y = data
    model = MultiTaskClassifier(**NEURAL).fit(X, Y)
    files = {"f_params": tmp_path / "params.pt", "f_optimizer": tmp_path / "opt.pt",
             "f_history": tmp_path / "history.json"}
    model.net_.save_params(**files)
    restored = MultiTaskClassifier(**{**NEURAL, "random_state": 7}).load_params(X, Y, **files)
    _assert_same_predictions(model, restored, X)
    assert restored.n_iter_ == model.n_iter_
    for a, b in zip(model.net_.optimizer_.state_dict()["state"].values(),
                    restored.net_.optimizer_.state_dict()["state"].values()):
        assert torch.equal(a["exp_avg"], b["exp_avg"])


def test_load_params_into_another_architecture_is_refused(data, tmp_path):
    X, Y = data
    MultiTaskClassifier(**NEURAL).fit(X, Y).net_.save_params(f_params=tmp_path / "p.pt")
    with pytest.raises(ValueError, match="saved parameters do not fit"):
        MultiTaskClassifier(**{**NEURAL, "hidden_layer_sizes": (5,)}).load_params(
            X, Y, f_params=tmp_path / "p.pt")
    with pytest.raises(ValueError, match="saved parameters do not fit"):
        MultiTaskClassifier(**NEURAL).load_params(X, Y[:, :1], f_params=tmp_path / "p.pt")


# ------------------------------------------------ neural: resuming training
class StopAfter(Callback):
    """Interrupt training after ``epoch`` epochs, as Ctrl-C would."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


def _assert_same_network(a, b):
    for (name, pa), pb in zip(a.net_.module_.state_dict().items(),
                              b.net_.module_.state_dict().values()):
        assert torch.equal(pa, pb), name


@pytest.fixture(scope="module")
def uninterrupted(data):
    X, Y = data
    return MultiTaskClassifier(**NEURAL).fit(X, Y)


def test_checkpoint_resume_reaches_the_uninterrupted_model(data, uninterrupted, tmp_path):
    X, Y = data
    checkpoint = Checkpoint(monitor=None, dirname=str(tmp_path))  # every epoch
    stopped = MultiTaskClassifier(**NEURAL, callbacks=[checkpoint, StopAfter(2)]).fit(X, Y)
    assert stopped.n_iter_ == 2
    # a fresh process: rebuild, load the checkpoint, train the remaining epochs
    resumed = MultiTaskClassifier(**NEURAL).load_params(X, Y, checkpoint=checkpoint)
    assert resumed.n_iter_ == 2
    resumed.set_params(warm_start=True, max_epochs=NEURAL["max_epochs"] - 2).fit(X, Y)
    assert resumed.n_iter_ == uninterrupted.n_iter_
    _assert_same_network(resumed, uninterrupted)
    _assert_same_predictions(resumed, uninterrupted, X)


def test_warm_start_in_steps_equals_one_fit(data, uninterrupted):
    X, Y = data
    stepped = MultiTaskClassifier(**{**NEURAL, "max_epochs": 2}, warm_start=True)
    for _ in range(3):
        stepped.fit(X, Y)
    assert stepped.n_iter_ == 6
    _assert_same_network(stepped, uninterrupted)


def test_partial_fit_epochs_equal_fit_epochs(data, uninterrupted):
    X, Y = data
    streamed = MultiTaskClassifier(**NEURAL)
    for _ in range(NEURAL["max_epochs"]):
        streamed.partial_fit(X, Y)
    assert streamed.n_iter_ == NEURAL["max_epochs"]
    _assert_same_network(streamed, uninterrupted)


def test_partial_fit_trains_on_every_row_whatever_early_stopping(data):
    """Early stopping belongs to ``fit``: ``partial_fit`` holds nothing out, so
    it trains as with early_stopping=False, and a label that ``fit`` would have
    held out for validation changes what partial_fit learns."""
    X, Y = data
    stopping = dict(NEURAL, early_stopping=True, validation_fraction=0.25)
    streamed = MultiTaskClassifier(**stopping)
    plain = MultiTaskClassifier(**dict(stopping, early_stopping=False))
    for _ in range(2):
        streamed.partial_fit(X, Y)
        plain.partial_fit(X, Y)
    _assert_same_network(streamed, plain)
    assert "valid_loss" not in streamed.history_[-1]
    # the rows that fit's hold-out (same random_state, same rows) validates on
    split = MultiTaskClassifier(**dict(stopping, max_epochs=1)).fit(X, Y).net_.train_split
    held_out = split.n_valid(len(X))
    perm = np.random.RandomState(split.seed).permutation(len(X))[:held_out]
    flipped = Y.copy()
    flipped[perm, 0] = 1 - Y[perm, 0].astype(int)
    changed = MultiTaskClassifier(**stopping).partial_fit(X, flipped)
    reference = MultiTaskClassifier(**stopping).partial_fit(X, Y)
    assert not np.allclose(changed.predict_proba(X)[0], reference.predict_proba(X)[0])


def test_partial_fit_stream_keeps_declared_and_learned_classes(data):
    X, Y = data
    first = Y[:20].copy()
    first[:, 1] = np.where(first[:, 1] == "c", None, first[:, 1])  # no "c" yet
    model = MultiTaskClassifier(**NEURAL)
    model.partial_fit(X[:20], first, classes=[[0, 1], ["a", "b", "c"]])
    assert [c.tolist() for c in model.classes_] == [[0, 1], ["a", "b", "c"]]
    batch = Y[20:40].copy()
    batch[:, 0] = None  # a batch may lack a task's labels
    model.partial_fit(X[20:40], batch)
    for start in range(0, 80, 20):
        model.partial_fit(X[start:start + 20], Y[start:start + 20])
    assert [c.tolist() for c in model.classes_] == [[0, 1], ["a", "b", "c"]]
    assert model.n_iter_ == 6
    assert [p.shape[1] for p in model.predict_proba(X)] == [2, 3]
    assert set(model.predict(X)[:, 1]) <= {"a", "b", "c"}


def test_partial_fit_without_classes_takes_the_first_batch(data):
    X, Y = data
    model = MultiTaskClassifier(**NEURAL).partial_fit(X[:30], Y[:30])
    first_classes = [c.copy() for c in model.classes_]
    later = Y[30:].copy()
    later[0, 1] = "new"
    with pytest.raises(ValueError, match=r"not seen during fit: \['new'\]"):
        model.partial_fit(X[30:], later)
    for a, b in zip(first_classes, model.classes_):
        np.testing.assert_array_equal(a, b)
    assert model.n_iter_ == 1
