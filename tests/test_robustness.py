"""Bad input to every estimator is answered by a ValueError or TypeError that
names the offending argument or parameter, and user inputs are never
modified in place.

Every test runs over ``ESTIMATORS`` (tests/_estimators.py): an estimator added
there joins the battery; its own bad parameters go in ``BAD_PARAMS``.
"""

import copy

import numpy as np
import pandas as pd
import pytest
import torch
from _estimators import ESTIMATORS, with_task_weights
from _estimators import estimator_id as _id
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags

from sklearn_mtl import MultiTaskClassifier

# Estimator-specific invalid parameters: (params, name expected in the message).
BAD_PARAMS = {
    "MultiTaskClassifier": [
        ({"hidden_layer_sizes": (4, 0)}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": (4, -2)}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": "wide"}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": (4.5,)}, "hidden_layer_sizes"),
        ({"lr": 0}, "lr"),
        ({"lr": -0.1}, "lr"),
        ({"lr": "fast"}, "lr"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"max_epochs": 0}, "max_epochs"),
        ({"max_epochs": -1}, "max_epochs"),
        ({"activation": "swish"}, "activation"),
        ({"optimizer": "lbfgs-ish"}, "optimizer"),
        ({"dropout": 1.0}, "dropout"),
        ({"device": "tpu-ish"}, "device"),
        ({"callbacks": "progress"}, "callbacks"),
    ],
    "SharedTreeClassifier": [
        ({"max_depth": 0}, "max_depth"),
        ({"min_samples_leaf": 0}, "min_samples_leaf"),
        ({"max_features": "most"}, "max_features"),
        ({"ccp_alpha": -1.0}, "ccp_alpha"),
    ],
    "SharedForestClassifier": [
        ({"n_estimators": 0}, "n_estimators"),
        ({"max_samples": -0.5}, "max_samples"),
        ({"max_depth": -1}, "max_depth"),
    ],
    "TaskGroupingClassifier": [
        ({"task_groups": "some"}, "task_groups"),
        ({"task_groups": [[0], [0, 1]]}, "task_groups"),
        ({"max_groups": 0}, "max_groups"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"estimator": "tree"}, "estimator"),
    ],
}


estimators = pytest.mark.parametrize("estimator", ESTIMATORS, ids=_id)


