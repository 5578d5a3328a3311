"""The skorch net that trains a :class:`MultiTaskNetwork`, and its data feed."""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from ..weighting._base import TaskBatch
from ._loss import masked_task_losses


class TensorDataset(torch.utils.data.Dataset):
    """Inputs and encoded targets held as whole tensors.

    skorch builds it through its ``dataset`` parameter; :class:`BatchIterator`
    slices it a batch at a time instead of collating rows one by one.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], (self.y[i] if self.y is not None else torch.empty(0))

    def subset(self, indices):
        indices = torch.as_tensor(indices, dtype=torch.long)
        y = None if self.y is None else self.y[indices]
        return TensorDataset(self.X[indices], y)


class BatchIterator:
    """Yield ``(X_batch, y_batch)`` by gathering whole batches of rows.

    Used as skorch's ``iterator_train``/``iterator_valid``. skorch's default
    ``DataLoader`` fetches and collates one row at a time, which dominates
    the cost of a small network; one ``index_select`` per batch does not.

    When shuffling, each pass draws its permutation from torch's global
    random state, which :class:`MultiTaskNet` seeds at the start of every
    training epoch from its ``seed`` and the epoch number: the order of
    epoch ``k`` does not depend on how many ``fit`` calls led to it.

    A trailing batch of a single row is merged into the previous batch when
    training, so that batch normalisation always sees at least two rows.
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def _bounds(self):
        n = len(self.dataset)
        starts = list(range(0, n, self.batch_size))
        if self.shuffle and len(starts) > 1 and n - starts[-1] == 1:
            starts.pop()
        return [(s, e) for s, e in zip(starts, starts[1:] + [n])]

    def __len__(self):
        return len(self._bounds())

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        if not self.shuffle:
            for start, stop in self._bounds():
                yield X[start:stop], (None if y is None else y[start:stop])
            return
        perm = torch.randperm(len(self.dataset))
        for start, stop in self._bounds():
            idx = perm[start:stop]
            yield X.index_select(0, idx), (None if y is None else y.index_select(0, idx))


def epoch_seed(seed, epoch):
    """The torch seed of training epoch ``epoch`` (1-based) of a net seeded
    with ``seed``: a pure function, so an interrupted run resumed from a
    checkpoint replays exactly the epochs it missed."""
    return int(np.random.SeedSequence([int(seed), int(epoch)]).generate_state(1)[0])


class HoldoutSplit:
    """skorch ``train_split`` holding out a random fraction for validation."""

    def __init__(self, fraction, seed):
        self.fraction = fraction
        self.seed = seed

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = min(max(1, int(round(self.fraction * n))), n - 1)
        perm = np.random.RandomState(self.seed).permutation(n)
        return dataset.subset(np.sort(perm[n_valid:])), dataset.subset(np.sort(perm[:n_valid]))


