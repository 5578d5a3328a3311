"""Static weighting: the fixed ``task_weights`` alone."""

import torch

from ._base import WeightingStrategy


class StaticWeighting(WeightingStrategy):
    """Fixed task weights: minimise ``sum_j b_j * L_j``.

    The default strategy of :class:`~sklearn_mtl.MultiTaskClassifier`: the
    weights are the estimator's ``task_weights`` (all 1 by default), as in
    hard parameter sharing (Caruana, 1997). An ordinary strategy: its
    :meth:`objective` is the plain weighted sum, at no extra cost per batch.

    Examples
    --------
    >>> import torch
    >>> from sklearn_mtl.weighting import StaticWeighting, TaskBatch
    >>> batch = TaskBatch(torch.tensor([0.5, 2.0]), torch.tensor([True, True]),
    ...                   torch.tensor([1.0, 3.0]))
    >>> StaticWeighting().weights(batch, None)
    tensor([1., 1.])
    """

    def weights(self, batch, state):
        return torch.ones_like(batch.losses)

    def objective(self, batch, state):
        return (batch.base_weights * batch.losses).sum(), torch.ones_like(batch.losses.detach())
