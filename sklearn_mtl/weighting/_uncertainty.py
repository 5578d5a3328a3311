"""Uncertainty weighting (Kendall, Gal & Cipolla, 2018)."""

import torch
from torch import nn

from ._base import WeightingStrategy


class _LogVariances(nn.Module):
    def __init__(self, n_tasks):
        super().__init__()
        self.log_vars = nn.Parameter(torch.zeros(n_tasks))


class UncertaintyWeighting(WeightingStrategy):
    """Weigh each task by a learned homoscedastic uncertainty.

    Each task j has a log-variance ``s_j`` trained with the network; the
    objective is ``sum_j b_j * (exp(-s_j) * L_j + s_j / 2)`` (the
    classification form of Kendall et al.), so ``lambda_j = exp(-s_j)``
    settles near ``1 / (2 L_j)``: noisy or high-loss tasks are weighed
    down. All ``s_j`` start at 0 (equal weights). The log-variances are
    the parameters ``log_vars`` of ``net_.module_.task_weighting`` and use
    the estimator's optimizer and learning rate.

    References
    ----------
    A. Kendall, Y. Gal and R. Cipolla. "Multi-task learning using
    uncertainty to weigh losses for scene geometry and semantics." CVPR 2018.

    Examples
    --------
    >>> import torch
    >>> from sklearn_mtl.weighting import TaskBatch, UncertaintyWeighting
    >>> strategy = UncertaintyWeighting()
    >>> state = strategy.initialize(2, torch.ones(2))
    >>> batch = TaskBatch(torch.tensor([0.5, 2.0]), torch.tensor([True, True]),
    ...                   torch.ones(2))
    >>> strategy.weights(batch, state)
    tensor([1., 1.], grad_fn=<ExpBackward0>)
    """

    def initialize(self, n_tasks, base_weights):
        return _LogVariances(n_tasks)

    def weights(self, batch, state):
        return torch.exp(-state.log_vars)

    def penalty(self, batch, state):
        log_vars = torch.where(batch.active, state.log_vars, torch.zeros_like(state.log_vars))
        return 0.5 * (batch.base_weights * log_vars).sum()
