"""The task-kind core: one object per kind of task.

A multi-task target has one column per task, and each task has a kind,
classification or regression. Everything that depends on the kind lives on
the task's object (:class:`ClassificationTask`, :class:`RegressionTask`):
encoding and decoding the column, the head width, the default score, the
floor and reference baselines, the dependence measure of grouping.
:class:`TaskSet` fits one task per column of a target. The torch loss of
each kind lives with the network (``sklearn_mtl._neural._loss``); nothing
here imports torch, so the tree estimators use it too.
"""

from ._classification import MISSING, ClassificationTask
from ._dependence import dependence
from ._infer import TASK_KINDS, check_kind, infer_task_kind, make_task
from ._regression import RegressionTask
from ._set import TaskSet
from ._survey import TargetSurvey
from ._task import Task

__all__ = [
    "MISSING",
    "TASK_KINDS",
    "ClassificationTask",
    "RegressionTask",
    "Task",
    "TargetSurvey",
    "TaskSet",
    "check_kind",
    "dependence",
    "infer_task_kind",
    "make_task",
]