class MultiTaskNet(NeuralNet):
    """skorch ``NeuralNet`` whose loss is ``sum_j w_j * L_j``.

    ``L_j`` is the masked cross-entropy of task j (see
    :func:`masked_task_losses`). Per-task epoch losses are recorded in the
    history as ``train_loss_<task>`` and ``valid_loss_<task>``. Training
    stops with ``FloatingPointError`` naming the task and epoch as soon as a
    training loss becomes non-finite.

    Parameters
    ----------
    task_weights : ndarray of shape (n_tasks,)
        Validated, non-negative weights ``w_j``.
    task_names : sequence of str
        Names used in the history keys and error messages.
    weighting : WeightingStrategy or None, default=None
        A task-weighting strategy whose state is the module's
        ``task_weighting`` submodule; None trains the fixed weights alone,
        through the plain path. The strategy applies to training batches;
        validation losses are always ``sum_j w_j * L_j``.
    seed : int or None, default=None
        When set, torch's global random state is seeded with
        ``epoch_seed(seed, epoch)`` at the start of every training epoch, so
        shuffling and dropout of an epoch depend only on ``seed`` and its
        number ``len(history)``. The caller forks the random state around
        training (``MultiTaskClassifier`` does).
    **kwargs
        Passed on to :class:`skorch.NeuralNet`.

    The weights applied in each training epoch are recorded in the history
    as ``task_weights`` (one float per task: the mean over the epoch's
    batches of ``w_j * lambda_j``, over the batches where task j had
    labels).
    """

    def __init__(self, *args, task_weights, task_names, weighting=None, seed=None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.task_weights = task_weights
        self.task_names = task_names
        self.weighting = weighting
        self.seed = seed

    def _weights_on(self, like):
        cached = getattr(self, "_weights_tensor", None)
        if cached is None or cached.device != like.device or cached.dtype != like.dtype:
            cached = torch.as_tensor(
                np.asarray(self.task_weights), dtype=like.dtype, device=like.device
            )
            self._weights_tensor = cached
        return cached

    def combine_losses(self, losses):
        """The scalar training objective from per-task losses."""
        return (self._weights_on(losses) * losses).sum()

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        losses, counts = masked_task_losses(y_pred, y_true)
        detached = losses.detach()
        if getattr(self, "_epoch_sums", None) is None:
            self._epoch_sums = torch.zeros_like(detached)
            self._epoch_counts = torch.zeros_like(counts)
        self._epoch_sums += detached * counts
        self._epoch_counts += counts
        if not training or self.weighting is None:
            return self.combine_losses(losses)
        return self._strategy_objective(losses, counts)

    def _strategy_objective(self, losses, counts):
        """The training objective of the strategy ``weighting`` for a batch.

        For gradient-surgery strategies (``gradients="shared"``) it returns
        ``sum_j w_j * L_j``, whose backward pass trains the task-specific
        parameters, and stores the update of the shared parameters in
        ``_shared_update`` for :meth:`train_step_single`.
        """
        strategy = self.weighting
        base = self._weights_on(losses)
        active = (counts > 0) & (base > 0)
        gram = grads = None
        if strategy.gradients is not None:
            module = self.module_
            params = (module.shared_parameters() if strategy.gradients == "shared"
                      else module.last_shared_parameters())
            grads = _task_gradients(losses, active, params)
            gram = grads @ grads.T
        batch = TaskBatch(losses, active, base, gram)
        state = self.module_.task_weighting
        if strategy.gradients == "shared":
            weights = strategy.weights(batch, state).detach()
            self._shared_update = (params, (base * weights) @ grads)
            objective = self.combine_losses(losses)
        else:
            objective, weights = strategy.objective(batch, state)
        if getattr(self, "_weight_sums", None) is None:
            self._weight_sums = torch.zeros_like(weights)
            self._weight_counts = torch.zeros_like(counts)
        self._weight_sums += torch.where(active, base * weights, torch.zeros_like(weights))
        self._weight_counts += active
        return objective

    def train_step_single(self, batch, **fit_params):
        if self.weighting is None or self.weighting.gradients != "shared":
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        params, update = self._shared_update
        self._shared_update = None
        shared = {id(p) for p in params}
        others = [p for _, p in self.get_all_learnable_params() if id(p) not in shared]
        if others and loss.requires_grad:
            torch.autograd.backward(loss, inputs=others)
        offset = 0
        for p in params:
            p.grad = update[offset:offset + p.numel()].view_as(p).clone()
            offset += p.numel()
        return {"loss": loss, "y_pred": y_pred}

    def _record_task_weights(self):
        """Record the epoch's applied task weights in the history."""
        if self.weighting is None:
            applied = np.asarray(self.task_weights, dtype=float)
        else:
            sums = self._weight_sums.detach().cpu().numpy()
            n = self._weight_counts.cpu().numpy()
            applied = np.where(n > 0, sums / np.maximum(n, 1), 0.0)
        self.history.record("task_weights", [float(w) for w in applied])

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        self._epoch_sums = None
        self._epoch_counts = None
        if training:
            self._weight_sums = None
        if training and self.seed is not None:
            torch.manual_seed(epoch_seed(self.seed, len(self.history)))
        super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        if self._epoch_sums is None:
            return
        counts = self._epoch_counts.cpu().numpy()
        sums = self._epoch_sums.cpu().numpy()
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        for name, value in zip(self.task_names, means):
            self.history.record(f"{prefix}_loss_{name}", float(value))
        if training:
            self._record_task_weights()
            if self.weighting is not None:
                self.weighting.end_epoch(
                    torch.as_tensor(means, dtype=torch.float32, device=self._epoch_sums.device),
                    self.module_.task_weighting,
                )
            bad = ~np.isfinite(means) & (counts > 0)
            if bad.any():
                task = self.task_names[int(np.flatnonzero(bad)[0])]
                raise FloatingPointError(
                    f"The training loss of task {task!r} became non-finite at epoch "
                    f"{len(self.history)}. Lower lr, scale the inputs, or check X "
                    "for extreme values."
                )


def _task_gradients(losses, active, params):
    """Per-task gradients of ``params``, flattened: a (n_tasks, n_params)
    matrix whose rows of inactive tasks are zero."""
    n_params = sum(p.numel() for p in params)
    grads = losses.new_zeros((losses.shape[0], n_params))
    if n_params == 0:
        return grads
    for j in torch.nonzero(active).flatten().tolist():
        task_grads = torch.autograd.grad(losses[j], params, retain_graph=True,
                                         allow_unused=True)
        grads[j] = torch.cat([
            (g if g is not None else torch.zeros_like(p)).reshape(-1)
            for g, p in zip(task_grads, params)
        ])
    return grads
