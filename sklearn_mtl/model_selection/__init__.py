"""Model selection for multi-task learning: does it help, and which tasks
help which?"""

from ._affinity import TaskAffinityResult, task_affinity
from ._compare import ComparisonResult, compare_with_single_task

__all__ = [
    "ComparisonResult",
    "TaskAffinityResult",
    "compare_with_single_task",
    "task_affinity",
]
