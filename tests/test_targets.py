"""Reading raw targets (sklearn_mtl/_targets.py): task names are unique as
strings, and a DataFrame is matched to known tasks by name."""

import numpy as np
import pandas as pd
import pytest

from sklearn_mtl._labels import encode_targets, encode_with_classes
from sklearn_mtl._targets import align_tasks, task_labels


@pytest.mark.parametrize(
    "columns, repeated",
    [(["t", "t"], "'t'"), ([1, "1"], "'1'"), (["a", 0, "b", 0.0, "0.0"], "'0.0'")],
)
def test_repeated_task_names_are_refused(columns, repeated):
    Y = pd.DataFrame(np.zeros((3, len(columns)), dtype=int), columns=columns)
    for call in (lambda: encode_targets(Y), lambda: encode_with_classes(Y, [np.array([0])] * 2),
                 lambda: align_tasks(Y, ["t", "1"])):
        with pytest.raises(ValueError, match=f"Y columns must name each task once; .*{repeated}"):
            call()


def test_align_tasks_reorders_by_name_and_names_the_wrong_columns():
    Y = pd.DataFrame({"b": [1, 2], "a": [3, 4]})
    aligned = align_tasks(Y, ["a", "b"])
    assert list(aligned.columns) == ["a", "b"] and aligned["a"].tolist() == [3, 4]
    assert list(Y.columns) == ["b", "a"]  # input not modified
    assert align_tasks(Y, ["b", "a"]) is Y
    array = Y.to_numpy()
    assert align_tasks(array, ["a", "b"]) is array  # arrays stay positional
    for wrong, match in [(Y[["a"]], r"missing \['b'\], unexpected \[\]"),
                         (Y.assign(c=0), r"missing \[\], unexpected \['c'\]"),
                         (Y.rename(columns={"a": "z"}), r"missing \['a'\], unexpected \['z'\]")]:
        with pytest.raises(ValueError, match="Y columns must be the tasks .*" + match):
            align_tasks(wrong, ["a", "b"])


def test_task_labels_refuse_repeated_names_too():
    """The path of the metrics and model selection."""
    with pytest.raises(ValueError, match=r"Y_true columns must name each task once; \['a'\]"):
        task_labels(pd.DataFrame([[0, 1]], columns=["a", "a"]), input_name="Y_true")
