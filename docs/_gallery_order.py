"""The order of the gallery's examples (sphinx-gallery imports it by name:
a function in conf.py could not be cached between builds)."""

from pathlib import Path

GALLERY_ORDER = [
    "plot_seed_example.py",
    "plot_compare_single_task.py",
    "plot_missing_labels.py",
    "plot_task_weights.py",
    "plot_nets_trees_forests.py",
    "plot_adaptive_weighting.py",
    "plot_task_grouping.py",
    "plot_saving_resuming.py",
]


def gallery_order(filename):
    """Sort key of an example: its place in GALLERY_ORDER, then its name."""
    name = Path(filename).name
    rank = GALLERY_ORDER.index(name) if name in GALLERY_ORDER else len(GALLERY_ORDER)
    return (rank, name)
