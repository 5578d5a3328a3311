"""Model selection for multi-task learning: does it help, and which tasks
help which?"""

from ._affinity import TaskAffinityResult, task_affinity
from ._compare import compare_with_single_task
from ._comparison import ComparisonResult

__all__ = [
    "ComparisonResult",
    "TaskAffinityResult",
    "compare_with_single_task",
    "task_affinity",
]
