"""Multi-gate mixture-of-experts trunk (Ma et al., 2018)."""

import torch
from torch import nn

from ._modules import last_weight


class MMoETrunk(nn.Module):
    """Experts shared by all tasks, mixed by one softmax gate per task.

    Every expert maps the input to features of size ``d``; the gate of task
    j, a linear map of the (flattened) input followed by a softmax over the
    experts, weighs the experts' features into task j's own features. The
    output, of shape ``(n, n_tasks, d)``, feeds the task heads of
    :class:`MultiTaskNetwork` (``per_task_features=True``). Tasks that
    conflict can so draw on different experts while related tasks share
    them.

    Parameters
    ----------
    experts : list of nn.Module
        The experts; each returns ``(n, d)`` features (extra dimensions are
        flattened), with the same ``d``.
    n_features : int
        Size of the flattened input, the gates' input.
    n_tasks : int
        Number of tasks, one gate each.

    References
    ----------
    J. Ma, Z. Zhao, X. Yi, J. Chen, L. Hong and E. H. Chi. "Modeling task
    relationships in multi-task learning with multi-gate mixture-of-experts."
    KDD 2018.

    Examples
    --------
    >>> import torch
    >>> from sklearn_mtl._neural._mmoe import MMoETrunk
    >>> experts = [torch.nn.Linear(5, 8) for _ in range(3)]
    >>> trunk = MMoETrunk(experts, n_features=5, n_tasks=2)
    >>> trunk(torch.zeros(4, 5)).shape
    torch.Size([4, 2, 8])
    """

    def __init__(self, experts, n_features, n_tasks):
        super().__init__()
        self.experts = nn.ModuleList(experts)
        self.n_tasks = n_tasks
        self.gates = nn.Linear(n_features, n_tasks * len(experts))

    def forward(self, x):
        features = torch.stack([expert(x).flatten(1) for expert in self.experts], dim=1)
        return torch.einsum("nte,ned->ntd", self.gate_weights(x), features)

    def gate_weights(self, x):
        """Softmax gate of every task, shape ``(n, n_tasks, n_experts)``."""
        gates = self.gates(x.flatten(1)).view(x.shape[0], self.n_tasks, len(self.experts))
        return gates.softmax(-1)

    def shared_parameters(self):
        """The experts' parameters (the gates belong to single tasks)."""
        return list(self.experts.parameters())

    def last_shared_parameters(self):
        """The last weight matrix of every expert."""
        return [w for expert in self.experts for w in last_weight(expert.parameters())]
