"""Per-task metrics, scorers and the multi-task gain.

Every function scores each task on the samples labelled for it (missing
labels are NaN, None or pd.NA), and works with every estimator of the
package and with scikit-learn's multi-output classifiers.
"""

from ._gain import multitask_gain
from ._scorer import make_task_scorer, make_task_scorers
from ._scores import per_task_score

__all__ = ["make_task_scorer", "make_task_scorers", "multitask_gain", "per_task_score"]
