"""The string aliases of the strategies, and their resolution."""

from sklearn.base import clone

from ._dwa import DynamicWeightAverage
from ._gradnorm import GradNorm
from ._mgda import MGDA
from ._pcgrad import PCGrad
from ._rlw import RandomLossWeighting
from ._static import StaticWeighting
from ._uncertainty import UncertaintyWeighting

WEIGHTINGS = {
    "static": StaticWeighting,
    "uncertainty": UncertaintyWeighting,
    "dwa": DynamicWeightAverage,
    "gradnorm": GradNorm,
    "pcgrad": PCGrad,
    "mgda": MGDA,
    "rlw": RandomLossWeighting,
}
"""Alias accepted by ``MultiTaskClassifier(weighting=...)`` -> strategy class."""


def resolve_weighting(weighting):
    """Return a fresh, validated strategy for a strategy object or an alias
    (the estimator's ``_parameter_constraints`` admit nothing else).

    A strategy object is cloned (the user's is never touched) and its
    parameters validated; an alias is looked up in :data:`WEIGHTINGS`.
    """
    strategy = WEIGHTINGS[weighting]() if isinstance(weighting, str) else clone(weighting)
    strategy._validate_params()
    return strategy
