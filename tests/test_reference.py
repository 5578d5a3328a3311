"""The reference models of compare (sklearn_mtl/_tasks/_reference.py):
fitted per task on the same folds, or refused naming the extra to install."""

import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import accuracy_score
from sklearn.model_selection import KFold

from sklearn_mtl import SharedTreeClassifier
from sklearn_mtl._cli import main
from sklearn_mtl._cli._args import build_parser
from sklearn_mtl._tasks import _reference
from sklearn_mtl._tasks._reference import REFERENCES, make_reference
from sklearn_mtl.datasets import make_multitask_classification
from sklearn_mtl.model_selection import compare_with_single_task

CV = KFold(2, shuffle=True, random_state=0)
MODEL = SharedTreeClassifier(max_depth=3, random_state=0)


@pytest.fixture(scope="module")
def data():
    X, Y = make_multitask_classification(n_samples=120, n_tasks=2, random_state=0)
    Y = Y.astype(float)
    Y[::7, 1] = np.nan  # a missing label: the reference trains on labelled rows only
    return X, Y


@pytest.mark.parametrize("name, class_name", [("hgb", "HistGradientBoostingClassifier"),
                                               ("lightgbm", "LGBMClassifier"),
                                               ("catboost", "CatBoostClassifier")])
def test_each_reference_is_fitted_per_task_on_the_same_folds(data, monkeypatch, name,
                                                             class_name):
    if name != "hgb":
        pytest.importorskip(name)
    if name == "catboost":  # its 1,000 default iterations take seconds per fit: fewer here
        module, classes, params, seed, extra = _reference._REFERENCES[name]
        monkeypatch.setitem(_reference._REFERENCES, name,
                            (module, classes, {**params, "iterations": 20}, seed, extra))
    X, Y = data
    result = compare_with_single_task(MODEL, X, Y, cv=CV, reference=name)
    assert result.reference_name == class_name
    for j in range(2):
        y = Y[:, j]
        expected = []
        for train, test in CV.split(X):
            train, test = train[~np.isnan(y[train])], test[~np.isnan(y[test])]
            fitted = clone(make_reference(name, "classification", 0)).fit(X[train], y[train])
            expected.append(accuracy_score(y[test], fitted.predict(X[test])))
        np.testing.assert_allclose(result.reference_scores[:, j], expected)


@pytest.mark.parametrize("name", ["lightgbm", "catboost"])
def test_a_missing_package_is_refused_naming_the_extra(data, monkeypatch, name):
    monkeypatch.setitem(sys.modules, name, None)  # makes `import name` fail
    X, Y = data
    with pytest.raises(ImportError, match=rf'pip install "sklearn-mtl\[{name}\]"'):
        compare_with_single_task(MODEL, X, Y, cv=CV, reference=name)


def test_cli_offers_every_reference_and_refuses_a_missing_one(monkeypatch, capsys):
    choices = next(a.choices for a in build_parser()._subparsers._group_actions[0]
                   .choices["compare"]._actions if a.dest == "reference")
    assert choices == [*REFERENCES, "none"]
    monkeypatch.setitem(sys.modules, "catboost", None)
    argv = ["compare", "--tasks", "odd,large", "--cv", "2", "--max-epochs", "1",
            "--reference", "catboost", "-q"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert 'pip install "sklearn-mtl[catboost]"' in err and "Traceback" not in err


def test_unknown_reference_names_the_choices():
    with pytest.raises(ValueError, match="'hgb', 'lightgbm', 'catboost', 'none'"):
        make_reference("svm", "classification")


@pytest.mark.parametrize("name, class_name", [("hgb", "HistGradientBoostingRegressor"),
                                               ("lightgbm", "LGBMRegressor"),
                                               ("catboost", "CatBoostRegressor")])
def test_a_regression_task_gets_the_regressor_of_each_reference(name, class_name):
    if name != "hgb":
        pytest.importorskip(name)
    from sklearn.base import is_regressor

    from sklearn_mtl._tasks import RegressionTask

    reference = RegressionTask("price").reference_estimator(name, random_state=3)
    assert type(reference).__name__ == class_name and is_regressor(reference)
    seed = "random_seed" if name == "catboost" else "random_state"
    assert reference.get_params()[seed] == 3
