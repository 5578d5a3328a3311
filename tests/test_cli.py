import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sklearn_mtl
from sklearn_mtl._cli import _parse_task_weights, main

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
    summary = json.loads(out_json.read_text())
    result = summary["results"]["neural"]
    assert set(result["tasks"]) == {"churn", "plan"} and result["n_splits"] == 2
    assert all(0 <= t["mtl_mean"] <= 1 for t in result["tasks"].values())


def test_missing_file_is_an_error_as_a_subprocess(tmp_path):
    proc = run_cli("compare", tmp_path / "nope.csv", "--tasks", "a,b", cwd=tmp_path)
    assert proc.returncode == 1
    assert "not found" in proc.stderr and "Traceback" not in proc.stderr


def test_bundled_digits_by_default(capsys):
    argv = ["compare", "--tasks", "odd,large", "--cv", "2", "--max-epochs", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "bundled digits: 1797 samples, 64 feature columns, tasks: odd, large" in out
    assert "2-fold CV" in out and "odd" in out


def test_plot_is_written(csv_path, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    png = tmp_path / "compare.png"
    argv = ["compare", str(csv_path), "--tasks", "churn,plan", "--cv", "2",
            "--max-epochs", "2", "--task-weights", "churn=1,plan=0.5", "--plot", str(png)]
    assert main(argv) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


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
    ],
)
def test_csv_errors(tmp_path, capsys, content, tasks, message):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    argv = ["compare", str(path)] + ([] if tasks is None else ["--tasks", tasks])
    assert main(argv) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--tasks", "digit,nope"], "unknown task column(s) nope"),
        (["--cv", "1"], "--cv"),
        (["--tasks", "digit,odd", "--task-weights", "1,2,3"], "2 tasks"),
        (["--scoring", "nope"], "scoring"),
    ],
)
def test_argument_errors(capsys, argv, message):
    assert main(["compare", *argv]) == 1
    assert message in capsys.readouterr().err


def test_usage_error_exit_code():
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--model", "svm"])
    assert exc.value.code == 2


def test_parse_task_weights():
    assert _parse_task_weights("1,0.5", ["a", "b"]) == [1.0, 0.5]
    assert _parse_task_weights("b=0.5", ["a", "b"]) == {"b": 0.5}


def test_without_pandas_the_command_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas fails
    assert main(["compare", "--max-epochs", "1"]) == 1
    assert "pip install 'sklearn-mtl[cli]'" in capsys.readouterr().err
