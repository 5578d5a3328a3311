"""skorch callbacks of the multi-task net: per-task bookkeeping and the
divergence checks.

:class:`MultiTaskNet` returns, from every training and validation step,
the batch's per-task losses ``task_losses``, label counts
``task_counts`` and, when training, the applied weights ``task_weights``
(``b_j * lambda_j``) with the tasks they applied to ``task_active``;
skorch hands them to every callback's ``on_batch_end``.
"""

import math
import warnings

import numpy as np
import torch
from skorch.callbacks import Callback, EarlyStopping

from ._distributed import sum_over_processes

# Beyond this gradient magnitude the squared gradients that Adam, AdamW and
# RMSprop keep overflow float32 (sqrt of its largest value is ~1.8e19), and
# the updates silently become zero or NaN.
_GRADIENT_LIMIT = 1e18
# A training loss above the untrained network's by this many times its
# magnitude "exploded": far worse than not having trained at all (an early
# overshoot of a few times the untrained loss, which training recovers
# from, is not an explosion).
_EXPLOSION_FACTOR = 100.0
# float32 keeps 24 bits: a parameter beyond this ignores every update below
# ~10, so no ordinary optimiser step can move it; a fit ending there diverged.
_PARAMETER_LIMIT = 1e8

_CAUSES = (
    "Likely causes: a learning rate (lr) too large for the optimizer, task_weights "
    "too large, or unscaled inputs (standardise X)."
)


class TaskLossRecorder(Callback):
    """Record per-task losses and applied task weights of every epoch, and
    hand the epoch's per-task training losses to the weighting strategy.

    History keys: ``train_loss_<task>``, ``valid_loss_<task>`` (the mean
    loss of the task over its labelled samples; NaN when the epoch had
    none) and ``task_weights`` (per task, the mean over the training
    batches where it was active of ``b_j * lambda_j``, 0 if never active).
    """

    def on_epoch_begin(self, net, **kwargs):
        self.sums_ = {}

    def on_batch_end(self, net, batch=None, training=None, task_losses=None,
                     task_counts=None, task_weights=None, task_active=None, **kwargs):
        if task_losses is None:
            return
        # running sums, not the batches' tensors: thousands of small tensors
        # kept for an epoch fragment the heap between the batches' large ones
        counts = task_counts.to(task_losses.dtype)
        parts = [task_losses.detach() * counts, counts]
        if training:
            active = task_active.to(task_losses.dtype)
            parts += [torch.where(task_active, task_weights, 0.0), active]
        batch_sums = torch.stack(parts)
        prefix = "train" if training else "valid"
        if prefix in self.sums_:
            self.sums_[prefix] += batch_sums
        else:
            self.sums_[prefix] = batch_sums

    def on_epoch_end(self, net, **kwargs):
        for prefix, sums in self.sums_.items():
            if prefix == "train" and net.get_params_for("iterator_train").get("shard"):
                sums = sum_over_processes(sums)  # data-parallel: every rank's batches
            means = _mean_where_counted(sums[0], sums[1], np.nan)
            for name, value in zip(net.task_names, means):
                net.history.record(f"{prefix}_loss_{name}", float(value))
            if prefix == "train":
                applied = _mean_where_counted(sums[2], sums[3], 0.0)
                net.history.record("task_weights", [float(w) for w in applied])
                net.weighting.end_epoch(
                    torch.as_tensor(means, dtype=torch.float32, device=sums.device),
                    net.module_.task_weighting,
                )


def _mean_where_counted(sums, counts, empty):
    sums = sums.detach().cpu().numpy()
    counts = counts.cpu().numpy()
    return np.where(counts > 0, sums / np.maximum(counts, 1), empty)


