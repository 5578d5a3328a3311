"""The compare command's task kinds: each task column's kind by the documented
rule (:func:`~sklearn_mtl._tasks.infer_task_kind`), overridden by
``--task-kind NAME=KIND``, and said on stderr before any training."""

from .._tasks import TASK_KINDS, infer_task_kind


def parse_task_kinds(texts, tasks, error):
    """``--task-kind`` values (repeatable, each ``name=kind[,name=kind]``) as
    a dict ``{task: kind}``.

    Parameters
    ----------
    texts : list of str
        The option's values.
    tasks : list of str
        The task names of ``--tasks``.
    error : type
        The exception class of a user error.

    Returns
    -------
    kinds : dict of str to str
    """
    kinds = {}
    for text in texts:
        for item in text.split(","):
            name, sep, kind = (part.strip() for part in item.partition("="))
            if not sep or not name or kind not in TASK_KINDS:
                raise error(
                    f"--task-kind takes NAME=KIND with KIND one of {', '.join(TASK_KINDS)}; "
                    f"got {item.strip()!r}."
                )
            if name in kinds:
                raise error(f"--task-kind names task {name!r} twice.")
            if name not in tasks:
                raise error(f"--task-kind names {name!r}, which is not one of --tasks "
                            f"({', '.join(tasks)}).")
            kinds[name] = kind
    return kinds


def _why(column):
    """Why the rule gave a column its kind, in words."""
    values = column.dropna()
    n_values = values.nunique()
    if values.dtype.kind not in "iuf":
        return f"{n_values} labels"
    if values.dtype.kind == "f" and (values != values.round()).any():
        return f"numbers with fractions, {n_values} distinct"
    return f"whole numbers, {n_values} distinct"


def task_kinds(Y, given):
    """Each task's kind, and a line saying what was inferred and what given.

    Parameters
    ----------
    Y : DataFrame
        The task columns, NaN where unlabelled.
    given : dict of str to str
        The kinds of ``--task-kind``.

    Returns
    -------
    kinds : dict of str to str
        ``{task: "classification" or "regression"}`` in column order.
    line : str
        ``task kinds: price regression (inferred: numbers with fractions,
        812 distinct), cut classification (inferred: 5 labels), ...``.
    """
    kinds, parts = {}, []
    for task in Y.columns:
        if task in given:
            kinds[task] = given[task]
            parts.append(f"{task} {given[task]} (--task-kind)")
            continue
        kinds[task] = infer_task_kind(Y[task], name=task, input_name="the CSV")
        parts.append(f"{task} {kinds[task]} (inferred: {_why(Y[task])})")
    override = (
        "; override with --task-kind NAME=classification|regression"
        if len(given) < len(kinds) else ""
    )
    return kinds, "task kinds: " + ", ".join(parts) + override
