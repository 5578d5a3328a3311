"""Task-weighting strategies for :class:`~sklearn_mtl.MultiTaskClassifier`.

Pass one as ``MultiTaskClassifier(weighting=...)``, as an object or by its
alias (see :data:`WEIGHTINGS`). Every strategy turns the per-task losses
of a batch into task weights ``lambda_j``; the network minimises
``sum_j b_j * lambda_j * L_j`` where ``b_j`` are the fixed
``task_weights``. One module per method, each citing its paper.
"""

from ._aliases import WEIGHTINGS
from ._base import TaskBatch, WeightingStrategy
from ._dwa import DynamicWeightAverage
from ._gradnorm import GradNorm
from ._mgda import MGDA
from ._pcgrad import PCGrad
from ._rlw import RandomLossWeighting
from ._static import StaticWeighting
from ._uncertainty import UncertaintyWeighting

__all__ = [
    "MGDA",
    "WEIGHTINGS",
    "DynamicWeightAverage",
    "GradNorm",
    "PCGrad",
    "RandomLossWeighting",
    "StaticWeighting",
    "TaskBatch",
    "UncertaintyWeighting",
    "WeightingStrategy",
]
