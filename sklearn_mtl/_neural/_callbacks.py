"""skorch callbacks of the multi-task net: per-task bookkeeping, the
divergence checks and the learning-rate schedule.

:class:`MultiTaskNet` returns, from every training and validation step,
the batch's per-task losses ``task_losses``, label counts
``task_counts`` and, when training with a strategy whose weights vary,
the applied weights ``task_weights`` (``b_j * lambda_j``) with the tasks
they applied to ``task_active`` (under static weighting they are the base
weights ``b_j``, and the steps skip them); skorch hands them to every
callback's ``on_batch_end``.
"""

import math
import warnings

import numpy as np
import torch
from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from torch.optim.lr_scheduler import CosineAnnealingLR, ReduceLROnPlateau

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
        prefix = "train" if training else "valid"
        counts = task_counts.to(task_losses.dtype)
        sums = self.sums_.get(prefix)
        if sums is None:  # a strategy's applied weights, when it has per-batch ones
            rows = 4 if training and task_weights is not None else 2
            sums = self.sums_[prefix] = task_losses.new_zeros((rows, counts.shape[0]))
        sums[0].add_(task_losses.detach() * counts)
        sums[1].add_(counts)
        if sums.shape[0] == 4:
            sums[2].add_(torch.where(task_active, task_weights, 0.0))
            sums[3].add_(task_active.to(sums.dtype))

    def on_epoch_end(self, net, **kwargs):
        for prefix, sums in self.sums_.items():
            if prefix == "train" and net.get_params_for("iterator_train").get("shard"):
                sums = sum_over_processes(sums)  # data-parallel: every rank's batches
            means = _mean_where_counted(sums[0], sums[1], np.nan)
            for name, value in zip(net.task_names, means):
                net.history.record(f"{prefix}_loss_{name}", float(value))
            if prefix == "train":
                if sums.shape[0] == 4:
                    applied = _mean_where_counted(sums[2], sums[3], 0.0)
                else:  # static weighting: a task's base weight wherever it trained
                    base = net.task_weights_tensor_.cpu().numpy()
                    applied = np.where((sums[1].cpu().numpy() > 0) & (base > 0), base, 0.0)
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
        self.reference_ = None

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
        params = [p for p in net.module_.parameters() if p.numel()]
        # one check over every parameter (and gradient), then the culprit's
        # name only when one fails: a check per tensor costs a device
        # synchronisation each, a tenth of a small network's epoch
        if params and not bool(torch.isfinite(_flat(params)).all()):
            name = next(n for n, p in net.module_.named_parameters()
                        if not bool(torch.isfinite(p).all()))
            raise FloatingPointError(
                f"The parameter {name!r} became non-finite at epoch {epoch}. {_CAUSES}"
            )
        grads = [p.grad for p in params if p.grad is not None]
        if grads and bool((_flat(grads).abs() > _GRADIENT_LIMIT).any()):
            name, grad = next((n, p.grad) for n, p in net.module_.named_parameters()
                              if p.grad is not None
                              and bool((p.grad.abs() > _GRADIENT_LIMIT).any()))
            raise FloatingPointError(
                f"The gradient of {name!r} reached {float(grad.abs().max()):.3g} at "
                f"epoch {epoch}, beyond what float32 training can follow (the "
                "network stops learning). " + _CAUSES
            )
        loss = net.history[-1].get("train_loss")
        if loss is None:
            return
        if self.reference_ is None:
            # the untrained network's loss: the first batch of the history,
            # else its first epoch (this one's loss is no reference for itself)
            batches = net.history[0].get("batches", [])
            if batches and "train_loss" in batches[0]:
                self.reference_ = batches[0]["train_loss"]
            else:
                self.reference_ = next((row["train_loss"] for row in net.history[:-1]
                                        if "train_loss" in row), None)
            if self.reference_ is None:
                return
        # by the reference's magnitude: a strategy's objective (uncertainty
        # weighting's log terms) can be negative
        scale = abs(self.reference_)
        if (not self.warned_ and 0 < scale < np.inf
                and loss - self.reference_ > _EXPLOSION_FACTOR * scale):
            self.warned_ = True
            warnings.warn(
                f"The training loss exploded at epoch {epoch}: {loss:.3g}, against "
                f"{self.reference_:.3g} before. {_CAUSES}",
                UserWarning,
                stacklevel=2,
            )


def _flat(tensors):
    """The tensors' values in one flat tensor (of their common dtype)."""
    return torch.cat([t.detach().reshape(-1) for t in tensors])


class BestEpochStopping(EarlyStopping):
    """skorch's ``EarlyStopping`` with ``load_best``, keeping the best
    epoch's weights as clones of the module's tensors: ``copy.deepcopy`` of
    a state dict (skorch's) goes through Python for every tensor, a tenth
    of a small network's epoch at every improvement."""

    def on_epoch_end(self, net, **kwargs):
        current_score = net.history[-1, self.monitor]
        if not self._is_score_improved(current_score):
            self.misses_ += 1
        else:
            self.misses_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(current_score)
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self.best_model_weights_ = {
                    key: value.detach().clone()
                    for key, value in net.module_.state_dict().items()}
        if self.misses_ == self.patience:
            if net.verbose:
                self._sink(f"Stopping since {self.monitor} has not improved in the last "
                           f"{self.patience} epochs.", verbose=net.verbose)
            raise KeyboardInterrupt


LR_SCHEDULES = ("plateau", "cosine")
# "plateau": the factor of each reduction
_PLATEAU_FACTOR = 0.5


class LRSchedule(LRScheduler):
    """skorch's ``LRScheduler`` over the epochs of one ``fit`` call.

    Every training run starts the schedule afresh from the net's ``lr``
    (skorch would resume a warm start's schedule at the history's epoch):
    the optimizer's learning rate is reset to ``lr`` and the scheduler
    built as for a first epoch. The learning rate of every epoch is in the
    history, ``event_lr``.
    """

    def _get_scheduler(self, net, policy, **scheduler_kwargs):
        for group in net.optimizer_.param_groups:
            group.pop("initial_lr", None)  # a previous run's base rate
            group["lr"] = net.lr
        return policy(net.optimizer_, **scheduler_kwargs)


def lr_schedule(schedule, *, max_epochs, patience, tol, validated):
    """The :class:`LRSchedule` callback of the estimator's ``lr_schedule``,
    or None for none.

    "plateau": halve the learning rate after ``patience // 2`` epochs (at
    least 1) whose monitored loss (the validation loss when ``validated``,
    else the training loss) did not improve on the best by ``tol``, the
    improvement that resets early stopping's patience; "cosine": from
    ``lr`` down to 0 along half a cosine over ``max_epochs`` epochs.
    """
    if schedule is None:
        return None
    if schedule == "plateau":
        return LRSchedule(ReduceLROnPlateau, monitor="valid_loss" if validated else "train_loss",
                          mode="min", factor=_PLATEAU_FACTOR,
                          patience=max(1, patience // 2) - 1,  # torch: misses beyond it
                          threshold=tol, threshold_mode="abs")
    return LRSchedule(CosineAnnealingLR, T_max=max_epochs)


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
