"""Property-based tests (hypothesis) over every estimator: random numbers of
tasks and classes, label types, missing-label patterns and sample sizes; and
names beat positions (permuted task columns change only the order of outputs)."""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from _estimators import ESTIMATORS, estimator_id, with_task_weights
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.metrics import accuracy_score

from sklearn_mtl.metrics import make_task_scorers, per_task_score

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


# ---------------------------------------------------------- names beat positions
@st.composite
def named_problems(draw):
    """(X, Y, weights, order): a DataFrame Y of 2-3 named tasks (one name an
    int, compared as a string), task weights by name, a permutation of them."""
    n_tasks = draw(st.integers(2, 3))
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    X = rng.normal(size=(40, 3))
    names = [0, "b", "c"][:n_tasks]
    Y = pd.DataFrame({
        name: np.where(rng.rand(40) < 0.2, np.nan, (X[:, j] + rng.normal(size=40) > 0) * (j + 1.0))
        for j, name in enumerate(names)
    })
    weights = dict(zip(names, draw(st.lists(st.sampled_from([0.5, 1.0, 3.0]),
                                            min_size=n_tasks, max_size=n_tasks))))
    order = draw(st.permutations(range(n_tasks)))
    return X, Y, weights, list(order)


NAMED = settings(max_examples=4, deadline=None, phases=[Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow])


def _permuted_weights(weights, order, as_series):
    names = list(weights)
    permuted = {names[k]: weights[names[k]] for k in order}
    return pd.Series(permuted) if as_series else permuted


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=estimator_id)
@NAMED
@given(problem=named_problems())
def test_a_fitted_model_reads_permuted_task_columns_by_name(estimator, problem):
    """score, the task scorers, per_task_score and continued training
    (partial_fit, warm start) give the same results on Y[permuted columns]."""
    X, Y, weights, order = problem
    Yp = Y.iloc[:, order]
    model = with_task_weights(estimator, weights).fit(X, Y)
    assert model.score(X, Yp) == model.score(X, Y)
    scorers = make_task_scorers(accuracy_score, [str(c) for c in Y.columns])
    for key, scorer in scorers.items():  # a mean of the same scores, summed in another order
        assert scorer(model, X, Yp) == pytest.approx(scorer(model, X, Y), rel=1e-12), key
    pred = pd.DataFrame(model.predict(X), columns=Y.columns)
    pd.testing.assert_series_equal(per_task_score(Yp, pred),
                                   per_task_score(Y, pred).iloc[order])
    pd.testing.assert_series_equal(per_task_score(Y, pred.iloc[:, order]),
                                   per_task_score(Y, pred))
    for continued in _continuations(model):
        on_y = continued(copy.deepcopy(model), X, Y).predict_proba(X)
        on_permuted = continued(copy.deepcopy(model), X, Yp).predict_proba(X)
        for a, b in zip(on_y, on_permuted):
            np.testing.assert_array_equal(a, b)


def _continuations(model):
    """The ways to continue training a fitted model, if it has any."""
    if hasattr(model, "partial_fit"):
        yield lambda m, X, Y: m.partial_fit(X, Y)
    if "warm_start" in model.get_params():
        yield lambda m, X, Y: m.set_params(warm_start=True).fit(X, Y)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=estimator_id)
@NAMED
@given(problem=named_problems(), as_series=st.booleans())
def test_fitting_on_permuted_named_tasks_only_permutes_the_outputs(estimator, problem,
                                                                    as_series):
    X, Y, weights, order = problem
    model = with_task_weights(estimator, weights).fit(X, Y)
    permuted = with_task_weights(estimator, _permuted_weights(weights, order, as_series))
    permuted.fit(X, Y.iloc[:, order])
    assert list(permuted.task_names_) == [str(Y.columns[k]) for k in order]
    proba, permuted_proba = model.predict_proba(X), permuted.predict_proba(X)
    for k, j in enumerate(order):
        np.testing.assert_allclose(permuted_proba[k], proba[j], atol=1e-6)
    np.testing.assert_array_equal(permuted.predict(X), model.predict(X)[:, order])
