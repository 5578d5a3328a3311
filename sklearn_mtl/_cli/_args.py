"""The compare command's options: the parser, and every check that needs no
data, done before any is read."""

import argparse
import difflib
import sys

from .._tasks._reference import REFERENCES

MODELS = {
    "neural": ("MultiTaskClassifier", {}),
    "tree": ("SharedTreeClassifier", {}),
    "forest": ("SharedForestClassifier", {}),
}
"""The models of ``--model``: class name in ``sklearn_mtl`` and parameters set
(none: the command judges each model's defaults, the model users get)."""


class CLIError(Exception):
    """A user error: printed without a traceback, exit status 1."""


def build_parser():
    """The ``sklearn-mtl`` argument parser and its ``compare`` command."""
    parser = argparse.ArgumentParser(
        prog="sklearn-mtl",
        description="Multi-task learning with scikit-learn: does it help on your data?",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    compare = commands.add_parser(
        "compare",
        help="cross-validate a multi-task model against one single-task model per task",
        description=(
            "Cross-validate a multi-task model against one single-task model per task, "
            "a floor (the majority class, or the training mean of a regression task) and a "
            "reference model, on the same folds, and print the per-task scores (accuracy, "
            "or R² for a regression task), the gains and Delta_m with their corrected "
            "t-tests, and a verdict. Each task's kind is inferred from its column (said on "
            "stderr) or set with --task-kind. "
            "Without a CSV, runs on scikit-learn's bundled digits with the tasks "
            "digit, odd, large and prime."
        ),
    )
    compare.add_argument("csv", nargs="?", help="CSV file; the task columns are Y, the rest X")
    compare.add_argument(
        "--tasks", help="comma-separated task columns (required with a CSV)", default=None
    )
    compare.add_argument(
        "--model", choices=[*MODELS, "all"], default="neural", help="model (default: neural)"
    )
    compare.add_argument("--cv", type=int, default=3, help="number of folds (default: 3)")
    compare.add_argument(
        "--repeats", type=int, default=1, metavar="R",
        help="repeat the k-fold cross-validation R times with other shuffles, for more "
        "power in the tests (default: 1)",
    )
    compare.add_argument(
        "--reference", choices=[*REFERENCES, "none"], default="hgb",
        help="reference model fitted on each task: hgb (HistGradientBoostingClassifier, "
        "or HistGradientBoostingRegressor for a regression task; the default), lightgbm, "
        "catboost (LightGBM's and CatBoost's models of the task's kind; their extras) or none",
    )
    compare.add_argument(
        "--sep", default=None, metavar="SEP",
        help="the CSV's column separator (default: detected among , ; tab and |)",
    )
    compare.add_argument(
        "--na-values", default=None, metavar="A,B",
        help="comma-separated cell values that also mark a missing value, e.g. 'NA,?' "
        "(default: only an empty cell; a class named None or NA stays a class)",
    )
    compare.add_argument(
        "--keep-column", action="append", default=[], metavar="NAME",
        help="keep this CSV column even if it looks like a row identifier or a copy of a "
        "label (repeatable)",
    )
    compare.add_argument(
        "--task-weights",
        default=None,
        help="loss weight of each task of the multi-task model: '1,0.5,0.5' in --tasks "
        "order, or 'digit=1,odd=0.5'",
    )
    compare.add_argument(
        "--max-epochs", type=int, default=None,
        help="at most this many training epochs of the neural model (default: the "
        "model's own, 200 with early stopping)",
    )
    compare.add_argument(
        "--scoring", default=None,
        help="scikit-learn scorer name applied to every task (default: each task's kind's "
        "score, accuracy for a classification task and r2 for a regression task)",
    )
    compare.add_argument(
        "--task-kind", action="append", default=[], metavar="NAME=KIND",
        help="a task's kind, classification or regression, instead of the inferred one "
        "(repeatable, or comma-separated: price=regression,stars=classification). "
        "Inferred: labels and whole numbers with few distinct values are classes, numbers "
        "with fractions or many distinct values a regression target",
    )
    compare.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
    compare.add_argument("--n-jobs", type=int, default=None, help="parallel fits (joblib)")
    compare.add_argument("--plot", metavar="PNG", help="write a bar chart (needs matplotlib)")
    compare.add_argument(
        "--json", metavar="JSON", help="write the results, fold scores and verdict as JSON"
    )
    compare.add_argument(
        "-v", "--verbose", action="count", default=0,
        help="scores as they come (-v: per model, -vv: per fold)",
    )
    compare.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar on stderr"
    )
    return parser


