"""The compare command on regression and mixed targets: kinds inferred and
said on stderr, --task-kind overrides, each task's score and baselines."""

import json

import numpy as np
import pandas as pd
import pytest

from sklearn_mtl._cli import main


@pytest.fixture(scope="module")
def diamonds(tmp_path_factory):
    rng = np.random.RandomState(0)
    n = 90
    x = rng.normal(size=(n, 3))
    frame = pd.DataFrame({
        "carat": x[:, 0], "depth": x[:, 1], "table": x[:, 2],
        "price": np.round(4000 + 1500 * x[:, 0] + 100 * rng.normal(size=n), 2),
        "cut": np.where(x[:, 0] + x[:, 1] > 0, "Ideal", "Fair"),
        "stars": rng.randint(1, 4, size=n),
    })
    frame.loc[::10, "price"] = np.nan
    path = tmp_path_factory.mktemp("kinds") / "diamonds.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def mixed_run(diamonds, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "mixed.json"
    import contextlib
    import io

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["compare", str(diamonds), "--tasks", "price,cut,stars", "--cv", "2",
                       "--max-epochs", "5", "--task-kind", "stars=regression", "-q",
                       "--json", str(out)])
    return status, stdout.getvalue(), stderr.getvalue(), json.loads(out.read_text())


def test_kinds_are_inferred_said_on_stderr_and_overridden(mixed_run):
    status, _, stderr, _ = mixed_run
    assert status == 0
    line = next(x for x in stderr.splitlines() if "task kinds:" in x)
    assert "price regression (inferred: numbers with fractions" in line
    assert "cut classification (inferred: 2 labels)" in line
    assert "stars regression (--task-kind)" in line


def test_each_task_gets_its_kinds_score_and_baselines(mixed_run):
    _, stdout, _, summary = mixed_run
    result = summary["results"]["neural"]
    assert result["estimator"] == "MultiTaskEstimator"
    assert result["task_kinds"] == {"price": "regression", "cut": "classification",
                                    "stars": "regression"}
    assert result["task_metrics"] == {"price": "r2", "cut": "accuracy", "stars": "r2"}
    assert "HistGradientBoostingRegressor" in result["reference_estimator"]
    # the training mean scores an R² at or below 0 on the test folds
    assert result["tasks"]["price"]["majority_mean"] <= 0.0
    assert "price" in stdout and " r2 " in stdout and "Verdict:" in stdout


def test_bad_task_kinds_are_refused(diamonds, capsys):
    assert main(["compare", str(diamonds), "--tasks", "price,cut",
                 "--task-kind", "price=numeric"]) == 1
    assert "--task-kind takes NAME=KIND" in capsys.readouterr().err
    assert main(["compare", str(diamonds), "--tasks", "price,cut",
                 "--task-kind", "carat=regression"]) == 1
    assert "not one of --tasks" in capsys.readouterr().err
    assert main(["compare", str(diamonds), "--tasks", "price,cut",
                 "--scoring", "accuracy", "--cv", "2", "-q"]) == 1
    assert "Task 'price' is a regression task" in capsys.readouterr().err


def test_a_regression_target_in_other_units_is_dropped_other_numbers_kept():
    from sklearn_mtl._cli._columns import screen_features

    rng = np.random.RandomState(0)
    n = 60
    wage = np.exp(rng.normal(4, 0.3, size=n))
    X = pd.DataFrame({"logwage": np.log(wage), "age": rng.normal(40, 9, size=n)})
    Y = pd.DataFrame({"wage": wage, "job": rng.choice(["a", "b"], n)})
    kept, found = screen_features(X, Y, kinds={"wage": "regression", "job": "classification"})
    assert list(kept.columns) == ["age"]
    assert found == ["dropped column logwage: it copies the target of task wage (the same "
                     "values in other units); --keep-column logwage keeps it"]
    # read as classes, every all-distinct numeric column would look like a copy
    assert list(screen_features(X, Y)[0].columns) == []


def test_regression_tasks_get_the_regressor_twins_of_every_model(diamonds, tmp_path, capsys):
    out = tmp_path / "reg.json"
    assert main(["compare", str(diamonds), "--tasks", "price,carat", "--model", "all",
                 "--cv", "2", "--max-epochs", "3", "-q", "--json", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert {m: r["estimator"] for m, r in results.items()} == {
        "neural": "MultiTaskRegressor", "tree": "SharedTreeRegressor",
        "forest": "SharedForestRegressor"}
    assert all(r["scoring"] == "r2" for r in results.values())
    # mixed kinds: the shared trees are skipped, with the reason
    assert main(["compare", str(diamonds), "--tasks", "price,cut", "--model", "tree",
                 "--cv", "2", "-q"]) == 1
    assert "the shared trees take tasks of one kind" in capsys.readouterr().err
