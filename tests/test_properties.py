"""Property-based tests (hypothesis) over every estimator: random numbers of
tasks and classes, label types, missing-label patterns and sample sizes."""

import warnings

import numpy as np
import pytest
from _estimators import ESTIMATORS, estimator_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

LABEL_TYPES = {
    "int": lambda codes: codes * 3 - 1,
    "str": lambda codes: np.array(["lbl_" + "x" * c for c in codes], dtype=object),
    "bool": lambda codes: codes % 2 == 1,
    "float": lambda codes: codes.astype(float) * 2,  # integral floats are classes
}


@st.composite
def problems(draw):
    """(X, Y, labelled_mask): Y is 1D or 2D; every entry of Y is a label or
    None; a task may end up with no labelled sample at all."""
    n = draw(st.integers(1, 25))
    n_features = draw(st.integers(1, 4))
    n_tasks = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    Y = np.empty((n, n_tasks), dtype=object)
    mask = np.zeros((n, n_tasks), dtype=bool)
    for j in range(n_tasks):
        kind = draw(st.sampled_from(sorted(LABEL_TYPES)))
        n_classes = draw(st.integers(1, 4)) if kind != "bool" else draw(st.integers(1, 2))
        labels = LABEL_TYPES[kind](rng.randint(0, n_classes, size=n))
        missing_rate = draw(st.sampled_from([0.0, 0.3, 0.9]))
        mask[:, j] = rng.rand(n) >= missing_rate
        column = np.asarray(labels, dtype=object)
        column[~mask[:, j]] = None
        Y[:, j] = column
    if n_tasks == 1 and draw(st.booleans()):
        return X, Y[:, 0], mask
    return X, Y, mask


def _per_task(output, is_1d):
    return [output] if is_1d else output


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=estimator_id)
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(problem=problems())
def test_fit_succeeds_or_fails_as_documented_and_outputs_are_valid(estimator, problem):
    X, Y, mask = problem
    model = clone(estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # single-class tasks warn
        if not mask.any(axis=0).all():
            with pytest.raises(ValueError, match="has no labelled sample"):
                model.fit(X, Y)
            return
        model.fit(X, Y)
    is_1d = Y.ndim == 1
    classes = _per_task(model.classes_, is_1d)
    assert len(classes) == (1 if is_1d else Y.shape[1]) == model.n_tasks_
    for j, task_classes in enumerate(classes):
        labelled = Y[mask[:, j], j] if not is_1d else Y[mask[:, 0]]
        assert set(task_classes.tolist()) == set(labelled.tolist())

    pred = model.predict(X)
    assert pred.shape == Y.shape
    for j, task_classes in enumerate(classes):
        column = pred if is_1d else pred[:, j]
        assert set(column.tolist()) <= set(task_classes.tolist())

    probas = _per_task(model.predict_proba(X), is_1d)
    for task_classes, proba, j in zip(classes, probas, range(len(classes))):
        assert proba.shape == (X.shape[0], len(task_classes))
        assert np.all(np.isfinite(proba)) and np.all(proba >= 0)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        column = pred if is_1d else pred[:, j]
        np.testing.assert_array_equal(task_classes[proba.argmax(axis=1)], column)

    score = model.score(X, Y)
    assert 0.0 <= score <= 1.0
