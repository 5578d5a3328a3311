"""The task-kind core: encoding, decoding, scores, baselines, inference,
dependence and the per-kind torch losses."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import NotFittedError

from sklearn_mtl._neural._loss import TaskLoss, masked_task_losses, regression_sums
from sklearn_mtl._tasks import (
    MISSING,
    ClassificationTask,
    RegressionTask,
    TaskSet,
    infer_task_kind,
    make_task,
)


def test_classification_round_trip_with_missing_labels():
    task = ClassificationTask("cut")
    codes = task.fit_encode(pd.Series(["good", None, "fair", pd.NA, "ideal"]))
    assert task.classes_.tolist() == ["fair", "good", "ideal"]
    assert codes.dtype == np.int64 and codes.tolist() == [1, MISSING, 0, MISSING, 2]
    assert task.missing(codes).tolist() == [False, True, False, True, False]
    assert task.decode(codes[~task.missing(codes)]).tolist() == ["good", "fair", "ideal"]
    assert task.n_outputs == 3
    assert task.encode(["ideal", np.nan]).tolist() == [2, MISSING]
    with pytest.raises(ValueError, match="not seen during fit"):
        task.encode(["premium"])


def test_classification_refuses_continuous_and_empty_columns():
    with pytest.raises(ValueError, match="'t'.*continuous"):
        ClassificationTask("t").fit([0.5, 1.5, 2.25])
    with pytest.raises(ValueError, match="no labelled sample"):
        ClassificationTask("t").fit([None, None])


def test_declare_keeps_codes_pointing_at_the_same_labels():
    task = ClassificationTask("t")
    codes = task.fit_encode(["b", "c"])
    remap = task.declare(["d", "c", "a", "b"])
    assert task.classes_.tolist() == ["a", "b", "c", "d"]
    assert task.decode(remap[codes]).tolist() == ["b", "c"]
    with pytest.raises(ValueError, match=r"\['c', 'd'\].*not in"):
        task.declare(["a", "b"])


@pytest.mark.parametrize("factor", [1e-3, 1.0, 1e6])
def test_regression_standardises_and_round_trips(factor):
    y = np.array([1.0, np.nan, 3.0, 5.0, 7.0]) * factor
    task = RegressionTask("price")
    z = task.fit_encode(y)
    observed = ~np.isnan(y)
    assert np.isnan(z[1]) and task.missing(z).tolist() == (~observed).tolist()
    assert np.allclose(z[observed].mean(), 0) and np.allclose(z[observed].std(), 1)
    assert task.loc_ == pytest.approx(4.0 * factor)
    assert task.scale_ == pytest.approx(np.std([1, 3, 5, 7]) * factor)
    assert np.allclose(task.decode(z[observed]), y[observed])
    assert task.n_outputs == 1
    # the encoding does not depend on the units
    assert np.allclose(z[observed], RegressionTask().fit_encode(y / factor)[observed])


def test_regression_constant_target_and_bad_values():
    task = RegressionTask("t")
    assert task.fit_encode([2.0, 2.0]).tolist() == [0.0, 0.0]
    assert task.scale_ == 1.0
    with pytest.raises(ValueError, match="non-numeric"):
        RegressionTask("t").fit(["a", "b"])
    with pytest.raises(ValueError, match="no observed value"):
        RegressionTask("t").fit([np.nan, np.nan])
    with pytest.raises(NotFittedError):
        RegressionTask("t").encode([1.0])


def test_scores_ignore_missing_truth():
    cls = ClassificationTask().fit([0, 1])
    assert cls.score([0, None, 1, 1], [0, 1, 1, 0]) == pytest.approx(2 / 3)
    assert cls.score([0, 1, 1], [0, 1, 0], sample_weight=[1, 1, 2]) == pytest.approx(0.5)
    reg = RegressionTask().fit([0.0, 1.0])
    y = np.array([1.0, np.nan, 2.0, 3.0])
    assert reg.score(y, [1.0, 100.0, 2.0, 3.0]) == pytest.approx(1.0)
    assert reg.score(y, [2.0, 0.0, 2.0, 2.0]) == pytest.approx(0.0)
    assert np.isnan(reg.score([np.nan], [1.0]))
    assert (cls.default_metric, reg.default_metric) == ("accuracy", "r2")
    assert cls.greater_is_better and reg.greater_is_better


def test_baselines_follow_the_kind():
    cls, reg = ClassificationTask(), RegressionTask()
    assert isinstance(cls.floor_estimator(), DummyClassifier)
    assert cls.floor_estimator().strategy == "prior"
    assert isinstance(reg.floor_estimator(), DummyRegressor)
    ref = reg.reference_estimator("hgb", random_state=3)
    assert isinstance(ref, HistGradientBoostingRegressor) and ref.random_state == 3
    assert isinstance(cls.reference_estimator(), HistGradientBoostingClassifier)
    with pytest.raises(ValueError, match="reference must be one of 'hgb', 'lightgbm', 'catboost'"):
        cls.reference_estimator("xgb")


@pytest.mark.parametrize("column, kind", [
    ([0.5, 1.25, 2.0], "regression"),
    (np.arange(100) * 1.0, "regression"),  # integer values, but many distinct ones
    (np.arange(100) % 5, "classification"),
    ([0.0, 1.0, np.nan, 1.0], "classification"),
    (["a", "b", None], "classification"),
    ([True, False], "classification"),
    (pd.Series([1.5, 2.5, 3.5], dtype="category"), "classification"),
    (pd.Series([1, 2, pd.NA], dtype="Int64"), "classification"),
])
def test_infer_task_kind_rule(column, kind):
    assert infer_task_kind(column) == kind


def test_infer_task_kind_refuses_non_columns():
    for bad in ["abc", 3.5, [[1.0, 2.0], [3.0, 4.0]]]:
        with pytest.raises(ValueError, match="column must be a 1D array-like"):
            infer_task_kind(bad)


def test_infer_threshold_grows_with_rows():
    values = np.arange(1000) % 40  # 40 distinct ints: > 20 but < 5 % of 1000
    assert infer_task_kind(values) == "classification"
    assert infer_task_kind(values[:100]) == "regression"


def test_make_task_checks_the_kind():
    assert isinstance(make_task("regression", "p"), RegressionTask)
    with pytest.raises(ValueError, match="task kind must be one of"):
        make_task("ranking")


def test_task_set_kinds_encode_decode_by_name():
    Y = pd.DataFrame({"price": [10.0, 20.5, np.nan, 40.0], "cut": ["a", "b", "a", None],
                      "n": [1, 2, 1, 2]})
    tasks = TaskSet().fit(Y, task_kinds={"n": "regression"})
    assert tasks.task_kinds_ == {"price": "regression", "cut": "classification",
                                 "n": "regression"}
    assert tasks.task_names_.tolist() == ["price", "cut", "n"]
    assert tasks.n_outputs == [1, 2, 1]
    encoded = tasks.encode(Y[["n", "cut", "price"]])  # names beat positions
    assert encoded[1].tolist() == [0, 1, 0, MISSING]
    assert tasks.missing(encoded)[:, 0].tolist() == [False, False, True, False]
    out = tasks.decode([encoded[0][[0, 1]], encoded[1][[0, 1]], encoded[2][[0, 1]]])
    assert out.dtype == object and out[:, 1].tolist() == ["a", "b"]
    assert np.allclose(out[:, [0, 2]].astype(float), [[10.0, 1.0], [20.5, 2.0]])
    assert tasks.score(Y, np.array(Y.fillna({"cut": "a"}), dtype=object)).tolist() == [
        1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="unknown task"):
        TaskSet().fit(Y, task_kinds={"size": "regression"})
    with pytest.raises(ValueError, match=r"task_kinds\['cut'\] must be one of"):
        TaskSet().fit(Y, task_kinds={"cut": "label"})
    with pytest.raises(TypeError, match="task_kinds must be"):
        TaskSet().fit(Y, task_kinds=["regression"])


def test_task_set_single_kind_and_1d():
    tasks = TaskSet().fit(np.array([0.5, 1.5, 2.5]), "regression")
    assert tasks.is_1d_ and tasks.kinds == ["regression"]
    assert tasks.decode([np.zeros(2)]).tolist() == [1.5, 1.5]
    assert TaskSet().fit([[0.5, 1.0], [2.5, 2.0]], "regression").decode(
        np.zeros((1, 2))).dtype == np.float64


def test_dependence_is_small_when_independent_large_when_dependent():
    rng = np.random.default_rng(0)
    n = 400
    cls_a = ClassificationTask()
    reg = RegressionTask()
    a = rng.integers(0, 3, n)
    independent_cls = rng.integers(0, 2, n)
    x = rng.normal(size=n)
    noise = rng.normal(size=n)
    for strength, p in [
        cls_a.dependence(a, independent_cls),
        reg.dependence(x, noise),
        cls_a.dependence(a, noise, other=reg),
        reg.dependence(noise, a, other=cls_a),
    ]:
        assert 0 <= strength < 0.15 and p > 0.01
    for strength, p in [
        cls_a.dependence(a, (a == 1).astype(int)),
        reg.dependence(x, np.exp(x)),  # monotone: rank correlation 1
        cls_a.dependence(a, a + 0.1 * noise, other=reg),
        reg.dependence(a + 0.1 * noise, a, other=cls_a),
    ]:
        assert strength > 0.9 and p < 1e-10


def test_dependence_measures_agree_on_binary_pairs():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2, 300)
    b = np.where(rng.random(300) < 0.8, a, 1 - a)
    cls, reg = ClassificationTask(), RegressionTask()
    v, _ = cls.dependence(a, b)
    eta, _ = cls.dependence(a, b.astype(float), other=reg)
    rho, _ = reg.dependence(a.astype(float), b.astype(float))
    assert v == pytest.approx(eta) and v == pytest.approx(rho)


def test_task_loss_classification_matches_cross_entropy():
    torch.manual_seed(0)
    logits = torch.randn(6, 2, 3)
    y = torch.tensor([[0, 2], [1, -1], [2, 0], [-1, 1], [0, 0], [1, 2]])
    losses, counts = masked_task_losses(logits, y)
    assert counts.tolist() == [5, 5]
    for j in range(2):
        keep = y[:, j] >= 0
        expected = torch.nn.functional.cross_entropy(logits[keep, j], y[keep, j])
        assert losses[j].item() == pytest.approx(expected.item(), rel=1e-6)


@pytest.mark.parametrize("loss", ["squared_error", "huber"])
def test_task_loss_regression_and_mixed(loss):
    torch.manual_seed(0)
    outputs = torch.randn(5, 2, 3) * 3
    y = torch.tensor([[1.0, 0.5], [-1.0, float("nan")], [2.0, 0.0], [0.0, 1.0],
                      [-1.0, float("nan")]])
    mixed = TaskLoss(["classification", "regression"], regression_loss=loss)
    losses, counts = mixed(outputs, y)
    assert counts.tolist() == [3, 3]  # -1: unlabelled class, NaN: missing value
    keep = ~torch.isnan(y[:, 1])
    fn = (torch.nn.functional.mse_loss if loss == "squared_error"
          else torch.nn.functional.huber_loss)
    assert losses[1].item() == pytest.approx(fn(outputs[keep, 1, 0], y[keep, 1]).item(),
                                             rel=1e-6)
    ce = torch.nn.functional.cross_entropy(outputs[:, 0], y[:, 0].long(), ignore_index=-1)
    assert losses[0].item() == pytest.approx(ce.item(), rel=1e-6)
    # a member axis: the mean of the members' losses
    members = torch.stack([outputs, outputs + 1], dim=1)
    both, _ = mixed(members, y)
    first, _ = mixed(outputs, y)
    second, _ = mixed(outputs + 1, y)
    assert torch.allclose(both, (first + second) / 2)
    # a task with no observed entry has loss 0 and no gradient
    only_missing = y.clone()
    only_missing[:, 1] = float("nan")
    outputs.requires_grad_(True)
    losses, counts = mixed(outputs, only_missing)
    assert counts[1] == 0 and losses[1] == 0
    losses.sum().backward()
    assert torch.all(outputs.grad[:, 1, :] == 0) and torch.isfinite(outputs.grad).all()


@pytest.mark.parametrize("loss", ["squared_error", "huber"])
def test_regression_loss_same_with_and_without_a_missing_target(loss):
    # a batch with no missing target takes a shortcut past the masking: a
    # row whose targets are all missing must change neither the sums nor
    # the counts that the masked path gives
    torch.manual_seed(0)
    outputs = torch.randn(6, 3, 2)
    y = torch.randn(6, 3)
    sums, counts = regression_sums(outputs, y, loss)
    padded_sums, padded_counts = regression_sums(
        torch.cat([outputs, torch.randn(1, 3, 2)]),
        torch.cat([y, torch.full((1, 3), float("nan"))]), loss)
    assert counts.dtype == padded_counts.dtype == torch.long
    assert counts.tolist() == padded_counts.tolist() == [6, 6, 6]
    assert torch.allclose(sums, padded_sums, rtol=1e-6, atol=0)
    fn = (torch.nn.functional.mse_loss if loss == "squared_error"
          else torch.nn.functional.huber_loss)
    for j in range(3):
        expected = fn(outputs[:, j, 0], y[:, j], reduction="sum")
        assert sums[j].item() == pytest.approx(expected.item(), rel=1e-6)
