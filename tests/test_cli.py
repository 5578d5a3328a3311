import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sklearn_mtl
from sklearn_mtl._cli import CLIError, main
from sklearn_mtl._cli._args import parse_task_weights

ROOT = Path(sklearn_mtl.__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory):
    """A small CSV with numeric, categorical, boolean and text columns and
    empty cells."""
    rng = np.random.RandomState(0)
    n = 60
    x = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "age": rng.randint(20, 70, size=n).astype(float),
            "score": x,
            "city": rng.choice(["Paris", "Lyon", "Nice"], size=n),
            "comment": rng.choice(["good", "bad service", "ok"], size=n),
            "member": rng.choice([True, False], size=n).astype(object),
            "churn": np.where(x > 0, "yes", "no"),
            "plan": np.where(x + rng.normal(size=n) > 0, "pro", "basic"),
        }
    )
    frame.loc[::7, "age"] = np.nan
    frame.loc[::9, "city"] = None
    frame.loc[::6, "member"] = None
    frame.loc[::5, "plan"] = None
    path = tmp_path_factory.mktemp("cli") / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def run_cli(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "sklearn_mtl", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
    )


def test_compare_csv_as_a_subprocess(csv_path):
    out_json = csv_path.parent / "out.json"
    proc = run_cli(
        "compare", csv_path, "--tasks", "churn,plan", "--cv", "2", "--max-epochs", "5",
        "--json", out_json, cwd=csv_path.parent,
    )
    assert proc.returncode == 0, proc.stderr
    assert "60 samples, 5 feature columns" in proc.stdout
    assert "churn" in proc.stdout and "Delta_m" in proc.stdout
    assert [line for line in proc.stdout.splitlines() if line.startswith("Verdict: ")]
    # not a terminal: plain progress lines on stderr, the first before any fit
    progress = [line for line in proc.stderr.splitlines() if line.startswith("compare: ")]
    assert progress[0] == "compare: 0/14 fits, starting"  # 2 folds x (1 + 3 x 2 tasks)
    assert progress[-1].startswith("compare: 14/14 fits in ")
    summary = json.loads(out_json.read_text())
    result = summary["results"]["neural"]
    assert set(result["tasks"]) == {"churn", "plan"} and result["n_splits"] == 2
    assert all(0 <= t["mtl_mean"] <= 1 for t in result["tasks"].values())
    assert summary["verdict"]["neural"] == result["verdict"]["text"]
    for task in result["tasks"].values():
        assert {"majority_mean", "majority_fold_scores", "reference_mean",
                "reference_fold_scores"} <= set(task)


def test_missing_file_is_an_error_as_a_subprocess(tmp_path):
    proc = run_cli("compare", tmp_path / "nope.csv", "--tasks", "a,b", cwd=tmp_path)
    assert proc.returncode == 1
    assert "not found" in proc.stderr and "Traceback" not in proc.stderr


