"""The command line: ``python -m sklearn_mtl compare [CSV] --tasks a,b,c``."""

import argparse
import json
import os
import sys

MODELS = {
    "neural": ("MultiTaskClassifier", {}),
    "tree": ("SharedTreeClassifier", {}),
    "forest": ("SharedForestClassifier", {}),
}
"""The models of ``--model``: class name in ``sklearn_mtl`` and parameters set
(none: the command judges each model's defaults, the model users get)."""


class CLIError(Exception):
    """A user error: printed without a traceback, exit status 1."""


def _build_parser():
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
            "the majority class and a reference model, on the same folds, and print the "
            "per-task scores, the gains and Delta_m with their corrected t-tests, and a "
            "verdict. "
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
        "--reference", choices=["hgb", "none"], default="hgb",
        help="reference model fitted on each task: hgb (HistGradientBoostingClassifier, "
        "the default) or none",
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
        "--scoring", default="accuracy", help="scikit-learn scorer name (default: accuracy)"
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


def _parse_names(text, option):
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise CLIError(f"{option} has an empty name: {text!r}.")
    if len(set(names)) != len(names):
        raise CLIError(f"{option} names a task twice: {text!r}.")
    return names


def _parse_task_weights(text, tasks):
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
        _require_columns(names, tasks, "--tasks", "--task-weights task(s)")
        return dict(pairs)
    if len(weights) != len(tasks):
        raise CLIError(
            f"--task-weights has {len(weights)} weight(s) but there are {len(tasks)} "
            f"tasks ({', '.join(tasks)})."
        )
    return weights


def _warn(message):
    print(f"sklearn-mtl: warning: {message}", file=sys.stderr, flush=True)


def _load_digits(tasks):
    from .datasets import load_digits_tasks

    X, Y = load_digits_tasks(return_X_y=True, as_frame=True)
    if tasks is not None:
        _require_columns(tasks, list(Y.columns), "the bundled digits tasks")
        Y = Y[tasks]
    return X, Y, "scikit-learn's bundled digits"


def _require_columns(names, columns, where, what="task column(s)"):
    unknown = [t for t in names if t not in columns]
    if unknown:
        raise CLIError(
            f"unknown {what} {', '.join(unknown)}; {where} has: {', '.join(columns)}."
        )


def _load_csv(path, tasks, keep):
    from ._cli_input import check_columns, read_csv

    if not os.path.isfile(path):
        raise CLIError(f"CSV file not found: {path}")
    if tasks is None:
        raise CLIError("--tasks is required with a CSV: name the label columns, e.g. --tasks a,b.")
    frame = read_csv(path)
    frame.columns = [str(c) for c in frame.columns]
    _require_columns(tasks, list(frame.columns), path)
    Y = frame[tasks]
    X = frame.drop(columns=tasks)
    _require_columns(keep, list(X.columns), f"the feature columns of {path}",
                   "--keep-column column(s)")
    for task in tasks:
        n_classes = Y[task].nunique(dropna=True)
        if n_classes < 2:
            raise CLIError(
                f"task {task!r} has {n_classes} class(es) among its labels; a "
                "classification task needs at least 2."
            )
    X, found = check_columns(X, Y, keep=keep)
    for line in found:
        _warn(line)
    if X.shape[1] == 0:
        raise CLIError(f"{path} has no feature column besides the tasks"
                       + (" after the columns dropped above." if found else "."))
    return X, Y, path


def _as_strings(X):
    """Categories as strings, an empty cell as the category "missing" (a CSV
    column of booleans with empty cells would otherwise mix types)."""
    X = X.astype(object)
    return X.where(X.notna(), "missing").astype(str)