def make_data(n=60, seed=0):
    """Two tasks (int and str labels) over 4 features."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    Y = np.empty((n, 2), dtype=object)
    Y[:, 0] = (X[:, 0] > 0).astype(int)
    Y[:, 1] = np.where(X[:, 1] > 0, "up", "down")
    return X, Y


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def fitted(data):
    """Each estimator fitted once on DataFrames (feature and task names)."""
    X, Y = data
    Xdf = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    Ydf = pd.DataFrame(Y, columns=["sign", "side"])
    return {_id(est): clone(est).fit(Xdf, Ydf) for est in ESTIMATORS}


def _with(array, index, value):
    kind = object if array.dtype == object or isinstance(value, str) else float
    out = np.array(array, dtype=kind)
    out[index] = value
    return out


# (case id, transform of (X, Y), expected error, regex naming the argument)
BAD_FIT_DATA = [
    ("y_rows", lambda X, Y: (X, Y[1:]), ValueError, "y has 59 rows but X has 60"),
    ("y_no_task", lambda X, Y: (X, Y[:, :0]), ValueError, "y has 0 task columns"),
    ("y_3d", lambda X, Y: (X, Y[:, :, None]), ValueError, "y must be 1D .* or 2D"),
    ("y_none", lambda X, Y: (X, None), ValueError, "target y is None"),
    ("y_sparse", lambda X, Y: (X, sparse.csr_matrix(Y[:, :1].astype(float))), TypeError,
     "y must be a dense"),
    ("y_all_missing_task", lambda X, Y: (X, _with(Y, (slice(None), 1), None)), ValueError,
     "y column 'task_1' has no labelled sample"),
    ("y_continuous", lambda X, Y: (X, X[:, :2]), ValueError, "y column 'task_0'.*continuous"),
    ("y_mixed_types", lambda X, Y: (X, _with(Y, (0, 1), 3)), ValueError,
     "y column 'task_1' mixes string"),
    ("X_nan", lambda X, Y: (_with(X, (0, 0), np.nan), Y), ValueError, "X contains NaN"),
    ("X_inf", lambda X, Y: (_with(X, (0, 0), np.inf), Y), ValueError, "X contains infinity"),
    ("X_empty", lambda X, Y: (X[:0], Y[:0]), ValueError, "X: Found array with 0 sample"),
    ("X_no_feature", lambda X, Y: (X[:, :0], Y), ValueError, "X: Found array with 0 feature"),
    ("X_strings", lambda X, Y: (_with(X, (0, 0), "a"), Y), ValueError,
     "X: could not convert string"),
    ("X_1d", lambda X, Y: (X[:, 0], Y), ValueError, "X: Expected 2D array"),
    ("X_complex", lambda X, Y: (X + 1j, Y), ValueError, "X: Complex data"),
    ("X_sparse", lambda X, Y: (sparse.csr_matrix(X), Y), TypeError, "[Ss]parse"),
    ("y_repeated_name", lambda X, Y: (X, pd.DataFrame(Y, columns=["t", "t"])), ValueError,
     r"y columns must name each task once; \['t'\]"),
    ("y_names_equal_as_strings", lambda X, Y: (X, pd.DataFrame(Y, columns=[1, "1"])),
     ValueError, r"y columns must name each task once; \['1'\]"),
]


@estimators
@pytest.mark.parametrize("case, transform, error, match", BAD_FIT_DATA,
                         ids=[c[0] for c in BAD_FIT_DATA])
def test_bad_fit_data_is_refused_by_name(estimator, data, case, transform, error, match):
    X, Y = transform(*data)
    tags = get_tags(estimator).input_tags
    if (case == "X_nan" and tags.allow_nan) or (case == "X_sparse" and tags.sparse):
        # declared support: the estimator must fit and predict real labels
        fitted = clone(estimator).fit(X, Y)
        pred = fitted.predict(X)
        for j, classes in enumerate(fitted.classes_):
            assert set(pred[:, j]) <= set(classes)
        return
    with pytest.raises(error, match=match):
        clone(estimator).fit(X, Y)


BAD_TASK_WEIGHTS = [
    ((1,), ValueError, "task_weights must have one weight per task"),
    ((1, 1, 1), ValueError, "task_weights must have one weight per task"),
    ([[1, 1]], ValueError, "task_weights must have one weight per task"),
    ((1, -1), ValueError, "task_weights must be non-negative"),
    ((1, np.nan), ValueError, "task_weights must be finite"),
    ((1, np.inf), ValueError, "task_weights must be finite"),
    ((0, 0), ValueError, "task_weights are all zero"),
    ({"nope": 1.0}, ValueError, "task_weights names unknown task"),
    ((1, "2"), TypeError, "task_weights must hold real numbers"),
    ("equal", ValueError, "task_weights"),
]


@estimators
@pytest.mark.parametrize("weights, error, match", BAD_TASK_WEIGHTS)
def test_bad_task_weights_are_refused_by_name(estimator, data, weights, error, match):
    X, Y = data
    with pytest.raises(error, match=match):
        with_task_weights(estimator, weights).fit(X, Y)


@pytest.mark.parametrize(
    "estimator, params, name",
    [(est, params, name) for est in ESTIMATORS for params, name in BAD_PARAMS[_id(est)]],
    ids=lambda v: _id(v) if hasattr(v, "fit") else str(v),
)
def test_bad_parameters_are_refused_by_name(estimator, data, params, name):
    X, Y = data
    with pytest.raises((ValueError, TypeError), match=name):
        clone(estimator).set_params(**params).fit(X, Y)


@estimators
def test_single_class_task_warns_by_name_and_is_predicted_constantly(estimator, data):
    X, Y = data
    Y = Y.copy()
    Y[:, 1] = "only"
    with pytest.warns(UserWarning, match="'task_1' has a single class"):
        model = clone(estimator).fit(X, Y)
    assert (model.predict(X)[:, 1] == "only").all()
    np.testing.assert_array_equal(model.predict_proba(X)[1], 1.0)


@estimators
def test_unfitted_estimator_refuses_to_predict(estimator, data):
    X, Y = data
    for method, args in [("predict", (X,)), ("predict_proba", (X,)), ("score", (X, Y))]:
        with pytest.raises(NotFittedError):
            getattr(clone(estimator), method)(*args)


def _df(X):
    return pd.DataFrame(X, columns=["a", "b", "c", "d"])


# (case id, call on the fitted model given X, Y as DataFrames, error, regex)
BAD_PREDICT_DATA = [
    ("predict_missing_feature", lambda m, X, Y: m.predict(X.iloc[:, :3]), ValueError,
     "(?s)X: The feature names .*missing:\n- d"),
    ("predict_feature_names", lambda m, X, Y: m.predict(X.rename(columns={"a": "z"})),
     ValueError, "X: The feature names should match"),
    ("predict_nan", lambda m, X, Y: m.predict(X.where(X > 1)), ValueError, "X contains NaN"),
    ("predict_empty", lambda m, X, Y: m.predict(X.iloc[:0]), ValueError, "X: Found array"),
    ("predict_strings", lambda m, X, Y: m.predict(X.astype(str).radd("v")), ValueError,
     "X: could not convert"),
    ("proba_n_features", lambda m, X, Y: m.predict_proba(X.to_numpy()[:, :3]), ValueError,
     "X has 3 features"),
    ("score_n_tasks", lambda m, X, Y: m.score(X, Y.iloc[:, :1]), ValueError,
     r"y columns must be the tasks .* missing \['side'\], unexpected \[\]"),
    ("score_3_tasks", lambda m, X, Y: m.score(X, Y.assign(extra=1)), ValueError,
     r"y columns must be the tasks .* missing \[\], unexpected \['extra'\]"),
    ("score_unseen_label", lambda m, X, Y: m.score(X, Y.replace({"up": "sideways"})),
     ValueError, r"y column 'side' has labels not seen during fit: \['sideways'\]; "
     r"known classes are \['down', 'up'\]"),
    ("score_rows", lambda m, X, Y: m.score(X, Y.iloc[1:]), ValueError, "y has 59 rows"),
    ("score_array_n_tasks", lambda m, X, Y: m.score(X, Y.to_numpy()[:, :1]), ValueError,
     "y has 1 task column.* fitted on 2 task"),
    ("score_renamed_task", lambda m, X, Y: m.score(X, Y.rename(columns={"side": "edge"})),
     ValueError, r"missing \['side'\], unexpected \['edge'\]"),
    ("score_nan_sample_weight", lambda m, X, Y: m.score(X, Y, sample_weight=np.full(60, np.nan)),
     ValueError, "sample_weight contains NaN"),
    ("score_negative_sample_weight",
     lambda m, X, Y: m.score(X, Y, sample_weight=np.r_[-1.0, np.ones(59)]),
     ValueError, "Negative values in data passed to `sample_weight`"),
    ("score_sample_weight", lambda m, X, Y: m.score(X, Y, sample_weight=np.ones(3)),
     ValueError, "sample_weight must have shape"),
    ("score_no_label", lambda m, X, Y: m.score(X, Y.where(Y == "never")), ValueError,
     "y has no labelled entry"),
]


@estimators
@pytest.mark.parametrize("case, call, error, match", BAD_PREDICT_DATA,
                         ids=[c[0] for c in BAD_PREDICT_DATA])
def test_bad_predict_data_is_refused_by_name(estimator, fitted, data, case, call, error,
                                             match):
    X, Y = data
    model = fitted[_id(estimator)]
    if case == "predict_nan" and get_tags(estimator).input_tags.allow_nan:
        pred = call(model, _df(X), None)  # declared support: real labels come out
        assert set(pred[:, 0]) <= set(model.classes_[0])
        return
    with pytest.raises(error, match=match):
        call(model, _df(X), pd.DataFrame(Y, columns=["sign", "side"]))


def _continued(estimator, data):
    """The estimator fitted once, ready to continue (partial_fit or warm_start)."""
    X, Y = data
    if hasattr(estimator, "partial_fit"):
        return clone(estimator).partial_fit(X, Y), "partial_fit"
    return clone(estimator).set_params(warm_start=True).fit(X, Y), "fit"


CONTINUABLE = [e for e in ESTIMATORS
               if hasattr(e, "partial_fit") or "warm_start" in e.get_params()]


BAD_CONTINUATION = [
    ("fewer_tasks", lambda X, Y: (X, Y[:, :1]), "y has 1 task column.* fitted on 2 task"),
    ("more_tasks", lambda X, Y: (X, np.column_stack([Y, Y[:, 0]])),
     "y has 3 task column.* fitted on 2 task"),
    ("unseen_label", lambda X, Y: (X, _with(Y, (0, 1), "sideways")), "sideways"),
    ("n_features", lambda X, Y: (X[:, :3], Y), "X has 3 features"),
]


@pytest.mark.parametrize("estimator", CONTINUABLE, ids=_id)
@pytest.mark.parametrize("case, transform, match", BAD_CONTINUATION,
                         ids=[c[0] for c in BAD_CONTINUATION])
def test_continued_training_needs_same_tasks_and_features(estimator, data, case, transform,
                                                          match):
    model, method = _continued(estimator, data)
    classes = copy.deepcopy(model.classes_)
    with pytest.raises(ValueError, match=match):
        getattr(model, method)(*transform(*data))
    for before, after in zip(classes, model.classes_):  # learned classes are kept
        np.testing.assert_array_equal(before, after)


BAD_NAMED_CONTINUATION = [
    ("missing", lambda Y: Y[["side"]], r"missing \['sign'\], unexpected \[\]"),
    ("extra", lambda Y: Y.assign(extra=1), r"missing \[\], unexpected \['extra'\]"),
    ("renamed", lambda Y: Y.rename(columns={"side": "edge"}),
     r"missing \['side'\], unexpected \['edge'\]"),
]


@pytest.mark.parametrize("estimator", CONTINUABLE, ids=_id)
@pytest.mark.parametrize("case, transform, match", BAD_NAMED_CONTINUATION,
                         ids=[c[0] for c in BAD_NAMED_CONTINUATION])
def test_continued_training_on_a_dataframe_needs_the_same_named_tasks(estimator, data, case,
                                                                      transform, match):
    X, Y = data
    model, method = _continued(estimator, (X, pd.DataFrame(Y, columns=["sign", "side"])))
    with pytest.raises(ValueError, match="y columns must be the tasks the estimator was "
                                         r"fitted on, \['sign', 'side'\].*" + match):
        getattr(model, method)(X, transform(pd.DataFrame(Y, columns=["sign", "side"])))
    assert list(model.task_names_) == ["sign", "side"]


@estimators
def test_tasks_fitted_by_position_are_read_by_position(estimator, data):
    """Without task names at fit (an array), a DataFrame y is read by position,
    as scikit-learn reads X without feature names; and after a fit on a
    DataFrame, a plain array is read by position too."""
    X, Y = data
    on_array = clone(estimator).fit(X, Y)
    swapped = pd.DataFrame(Y, columns=["sign", "side"])[["side", "sign"]]
    with pytest.raises(ValueError, match="has labels not seen during fit"):
        on_array.score(X, swapped)
    any_names = pd.DataFrame(Y, columns=["z", "a"])
    assert on_array.score(X, any_names) == on_array.score(X, Y)
    on_frame = clone(estimator).fit(X, pd.DataFrame(Y, columns=["sign", "side"]))
    assert on_frame.score(X, swapped) == on_frame.score(X, Y)
    with pytest.raises(ValueError, match="has labels not seen during fit"):
        on_frame.score(X, swapped.to_numpy())


@estimators
def test_inputs_are_never_modified(estimator, data):
    X, Y = data
    X_df, Y_df = _df(X), pd.DataFrame(Y, columns=["sign", "side"])
    Y_missing = Y.copy()
    Y_missing[::3, 1] = None
    inputs = {
        "X": X.copy(), "Y": Y_missing, "X_df": X_df, "Y_df": Y_df,
        "weights_list": [1.0, 0.5], "weights_dict": {"side": 2.0},
    }
    before = copy.deepcopy(inputs)
    model = with_task_weights(estimator, inputs["weights_list"])
    model.fit(inputs["X"], inputs["Y"])
    model.predict(inputs["X"]), model.predict_proba(inputs["X"])
    model.score(inputs["X"], inputs["Y"])
    model = with_task_weights(estimator, inputs["weights_dict"])
    model.fit(inputs["X_df"], inputs["Y_df"]).score(inputs["X_df"], inputs["Y_df"])
    if hasattr(model, "partial_fit"):
        model.partial_fit(inputs["X_df"], inputs["Y_df"])
    np.testing.assert_array_equal(inputs["X"], before["X"])
    assert pd.DataFrame(inputs["Y"]).equals(pd.DataFrame(before["Y"]))
    pd.testing.assert_frame_equal(inputs["X_df"], before["X_df"])
    pd.testing.assert_frame_equal(inputs["Y_df"], before["Y_df"])
    assert inputs["weights_list"] == before["weights_list"]
    assert inputs["weights_dict"] == before["weights_dict"]


# ------------------------------------------------------ neural-only entries
def test_cuda_without_cuda_is_refused(data):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    X, Y = data
    with pytest.raises(ValueError, match="device='cuda'.*not available"):
        MultiTaskClassifier(max_epochs=1, device="cuda").fit(X, Y)


@pytest.mark.parametrize(
    "classes, match",
    [([[0, 1]], "classes must be a list with one array of classes per task"),
     ([[0, 1], ["up"]], r"y column 'task_1' has labels \['down'\] that are not in classes\[1\]"),
     ([[0, 1], []], r"classes\[1\] must be a non-empty"),
     ([[0, 1, np.nan], ["up", "down"]], r"classes\[0\] = .* holds a missing value"),
     ("up", "classes must be a list")],
)
def test_partial_fit_bad_classes(data, classes, match):
    X, Y = data
    with pytest.raises(ValueError, match=match):
        clone(ESTIMATORS[0]).partial_fit(X, Y, classes=classes)


def test_partial_fit_refuses_other_classes_later(data):
    X, Y = data
    model = clone(ESTIMATORS[0]).partial_fit(X, Y)
    with pytest.raises(ValueError, match="classes must be the classes of the first call"):
        model.partial_fit(X, Y, classes=[[0, 1, 2], ["down", "up"]])
    model.partial_fit(X, Y, classes=[[1, 0], ["up", "down"]])  # the same, in any order
    assert model.n_iter_ == 2


# ------------------------------------------------------- public functions
def _bad_function_calls():
    from sklearn.metrics import accuracy_score

    from sklearn_mtl.datasets import make_multitask_classification
    from sklearn_mtl.metrics import (
        make_task_scorer,
        make_task_scorers,
        multitask_gain,
        per_task_score,
    )
    from sklearn_mtl.model_selection import compare_with_single_task, task_affinity

    Y = np.array([[0, 1], [1, 0], [1, 1]])
    X, Yb = make_data(20)
    Yb = Yb.copy()
    small = MultiTaskClassifier(max_epochs=1)
    return [
        ("per_task_score_rows", lambda: per_task_score(Y, Y[:2]), ValueError, "Y_pred"),
        ("per_task_score_tasks", lambda: per_task_score(Y, Y[:, :1]), ValueError, "Y_pred"),
        ("per_task_score_3d", lambda: per_task_score(Y[:, :, None], Y), ValueError, "Y_true"),
        ("multitask_gain_length", lambda: multitask_gain([0.8, 0.9], [0.7]), ValueError,
         "mtl_scores and stl_scores"),
        ("make_task_scorer_task", lambda: make_task_scorer(accuracy_score, task=2.5),
         TypeError, "task must be"),
        ("make_task_scorers_tasks", lambda: make_task_scorers(accuracy_score, tasks=-1),
         ValueError, "tasks must be"),
        ("make_multitask_n_samples", lambda: make_multitask_classification(n_samples=0),
         ValueError, "n_samples"),
        ("make_multitask_n_tasks", lambda: make_multitask_classification(n_tasks=0),
         ValueError, "n_tasks"),
        pytest.param("per_task_score_score_func",
                     lambda: per_task_score(Y, Y, score_func="acc"), TypeError, "score_func",
                     ),
        pytest.param("multitask_gain_nan", lambda: multitask_gain([np.nan], [0.7]),
                     ValueError, "mtl_scores"),
        pytest.param("multitask_gain_str", lambda: multitask_gain("a", [0.7]),
                     ValueError, "mtl_scores"),
        pytest.param("compare_estimator", lambda: compare_with_single_task("x", X, Yb),
                     (ValueError, TypeError), "estimator",
                     ),
        pytest.param("compare_rows", lambda: compare_with_single_task(small, X, Yb[1:]),
                     ValueError, "rows"),
        pytest.param("affinity_estimator", lambda: task_affinity(None, X, Yb),
                     (ValueError, TypeError), "estimator",
                     ),
        pytest.param("affinity_rows", lambda: task_affinity(small, X, Yb[1:]),
                     ValueError, "rows"),
    ]


BAD_FUNCTION_CALLS = _bad_function_calls()


@pytest.mark.parametrize("case, call, error, match", BAD_FUNCTION_CALLS,
                         ids=[getattr(c, "values", c)[0] for c in BAD_FUNCTION_CALLS])
def test_public_functions_refuse_bad_arguments_by_name(case, call, error, match):
    with pytest.raises(error, match=match):
        call()
