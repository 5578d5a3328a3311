"""TabM: an ensemble of MLPs that share most of their weights (Gorishniy et al., 2025).

``k`` members share every weight matrix of the trunk; member i owns only
rank-one scalings of each layer's input and output and its biases
(BatchEnsemble, Wen et al. 2020, with TabM's initialisation). Every member
has its own task heads. Training minimises the mean of the members' losses,
so they train in parallel on the same batches; a prediction is the mean of
the members' class probabilities.

The layers come from ``tabm``, the authors' package.

References
----------
Y. Gorishniy, A. Kotelnikov and A. Babenko. "TabM: advancing tabular deep
learning with parameter-efficient ensembling." ICLR 2025.
"""

import functools
import math

import numpy as np
import torch
from tabm import EnsembleView, LinearBatchEnsemble
from torch import nn

from ._modules import ACTIVATIONS, MultiTaskNetwork, TaskHeads


class TabMTrunk(nn.Module):
    """``k`` weight-sharing MLPs: input ``(n, d_in)``, output ``(n, k, d)``.

    Parameters
    ----------
    front : nn.Module or None
        Applied to the input first, shared by the members (the numeric
        embeddings); None feeds the raw columns.
    n_in : int
        Width of the (embedded) input.
    hidden_layer_sizes : list of int
        Width of each hidden layer; at least one.
    n_members : int
        Number of members ``k``.
    activation, dropout : str, float
        As for the MLP trunk.
    chunks : list of int or None
        Width of each input feature's representation: the first layer's
        member scalings are random per feature, shared inside a feature's
        embedding (TabM's initialisation). None: random per input unit.
    """

    def __init__(self, front, n_in, hidden_layer_sizes, n_members, activation="relu",
                 dropout=0.0, chunks=None):
        super().__init__()
        self.front = front
        self.view = EnsembleView(k=n_members)
        layers = []
        for i, n_out in enumerate(hidden_layer_sizes):
            first = i == 0
            layers.append(LinearBatchEnsemble(
                n_in, n_out, k=n_members,
                # TabM: random signs (raw features) or normal scalings
                # (embedded ones) on the first input, ones elsewhere.
                scaling_init=(("normal" if front is not None else "random-signs", "ones")
                              if first else "ones"),
                first_scaling_init_chunks=chunks if first else None,
            ))
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            n_in = n_out
        self.layers = nn.Sequential(*layers)
        self.n_members = n_members
        self.n_features_out = n_in

    def forward(self, x):
        if self.front is not None:
            x = self.front(x)
        return self.layers(self.view(x))


class EnsembleTaskHeads(TaskHeads):
    """The task heads of every member: ``(n, k, d)`` to ``(n, k, n_tasks, max_classes)``.

    :class:`TaskHeads` with one linear map per member and task (after an
    optional hidden layer per member and task); classes beyond a task's own
    are filled with ``-inf``.
    """

    def __init__(self, n_in, n_classes, n_members, hidden_size=None, activation="relu"):
        super().__init__(n_in, n_classes, hidden_size, activation,
                         linear=functools.partial(_MemberTaskLinear, n_members=n_members))


class _MemberTaskLinear(nn.Module):
    """One linear map ``d_in -> d_out`` per member and task.

    Input ``(n, k, d_in)`` (shared by the tasks) or ``(n, k, n_tasks, d_in)``;
    output ``(n, k, n_tasks, d_out)``. Each map is initialised like an
    ``nn.Linear(d_in, d_out)``.
    """

    def __init__(self, d_in, d_out, n_tasks, n_members):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_members, n_tasks, d_out, d_in))
        self.bias = nn.Parameter(torch.empty(n_members, n_tasks, d_out))
        bound = 1.0 / math.sqrt(d_in)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, z):
        pattern = "nkd,ktod->nkto" if z.dim() == 3 else "nktd,ktod->nkto"
        return torch.einsum(pattern, z, self.weight) + self.bias


def make_tabm_trunk(estimator, n_features, hidden, plan):
    """The :class:`TabMTrunk` of an estimator with ``architecture="tabm"``,
    after the numeric embeddings of ``plan`` (None: the raw columns)."""
    if estimator.module is not None:
        raise ValueError(
            "architecture='tabm' builds its own trunk from hidden_layer_sizes; "
            "it does not take a module. Use architecture='hard' with module."
        )
    if not hidden:
        raise ValueError(
            "architecture='tabm' needs at least one hidden layer; got "
            "hidden_layer_sizes=()."
        )
    if estimator.batch_norm:
        raise ValueError("architecture='tabm' does not support batch_norm=True.")
    if plan is None:
        return TabMTrunk(None, n_features, hidden, estimator.n_members, estimator.activation,
                         estimator.dropout)
    return TabMTrunk(plan.make(), plan.n_features_out, hidden, estimator.n_members,
                     estimator.activation, estimator.dropout, chunks=plan.chunks)


class TabMNetwork(MultiTaskNetwork):
    """A :class:`TabMTrunk` with task heads on every member.

    In training mode the forward pass returns every member's logits,
    ``(n, k, n_tasks, max_classes)``, and the loss averages the members'
    losses. In evaluation mode it returns the log of the members' mean
    class probabilities, ``(n, n_tasks, max_classes)``: its softmax is the
    ensemble's prediction and its cross-entropy the ensemble's loss, so
    early stopping watches the ensemble, as in the paper.
    """

    def __init__(self, trunk, n_classes, head_hidden_size=None, activation="relu",
                 task_order=None):
        nn.Module.__init__(self)
        self.trunk = trunk
        self.per_task_features = True
        order = np.arange(len(n_classes)) if task_order is None else np.asarray(task_order)
        self.heads = EnsembleTaskHeads(trunk.n_features_out, [n_classes[j] for j in order],
                                       trunk.n_members, head_hidden_size, activation)
        # As in MultiTaskNetwork: head k serves task order[k].
        self.permuted = bool((order != np.arange(len(order))).any())
        self.register_buffer("column_heads", torch.as_tensor(np.argsort(order)),
                             persistent=False)

    def forward(self, x):
        logits = self.heads(self.trunk(x))
        if self.permuted:
            logits = logits.index_select(2, self.column_heads)
        if self.training:
            return logits
        k = logits.shape[1]
        return torch.logsumexp(logits.log_softmax(-1), dim=1) - math.log(k)
