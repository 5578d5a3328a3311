"""Dynamic weight average (Liu, Johns & Davison, 2019)."""

from numbers import Real

import torch
from sklearn.utils._param_validation import Interval
from torch import nn

from ._base import WeightingStrategy, spread_over_active


class _LossMemory(nn.Module):
    def __init__(self, n_tasks, base_weights):
        super().__init__()
        self.register_buffer("enabled", torch.as_tensor(base_weights) > 0)
        self.register_buffer("previous", torch.full((2, n_tasks), float("nan")))
        self.register_buffer("current", torch.ones(n_tasks))


class DynamicWeightAverage(WeightingStrategy):
    """Weigh the tasks by how slowly their losses fall.

    After each epoch t, with ``r_j = L_j(t) / L_j(t-1)`` the ratio of task
    j's last two epoch losses, the weights for the next epoch are
    ``lambda_j = K * exp(r_j / temperature) / sum_i exp(r_i / temperature)``
    over the K tasks with a positive base weight, so they sum to K; a task
    whose loss stalls gets more weight. The first two epochs use equal
    weights.

    Parameters
    ----------
    temperature : float, default=2.0
        Softness of the weighting: large values give equal weights. The
        paper uses 2.

    References
    ----------
    S. Liu, E. Johns and A. J. Davison. "End-to-end multi-task learning
    with attention." CVPR 2019.

    Examples
    --------
    >>> import torch
    >>> from sklearn_mtl.weighting import DynamicWeightAverage, TaskBatch
    >>> strategy = DynamicWeightAverage(temperature=1.0)
    >>> state = strategy.initialize(2, torch.ones(2))
    >>> strategy.end_epoch(torch.tensor([1.0, 1.0]), state)
    >>> strategy.end_epoch(torch.tensor([0.5, 1.0]), state)  # task 0 learns fast
    >>> batch = TaskBatch(torch.ones(2), torch.tensor([True, True]), torch.ones(2))
    >>> strategy.weights(batch, state)
    tensor([0.7551, 1.2449])
    """

    _parameter_constraints: dict = {"temperature": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, temperature=2.0):
        self.temperature = temperature

    def initialize(self, n_tasks, base_weights):
        return _LossMemory(n_tasks, base_weights)

    def weights(self, batch, state):
        return state.current

    def end_epoch(self, epoch_losses, state):
        previous = state.previous
        previous[0] = previous[1]
        previous[1] = epoch_losses.to(previous.dtype)
        ratio = previous[1] / previous[0]
        usable = state.enabled & torch.isfinite(ratio)
        if not bool(usable.any()):
            return
        logits = torch.where(usable, ratio / self.temperature, torch.full_like(ratio, -torch.inf))
        state.current.copy_(spread_over_active(torch.softmax(logits, 0), usable))
