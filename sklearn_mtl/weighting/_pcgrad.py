"""PCGrad, projecting conflicting gradients (Yu et al., 2020)."""

import numpy as np
import torch

from ._base import WeightingStrategy


def project_conflicting(gram, generator=None):
    """PCGrad's projections, carried out on a Gram matrix.

    Parameters
    ----------
    gram : ndarray of shape (k, k)
        ``K[i, j] = <g_i, g_j>`` for k task gradients.
    generator : torch.Generator, default=None
        Source of the random visiting order; None uses torch's global
        random state.

    Returns
    -------
    coefficients : ndarray of shape (k, k)
        ``C`` such that the projected gradients are ``g'_i = sum_j C[i, j] g_j``:
        each ``g'_i`` starts as ``g_i`` and, for every other task j in a random
        order, loses its component along ``g_j`` when ``<g'_i, g_j> < 0``.
    """
    k = gram.shape[0]
    coefficients = np.eye(k)
    for i in range(k):
        for j in torch.randperm(k, generator=generator).tolist():
            if j == i or gram[j, j] <= 0:
                continue
            dot = coefficients[i] @ gram[:, j]
            if dot < 0:
                coefficients[i, j] -= dot / gram[j, j]
    return coefficients


class PCGrad(WeightingStrategy):
    """Project away the conflicting parts of the task gradients.

    For the shared parameters, each task gradient ``b_i g_i`` is projected
    onto the normal plane of every other task gradient it conflicts with
    (negative inner product), visiting the other tasks in a random order,
    and the projected gradients are summed. Task-specific parameters get
    their own task's gradient. The sum equals ``sum_j b_j * lambda_j * g_j``
    with ``lambda_j >= 1``, which are the weights reported (1 for every task
    when no gradients conflict). Costs one backward pass per task through
    the shared layers.

    References
    ----------
    T. Yu, S. Kumar, A. Gupta, S. Levine, K. Hausman and C. Finn.
    "Gradient surgery for multi-task learning." NeurIPS 2020.

    Examples
    --------
    >>> import torch
    >>> from sklearn_mtl.weighting import PCGrad, TaskBatch
    >>> g = torch.tensor([[1.0, 0.0], [-1.0, 1.0]])  # conflicting gradients
    >>> batch = TaskBatch(torch.ones(2), torch.tensor([True, True]), torch.ones(2),
    ...                   g @ g.T)
    >>> PCGrad().weights(batch, None)
    tensor([2.0000, 1.5000])
    """

    gradients = "shared"

    def weights(self, batch, state):
        active = torch.nonzero(batch.active).flatten()
        weights = torch.zeros_like(batch.losses.detach())
        if len(active) == 0:
            return weights
        b = batch.base_weights[active]
        gram = (batch.gram[active][:, active] * (b[:, None] * b[None, :])).double()
        mu = project_conflicting(gram.cpu().numpy(), batch.generator).sum(0)
        weights[active] = torch.as_tensor(mu, dtype=weights.dtype, device=weights.device)
        return weights
