"""The skorch net that trains a :class:`MultiTaskNetwork`."""

import contextlib

import numpy as np
import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from ..weighting._base import TaskBatch
from ._callbacks import DivergenceCheck, TaskLossRecorder
from ._feed import epoch_seed
from ._loss import TaskCriterion
from ._random import draws_global_random_numbers, seeded_global_rng


class MultiTaskNet(NeuralNet):
    """skorch ``NeuralNet`` whose loss is ``sum_j w_j * lambda_j * L_j``.

    ``L_j`` is the masked loss of task j, by its kind (see
    :class:`~._loss.TaskLoss`), ``w_j`` the fixed ``task_weights`` and
    ``lambda_j`` what the ``weighting`` strategy gives for the batch (1 for
    :class:`~sklearn_mtl.weighting.StaticWeighting`). Each step returns the
    per-task losses too; the callbacks :class:`TaskLossRecorder` and
    :class:`DivergenceCheck`, added before skorch's ``print_log``, record
    them and stop a diverging fit.

    The module is in evaluation mode except inside training steps: a
    fitted net predicts without changing its module.

    Parameters
    ----------
    task_weights : ndarray of shape (n_tasks,)
        Validated, non-negative weights ``w_j``.
    task_names : sequence of str
        Names used in the history keys and error messages.
    task_kinds : sequence of str, default=None
        Kind of each task; None: every task a classification task.
    regression_loss : {"squared_error", "huber"}, default="squared_error"
        Loss of the regression tasks.
    weighting : WeightingStrategy
        The task-weighting strategy; its state is the module's
        ``task_weighting`` submodule. It applies to training batches;
        validation losses are always ``sum_j w_j * L_j``.
    seed : int
        Seeds every training epoch from ``epoch_seed(seed, epoch)``: the
        shuffling (the iterator's own generator), the strategy's draws
        (the net's ``generator_``) and, only for a module with random
        layers, torch's global random state, forked under a process-wide
        lock for the length of the fit (see :mod:`._random`).
    **kwargs
        Passed on to :class:`skorch.NeuralNet`.
    """

    cuda_dependent_attributes_ = [*NeuralNet.cuda_dependent_attributes_, "task_weights_tensor_"]

    def __init__(self, *args, task_weights, task_names, weighting, seed=0, task_kinds=None,
                 regression_loss="squared_error", **kwargs):
        super().__init__(*args, **kwargs)
        self.task_weights = task_weights
        self.task_names = task_names
        self.task_kinds = task_kinds
        self.regression_loss = regression_loss
        self.weighting = weighting
        self.seed = seed

    # ------------------------------------------------------------ set-up
    def get_default_callbacks(self):
        # skorch's PrintLog tabulates every epoch even when verbose=0, a cost
        # that grows with the per-task history keys: it only runs when printing
        callbacks = [(name, cb) for name, cb in super().get_default_callbacks()
                     if self.verbose or name != "print_log"]
        ours = [("task_losses", TaskLossRecorder()), ("divergence", DivergenceCheck())]
        names = [name for name, _ in callbacks]
        at = names.index("print_log") if "print_log" in names else len(callbacks)
        return callbacks[:at] + ours + callbacks[at:]

    def initialize(self):
        super().initialize()
        self._initialize_run_state()
        self.module_.eval()
        return self

    def _initialize_run_state(self):
        """The state derived from the parameters: the weights tensor, the
        strategy's generator and whether training draws global random numbers."""
        self.task_weights_tensor_ = torch.as_tensor(
            np.asarray(self.task_weights), dtype=torch.float32, device=self.device
        )
        self.generator_ = torch.Generator()
        self.uses_global_rng_ = draws_global_random_numbers(self.module_)

    def initialize_criterion(self):
        """``criterion_``: the per-task loss of the tasks' kinds."""
        kinds = getattr(self, "task_kinds", None) or ["classification"] * len(self.task_names)
        self.criterion_ = TaskCriterion(kinds, getattr(self, "regression_loss", "squared_error"))
        return self

    @property
    def task_loss_(self):
        """The :class:`TaskLoss` of ``criterion_``."""
        return self.criterion_.task_loss

    def __setstate__(self, state):
        # nets pickled before the task kinds: every task a classification task
        state = {"task_kinds": None, "regression_loss": "squared_error", **state}
        super().__setstate__(state)
        if "module_" in state:  # a fitted net; older pickles lack the run state
            self.module_.eval()
            if "generator_" not in state:
                self._initialize_run_state()
            if not isinstance(state.get("criterion_"), TaskCriterion):  # older pickles
                self.initialize_criterion()

    def rewire(self, *, task_weights, weighting, optimizer, **params):
        """Continue training the same network with new settings (warm start).

        ``task_weights`` and ``weighting`` replace the current ones (the
        strategy's learned state in ``module_.task_weighting`` is kept);
        a new ``optimizer`` class starts a fresh optimizer; ``params``
        (``lr``, ``batch_size``, ``max_epochs``, ``callbacks``,
        ``train_split``, ``optimizer__weight_decay``, ...) are set with
        skorch's ``set_params``, which updates the optimizer's learning
        rate and weight decay in place.
        """
        self.task_weights = task_weights
        self.weighting = weighting
        for name in [k for k in params if k.startswith("iterator_")]:
            setattr(self, name, params.pop(name))  # skorch's set_params refuses these
        params.setdefault("optimizer__weight_decay", 0.0)
        self.set_params(**params)
        if "callbacks" in params:
            self.initialize_callbacks()
        if optimizer is not self.optimizer:
            self.optimizer = optimizer
            self.initialize_optimizer()
        self.initialize_criterion()  # regression_loss may have changed
        self._initialize_run_state()
        return self

    # ---------------------------------------------------------- training
    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        guard = (seeded_global_rng(self.seed, torch.device(self.device))
                 if self.uses_global_rng_ else contextlib.nullcontext())
        with guard:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def on_train_end(self, *args, **kwargs):
        super().on_train_end(*args, **kwargs)
        self.module_.eval()

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if training and iterator is not None:
            seed = epoch_seed(self.seed, len(self.history))
            if hasattr(iterator, "reseed"):  # BatchIterator, StreamIterator
                iterator.reseed(seed)
            self.generator_.manual_seed(seed + 1)
            if self.uses_global_rng_:
                torch.manual_seed(seed)
        super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)

    def task_losses(self, y_pred, y_true):
        """Per-task losses and label counts of a batch."""
        return self.criterion_(y_pred, to_tensor(y_true, device=self.device))

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """``sum_j w_j * L_j``, the validation loss (and the skorch API's)."""
        losses, _ = self.task_losses(y_pred, y_true)
        return (self.task_weights_tensor_ * losses).sum()

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        Xi, yi = unpack_data(batch)
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            losses, counts = self.task_losses(y_pred, yi)
            loss = (self.task_weights_tensor_ * losses).sum()
        return {"loss": loss, "y_pred": y_pred, "task_losses": losses, "task_counts": counts}

    def train_step_single(self, batch, **fit_params):
        """One batch: the strategy's objective and its backward pass.

        For gradient-surgery strategies (``gradients="shared"``) the task-
        specific parameters follow the gradient of ``sum_j w_j * L_j`` and
        the shared ones the strategy's combination of the task gradients.
        """
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        losses, counts = self.task_losses(y_pred, yi)
        strategy = self.weighting
        base = self.task_weights_tensor_
        active = (counts > 0) & (base > 0)
        params = grads = gram = None
        if strategy.gradients is not None:
            module = self.module_
            params = (module.shared_parameters() if strategy.gradients == "shared"
                      else module.last_shared_parameters())
            grads = task_gradients(losses, active, params)
            gram = grads @ grads.T
        batch = TaskBatch(losses, active, base, gram, self.generator_)
        state = self.module_.task_weighting
        if strategy.gradients == "shared":
            weights = strategy.weights(batch, state).detach()
            loss = (base * losses).sum()
            self._backward_surgery(loss, params, (base * weights) @ grads)
        else:
            loss, weights = strategy.objective(batch, state)
            loss.backward()
        return {"loss": loss, "y_pred": y_pred, "task_losses": losses.detach(),
                "task_counts": counts, "task_weights": base * weights, "task_active": active}

    def _backward_surgery(self, loss, params, update):
        """Gradients of ``loss`` for the task-specific parameters, and
        ``update`` (flattened) for the shared ``params``."""
        shared = {id(p) for p in params}
        others = [p for _, p in self.get_all_learnable_params() if id(p) not in shared]
        if others and loss.requires_grad:
            torch.autograd.backward(loss, inputs=others)
        offset = 0
        for p in params:
            p.grad = update[offset:offset + p.numel()].view_as(p).clone()
            offset += p.numel()


def task_gradients(losses, active, params):
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
