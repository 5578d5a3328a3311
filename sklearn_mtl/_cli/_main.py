"""The command line: ``python -m sklearn_mtl compare [CSV] --tasks a,b,c``."""

import json
import os
import sys
from contextlib import nullcontext

from ._args import (
    MODELS,
    CLIError,
    build_parser,
    check_options,
    parse_names,
    parse_sep,
    parse_task_weights,
    require_columns,
    warn,
)

__all__ = ["CLIError", "main"]


def _load_digits(tasks):
    from ..datasets import load_digits_tasks

    X, Y = load_digits_tasks(return_X_y=True, as_frame=True)
    if tasks is not None:
        require_columns(tasks, list(Y.columns), "the bundled digits tasks")
        Y = Y[tasks]
    return X, Y, "scikit-learn's bundled digits", dict.fromkeys(Y.columns, "classification"), None


def _load_csv(args, tasks):
    from ._columns import screen_features
    from ._input import features_with_missing, read_csv
    from ._kinds import parse_task_kinds, task_kinds
    from ._task_checks import check_tasks, find_leaks

    path, keep = args.csv, args.keep_column
    if not os.path.isfile(path):
        raise CLIError(f"CSV file not found: {path}")
    if tasks is None:
        raise CLIError("--tasks is required with a CSV: name the label columns, e.g. --tasks a,b.")
    na_values = ([] if args.na_values is None
                 else parse_names(args.na_values, "--na-values", "value"))
    sep = None if args.sep is None else parse_sep(args.sep)
    frame = read_csv(path, sep=sep, na_values=na_values)
    frame.columns = [str(c) for c in frame.columns]
    require_columns(tasks, list(frame.columns), path)
    given = parse_task_kinds(args.task_kind, tasks, CLIError)
    Y = frame[tasks]
    X = features_with_missing(frame.drop(columns=tasks))
    require_columns(keep, list(X.columns), f"the feature columns of {path}",
                "--keep-column column(s)")
    kinds, said = task_kinds(Y, given)
    classes = [t for t in tasks if kinds[t] == "classification"]
    # a classification task that still looks continuous: --task-kind makes it a regression
    check_tasks(Y[classes], "--task-kind")
    X, found = screen_features(X, Y, keep=keep, kinds=kinds)
    for line in found + find_leaks(X, Y[classes]):
        warn(line)
    if X.shape[1] == 0:
        raise CLIError(f"{path} has no feature column besides the tasks"
                       + (" after the columns dropped above." if found else "."))
    return X, Y, path, kinds, said


def _model(name, args, task_weights, kinds):
    """The estimator of ``--model name`` for tasks of these kinds, or the
    reason why there is none (a str)."""
    import sklearn_mtl

    class_name, params = MODELS[name]
    if set(kinds.values()) == {"regression"}:
        class_name = class_name.replace("Classifier", "Regressor")  # the same model's twin
    elif "regression" in kinds.values():
        if name != "neural":
            return (f"the shared trees take tasks of one kind, and "
                    f"{', '.join(t for t, k in kinds.items() if k == 'regression')} "
                    "are regression tasks next to classification tasks")
        class_name, params = "MultiTaskEstimator", {**params, "task_kinds": dict(kinds)}
    try:
        model_class = getattr(sklearn_mtl, class_name)
    except (AttributeError, ImportError):
        return f"{class_name} is not available in this installation"
    model = model_class(random_state=args.random_state, **params)
    if name == "neural" and args.max_epochs is not None:
        model.set_params(max_epochs=args.max_epochs)
    if task_weights is not None:
        model.set_params(task_weights=task_weights)
    return model


def _run_model(model, X, Y, cv, args, seen):
    """compare_with_single_task, each distinct warning printed once per run."""
    import warnings

    from ..model_selection import compare_with_single_task

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
            warn(f"{w.category.__name__}: {w.message}")
    return result


