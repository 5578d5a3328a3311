"""The string aliases of the strategies, and their resolution."""

from sklearn.base import clone

from ._base import WeightingStrategy
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
    """Return a validated, fresh strategy for a strategy object or an alias.

    A strategy object is cloned (the user's is never touched) and its
    parameters validated; an alias must be a key of :data:`WEIGHTINGS`.
    """
    if isinstance(weighting, str):
        if weighting not in WEIGHTINGS:
            raise ValueError(
                f"weighting={weighting!r} is not a known strategy; use one of "
                f"{sorted(WEIGHTINGS)} or a WeightingStrategy instance."
            )
        strategy = WEIGHTINGS[weighting]()
    elif isinstance(weighting, WeightingStrategy):
        strategy = clone(weighting)
    else:
        raise TypeError(
            "weighting must be a strategy name or a WeightingStrategy instance; got "
            f"{type(weighting).__name__}."
        )
    strategy._validate_params()
    return strategy
