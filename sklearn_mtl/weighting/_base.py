"""The interface every task-weighting strategy implements."""

from typing import NamedTuple

import torch
from sklearn.base import BaseEstimator
from torch import nn


class TaskBatch(NamedTuple):
    """What a strategy sees of one training batch.

    Attributes
    ----------
    losses : Tensor of shape (n_tasks,)
        ``L_j``, the mean loss of task j over its labelled samples (0 for a
        task with no label in the batch), still attached to the graph.
    active : Tensor of shape (n_tasks,), bool
        Tasks labelled in the batch *and* with a positive base weight. A
        strategy must give the other tasks no say in the weights of the
        active ones.
    base_weights : Tensor of shape (n_tasks,)
        The fixed ``task_weights`` ``b_j`` of the estimator.
    gram : Tensor of shape (n_tasks, n_tasks) or None
        For strategies with ``gradients`` set: the Gram matrix
        ``K[i, j] = <g_i, g_j>`` of the per-task gradients ``g_j`` of
        ``L_j`` (not base-weighted) with respect to the shared parameters
        (``gradients="shared"``) or the last shared layer
        (``gradients="last_shared"``); rows and columns of inactive tasks
        are zero. None otherwise.
    generator : torch.Generator or None
        The source of random numbers of strategies that draw them (a CPU
        generator the net seeds from ``random_state`` every epoch); None
        uses torch's global random state.

    Examples
    --------
    >>> import torch
    >>> from sklearn_mtl.weighting import TaskBatch
    >>> batch = TaskBatch(losses=torch.tensor([0.7, 0.0]),
    ...                   active=torch.tensor([True, False]),
    ...                   base_weights=torch.ones(2))
    >>> batch.gram is None
    True
    """

    losses: torch.Tensor
    active: torch.Tensor
    base_weights: torch.Tensor
    gram: torch.Tensor | None = None
    generator: torch.Generator | None = None


class WeightingStrategy(BaseEstimator):
    """Base class of the task-weighting strategies: per-task losses in,
    task weights out.

    For every training batch a strategy returns weights ``lambda_j`` and the
    network then minimises ``sum_j b_j * lambda_j * L_j`` (plus the
    strategy's :meth:`penalty`), where ``b_j`` are the estimator's fixed
    ``task_weights``: the strategy balances the tasks, the base weights then
    scale each task's balanced contribution, and a task with ``b_j = 0``
    has no influence at all. Constructor parameters are public, so a
    strategy is cloned, compared and tuned like any scikit-learn estimator
    (``weighting__alpha`` in a grid search).

    Anything a strategy learns or remembers during one fit lives in the
    ``torch.nn.Module`` returned by :meth:`initialize`: the network holds
    it as its ``task_weighting`` submodule, so its parameters are optimised
    with the network's and its buffers are saved and pickled with it. The
    strategy object itself is never modified.

    A subclass implements :meth:`weights` and, where needed,
    :meth:`initialize`, :meth:`penalty` and :meth:`end_epoch`. It sets the
    class attribute ``gradients`` when it needs per-task gradients:

    - ``None``: it needs losses only (no extra cost per batch).
    - ``"last_shared"``: ``batch.gram`` holds the Gram matrix of the task
      gradients at the last shared layer; the weights still apply to the
      losses.
    - ``"shared"`` (gradient surgery, e.g. PCGrad, MGDA): ``batch.gram``
      holds the Gram matrix over all shared parameters, the shared
      parameters are updated along ``sum_j b_j * lambda_j * g_j`` and each
      task-specific parameter (heads, MMoE gates) along the gradient of its
      own ``b_j * L_j``, as in Sener & Koltun (2018) and Yu et al. (2020).

    Examples
    --------
    A strategy of your own, weighing each task by its inverse loss:

    >>> import numpy as np
    >>> import torch
    >>> from sklearn_mtl import MultiTaskClassifier
    >>> from sklearn_mtl.weighting import WeightingStrategy
    >>> class InverseLoss(WeightingStrategy):
    ...     def weights(self, batch, state):
    ...         inverse = 1 / batch.losses.detach().clamp(min=1e-3)
    ...         inverse = torch.where(batch.active, inverse, torch.zeros_like(inverse))
    ...         return inverse * batch.active.sum() / inverse.sum()
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 4))
    >>> Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0])
    >>> clf = MultiTaskClassifier(hidden_layer_sizes=(8,), max_epochs=3,
    ...                           weighting=InverseLoss(), random_state=0).fit(X, Y)
    >>> clf.task_weights_.shape
    (2,)
    """

    gradients = None

    _parameter_constraints: dict = {}

    def initialize(self, n_tasks, base_weights):
        """Return the per-fit state, a ``torch.nn.Module``.

        Parameters
        ----------
        n_tasks : int
            Number of tasks.
        base_weights : Tensor of shape (n_tasks,)
            The fixed ``task_weights``.

        Returns
        -------
        state : torch.nn.Module
            Learned parameters and remembered buffers; an empty module for
            stateless strategies.
        """
        return nn.Module()

    def weights(self, batch, state):
        """Return the task weights ``lambda`` for one batch.

        Parameters
        ----------
        batch : TaskBatch
            The batch's per-task losses, active tasks and base weights.
        state : torch.nn.Module
            The module returned by :meth:`initialize`.

        Returns
        -------
        weights : Tensor of shape (n_tasks,)
            Finite, non-negative; it may depend differentiably on the
            state's parameters (e.g. learned log-variances).
        """
        raise NotImplementedError

    def penalty(self, batch, state):
        """Extra term of the training objective, or None (the default).

        Parameters
        ----------
        batch : TaskBatch
            The batch's per-task losses, active tasks and base weights.
        state : torch.nn.Module
            The module returned by :meth:`initialize`.

        Returns
        -------
        penalty : Tensor, scalar, or None
            Added to the weighted sum of the task losses.
        """
        return None

    def end_epoch(self, epoch_losses, state):
        """Update the state after a training epoch (default: nothing).

        Parameters
        ----------
        epoch_losses : Tensor of shape (n_tasks,)
            Mean training loss of each task over the epoch.
        state : torch.nn.Module
            The module returned by :meth:`initialize`.
        """

    def objective(self, batch, state):
        """The scalar to minimise for one batch and the weights it applies.

        Parameters
        ----------
        batch : TaskBatch
            The batch's per-task losses, active tasks and base weights.
        state : torch.nn.Module
            The module returned by :meth:`initialize`.

        Returns
        -------
        objective : Tensor, scalar
            ``sum_j b_j * lambda_j * L_j`` plus :meth:`penalty`.
        weights : Tensor of shape (n_tasks,)
            ``lambda``, detached.
        """
        weights = self.weights(batch, state)
        objective = (batch.base_weights * weights * batch.losses).sum()
        extra = self.penalty(batch, state)
        if extra is not None:
            objective = objective + extra
        return objective, weights.detach()


def spread_over_active(values, active):
    """Scale the active entries of ``values`` to sum to the number of active
    tasks and set the others to 0; all zero when no task is active."""
    values = torch.where(active, values, torch.zeros_like(values))
    total = values.sum()
    if not active.any() or total <= 0:
        return values
    return values * (active.sum() / total)
