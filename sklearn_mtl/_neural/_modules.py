"""Torch modules: the default MLP trunk and the multi-task network."""

import math

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


class MLPTrunk(nn.Sequential):
    """Fully connected trunk: ``[Linear -> (BatchNorm) -> activation ->
    (Dropout)]`` per hidden layer.

    With no hidden layer the trunk is the identity and the heads see the raw
    features (one multinomial logistic regression per task).
    """

    def __init__(self, n_features, hidden_layer_sizes, activation="relu",
                 dropout=0.0, batch_norm=False):
        layers = []
        n_in = n_features
        for n_out in hidden_layer_sizes:
            layers.append(nn.Linear(n_in, n_out))
            if batch_norm:
                layers.append(nn.BatchNorm1d(n_out))
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            n_in = n_out
        super().__init__(*layers)
        self.n_features_out = n_in


class TaskHeads(nn.Module):
    """One head per task, evaluated together.

    All heads run as one matrix product: a linear layer with
    ``n_tasks * max_width`` outputs viewed as ``(n, n_tasks, max_width)``
    (optionally after a hidden layer of ``hidden_size`` units per task).
    Task j's outputs are ``[..., j, :widths[j]]``: the logits of its
    classes, or its one predicted value (a regression task). Entries beyond
    a task's own width are filled with ``-inf``, so a softmax over the last
    axis gives a classification task's class probabilities.

    The input is either shared features of shape ``(n, d)`` or per-task
    features of shape ``(n, n_tasks, d)``. ``linear(d_in, d_out, n_tasks)``
    builds the per-task maps (TabM's heads pass one per member too).
    """

    def __init__(self, n_in, widths, hidden_size=None, activation="relu", linear=None):
        super().__init__()
        linear = _TaskLinear if linear is None else linear
        self.n_tasks = len(widths)
        self.max_classes = max(widths)
        pad = torch.arange(self.max_classes)[None, :] >= torch.tensor(widths)[:, None]
        self.register_buffer("pad_mask", pad, persistent=False)
        self.needs_pad = bool(pad.any())
        n_hidden = n_in if hidden_size is None else hidden_size
        if hidden_size is None:
            self.hidden = None
        else:
            self.hidden = linear(n_in, hidden_size, self.n_tasks)
            self.act = ACTIVATIONS[activation]()
        self.out = linear(n_hidden, self.max_classes, self.n_tasks)

    def forward(self, z):
        if self.hidden is not None:
            z = self.act(self.hidden(z))
        logits = self.out(z)
        if self.needs_pad:
            logits = logits.masked_fill(self.pad_mask, float("-inf"))
        return logits


class _TaskLinear(nn.Module):
    """``n_tasks`` independent linear maps ``d_in -> d_out``.

    Shared input ``(n, d_in)`` goes through one fused ``nn.Linear``; per-task
    input ``(n, n_tasks, d_in)`` through a batched product. Either way the
    output is ``(n, n_tasks, d_out)`` and each task's map is initialised like
    an ``nn.Linear(d_in, d_out)``.
    """

    def __init__(self, d_in, d_out, n_tasks):
        super().__init__()
        self.d_out = d_out
        self.n_tasks = n_tasks
        self.weight = nn.Parameter(torch.empty(n_tasks * d_out, d_in))
        self.bias = nn.Parameter(torch.empty(n_tasks * d_out))
        bound = 1.0 / math.sqrt(d_in) if d_in > 0 else 0.0
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, z):
        if z.dim() == 2:
            out = nn.functional.linear(z, self.weight, self.bias)
            return out.view(z.shape[0], self.n_tasks, self.d_out)
        w = self.weight.view(self.n_tasks, self.d_out, -1)
        out = torch.einsum("ntd,tkd->ntk", z, w)
        return out + self.bias.view(self.n_tasks, self.d_out)


class MultiTaskNetwork(nn.Module):
    """A shared trunk followed by one head per task.

    Parameters
    ----------
    trunk : nn.Module
        Maps a batch of inputs to features ``(n, d)`` (extra dimensions are
        flattened) or to per-task features ``(n, n_tasks, d)``.
    n_trunk_out : int
        Size ``d`` of the trunk's features.
    heads : HeadSpec
        Width and kind of each task's head, and the order in which the heads
        (and per-task gates) are laid out and initialised: ``heads.order[k]``
        is the task of head ``k``. Named tasks are laid out in the order of
        their names, so a fit on permuted task columns builds and trains the
        same network.
    head_hidden_size : int or None
        Units of a hidden layer in every head; None for linear heads.
    activation : str
        Activation of the head's hidden layer.

    The forward pass returns outputs of shape ``(n, n_tasks, max_width)``,
    in the column order of the tasks (see :class:`TaskHeads`).
    """

    def __init__(self, trunk, n_trunk_out, heads, head_hidden_size=None,
                 activation="relu", per_task_features=False):
        super().__init__()
        self.trunk = trunk
        self.per_task_features = per_task_features
        widths, _ = heads.laid_out()
        self.heads = TaskHeads(n_trunk_out, widths, head_hidden_size, activation)
        self._set_layout(heads)

    def _set_layout(self, heads):
        """Head k serves task ``order[k]``; outputs come back in column order.
        ``regression_tasks`` marks the regression tasks (column order)."""
        order = heads.head_order()
        self.permuted = bool((order != np.arange(len(order))).any())
        self.register_buffer("column_heads", torch.as_tensor(np.argsort(order)),
                             persistent=False)
        regression = torch.tensor([kind == "regression" for kind in heads.kinds])
        self.register_buffer("regression_tasks", regression if regression.any() else None,
                             persistent=False)

    def forward(self, x):
        z = self.trunk(x)
        if not self.per_task_features and z.dim() > 2:
            z = z.flatten(1)
        logits = self.heads(z)
        if self.permuted:
            logits = logits.index_select(1, self.column_heads)
        return logits

    def shared_parameters(self):
        """Trainable parameters that every task's loss depends on: the
        trunk's, or what a trunk's own ``shared_parameters()`` returns
        (an MMoE trunk's experts, not its per-task gates)."""
        params = getattr(self.trunk, "shared_parameters", self.trunk.parameters)()
        return [p for p in params if p.requires_grad]

    def last_shared_parameters(self):
        """Weights of the last shared layer: a trunk's own
        ``last_shared_parameters()``, else its last shared parameter with at
        least two dimensions (a weight matrix or kernel); may be empty."""
        own = getattr(self.trunk, "last_shared_parameters", None)
        if own is not None:
            return [p for p in own() if p.requires_grad]
        return last_weight(self.shared_parameters())


def last_weight(params):
    """The last parameter with at least two dimensions, as a list (maybe empty)."""
    weights = [p for p in params if p.dim() >= 2]
    return weights[-1:]
