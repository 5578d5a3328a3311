"""MGDA, the multiple-gradient descent algorithm (Sener & Koltun, 2018)."""

import numpy as np
import torch
from sklearn.utils._param_validation import StrOptions

from ._base import WeightingStrategy, spread_over_active


def min_norm_weights(gram, max_iter=1000, tol=1e-10):
    """Convex weights ``alpha`` minimising ``||sum_j alpha_j g_j||``.

    Pairwise Frank-Wolfe with exact line search on the Gram matrix
    ``gram``, an ndarray of shape (k, k): each step moves weight from the
    support task whose gradient agrees most with the current point to the
    task that agrees least. It converges linearly, and stops when
    ``(K alpha)_i`` is equal, up to ``tol`` relative, over the support and no
    larger than elsewhere: the optimality condition of the min-norm point.
    """
    k = gram.shape[0]
    alpha = np.full(k, 1.0 / k)
    scale = max(float(np.max(np.abs(np.diag(gram)))), 1e-300)
    for _ in range(max_iter):
        k_alpha = gram @ alpha
        t = int(np.argmin(k_alpha))
        support = np.flatnonzero(alpha > 0)
        s = int(support[np.argmax(k_alpha[support])])
        gap = k_alpha[s] - k_alpha[t]
        curvature = gram[t, t] + gram[s, s] - 2 * gram[t, s]
        if gap <= tol * scale or curvature <= 0:
            break
        step = min(gap / curvature, alpha[s])
        alpha[t] += step
        alpha[s] -= step
    return alpha


class MGDA(WeightingStrategy):
    """Update the shared parameters along the min-norm point of the task
    gradients' convex hull.

    The weights ``alpha`` (summing to 1) minimise
    ``||sum_j alpha_j c_j g_j||`` over the active tasks, where ``g_j`` are
    the task gradients of the shared parameters and ``c_j`` a normalisation;
    the result is a direction along which no task's loss increases
    (Pareto-stationary when it is 0). The reported weights ``lambda_j``,
    proportional to ``alpha_j * c_j`` and scaled to sum to the number K of
    active tasks, keep the step size of equal static weights; the shared parameters move along
    ``sum_j b_j * lambda_j * g_j`` and each task-specific parameter along its
    own task's gradient. Costs one backward pass per task through the
    shared layers.

    Parameters
    ----------
    normalize : {"none", "l2", "loss+"}, default="none"
        Gradient normalisation ``c_j`` before solving: none, ``1/||g_j||``,
        or ``1/(L_j ||g_j||)`` (Sener & Koltun's "loss+").

    References
    ----------
    O. Sener and V. Koltun. "Multi-task learning as multi-objective
    optimization." NeurIPS 2018.

    Examples
    --------
    >>> import torch
    >>> from sklearn_mtl.weighting import MGDA, TaskBatch
    >>> g = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    >>> batch = TaskBatch(torch.ones(2), torch.tensor([True, True]), torch.ones(2),
    ...                   g @ g.T)
    >>> MGDA().weights(batch, None)  # the smaller gradient gets more weight
    tensor([0.4000, 1.6000])
    """

    gradients = "shared"

    _parameter_constraints: dict = {"normalize": [StrOptions({"none", "l2", "loss+"})]}

    def __init__(self, normalize="none"):
        self.normalize = normalize

    def weights(self, batch, state):
        active = torch.nonzero(batch.active).flatten()
        weights = torch.zeros_like(batch.losses.detach())
        if len(active) == 0:
            return weights
        gram = batch.gram[active][:, active].double().cpu().numpy()
        norms = np.sqrt(np.clip(np.diag(gram), 0, None))
        if not np.any(norms > 0):
            weights[active] = 1.0
            return weights
        scale = np.ones_like(norms)
        if self.normalize != "none":
            scale = 1.0 / np.maximum(norms, 1e-12)
            if self.normalize == "loss+":
                losses = batch.losses.detach()[active].double().cpu().numpy()
                scale = scale / np.maximum(losses, 1e-12)
        alpha = min_norm_weights(gram * np.outer(scale, scale))
        weights[active] = torch.as_tensor(alpha * scale, dtype=weights.dtype,
                                          device=weights.device)
        return spread_over_active(weights, batch.active)
