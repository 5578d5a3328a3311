"""Multi-task learning as scikit-learn estimators.

``MultiTaskClassifier``, ``MultiTaskRegressor`` and ``MultiTaskEstimator``
(mixed classification and regression targets) train a shared torch network
with one head per task through skorch; ``SharedTreeClassifier``,
``SharedForestClassifier``, ``SharedTreeRegressor`` and
``SharedForestRegressor`` grow trees whose splits serve every task. Torch is
imported only when a neural estimator is used.
"""

from ._exceptions import InconsistentVersionWarning
from ._tasks import infer_task_kind
from ._tree._classifier import SharedForestClassifier, SharedTreeClassifier
from ._tree._regressor import SharedForestRegressor, SharedTreeRegressor
from ._version import __version__

__all__ = [
    "InconsistentVersionWarning",
    "MultiTaskClassifier",
    "MultiTaskEstimator",
    "MultiTaskRegressor",
    "SharedForestClassifier",
    "SharedForestRegressor",
    "SharedTreeClassifier",
    "SharedTreeRegressor",
    "TaskGroupingClassifier",
    "TaskGroupingEstimator",
    "TaskGroupingRegressor",
    "__version__",
    "infer_task_kind",
]

_LAZY = {
    "MultiTaskClassifier": "._neural._classifier",
    "MultiTaskEstimator": "._neural._estimator",
    "MultiTaskRegressor": "._neural._regressor",
    "TaskGroupingClassifier": "._grouping._classifier",
    "TaskGroupingEstimator": "._grouping._estimator",
    "TaskGroupingRegressor": "._grouping._regressor",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name], __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
