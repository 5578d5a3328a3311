"""The explicit specifications the network builders take: what the trunk
looks like (:class:`NetworkSpec`, from the estimator's network-shaping
parameters) and what the heads look like (:class:`HeadSpec`, from the
tasks). Builders never read the estimator."""

from types import SimpleNamespace
from typing import NamedTuple

import numpy as np

from ._derive import network_params
from ._params import SHARED_PARAMS

NETWORK_PARAMS = network_params(SHARED_PARAMS)
"""Parameters that shape the network: a warm start cannot change them."""


class NetworkSpec(SimpleNamespace):
    """The network-shaping parameters (:data:`NETWORK_PARAMS` but ``device``),
    as attributes: ``hidden_layer_sizes``, ``architecture``, ..."""

    @classmethod
    def of(cls, estimator):
        """The specification given by an estimator's parameters."""
        return cls(**{name: getattr(estimator, name) for name in NETWORK_PARAMS
                      if name != "device"})


class HeadSpec(NamedTuple):
    """The task heads of a network.

    Attributes
    ----------
    widths : tuple of int
        Outputs of each task's head (its number of classes; 1 for a
        regression task), in column order.
    kinds : tuple of str
        Kind of each task, in column order.
    order : ndarray of int or None
        ``order[k]`` is the task of head ``k`` (heads of named tasks are laid
        out in the order of their names); None keeps the column order.
    """

    widths: tuple
    kinds: tuple
    order: object = None

    @classmethod
    def of(cls, tasks, order=None):
        """The heads of a fitted :class:`~sklearn_mtl._tasks.TaskSet`."""
        return cls(tuple(tasks.n_outputs), tuple(tasks.kinds), order)

    @property
    def n_tasks(self):
        return len(self.widths)

    def head_order(self):
        """``order``, or the column order."""
        return np.arange(self.n_tasks) if self.order is None else np.asarray(self.order)

    def laid_out(self):
        """(widths, kinds) of the heads in the order they are laid out."""
        order = self.head_order()
        return [self.widths[j] for j in order], [self.kinds[j] for j in order]
