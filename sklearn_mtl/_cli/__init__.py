"""The command line, ``python -m sklearn_mtl compare``: the run (``_main.py``),
its options (``_args.py``), reading the CSV (``_input.py``), the feature
columns (``_columns.py``), the task kinds (``_kinds.py``), the task columns'
checks (``_task_checks.py``), the folds' checks (``_folds.py``) and the
outputs (``_output.py``)."""

from ._main import CLIError, main

__all__ = ["CLIError", "main"]
