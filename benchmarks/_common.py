"""What the benchmark scripts share: the models compared, with the same
settings for every multi-task model and its single-task twin, and the
machine/date record and table printing of the results."""

import datetime
import json
import os
import platform
import sys

from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
# Run from a checkout: benchmark the package next to this folder.
sys.path.insert(0, os.path.dirname(HERE))
SEED = 0


def single_threaded():
    """Run every model on one thread (torch, OpenMP, BLAS): the benchmark
    machines are shared, and oversubscribed threads make timings meaningless."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(1)


def shared_forest_class():
    """SharedForestClassifier when this checkout has it, else None."""
    try:
        from sklearn_mtl import SharedForestClassifier
    except ImportError:
        return None
    return SharedForestClassifier


def neural_net(dataset, quick=False):
    """The MultiTaskClassifier of a data set (the single-task twin is the same
    pipeline fitted on one column): standardised inputs, one hidden layer,
    Adam, early stopping on a 10 % hold-out of the training rows."""
    from sklearn_mtl import MultiTaskClassifier

    net = MultiTaskClassifier(
        hidden_layer_sizes=dataset.hidden_layer_sizes,
        lr=1e-3,
        weight_decay=1e-4,
        batch_size=64,
        max_epochs=100 if quick else 300,
        early_stopping=True,
        n_iter_no_change=10,
        random_state=SEED,
    )
    return make_pipeline(dataset.preprocessor(), net)


def shared_forest(dataset, quick=False):
    """A SharedForestClassifier pipeline, or None when the trees are not importable."""
    forest = shared_forest_class()
    if forest is None:
        return None
    return make_pipeline(dataset.preprocessor(),
                         forest(n_estimators=50 if quick else 200, random_state=SEED, n_jobs=1))


def gradient_boosting(dataset, quick=False):
    """The strong single-task reference: one HistGradientBoostingClassifier per task."""
    hgb = HistGradientBoostingClassifier(max_iter=100 if quick else 300, early_stopping=True,
                                         random_state=SEED)
    return make_pipeline(dataset.preprocessor(), MultiOutputClassifier(hgb))


def machine():
    """Where and when the figures were produced."""
    import numpy
    import sklearn
    import torch

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python"] + sys.argv),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
    }


def write_json(path, payload):
    """Write the figures, with the machine record, to ``path``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as fh:
        json.dump({"machine": machine(), **payload}, fh, indent=2)
    print(f"wrote {path}")


def format_table(header, rows):
    """A GitHub markdown table (it reads as plain text too)."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def savefig(fig, path):
    """Save a small PNG (a low dpi keeps it under 200 KB)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=90, bbox_inches="tight")
    print(f"wrote {path}")
