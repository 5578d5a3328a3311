"""The compare command's rules for the data it is given (issue 18): which
columns are row identifiers, scorer and fold problems found before any fit,
missing labels, leaks, near-continuous targets, separators and task names."""

import numpy as np
import pandas as pd
import pytest

from sklearn_mtl._cli import main
from sklearn_mtl._cli_columns import screen_features

N = 40


def _labels(n=N, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    return x, pd.DataFrame({"a": np.where(x > 0, "yes", "no"),
                            "b": np.where(x + rng.normal(size=n) > 0, "p", "q")})


def _screen(name, values):
    x, Y = _labels(len(values))
    X = pd.DataFrame({"x": x, name: values})
    kept, found = screen_features(X, Y)
    return name not in kept.columns, "\n".join(found)


RNG = np.random.RandomState(3)


# ------------------------------------------------------------- identifiers
@pytest.mark.parametrize(
    "name, values, why",
    [
        ("customer", [f"c{i:03d}" for i in RNG.permutation(N)], "a distinct text value"),
        ("customer", pd.Categorical([f"k{i}" for i in range(N)]), "a distinct text value"),
        ("n", RNG.permutation(N) + 1, "the integers 1 to 40"),  # a run 1..n, any order
        ("n", np.arange(N, dtype=float), "the integers 0 to 39"),  # a run stored as floats
        ("Unnamed: 0", np.sort(RNG.choice(500, N, replace=False)), "an index column"),
        ("rownames", [f"r{i}" for i in range(N)], "a distinct text value"),
        ("id", RNG.choice(10**6, N, replace=False), "an index column"),
        ("ID", RNG.choice(10**6, N, replace=False), "an index column"),
    ],
)
def test_row_identifiers_are_dropped_with_their_reason(name, values, why):
    dropped, found = _screen(name, values)
    assert dropped
    assert f"dropped column {name}: a row identifier ({why}" in found
    assert f"--keep-column {name} keeps it" in found


@pytest.mark.parametrize(
    "name, values",
    [
        # measurements whose values happen to be distinct
        ("income", RNG.choice(np.arange(20_000, 90_000), N, replace=False)),
        ("coded", np.repeat([1, 2], N // 2) * 1000 + RNG.permutation(N)),
        ("weight", RNG.normal(70, 10, N)),
        # a name alone is not enough
        ("species_id", RNG.choice([3, 7, 11], N)),
        ("species_id", RNG.choice(["setosa", "virginica"], N)),
        ("id", RNG.choice([1, 2, 3], N)),
        ("Unnamed: 0", RNG.normal(size=N)),  # not distinct integers: a measurement
    ],
)
def test_measurements_and_categories_are_kept(name, values):
    dropped, found = _screen(name, values)
    assert not dropped, found


# ------------------------------------------------ problems found before any fit
@pytest.fixture(scope="module")
def csvs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules")
    rng = np.random.RandomState(0)
    n = 60
    x = rng.normal(size=n)
    frame = pd.DataFrame({
        "x": x, "z": rng.normal(size=n),
        "a": np.where(x > 0, "x", "y"),
        "b": np.where(x + rng.normal(size=n) > 0, "p", "q"),
    })
    paths = {"xy": folder / "xy.csv"}
    frame.to_csv(paths["xy"], index=False)
    rare = frame.copy()
    rare.loc[0, "b"] = "r"  # a class of one example
    paths["rare"] = folder / "rare.csv"
    rare.to_csv(paths["rare"], index=False)
    few = frame.copy().astype({"b": object})
    few.loc[3:, "b"] = None  # three labels: p, q, p
    paths["few"] = folder / "few.csv"
    few.to_csv(paths["few"], index=False)
    return paths


def _run(capsys, *argv):
    status = main(["compare", *map(str, argv), "--max-epochs", "1", "--reference", "none"])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    "name, options, says",
    [
        ("xy", ["--scoring", "f1"],
         ["task 'a'", "labels x, y", "pos_label=1", "--scoring f1_macro"]),
        ("rare", ["--scoring", "neg_log_loss", "--cv", "5"],
         ["task 'b'", "class 'r' has 1 labelled row", "--cv 5", "--scoring accuracy"]),
        ("few", ["--cv", "2", "--random-state", "2"],  # its 3 labels in one test fold
         ["task 'b' has 3 labelled rows", "the folds of --cv 2 left all of them out of "
          "the training rows of split", "label more rows"]),
    ],
)
def test_scorer_and_fold_problems_are_named_before_any_fit(csvs, capsys, name, options, says):
    status, out, err = _run(capsys, csvs[name], "--tasks", "a,b", *options)
    assert status == 1
    error = [line for line in err.splitlines() if line.startswith("sklearn-mtl: error:")]
    assert len(error) == 1, err
    for text in says:
        assert text in error[0]
    assert "compare: 0/" not in err and "Verdict" not in out  # no fit started