def _compare(args):
    from sklearn.model_selection import KFold, RepeatedKFold
    from sklearn.pipeline import make_pipeline

    from ..model_selection._run import shared_progress
    from ._columns import make_preprocessor
    from ._folds import check_folds
    from ._output import save_plot, write_atomically

    try:
        import pandas  # noqa: F401 - the command reads and names tasks with pandas
    except ImportError:
        raise CLIError(
            "the compare command needs pandas: pip install 'sklearn-mtl[cli]'"
        ) from None
    check_options(args)
    tasks = None if args.tasks is None else parse_names(args.tasks, "--tasks")
    if tasks is not None and len(tasks) < 2:
        raise CLIError("--tasks must name at least 2 tasks for a multi-task comparison.")
    if args.csv is None:
        X, Y, source, kinds, said = _load_digits(tasks)
        preprocess = None
    else:
        X, Y, source, kinds, said = _load_csv(args, tasks)
        preprocess = make_preprocessor(X)
    task_names = [str(c) for c in Y.columns]
    weights = None
    if args.task_weights is not None:
        weights = parse_task_weights(args.task_weights, task_names)
    if args.cv > X.shape[0]:
        raise CLIError(f"--cv must be between 2 and the number of rows ({X.shape[0]}).")
    names = list(MODELS) if args.model == "all" else [args.model]
    models = {name: _model(name, args, weights, kinds) for name in names}
    if isinstance(models[names[0]], str) and args.model != "all":
        raise CLIError(f"model {args.model!r}: {models[names[0]]}; use --model neural.")
    labelled = {name: int(Y[name].notna().sum()) for name in task_names}
    print(f"Data: {source}: {X.shape[0]} samples, {X.shape[1]} feature columns, "
          f"tasks: {', '.join(task_names)}")
    print("Labelled rows per task: " + ", ".join(f"{t} {n}" for t, n in labelled.items()))
    if args.repeats == 1:
        cv = KFold(args.cv, shuffle=True, random_state=args.random_state)
    else:
        cv = RepeatedKFold(n_splits=args.cv, n_repeats=args.repeats,
                           random_state=args.random_state)
    check_folds(Y, list(cv.split(X)), args.scoring, args.cv, kinds)
    if said is not None:  # the kinds, once the data passed every check
        print(f"sklearn-mtl: {said}", file=sys.stderr, flush=True)
    results = {}
    seen = set()
    n_models = sum(not isinstance(model, str) for model in models.values())
    per_task = 3 if args.reference != "none" else 2  # single-task, majority, reference
    n_fits = n_models * args.cv * args.repeats * (1 + per_task * len(task_names))
    with nullcontext() if args.quiet else shared_progress(n_fits, label="compare"):
        for name, model in models.items():
            if isinstance(model, str):
                print(f"\n[{name}] skipped: {model}.")
                continue
            if preprocess is not None:
                model = make_pipeline(preprocess, model)
            results[name] = _run_model(model, X, Y, cv, args, seen)
            print(f"\n[{name}] {results[name]}", flush=True)
    if not results:
        raise CLIError("none of the models can be compared: "
                       + "; ".join(m for m in models.values() if isinstance(m, str)) + ".")
    if args.repeats == 1 and any(
        r.verdict.overall == "no detectable difference" for r in results.values()
    ):
        print(f"\nWith {args.cv} splits the test has little power: --repeats 10 repeats the "
              "cross-validation with other shuffles for narrower intervals.")
    if args.json:
        summary = {
            "data": {"source": source, "n_samples": int(X.shape[0]),
                     "n_features": int(X.shape[1]), "feature_columns": list(map(str, X.columns)),
                     "tasks": task_names, "labelled": labelled, "task_kinds": kinds},
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
    args = build_parser().parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # same float sums, same figures anywhere
    try:
        return _compare(args)
    except (CLIError, ValueError, TypeError, ImportError, OSError) as exc:
        print(f"sklearn-mtl: error: {exc}", file=sys.stderr)
        return 1