def test_bundled_digits_by_default(capsys):
    argv = ["compare", "--tasks", "odd,large", "--cv", "2", "--max-epochs", "1",
            "--reference", "none", "-q"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "bundled digits: 1797 samples, 64 feature columns, tasks: odd, large" in out
    assert "Labelled rows per task: odd 1797, large 1797" in out
    assert "2-fold CV" in out and "odd" in out and "reference" not in out
    assert captured.err == ""  # -q: no progress


def test_plot_is_written(csv_path, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    png = tmp_path / "compare.png"
    argv = ["compare", str(csv_path), "--tasks", "churn,plan", "--cv", "2", "--repeats", "2",
            "--max-epochs", "2", "--task-weights", "churn=1,plan=0.5", "--plot", str(png)]
    assert main(argv) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert "2-fold CV x 2 repeats" in out and "--repeats 10" not in out
    assert list(tmp_path.iterdir()) == [png]  # no temporary file left


def _frame(n=60, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({
        "x": x, "z": rng.normal(size=n),
        "a": np.where(x > 0, "yes", "no"),
        "b": np.where(x + rng.normal(size=n) > 0, "p", "q"),
    })


@pytest.fixture(scope="module")
def suspicious_csv(tmp_path_factory):
    """Rows sorted by a label, a row-number column, a shuffled id, a copy of
    label a under another coding, a constant and an empty column."""
    frame = _frame().sort_values("a", kind="stable").reset_index(drop=True)
    frame["customer"] = [f"c{i:03d}" for i in np.random.RandomState(1).permutation(60)]
    frame["a_code"] = (frame["a"] == "yes").astype(int)
    frame["country"] = "FR"
    frame["empty"] = np.nan
    frame.loc[::4, "b"] = None
    path = tmp_path_factory.mktemp("sanity") / "sorted.csv"
    frame.to_csv(path)  # with the row-number column, header "", as R writes it
    return path


@pytest.fixture(scope="module")
def suspicious_run(suspicious_csv):
    """Output of one quick run on the suspicious CSV, with its JSON."""
    out_json = suspicious_csv.parent / "sorted.json"
    argv = ["compare", str(suspicious_csv), "--tasks", "a,b", "--cv", "2", "--max-epochs", "1",
            "--reference", "none", "--json", str(out_json)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(argv) == 0
    return out.getvalue(), err.getvalue(), json.loads(out_json.read_text())


def test_row_ids_and_label_copies_are_dropped(suspicious_run):
    out, err, summary = suspicious_run
    warnings = [line for line in err.splitlines() if line.startswith("sklearn-mtl: warning:")]
    assert "dropped column Unnamed: 0: a row identifier (the integers 0 to 59" in warnings[0]
    assert "dropped column customer: a row identifier (a distinct text value" in warnings[1]
    assert "dropped column a_code: it copies the label of task a" in warnings[2]
    assert "column(s) country, empty hold a single value" in warnings[3]
    assert summary["data"]["feature_columns"] == ["x", "z", "country", "empty"]
    assert "60 samples, 4 feature columns" in out
    assert "Labelled rows per task: a 60, b 45" in out
    overall = summary["results"]["neural"]["verdict"]["overall"]
    assert ("--repeats 10 repeats" in out) == (overall == "no detectable difference")
    assert summary["data"]["labelled"] == {"a": 60, "b": 45}


def test_each_distinct_warning_once_per_run(suspicious_run):
    _, err, _ = suspicious_run
    # the empty column makes the imputer warn on every fit: 2 folds x 5 models
    assert err.count("Skipping features without any observed values") == 1


def test_keep_column_keeps_it(suspicious_csv, capsys):
    argv = ["compare", str(suspicious_csv), "--tasks", "a,b", "--cv", "2", "--max-epochs", "1",
            "--reference", "none", "-q", "--keep-column", "customer", "--keep-column", "a_code"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "dropped column Unnamed: 0:" in captured.err
    assert "dropped column customer" not in captured.err
    assert "dropped column a_code" not in captured.err
    assert "feature a_code alone predicts task a" in captured.err  # kept, still flagged
    assert "60 samples, 6 feature columns" in captured.out


def test_row_id_detection_needs_enough_rows():
    from sklearn_mtl._cli._columns import MIN_ROWS, screen_features

    frame = _frame(n=MIN_ROWS)
    frame["code"] = [f"k{i}" for i in np.random.RandomState(0).permutation(MIN_ROWS)]
    frame["run"] = np.arange(MIN_ROWS, 0, -1).astype(float)  # 20.0, 19.0, ...
    X, found = screen_features(frame.drop(columns=["a", "b"]), frame[["a", "b"]])
    assert list(X.columns) == ["x", "z"]
    assert [line.split(":")[0] for line in found] == ["dropped column code", "dropped column run"]
    small = frame.iloc[: MIN_ROWS - 1]
    X, found = screen_features(small.drop(columns=["a", "b"]), small[["a", "b"]])
    assert list(X.columns) == ["x", "z", "code", "run"] and found == []


@pytest.mark.parametrize(
    "content, tasks, message",
    [
        (None, "a,b", "not found"),
        ("", "a,b", "is empty"),
        ("a,b,x\n", "a,b", "no rows"),
        ("a,b,x\n0,1,2\n0,0,3\n", "a,b", "'a' has 1 class"),
        ("a,b,x\n0,1,2\n1,0,3\n", "a,zz", "unknown task column(s) zz"),
        ("a,b\n0,1\n1,0\n", "a,b", "no feature column"),
        ("a,b,x\n0,1,2\n1,0,3\n", "a", "at least 2 tasks"),
        ("a,b,x\n0,1,2\n1,0,3\n", None, "--tasks is required"),
        ("a,b,a,x\n0,1,1,2\n1,0,0,3\n", "a,b", "repeats the column name(s) a"),
        ("a,b,x\n0,1,2\n1,0,3\n", "a,b --keep-column y", "unknown --keep-column column(s) y"),
        ("a,b,x\n0,1,2\n1,0,3\n", "a,b --task-weights a=1,a=2", "names task(s) a twice"),
        ("a,b,x\n0,1,2\n1,0,3\n", "a,b --task-weights a=1,c=2", "--task-weights task(s) c"),
    ],
)
def test_csv_errors(tmp_path, capsys, content, tasks, message):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    argv = ["compare", str(path)] + ([] if tasks is None else ["--tasks", *tasks.split()])
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "option, name, message",
    [
        ("--json", "missing/out.json", "does not exist"),
        ("--json", "out.txt", "must end in one of .json"),
        ("--plot", "missing/plot.png", "does not exist"),
        ("--plot", "plot.nope", ".png"),
        ("--plot", "folder.png", "cannot write there"),
    ],
)
def test_output_paths_are_checked_before_any_work(tmp_path, capsys, option, name, message):
    (tmp_path / "folder.png").mkdir()
    assert main(["compare", "--max-epochs", "1", option, str(tmp_path / name)]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and len(captured.err.splitlines()) == 1
    assert captured.out == ""  # nothing loaded, nothing fitted
    assert [p.name for p in tmp_path.iterdir()] == ["folder.png"]


def test_a_failed_write_leaves_no_file(tmp_path):
    from sklearn_mtl._cli._output import write_atomically

    path = tmp_path / "out.json"

    def half_then_fail(tmp):
        with open(tmp, "w") as f:
            f.write('{"half": ')
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(str(path), half_then_fail)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--tasks", "digit,nope"], "unknown task column(s) nope"),
        (["--cv", "1"], "--cv"),
        (["--tasks", "digit,odd", "--task-weights", "1,2,3"], "2 tasks"),
        (["--scoring", "nope"], "scoring"),
        (["--repeats", "0"], "--repeats must be at least 1"),
        (["--max-epochs", "0"], "--max-epochs must be at least 1"),
        (["--n-jobs", "0"], "--n-jobs must not be 0"),
        (["--keep-column", "x"], "--keep-column applies to the columns of a CSV"),
    ],
)
def test_argument_errors(capsys, argv, message):
    assert main(["compare", *argv]) == 1
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_usage_error_exit_code():
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--model", "svm"])
    assert exc.value.code == 2


def testparse_task_weights():
    assert parse_task_weights("1,0.5", ["a", "b"]) == [1.0, 0.5]
    assert parse_task_weights("b=0.5", ["a", "b"]) == {"b": 0.5}
    with pytest.raises(CLIError, match="names task"):
        parse_task_weights("a=1, a=2", ["a", "b"])


def test_without_pandas_the_command_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas fails
    assert main(["compare", "--max-epochs", "1"]) == 1
    assert "pip install 'sklearn-mtl[cli]'" in capsys.readouterr().err


@pytest.mark.slow
def test_readme_compare_output_is_what_the_command_prints(tmp_path):
    """No drift: README.md shows what its command prints today (regenerate
    with ``python docs/readme_compare.py``)."""
    spec = importlib.util.spec_from_file_location(
        "readme_compare", ROOT / "docs" / "readme_compare.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"$ {script.COMMAND}\n" in readme
    assert script.readme_block(readme) == script.command_output(tmp_path)


def test_readme_prose_quotes_the_compare_output():
    """The paragraph after the generated block quotes its figures by hand
    (per-task gains, Delta_m and its p-value): they must be the block's."""
    import re

    spec = importlib.util.spec_from_file_location(
        "readme_compare", ROOT / "docs" / "readme_compare.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = script.readme_block(readme)
    prose = readme.split(script.END, 1)[1].split("![", 1)[0]
    gains = dict(re.findall(r"^(\w+) .*?([+-]\d+\.\d+)%  \[", block, flags=re.M))
    quoted = re.findall(r"`(\w+)` ([+-]\d+\.\d+) %", prose)
    assert quoted, "the prose quotes no per-task gain"
    for task, gain in quoted:
        assert gains[task] == gain, f"the prose quotes {task} {gain} %, the output {gains[task]}%"
    delta, p = re.search(r"Delta_m \(mean relative gain\): ([+-]\d+\.\d+)%.*p=(\d\.\d+)",
                         block).groups()
    assert f"Delta_m {delta} %, p={p}" in " ".join(prose.split())


@pytest.mark.parametrize("env, expected", [(None, "1"), ("3", "3")])
def test_one_torch_thread_per_fit_unless_the_user_says(monkeypatch, tmp_path, env, expected):
    # the same figures on every machine: float sums in one order
    if env is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", env)
    assert main(["compare", str(tmp_path / "missing.csv"), "--tasks", "a"]) == 1
    assert os.environ["OMP_NUM_THREADS"] == expected
