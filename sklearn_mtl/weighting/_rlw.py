"""Random loss weighting (Lin et al., 2022)."""

import torch

from ._base import WeightingStrategy, spread_over_active


class RandomLossWeighting(WeightingStrategy):
    """Draw fresh random task weights for every batch.

    ``lambda = K * softmax(z)`` over the K active tasks of the batch, with
    ``z`` standard normal, so the weights sum to K. Lin et al. show that
    this costless baseline matches many adaptive strategies, helping the
    network escape poor equal-weight optima. Draws use the torch random
    generator of the batch (``batch.generator``), which the estimator seeds
    from ``random_state``.

    References
    ----------
    B. Lin, F. Ye, Y. Zhang and I. W. Tsang. "Reasonable effectiveness of
    random weighting: a litmus test for multi-task learning." TMLR 2022.

    Examples
    --------
    >>> import torch
    >>> from sklearn_mtl.weighting import RandomLossWeighting, TaskBatch
    >>> batch = TaskBatch(torch.ones(3), torch.tensor([True, True, False]),
    ...                   torch.ones(3))
    >>> weights = RandomLossWeighting().weights(batch, None)
    >>> float(weights.sum()), float(weights[2])
    (2.0, 0.0)
    """

    def weights(self, batch, state):
        z = torch.randn(batch.losses.shape, generator=batch.generator,
                        dtype=batch.losses.dtype).to(batch.losses.device)
        z = torch.where(batch.active, z, torch.full_like(z, -torch.inf))
        if not bool(batch.active.any()):
            return torch.zeros_like(z)
        return spread_over_active(torch.softmax(z, 0), batch.active)
