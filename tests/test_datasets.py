import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold

from sklearn_mtl import MultiTaskClassifier
from sklearn_mtl.datasets import load_digits_tasks, make_multitask_classification
from sklearn_mtl.datasets._synthetic import _task_directions
from sklearn_mtl.model_selection import compare_with_single_task


# ------------------------------------------------- make_multitask_classification
def test_shapes_classes_and_determinism():
    X, Y = make_multitask_classification(
        n_samples=300, n_features=8, n_informative=6, n_tasks=3, n_classes=[2, 3, 4],
        random_state=0,
    )
    assert X.shape == (300, 8) and Y.shape == (300, 3) and Y.dtype.kind == "i"
    assert [len(np.unique(Y[:, t])) for t in range(3)] == [2, 3, 4]
    X2, Y2 = make_multitask_classification(
        n_samples=300, n_features=8, n_informative=6, n_tasks=3, n_classes=[2, 3, 4],
        random_state=0,
    )
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)


@pytest.mark.parametrize("relatedness", [0.0, 0.3, 1.0])
def test_task_directions_have_the_requested_cosine(relatedness):
    rng = np.random.RandomState(0)
    w = _task_directions(rng, 12, [2, 2, 3], relatedness)
    np.testing.assert_allclose(np.linalg.norm(w[2], axis=0), 1.0)
    np.testing.assert_allclose(w[0][:, 0] @ w[2][:, 0], relatedness, atol=1e-12)


def test_relatedness_controls_label_agreement():
    def agreement(r):
        _, Y = make_multitask_classification(
            n_samples=2000, n_tasks=2, task_relatedness=r, flip_y=0.0, random_state=0
        )
        return np.mean(Y[:, 0] == Y[:, 1])

    assert agreement(1.0) == 1.0
    assert abs(agreement(0.0) - 0.5) < 0.1
    assert agreement(0.0) < agreement(0.5) < agreement(1.0)


def test_relatedness_changes_the_multitask_gain():
    """Few labels per task: related tasks pool them, unrelated ones compete."""

    def delta_m(r):
        X, Y = make_multitask_classification(
            n_samples=300, n_features=16, n_informative=16, n_tasks=3,
            task_relatedness=r, flip_y=0.0, missing_rate=0.8, random_state=1,
        )
        # X is standardised by the generator, and this test is about the data,
        # not the network's input map: X enters the network as generated. (The
        # default map divides these N(0, 1) columns by their IQR, ~1.35, and
        # the 40-step single-task twins on a task's ~60 rows then learn more
        # slowly: Delta_m 0.22 related vs 0.18 unrelated, not 0.31 vs -0.09.)
        # The networks train on the rows labelled for some task: a twin's
        # batch of 8 holds as many labels as a batch of 32 rows did when the
        # unlabelled rows were fed too (a task is labelled on a fifth of them).
        mtl = MultiTaskClassifier(
            hidden_layer_sizes=(16,), max_epochs=20, lr=0.01, batch_size=8, random_state=0,
            input_normalization=None,
        )
        cv = KFold(2, shuffle=True, random_state=0)
        return compare_with_single_task(mtl, X, Y, cv=cv).delta_m

    related, unrelated = delta_m(1.0), delta_m(0.0)
    assert related > 0.02
    assert related - unrelated > 0.05


def test_missing_rate_and_frames():
    X, Y = make_multitask_classification(
        n_samples=2000, n_tasks=2, missing_rate=0.3, random_state=0
    )
    assert np.isnan(Y).mean() == pytest.approx(0.3, abs=0.03)
    Xf, Yf = make_multitask_classification(
        n_samples=50, n_tasks=2, missing_rate=0.3, random_state=0, as_frame=True
    )
    assert list(Yf.columns) == ["task_0", "task_1"] and Xf.columns[0] == "feature_0"
    assert all(dtype == pd.Int64Dtype() for dtype in Yf.dtypes)
    assert Yf.isna().to_numpy().any()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_classes": [2, 3]}, "n_classes"),
        ({"n_classes": 1}, "n_classes"),
        ({"n_informative": 30}, "n_informative"),
        ({"task_relatedness": 1.5}, "task_relatedness"),
        ({"missing_rate": 1.0}, "missing_rate"),
    ],
)
def test_generator_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_multitask_classification(n_tasks=3, **kwargs)


def test_planted_groups_relate_tasks_within_clusters_only():
    rng = np.random.RandomState(0)
    w = _task_directions(rng, 20, [2, 2, 2, 2], 0.8, clusters=[[0, 1, 2], [3]])
    np.testing.assert_allclose(w[0][:, 0] @ w[1][:, 0], 0.8, atol=1e-12)
    np.testing.assert_allclose(w[0][:, 0] @ w[3][:, 0], 0.0, atol=1e-12)

    _, Y = make_multitask_classification(
        n_samples=3000, groups=[2, 2], n_noise_tasks=1, task_relatedness=0.9,
        n_informative=20, flip_y=0.0, random_state=0,
    )
    assert Y.shape == (3000, 5)

    def agreement(i, j):
        return abs(np.mean(Y[:, i] == Y[:, j]) - 0.5)

    assert agreement(0, 1) > 0.25 and agreement(2, 3) > 0.25
    assert max(agreement(0, 2), agreement(1, 3), agreement(0, 4), agreement(3, 4)) < 0.05


def test_noise_tasks_are_independent_of_the_features():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    X, Y = make_multitask_classification(
        n_samples=600, n_tasks=3, n_noise_tasks=1, n_classes=[2, 2, 3], random_state=0
    )
    assert set(np.unique(Y[:, 2])) == {0, 1, 2}
    model = LogisticRegression()
    assert cross_val_score(model, X, Y[:, 0]).mean() > 0.7
    assert cross_val_score(model, X, Y[:, 2]).mean() < 0.45


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"groups": [2, 0]}, "groups must be a non-empty list of cluster sizes"),
        ({"groups": []}, "groups must be a non-empty list of cluster sizes"),
        ({"groups": [2, 2], "n_tasks": 3}, r"n_tasks \(3\) must equal sum\(groups\)"),
        ({"n_tasks": 2, "n_noise_tasks": 2}, "n_noise_tasks"),
    ],
)
def test_planted_groups_reject_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_multitask_classification(**kwargs)


# ------------------------------------------------------------ load_digits_tasks
def test_digits_tasks_are_consistent():
    data = load_digits_tasks()
    X, Y = data.data, data.target
    assert X.shape == (1797, 64) and 0 <= X.min() and X.max() == 1.0
    assert data.task_names == ["digit", "odd", "large", "prime"]
    digit = Y[:, 0]
    np.testing.assert_array_equal(Y[:, 1], digit % 2)
    np.testing.assert_array_equal(Y[:, 2], digit >= 5)
    np.testing.assert_array_equal(Y[:, 3], np.isin(digit, [2, 3, 5, 7]))


def test_digits_images_and_frames():
    images, Y = load_digits_tasks(return_X_y=True, images=True)
    flat, _ = load_digits_tasks(return_X_y=True)
    assert images.shape == (1797, 1, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), flat)
    data = load_digits_tasks(as_frame=True)
    assert list(data.target.columns) == data.task_names
    assert data.target["odd"].dtype == bool and data.frame.shape == (1797, 68)
    with pytest.raises(ValueError, match="as_frame"):
        load_digits_tasks(as_frame=True, images=True)
