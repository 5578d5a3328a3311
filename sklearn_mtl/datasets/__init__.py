"""Multi-task datasets: a synthetic generator with controlled task
relatedness, and scikit-learn's bundled digits with several tasks."""

from ._digits import load_digits_tasks
from ._synthetic import make_multitask_classification

__all__ = ["load_digits_tasks", "make_multitask_classification"]
