"""The shared label-handling path (sklearn_mtl/_labels.py)."""

import numpy as np
import pandas as pd
import pytest

from sklearn_mtl._labels import (
    MISSING,
    declare_classes,
    decode_labels,
    encode_targets,
    encode_with_classes,
    resolve_task_weights,
)


def test_encode_mixed_types_column_by_column():
    Y = [[1, "a", True], [2, "b", False], [1, "b", True]]
    enc = encode_targets(Y)
    assert not enc.is_1d
    assert [c.tolist() for c in enc.classes] == [[1, 2], ["a", "b"], [False, True]]
    assert enc.codes.tolist() == [[0, 0, 1], [1, 1, 0], [0, 1, 1]]
    assert enc.classes[0].dtype.kind == "i"
    assert enc.classes[2].dtype == bool
    assert list(enc.task_names) == ["task_0", "task_1", "task_2"]


@pytest.mark.parametrize("missing", [np.nan, None, pd.NA])
def test_missing_labels_become_minus_one(missing):
    Y = pd.DataFrame({"a": [0, 1, missing, 1], "b": ["x", missing, "y", "y"]},
                     dtype=object)
    enc = encode_targets(Y)
    assert enc.codes[:, 0].tolist() == [0, 1, MISSING, 1]
    assert enc.codes[:, 1].tolist() == [0, MISSING, 1, 1]
    assert enc.mask.sum() == 6
    assert [c.tolist() for c in enc.classes] == [[0, 1], ["x", "y"]]
    assert list(enc.task_names) == ["a", "b"]


def test_nullable_and_categorical_pandas_columns():
    Y = pd.DataFrame({
        "n": pd.array([1, None, 3], dtype="Int64"),
        "c": pd.Categorical(["u", "v", None]),
    })
    enc = encode_targets(Y)
    assert enc.codes.tolist() == [[0, 0], [MISSING, 1], [1, MISSING]]
    assert enc.classes[0].tolist() == [1, 3]


def test_one_dimensional_target_and_series_name():
    enc = encode_targets(pd.Series(["b", "a", "b"], name="kind"))
    assert enc.is_1d
    assert list(enc.task_names) == ["kind"]
    assert decode_labels(enc.codes, enc.classes, enc.is_1d).tolist() == ["b", "a", "b"]


@pytest.mark.parametrize(
    "Y, match",
    [
        (np.zeros((4, 0)), "0 task columns"),
        (np.zeros((4, 2, 2)), "1D .* or 2D"),
        (np.array([[0, np.nan], [1, np.nan]]), "no labelled sample"),
        (np.array([0.1, 0.2, 0.35, 0.7]), "Unknown label type"),
        (np.array([[1, "a"], ["b", "a"]], dtype=object), "mixes string"),
        (np.array([0, 1, np.inf]), "infinite"),
    ],
)
def test_bad_targets_are_refused(Y, match):
    with pytest.raises(ValueError, match=match):
        encode_targets(Y)


def test_row_count_must_match_X():
    with pytest.raises(ValueError, match="y has 3 rows but X has 4 samples"):
        encode_targets([0, 1, 0], n_samples=4, input_name="y")


def test_none_and_sparse_targets():
    with pytest.raises(ValueError, match="requires y to be passed"):
        encode_targets(None)
    from scipy import sparse

    with pytest.raises(TypeError, match="sparse"):
        encode_targets(sparse.csr_matrix(np.eye(3)))


def test_encode_with_classes_checks_tasks_and_unseen_labels():
    enc = encode_targets([[0, "a"], [1, "b"]])
    codes = encode_with_classes([[1, "a"], [np.nan, "b"]], enc.classes)
    assert codes.tolist() == [[1, 0], [MISSING, 1]]
    with pytest.raises(ValueError, match="2 task"):
        encode_with_classes([0, 1], enc.classes)
    with pytest.raises(ValueError, match=r"not seen during fit: \['c'\]"):
        encode_with_classes([[0, "c"], [1, "a"]], enc.classes)


def test_decode_uses_object_dtype_only_when_task_types_differ():
    same = [np.array([0, 1]), np.array([5, 7])]
    assert decode_labels(np.array([[1, 0]]), same, False).dtype.kind == "i"
    mixed = [np.array([0, 1]), np.array(["x", "y"])]
    out = decode_labels(np.array([[1, 0]]), mixed, False)
    assert out.dtype == object and out.tolist() == [[1, "x"]]


def test_task_weights_forms():
    names = ["a", "b", "c"]
    assert resolve_task_weights(None, names).tolist() == [1, 1, 1]
    assert resolve_task_weights([2, 0, 1], names).tolist() == [2, 0, 1]
    assert resolve_task_weights({"b": 3}, names).tolist() == [1, 3, 1]


@pytest.mark.parametrize("as_series", [False, True])
def test_task_weights_by_name_follow_the_tasks_not_their_own_order(as_series):
    weights = {"c": 3.0, "a": 2.0}
    weights = pd.Series(weights) if as_series else weights
    assert resolve_task_weights(weights, ["a", "b", "c"]).tolist() == [2, 1, 3]
    assert resolve_task_weights(weights, ["c", "b", "a"]).tolist() == [3, 1, 2]
    # names are compared as strings: an int column name takes an int key
    assert resolve_task_weights({0: 5.0}, ["0", "1"]).tolist() == [5, 1]


def test_a_series_of_task_weights_is_a_mapping_not_an_array():
    """Read by position, this Series would give task 'a' the weight 9."""
    weights = pd.Series([9.0, 1.0], index=["b", "a"])
    assert resolve_task_weights(weights, ["a", "b"]).tolist() == [1, 9]
    with pytest.raises(ValueError, match=r"unknown task\(s\) \['0', '1'\]"):
        resolve_task_weights(pd.Series([1.0, 2.0]), ["a", "b"])


@pytest.mark.parametrize(
    "weights, error, match",
    [
        ([1, 2], ValueError, "one weight per task"),
        ([1, -1, 1], ValueError, "non-negative"),
        ([1, np.nan, 1], ValueError, "finite"),
        ([0, 0, 0], ValueError, "all zero"),
        ({"z": 1}, ValueError, "unknown task"),
        ({"a": 1, "b": 1, "c": 2} | {0: 1, "0": 2}, ValueError, r"\['0'\] occur more than once"),
        (pd.Series([1.0, 2.0], index=["a", "a"]), ValueError, "occur more than once"),
        (["a", 1, 1], TypeError, "real numbers"),
        (2.0, TypeError, "task_weights must be"),
    ],
)
def test_task_weights_errors_name_the_parameter(weights, error, match):
    with pytest.raises(error, match=match) as info:
        resolve_task_weights(weights, ["a", "b", "c"])
    assert "task_weights" in str(info.value)


def test_task_weights_input_not_modified():
    weights = {"a": 2.0}
    array = np.array([1.0, 2.0, 3.0])
    resolve_task_weights(weights, ["a", "b", "c"])
    resolve_task_weights(array, ["a", "b", "c"])
    assert weights == {"a": 2.0}
    assert array.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("missing", [np.nan, None, pd.NA])
def test_a_missing_value_cannot_be_a_declared_class(missing):
    encoded = encode_targets(np.array([[0, 1], [1, 1]]))
    with pytest.raises(ValueError, match=r"classes\[1\] = .* holds a missing value"):
        declare_classes(encoded, [[0, 1], [1, 2, missing]])
