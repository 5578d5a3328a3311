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
    """The task heads of every member: ``(n, k, d)`` to ``(n, k, n_tasks, width)``.

    :class:`TaskHeads` with one linear map per member and task (after an
    optional hidden layer per member and task); outputs beyond a task's own
    width are filled with ``-inf``.
    """

    def __init__(self, n_in, widths, n_members, hidden_size=None, activation="relu"):
        super().__init__(n_in, widths, hidden_size, activation,
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


def make_tabm_trunk(spec, n_features, hidden, plan):
    """The :class:`TabMTrunk` of a network spec with ``architecture="tabm"``,
    after the numeric embeddings of ``plan`` (None: the raw columns)."""
    if spec.module is not None:
        raise ValueError(
            "architecture='tabm' builds its own trunk from hidden_layer_sizes; "
            "it does not take a module. Use architecture='hard' with module."
        )
    if not hidden:
        raise ValueError(
            "architecture='tabm' needs at least one hidden layer; got "
            "hidden_layer_sizes=()."
        )
    if spec.batch_norm:
        raise ValueError("architecture='tabm' does not support batch_norm=True.")
    if plan is None:
        return TabMTrunk(None, n_features, hidden, spec.n_members, spec.activation,
                         spec.dropout)
    return TabMTrunk(plan.make(), plan.n_features_out, hidden, spec.n_members,
                     spec.activation, spec.dropout, chunks=plan.chunks)


class TabMNetwork(MultiTaskNetwork):
    """A :class:`TabMTrunk` with task heads on every member.

    In training mode the forward pass returns every member's outputs,
    ``(n, k, n_tasks, width)``, and the loss averages the members' losses.
    In evaluation mode it returns the ensemble's outputs,
    ``(n, n_tasks, width)``: for a classification task the log of the
    members' mean class probabilities (its softmax is the ensemble's
    prediction and its cross-entropy the ensemble's loss, so early stopping
    watches the ensemble, as in the paper); for a regression task the
    members' mean prediction.
    """

    def __init__(self, trunk, heads, head_hidden_size=None, activation="relu"):
        nn.Module.__init__(self)
        self.trunk = trunk
        self.per_task_features = True
        widths, _ = heads.laid_out()
        self.heads = EnsembleTaskHeads(trunk.n_features_out, widths, trunk.n_members,
                                       head_hidden_size, activation)
        self._set_layout(heads)

    def forward(self, x):
        outputs = self.heads(self.trunk(x))
        if self.permuted:
            outputs = outputs.index_select(2, self.column_heads)
        if self.training:
            return outputs
        k = outputs.shape[1]
        ensemble = torch.logsumexp(outputs.log_softmax(-1), dim=1) - math.log(k)
        regression = getattr(self, "regression_tasks", None)
        if regression is not None:
            ensemble = torch.where(regression[:, None], outputs.mean(dim=1), ensemble)
        return ensemble