def parse_names(text, option, what="task"):
    """The comma-separated names of an option, none empty or repeated."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise CLIError(f"{option} has an empty name: {text!r}.")
    if len(set(names)) != len(names):
        raise CLIError(f"{option} names a {what} twice: {text!r}.")
    return names


def parse_task_weights(text, tasks):
    """'1,0.5' (one per task) -> list; 'a=1,b=0.5' -> dict."""
    items = [item.strip() for item in text.split(",")]
    try:
        if all("=" in item for item in items):
            pairs = [(name.strip(), float(value)) for name, value in
                     (item.split("=", 1) for item in items)]
        else:
            weights = [float(item) for item in items]
    except ValueError:
        raise CLIError(
            f"--task-weights must be numbers ('1,0.5') or name=number pairs "
            f"('digit=1,odd=0.5'); got {text!r}."
        ) from None
    if all("=" in item for item in items):
        names = [name for name, _ in pairs]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise CLIError(f"--task-weights names task(s) {', '.join(twice)} twice: {text!r}.")
        require_columns(names, tasks, "--tasks", "--task-weights task(s)")
        return dict(pairs)
    if len(weights) != len(tasks):
        raise CLIError(
            f"--task-weights has {len(weights)} weight(s) but there are {len(tasks)} "
            f"tasks ({', '.join(tasks)})."
        )
    return weights


def warn(message):
    """A warning line on stderr, prefixed like the errors."""
    print(f"sklearn-mtl: warning: {message}", file=sys.stderr, flush=True)


def _closest(name, columns):
    """The column that ``name`` most likely meant: the same name in another
    case, else the closest spelling; None when nothing is close."""
    same = [c for c in columns if c.lower() == name.lower()]
    if same:
        return same[0]
    lowered = {c.lower(): c for c in columns}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def require_columns(names, columns, where, what="task column(s)"):
    """Refuse names that are not among ``columns``, suggesting the closest."""
    unknown = [t for t in names if t not in columns]
    if unknown:
        hints = [(name, _closest(name, columns)) for name in unknown]
        text = ", ".join(name + (f" (did you mean {close}?)" if close else "")
                         for name, close in hints)
        raise CLIError(f"unknown {what} {text}; {where} has: {', '.join(columns)}.")


def parse_sep(text):
    """``--sep``: one character, ``\\t`` or ``tab`` for a tab."""
    sep = "\t" if text in ("\\t", "tab") else text
    if len(sep) != 1:
        raise CLIError(f"--sep must be one character ('\\t' or tab for a tab); got {text!r}.")
    return sep


def check_options(args):
    """Every check that needs no data, before any is read."""
    from sklearn.metrics import get_scorer_names

    from ._output import check_output, plot_formats

    if args.cv < 2:
        raise CLIError(f"--cv must be at least 2; got {args.cv}.")
    if args.repeats < 1:
        raise CLIError(f"--repeats must be at least 1; got {args.repeats}.")
    if args.max_epochs is not None and args.max_epochs < 1:
        raise CLIError(f"--max-epochs must be at least 1; got {args.max_epochs}.")
    if args.n_jobs == 0:
        raise CLIError("--n-jobs must not be 0 (-1 uses every core).")
    if args.scoring is not None and args.scoring not in get_scorer_names():
        raise CLIError(
            f"--scoring {args.scoring!r} is not a scikit-learn scorer name "
            "(see sklearn.metrics.get_scorer_names())."
        )
    for option in ("keep_column", "sep", "na_values", "task_kind"):
        if getattr(args, option) and args.csv is None:
            name = "--" + option.replace("_", "-")
            raise CLIError(f"{name} applies to the columns of a CSV.")
    if args.sep is not None:
        parse_sep(args.sep)
    if args.json:
        check_output(args.json, "--json", {"json"})
    if args.plot:
        check_output(args.plot, "--plot", plot_formats())


