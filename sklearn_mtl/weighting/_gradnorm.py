"""GradNorm (Chen, Badrinarayanan, Lee & Rabinovich, 2018)."""

from numbers import Real

import torch
from sklearn.utils._param_validation import Interval
from torch import nn

from ._base import WeightingStrategy, spread_over_active


class _GradNormState(nn.Module):
    def __init__(self, n_tasks, base_weights):
        super().__init__()
        self.weights = nn.Parameter(torch.ones(n_tasks))
        self.register_buffer("enabled", torch.as_tensor(base_weights) > 0)
        self.register_buffer("initial_losses", torch.full((n_tasks,), float("nan")))


class GradNorm(WeightingStrategy):
    """Learn task weights that balance the tasks' gradient norms.

    Task weights ``w_j`` (the ``weights`` parameter of
    ``net_.module_.task_weighting``) scale the losses. With
    ``G_j = w_j * ||grad_W L_j||`` the gradient norm of task j at the last
    shared layer W, ``G_mean`` its mean over the active tasks and
    ``r_j = (L_j / L_j(0)) / mean_i (L_i / L_i(0))`` the task's relative
    inverse training rate, the weights follow the gradient of
    ``sum_j |G_j - G_mean * r_j ** alpha|`` (targets held constant) with the
    network's optimizer, and are renormalised to sum to the number of tasks
    with a positive base weight before each batch. Tasks that learn slowly
    get larger gradients. ``L_j(0)`` is task j's loss on its first labelled
    batch. Costs one backward pass per task down to the last shared layer.

    Parameters
    ----------
    alpha : float, default=1.5
        Strength of the pull towards equal training rates; 0 asks for equal
        gradient norms only. The paper uses 0.12 to 3.

    References
    ----------
    Z. Chen, V. Badrinarayanan, C.-Y. Lee and A. Rabinovich. "GradNorm:
    gradient normalization for adaptive loss balancing in deep multitask
    networks." ICML 2018.

    Examples
    --------
    >>> import torch
    >>> from sklearn_mtl.weighting import GradNorm, TaskBatch
    >>> strategy = GradNorm(alpha=1.0)
    >>> state = strategy.initialize(2, torch.ones(2))
    >>> gram = torch.diag(torch.tensor([100.0, 1.0]))  # task 0's gradient is 10x
    >>> batch = TaskBatch(torch.ones(2), torch.tensor([True, True]), torch.ones(2), gram)
    >>> strategy.weights(batch, state)
    tensor([1., 1.])
    >>> strategy.penalty(batch, state).backward()
    >>> state.weights.grad  # gradient descent lowers w_0 and raises w_1
    tensor([10., -1.])
    """

    gradients = "last_shared"

    _parameter_constraints: dict = {"alpha": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, alpha=1.5):
        self.alpha = alpha

    def initialize(self, n_tasks, base_weights):
        return _GradNormState(n_tasks, base_weights)

    def weights(self, batch, state):
        with torch.no_grad():
            w = state.weights
            w.clamp_(min=1e-3)
            w.copy_(torch.where(state.enabled, spread_over_active(w, state.enabled), w))
            first = batch.active & torch.isnan(state.initial_losses)
            state.initial_losses.copy_(
                torch.where(first, batch.losses.detach(), state.initial_losses)
            )
        return state.weights.detach()

    def penalty(self, batch, state):
        active = batch.active
        if int(active.sum()) < 2:
            return None
        norms = torch.diagonal(batch.gram).clamp(min=0).sqrt()
        rates = batch.losses.detach() / state.initial_losses
        rates = torch.where(active & torch.isfinite(rates), rates, torch.zeros_like(rates))
        w = state.weights
        scaled = (w * norms)[active]
        relative = rates[active] / rates[active].mean().clamp(min=1e-12)
        target = scaled.detach().mean() * relative ** self.alpha
        return (scaled - target).abs().sum()
