"""The compare command's rules for the data it is given (issue 18): which
columns are row identifiers, scorer and fold problems found before any fit,
missing labels, leaks, near-continuous targets, separators and task names."""

import numpy as np
import pandas as pd
import pytest

from sklearn_mtl._cli import main
from sklearn_mtl._cli._columns import screen_features

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


# ------------------------------------------- item 8: real CSVs, as users export them
def _table(n=80, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    bwt = rng.normal(3000, 600, size=n).round()
    return pd.DataFrame({
        "x": x, "z": rng.normal(size=n), "bwt": bwt,
        "low": np.where(bwt < 2500, "yes", "no"),  # a task computed from a feature
        "Improved": rng.choice(["None", "Some", "Marked"], size=n),
        "Smoke": np.where(x + rng.normal(size=n) > 0, "NA", "yes"),  # a class named NA
    })


QUICK = ["--cv", "2", "--max-epochs", "1", "--reference", "none"]


@pytest.fixture(scope="module")
def table_run(tmp_path_factory):
    """One quick run on a table with classes named None and NA, an empty
    label cell, a leaking feature, written with ';' as the separator."""
    import contextlib
    import io

    frame = _table()
    frame = frame.astype({"Improved": object})
    frame.loc[[1, 2], "Improved"] = None  # empty cells: the only missing labels
    path = tmp_path_factory.mktemp("table") / "arthritis.csv"
    frame.to_csv(path, sep=";", index=False)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["compare", str(path), "--tasks", "low,Improved,Smoke", *QUICK])
    return path, status, out.getvalue(), err.getvalue()


def test_only_an_empty_cell_is_a_missing_label(table_run):
    _, status, out, _ = table_run
    assert status == 0
    # None and NA are classes; the two empty cells are the only missing labels
    assert "Labelled rows per task: low 80, Improved 78, Smoke 80" in out


def test_the_separator_is_detected(table_run):
    _, status, out, _ = table_run
    assert status == 0 and "80 samples, 3 feature columns" in out


def test_sep_and_na_values_options(table_run, capsys):
    path = table_run[0]
    argv = ["compare", str(path), "--tasks", "low,Improved", "--sep", ";",
            "--na-values", "None", "-q", *QUICK]
    assert main(argv) == 0
    out = capsys.readouterr().out
    improved = _table()["Improved"].drop([1, 2])  # rows 1 and 2 are empty cells
    assert f"Improved {int((improved != 'None').sum())}" in out
    assert main(["compare", str(path), "--tasks", "low,Improved", "--sep", ",", *QUICK]) == 1
    assert "unknown task column(s)" in capsys.readouterr().err  # one column: the wrong sep


def test_a_feature_that_predicts_a_task_is_flagged_not_dropped(table_run):
    _, _, out, err = table_run
    lines = err.splitlines()
    leak = [k for k, line in enumerate(lines) if "feature bwt alone predicts task low" in line]
    assert len(leak) == 1 and "accuracy 1.000" in lines[leak[0]]
    first_fit = next(k for k, line in enumerate(lines) if line.startswith("compare: 0/"))
    assert leak[0] < first_fit  # before training
    assert not any("alone predicts task Smoke" in line or "feature x alone" in line
                   for line in lines)
    assert "3 feature columns" in out  # warned, kept


def test_a_near_continuous_target_declared_a_classification_is_refused(tmp_path, capsys):
    # inferred, a continuous column is a regression task (test_cli_kinds.py);
    # declared a classification task, it is refused with the way out
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.normal(size=200), "y": rng.normal(size=200),
                          "a": rng.choice(["u", "v"], 200),
                          "weight": rng.normal(70, 10, 200).round(2)})
    path = tmp_path / "w.csv"
    frame.to_csv(path, index=False)
    assert main(["compare", str(path), "--tasks", "a,weight", *QUICK,
                 "--task-kind", "weight=classification"]) == 1
    err = capsys.readouterr().err
    assert "task 'weight' looks continuous" in err and "distinct values" in err
    assert "--task-kind weight=regression" in err and len(err.splitlines()) == 1


def test_output_paths_are_tried_before_any_work(capsys):
    assert main(["compare", "--max-epochs", "1", "--json", "/proc/x.json"]) == 1
    captured = capsys.readouterr()
    assert "--json /proc/x.json: cannot write there" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("given, suggestion", [("smoke", "Smoke"), ("Smok", "Smoke"),
                                               ("improvd", "Improved")])
def test_task_names_suggest_the_closest_column(table_run, capsys, given, suggestion):
    path = table_run[0]
    assert main(["compare", str(path), "--tasks", f"low,{given}", *QUICK]) == 1
    assert f"unknown task column(s) {given} (did you mean {suggestion}?)" in capsys.readouterr().err


def test_model_all_has_one_progress_bar_and_titles_that_fit(table_run, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = table_run[0]
    png = tmp_path / "all.png"
    argv = ["compare", str(path), "--tasks", "low,Smoke", "--model", "all", "--cv", "2",
            "--max-epochs", "1", "--plot", str(png)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    progress = [line for line in err.splitlines() if line.startswith("compare: ")]
    n_fits = 3 * 2 * (1 + 3 * 2)  # 3 models x 2 folds x (1 + 3 per task)
    assert progress[0] == f"compare: 0/{n_fits} fits, starting"
    assert progress[-1].startswith(f"compare: {n_fits}/{n_fits} fits in ")
    assert sum(line.startswith("compare: 0/") for line in progress) == 1
    assert png.exists()


def test_plot_titles_stay_inside_their_panels():
    pytest.importorskip("matplotlib")
    from sklearn_mtl._cli._output import plot_figure
    from sklearn_mtl.model_selection import ComparisonResult

    rng = np.random.RandomState(0)
    stl = rng.uniform(0.6, 0.8, (4, 4))
    result = ComparisonResult(
        ["digit", "odd", "large", "prime"], stl + 0.01, stl, scoring="balanced_accuracy",
        estimator_name="SharedForestClassifier", single_task_name="SharedForestClassifier",
        majority_scores=np.full((4, 4), 0.5), reference_scores=stl,
        reference_name="HistGradientBoostingClassifier",
    )
    fig = plot_figure({"neural": result, "tree": result, "forest": result})
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        title = ax.title.get_window_extent(renderer)
        panel = ax.get_window_extent(renderer)
        assert title.x0 >= panel.x0 - 2 and title.x1 <= panel.x1 + 2, ax.get_title()
        boxes.append(title)
    for left, right in zip(boxes, boxes[1:]):
        assert left.x1 < right.x0  # no title runs into the next panel
