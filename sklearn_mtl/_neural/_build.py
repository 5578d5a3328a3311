"""Building the torch network of a neural estimator from explicit
specifications: the trunk (MLP with its numeric embeddings, user module,
MMoE experts or TabM members) from a :class:`~._spec.NetworkSpec`, the task
heads from a :class:`~._spec.HeadSpec`, and the weighting strategy's state.

Nothing here reads the estimator; a user ``module`` instance is deep-copied.
"""

import copy
from numbers import Integral

import numpy as np
import torch
from torch import nn

from ._embeddings import EmbeddedTrunk, plan_embeddings
from ._mmoe import MMoETrunk
from ._modules import MLPTrunk, MultiTaskNetwork
from ._tabm import TabMNetwork, make_tabm_trunk


def build_network(spec, heads, X_t, strategy, base_weights, targets=None):
    """The :class:`MultiTaskNetwork` of ``spec`` for inputs like ``X_t`` and
    the task heads ``heads`` (a :class:`~._spec.HeadSpec`), holding the
    strategy's state as ``task_weighting``. The numeric embeddings of the
    built-in trunk are planned on the rows ``X_t`` (training rows) and their
    encoded ``targets`` (tree-based bins; one column per task).

    Parameter initialisation draws from torch's global random state: the
    caller seeds it (see :func:`._random.seeded_global_rng`).
    """
    hidden = hidden_layer_sizes(spec.hidden_layer_sizes)
    plan = embedding_plan(spec, X_t, targets, heads.kinds)
    if spec.architecture == "tabm":
        network = TabMNetwork(make_tabm_trunk(spec, X_t.shape[1], hidden, plan),
                              heads, head_hidden_size=spec.head_hidden_size,
                              activation=spec.activation)
        network.task_weighting = strategy.initialize(
            heads.n_tasks, torch.as_tensor(base_weights, dtype=torch.float32)
        )
        return network
    mmoe = spec.architecture == "mmoe"
    if mmoe:
        if spec.module is None and not hidden:
            raise ValueError(
                "architecture='mmoe' needs experts with at least one hidden layer; "
                "got hidden_layer_sizes=(). Set hidden_layer_sizes or module."
            )
        experts = [make_trunk(spec, X_t.shape[1], hidden, reinitialise=True, plan=plan)
                   for _ in range(spec.n_experts)]
        n_features_out = probe_trunk(experts[0], X_t)
        trunk = MMoETrunk(experts, int(np.prod(X_t.shape[1:])), heads.n_tasks)
    else:
        trunk = make_trunk(spec, X_t.shape[1], hidden, plan=plan)
        n_features_out = probe_trunk(trunk, X_t)
    network = MultiTaskNetwork(
        trunk,
        n_features_out,
        heads,
        head_hidden_size=spec.head_hidden_size,
        activation=spec.activation,
        per_task_features=mmoe,
    )
    network.task_weighting = strategy.initialize(
        heads.n_tasks, torch.as_tensor(base_weights, dtype=torch.float32)
    )
    return network


def hidden_layer_sizes(sizes):
    """The hidden layer sizes as a list: ``_parameter_constraints`` admits
    one positive integer or an array-like, whose entries are checked here."""
    sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
    if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError(f"hidden_layer_sizes must be positive integers; got {sizes!r}.")
    return sizes


def embedding_plan(spec, X_t, targets, kinds):
    """The numeric embeddings of the built-in trunk, planned on the training
    rows; None without embeddings or with a user ``module``."""
    if spec.module is not None or spec.num_embeddings is None:
        return None
    if targets is None:
        targets, kinds = np.zeros((X_t.shape[0], 0), dtype=np.int64), ()
    return plan_embeddings(X_t.numpy(), targets, kinds=kinds, kind=spec.num_embeddings,
                           n_bins=spec.n_bins, binning=spec.binning,
                           d_embedding=spec.d_embedding)


def make_trunk(spec, n_features, hidden, reinitialise=False, plan=None):
    """The default MLP trunk (after the embeddings of ``plan``, if any), or a
    fresh copy of the user's ``module``."""
    module = spec.module
    if module is None:
        if plan is not None:
            mlp = MLPTrunk(plan.n_features_out, hidden, spec.activation,
                           spec.dropout, spec.batch_norm)
            return EmbeddedTrunk(plan.make(), mlp)
        return MLPTrunk(n_features, hidden, spec.activation, spec.dropout,
                        spec.batch_norm)
    if isinstance(module, nn.Module):
        trunk = copy.deepcopy(module)
        if reinitialise:
            for layer in trunk.modules():
                if hasattr(layer, "reset_parameters"):
                    layer.reset_parameters()
    else:
        trunk = module()
    if not isinstance(trunk, nn.Module):
        raise TypeError(
            "module must be a torch.nn.Module instance, or a class or callable "
            f"returning one; calling it returned {type(trunk).__name__}."
        )
    return trunk


def probe_trunk(trunk, X_t):
    """Run the trunk on (a copy of) two rows to learn its output size."""
    if isinstance(trunk, (MLPTrunk, EmbeddedTrunk)):
        return trunk.n_features_out
    rows = X_t[:2].clone()  # a module with in-place operations must not touch X
    was_training = trunk.training
    trunk.eval()
    try:
        with torch.no_grad():
            out = trunk(rows)
    except Exception as exc:
        raise ValueError(
            f"module failed on a batch of X with shape {tuple(rows.shape)}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    finally:
        trunk.train(was_training)
    if not isinstance(out, torch.Tensor):
        raise TypeError(
            "module must return a torch.Tensor of shape (n_samples, ...); got "
            f"{type(out).__name__}."
        )
    if out.dim() < 2 or out.shape[0] != rows.shape[0]:
        raise ValueError(
            "module must return a tensor of shape (n_samples, n_features_out); "
            f"for {rows.shape[0]} input rows it returned shape {tuple(out.shape)}."
        )
    return int(np.prod(out.shape[1:]))
