"""The groups of :class:`TaskGroupingClassifier` given by name: "all",
"single" or an explicit partition of task names or indices."""

from numbers import Integral

import numpy as np


def resolve_groups(groups, tasks):
    """Task indices of each group of ``groups``, or None for "auto";
    validates an explicit partition."""
    n_tasks = len(tasks)
    if isinstance(groups, str):
        return {
            "auto": None if n_tasks > 1 else [[0]],
            "all": [list(range(n_tasks))],
            "single": [[t] for t in range(n_tasks)],
        }[groups]
    names = [t.name for t in tasks]
    resolved = []
    for group in groups:
        if isinstance(group, str) or not isinstance(group, (list, tuple)) or not group:
            raise ValueError(
                "task_groups must be 'auto', 'all', 'single' or a list of non-empty lists "
                f"of task names or indices; got the group {group!r}."
            )
        resolved.append([_task_index(task, names) for task in group])
    flat = [t for group in resolved for t in group]
    repeated = sorted({names[t] for t in flat if flat.count(t) > 1})
    missing = [name for t, name in enumerate(names) if t not in flat]
    if repeated or missing:
        raise ValueError(
            "task_groups must put every task in exactly one group; "
            + (f"repeated: {repeated}" if repeated else "")
            + ("; " if repeated and missing else "")
            + (f"in no group: {missing}" if missing else "")
            + f". The tasks are {names}."
        )
    return resolved

def _task_index(task, names):
    if isinstance(task, (Integral, np.integer)) and not isinstance(task, bool):
        if not 0 <= task < len(names):
            raise ValueError(
                f"task_groups names task index {task}, but Y has {len(names)} task(s) "
                f"(indices 0 to {len(names) - 1})."
            )
        return int(task)
    if isinstance(task, str) and task in names:
        return names.index(task)
    raise ValueError(
        f"task_groups names an unknown task {task!r}; the tasks are {names} (or their "
        "indices)."
    )