def make_preprocessor(X):
    """Impute and scale numeric columns, one-hot encode the others (an empty
    cell is a category of its own).

    Parameters
    ----------
    X : DataFrame
        The feature columns.

    Returns
    -------
    preprocessor : ColumnTransformer
        Producing a dense float array.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    numeric = [c for c in X.columns if X[c].dtype.kind in "iuf"]
    other = [c for c in X.columns if c not in numeric]
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
             numeric),
            (
                "categorical",
                make_pipeline(
                    FunctionTransformer(_as_strings, feature_names_out="one-to-one"),
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist", max_categories=30,
                        sparse_output=False,
                    ),
                ),
                other,
            ),
        ],
        sparse_threshold=0.0,
    )


def _model(name, args, task_weights):
    """The estimator of ``--model name``, or None when it is not installed."""
    import sklearn_mtl

    class_name, params = MODELS[name]
    try:
        model_class = getattr(sklearn_mtl, class_name)
    except (AttributeError, ImportError):
        return None
    model = model_class(random_state=args.random_state, **params)
    if name == "neural" and args.max_epochs is not None:
        model.set_params(max_epochs=args.max_epochs)
    if task_weights is not None:
        model.set_params(task_weights=task_weights)
    return model


def _check_options(args):
    """Every check that needs no data, before any is read."""
    from sklearn.metrics import get_scorer_names

    from ._cli_output import check_output, plot_formats

    if args.cv < 2:
        raise CLIError(f"--cv must be at least 2; got {args.cv}.")
    if args.repeats < 1:
        raise CLIError(f"--repeats must be at least 1; got {args.repeats}.")
    if args.max_epochs is not None and args.max_epochs < 1:
        raise CLIError(f"--max-epochs must be at least 1; got {args.max_epochs}.")
    if args.n_jobs == 0:
        raise CLIError("--n-jobs must not be 0 (-1 uses every core).")
    if args.scoring not in get_scorer_names():
        raise CLIError(
            f"--scoring {args.scoring!r} is not a scikit-learn scorer name "
            "(see sklearn.metrics.get_scorer_names())."
        )
    if args.keep_column and args.csv is None:
        raise CLIError("--keep-column applies to the columns of a CSV.")
    if args.json:
        check_output(args.json, "--json", {"json"})
    if args.plot:
        check_output(args.plot, "--plot", plot_formats())


def _run_model(model, X, Y, cv, args, seen):
    """compare_with_single_task, each distinct warning printed once per run."""
    import warnings

    from .model_selection import compare_with_single_task

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = compare_with_single_task(
            model, X, Y, cv=cv, scoring=args.scoring, reference=args.reference,
            n_jobs=args.n_jobs, verbose=args.verbose, progress=not args.quiet,
        )
    for w in caught:
        key = (w.category, str(w.message))
        if key not in seen:
            seen.add(key)
            _warn(f"{w.category.__name__}: {w.message}")
    return result


def _compare(args):
    from sklearn.model_selection import KFold, RepeatedKFold
    from sklearn.pipeline import make_pipeline

    from ._cli_output import save_plot, write_atomically

    try:
        import pandas  # noqa: F401 - the command reads and names tasks with pandas
    except ImportError:
        raise CLIError(
            "the compare command needs pandas: pip install 'sklearn-mtl[cli]'"
        ) from None
    _check_options(args)
    tasks = None if args.tasks is None else _parse_names(args.tasks, "--tasks")
    if tasks is not None and len(tasks) < 2:
        raise CLIError("--tasks must name at least 2 tasks for a multi-task comparison.")
    if args.csv is None:
        X, Y, source = _load_digits(tasks)
        preprocess = None
    else:
        X, Y, source = _load_csv(args.csv, tasks, args.keep_column)
        preprocess = make_preprocessor(X)
    task_names = [str(c) for c in Y.columns]
    weights = None
    if args.task_weights is not None:
        weights = _parse_task_weights(args.task_weights, task_names)
    if args.cv > X.shape[0]:
        raise CLIError(f"--cv must be between 2 and the number of rows ({X.shape[0]}).")
    names = list(MODELS) if args.model == "all" else [args.model]
    models = {name: _model(name, args, weights) for name in names}
    if models[names[0]] is None and args.model != "all":
        raise CLIError(
            f"model {args.model!r} ({MODELS[args.model][0]}) is not available in this "
            "installation."
        )
    labelled = {name: int(Y[name].notna().sum()) for name in task_names}
    print(f"Data: {source}: {X.shape[0]} samples, {X.shape[1]} feature columns, "
          f"tasks: {', '.join(task_names)}")
    print("Labelled rows per task: " + ", ".join(f"{t} {n}" for t, n in labelled.items()))
    if args.repeats == 1:
        cv = KFold(args.cv, shuffle=True, random_state=args.random_state)
    else:
        cv = RepeatedKFold(n_splits=args.cv, n_repeats=args.repeats,
                           random_state=args.random_state)
    results = {}
    seen = set()
    for name, model in models.items():
        if model is None:
            print(f"\n[{name}] skipped: {MODELS[name][0]} is not available in this installation.")
            continue
        if preprocess is not None:
            model = make_pipeline(preprocess, model)
        results[name] = _run_model(model, X, Y, cv, args, seen)
        print(f"\n[{name}] {results[name]}", flush=True)
    if not results:
        raise CLIError("none of the models is available in this installation.")
    if args.repeats == 1 and any(
        r.verdict.overall == "no detectable difference" for r in results.values()
    ):
        print(f"\nWith {args.cv} splits the test has little power: --repeats 10 repeats the "
              "cross-validation with other shuffles for narrower intervals.")
    if args.json:
        summary = {
            "data": {"source": source, "n_samples": int(X.shape[0]),
                     "n_features": int(X.shape[1]), "feature_columns": list(map(str, X.columns)),
                     "tasks": task_names, "labelled": labelled},
            "cv": args.cv,
            "repeats": args.repeats,
            "random_state": args.random_state,
            "verdict": {name: result.verdict.text for name, result in results.items()},
            "results": {name: result.to_dict() for name, result in results.items()},
        }

        def write_json(tmp):
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(summary, f, indent=2)

        write_atomically(args.json, write_json)
        print(f"\nWrote {args.json}")
    if args.plot:
        save_plot(results, args.plot)
        print(f"Wrote {args.plot}")
    return 0


def main(argv=None):
    """Run the command line; return the exit status (0 on success).

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 on a data or model error (2 for a usage error, from
        argparse).
    """
    args = _build_parser().parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # same float sums, same figures anywhere
    try:
        return _compare(args)
    except (CLIError, ValueError, TypeError, ImportError, OSError) as exc:
        print(f"sklearn-mtl: error: {exc}", file=sys.stderr)
        return 1