class DivergenceCheck(Callback):
    """Stop a diverging fit with an error naming the epoch, the task and the
    likely cause; warn when the training loss explodes.

    - a non-finite training loss stops the fit at its batch
      (``FloatingPointError``);
    - at the end of every epoch, non-finite parameters, or gradients too
      large for float32 optimizers (which then stop learning silently),
      stop the fit too;
    - an epoch loss above the untrained network's (the first batch's loss
      of the history, else its first epoch's) by ``100`` times that loss's
      magnitude warns, once per fit: a loss that rises again after
      training well is overfitting or noise, not an explosion.

    :func:`check_fitted` checks the network the fit ends with.
    """

    def on_train_begin(self, net, **kwargs):
        self.warned_ = False

    def on_batch_end(self, net, training=None, loss=None, task_losses=None,
                     task_counts=None, **kwargs):
        if not training or loss is None or math.isfinite(loss.item()):
            return
        where = ""
        if task_losses is not None:
            bad = (~torch.isfinite(task_losses) & (task_counts > 0)).cpu().numpy()
            if bad.any():
                where = f" of task {net.task_names[int(np.flatnonzero(bad)[0])]!r}"
        raise FloatingPointError(
            f"The training loss{where} became non-finite at epoch {len(net.history)}. "
            + _CAUSES
        )

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        for name, param in net.module_.named_parameters():
            if not bool(torch.isfinite(param).all()):
                raise FloatingPointError(
                    f"The parameter {name!r} became non-finite at epoch {epoch}. {_CAUSES}"
                )
            grad = param.grad
            if grad is not None and bool((grad.abs() > _GRADIENT_LIMIT).any()):
                raise FloatingPointError(
                    f"The gradient of {name!r} reached {float(grad.abs().max()):.3g} at "
                    f"epoch {epoch}, beyond what float32 training can follow (the "
                    "network stops learning). " + _CAUSES
                )
        # the reference: the untrained network's loss, the first batch of
        # the history (else its first epoch)
        losses = [row["train_loss"] for row in net.history if "train_loss" in row]
        batches = net.history[0].get("batches", [])
        start = [batches[0]["train_loss"]] if batches and "train_loss" in batches[0] else []
        reference = (start + losses[:-1] or [np.inf])[0]
        # by the reference's magnitude: a strategy's objective (uncertainty
        # weighting's log terms) can be negative
        scale = abs(reference)
        if (not self.warned_ and losses and 0 < scale < np.inf
                and losses[-1] - reference > _EXPLOSION_FACTOR * scale):
            self.warned_ = True
            warnings.warn(
                f"The training loss exploded at epoch {epoch}: {losses[-1]:.3g}, against "
                f"{reference:.3g} before. {_CAUSES}",
                UserWarning,
                stacklevel=2,
            )


def check_fitted(net):
    """Refuse a fit that ends with a useless network: parameters beyond what
    float32 training can move (the last steps diverged, and no later forward
    pass saw a non-finite loss), or a non-finite validation loss."""
    for name, param in net.module_.named_parameters():
        size = float(param.detach().abs().max()) if param.numel() else 0.0
        if not size <= _PARAMETER_LIMIT:
            raise FloatingPointError(
                f"The parameter {name!r} reached {size:.3g} at the end of the fit "
                f"(epoch {len(net.history)}): the training diverged and the network "
                f"is useless. {_CAUSES}"
            )
    if not len(net.history):
        return
    epoch = _final_epoch(net)
    valid = net.history[epoch - 1].get("valid_loss")
    if valid is not None and not math.isfinite(valid):
        raise FloatingPointError(
            f"The validation loss is {valid} at the end of the fit (epoch "
            f"{epoch}): the training diverged. {_CAUSES}"
        )


def _final_epoch(net):
    """The epoch whose network the fit ends with: the best one when an
    early stopping callback restored it, else the last."""
    for _, callback in net.callbacks_:
        if (isinstance(callback, EarlyStopping) and callback.load_best
                and getattr(callback, "best_model_weights_", None) is not None):
            return int(callback.best_epoch_)
    return int(net.history[-1, "epoch"])
