"""The skorch side of a :class:`MultiTaskClassifier`: the device, the
optimizer, the callbacks and early stopping, as the keyword arguments of
a :class:`MultiTaskNet`, and the checks that need the built network."""

import copy

import torch
from skorch.callbacks import Callback
from torch import nn

from ._callbacks import BestEpochStopping, lr_schedule
from ._feed import BatchIterator, HoldoutSplit, TensorDataset
from ._loss import TaskCriterion

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
# The optimizers named above that take the fused (one kernel for all
# parameters) implementation, and the devices where it runs: on the CPU from
# torch 2.4. The per-parameter loop of the default implementation is a fifth
# of a small network's training step on the CPU.
_FUSED_OPTIMIZERS = ("adam", "adamw")
# (``torch.__version__`` is a ``TorchVersion``: it compares as a version)
_FUSED_DEVICES = ("cpu", "cuda") if torch.__version__ >= "2.4" else ("cuda",)


def fused(optimizer, device):
    """Whether the optimizer named ``optimizer`` trains with its fused
    implementation on ``device`` (a ``torch.device``): the same update,
    computed in one kernel for every parameter instead of a Python loop."""
    return (isinstance(optimizer, str) and optimizer in _FUSED_OPTIMIZERS
            and device.type in _FUSED_DEVICES)


def resolve_device(device):
    """The ``torch.device`` named by ``device``, available on this machine."""
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"device must name a torch device such as 'cpu' or 'cuda'; got {device!r}."
        ) from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={str(device)!r} was requested but CUDA is not available on "
            "this machine; use device='cpu'."
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device={str(device)!r} was requested but MPS is not available.")
    if device.type not in ("cpu", "cuda", "mps"):
        raise ValueError(
            f"device={str(device)!r} is not supported; use 'cpu', 'cuda' or 'mps'."
        )
    return device


def batch_size(value, n_samples):
    """The minibatch size: ``"auto"`` is a tenth of the rows within [32, 200]
    (about 10 optimiser steps per epoch, so that early stopping's patience,
    counted in epochs, spans enough training on small data)."""
    if value == "auto":
        return int(min(200, max(32, n_samples // 10)))
    return value


def net_params(estimator, n_samples, split_seed, early_stopping, device):
    """The training settings of the net: everything a warm start may change
    (see :meth:`MultiTaskNet.rewire`), including the batch feed (a dask fit
    replaces the iterators and the split, see :mod:`._stream`). ``early_stopping``
    is the estimator's for ``fit`` and False for ``partial_fit``, which trains
    on every row; ``device`` the ``torch.device`` that the net trains on."""
    optimizer = estimator.optimizer
    if isinstance(optimizer, str):
        optimizer = OPTIMIZERS[optimizer]
    callbacks = copy.deepcopy(check_callbacks(estimator.callbacks))
    validated = early_stopping and n_samples >= 2  # one row trains without it
    train_split = None
    schedule = lr_schedule(estimator.lr_schedule, max_epochs=estimator.max_epochs,
                           patience=estimator.n_iter_no_change, tol=estimator.tol,
                           validated=validated)
    if schedule is not None:  # before early stopping, which ends the last epoch
        callbacks.append(("lr_schedule", schedule))
    if validated:
        train_split = HoldoutSplit(estimator.validation_fraction, int(split_seed))
        callbacks.append((
            "early_stopping",
            BestEpochStopping(
                monitor="valid_loss",
                patience=estimator.n_iter_no_change,
                threshold=estimator.tol,
                threshold_mode="abs",
                load_best=True,
            ),
        ))
    params = dict(
        optimizer=optimizer,
        lr=estimator.lr,
        max_epochs=estimator.max_epochs,
        batch_size=batch_size(estimator.batch_size, n_samples),
        train_split=train_split,
        callbacks=callbacks,
        verbose=estimator.verbose,
        iterator_train=BatchIterator,
        iterator_valid=BatchIterator,
        iterator_train__shard=None,
        # the classifier has no regression task, hence no regression_loss
        regression_loss=getattr(estimator, "regression_loss", "squared_error"),
        # the regressor has no classification task, hence no label_smoothing
        label_smoothing=getattr(estimator, "label_smoothing", 0.0),
        average_weights=estimator.average_weights,
    )
    if estimator.weight_decay:  # an optimizer of the user's may not take it
        params["optimizer__weight_decay"] = estimator.weight_decay
    if fused(estimator.optimizer, device):
        params["optimizer__fused"] = True
    return params


def fixed_net_params(device):
    """The settings of the net that never change."""
    return dict(
        criterion=TaskCriterion,
        iterator_train__shuffle=True,
        dataset=TensorDataset,
        warm_start=True,
        device=str(device),
    )


def check_callbacks(callbacks):
    """The list of callbacks, each a skorch callback (instance or class) or
    a ``(name, callback)`` pair."""
    callbacks = list(callbacks or [])
    for i, item in enumerate(callbacks):
        callback = item[1] if isinstance(item, tuple) and len(item) == 2 else item
        is_callback = isinstance(callback, Callback) or (
            isinstance(callback, type) and issubclass(callback, Callback))
        if not is_callback:
            raise TypeError(
                f"callbacks[{i}] must be a skorch callback (an instance or subclass of "
                "skorch.callbacks.Callback) or a (name, callback) pair; got "
                f"{type(item).__name__}: {item!r}."
            )
    return callbacks


def check_optimizer(net):
    """Refuse an ``optimizer`` factory that did not return a torch optimizer."""
    if not isinstance(net.optimizer_, torch.optim.Optimizer):
        raise TypeError(
            "optimizer must be one of "
            f"{sorted(OPTIMIZERS)}, a torch.optim.Optimizer class or a callable "
            "returning one; calling it returned "
            f"{type(net.optimizer_).__name__}."
        )


def check_batch_norm(network, n_rows, batch_size):
    """Refuse training batch normalisation on batches of a single row."""
    if not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in network.modules()):
        return
    if n_rows < 2 or batch_size < 2:
        raise ValueError(
            "Batch normalisation (batch_norm=True, or a BatchNorm layer in module) "
            "needs training batches of at least 2 rows; got "
            + (f"{n_rows} training row(s)." if n_rows < 2 else "batch_size=1.")
            + " Set batch_norm=False, or give more rows and batch_size >= 2."
        )
