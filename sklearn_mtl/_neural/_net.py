"""The skorch net that trains a :class:`MultiTaskNetwork`."""

import contextlib

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from ..weighting import StaticWeighting
from ..weighting._base import TaskBatch
from ._callbacks import DivergenceCheck, TaskLossRecorder
from ._feed import epoch_seed
from ._loss import TaskCriterion
from ._random import draws_global_random_numbers, seed_global_rng, seeded_global_rng


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
    label_smoothing : float, default=0.0
        Label smoothing of the classification tasks' training loss (the
        validation loss is the plain cross-entropy).
    average_weights : float, default=0.0
        Decay of an exponential moving average of the module's weights
        along the run (:class:`WeightAverage`), 0 for none. The average is
        in the module for validation (so early stopping judges and keeps
        it), at every epoch's end and after training.
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
                 regression_loss="squared_error", label_smoothing=0.0, average_weights=0.0,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.task_weights = task_weights
        self.task_names = task_names
        self.task_kinds = task_kinds
        self.regression_loss = regression_loss
        self.label_smoothing = label_smoothing
        self.average_weights = average_weights
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
        self.criterion_ = TaskCriterion(kinds, getattr(self, "regression_loss", "squared_error"),
                                        getattr(self, "label_smoothing", 0.0))
        self.criterion_.eval()  # training mode (label smoothing) in training steps only
        return self

    @property
    def task_loss_(self):
        """The :class:`TaskLoss` of ``criterion_``."""
        return self.criterion_.task_loss

    def __setstate__(self, state):
        # nets pickled before the task kinds: every task a classification task
        state = {"task_kinds": None, "regression_loss": "squared_error", "label_smoothing": 0.0,
                 "average_weights": 0.0, "weight_average_": None, **state}
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
        self.initialize_criterion()  # regression_loss or label_smoothing may have changed
        self._initialize_run_state()
        return self

    # ---------------------------------------------------------- training
    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        guard = (seeded_global_rng(self.seed, torch.device(self.device))
                 if self.uses_global_rng_ else contextlib.nullcontext())
        with guard:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def on_train_begin(self, *args, **kwargs):
        super().on_train_begin(*args, **kwargs)
        decay = getattr(self, "average_weights", 0.0)
        self.weight_average_ = WeightAverage(self.module_, decay) if decay else None

    def on_train_end(self, *args, **kwargs):
        # before the callbacks': early stopping then restores its best
        # epoch, whose weights were the average too
        if getattr(self, "weight_average_", None) is not None:
            self.weight_average_.apply(self.module_)
            self.weight_average_ = None
        super().on_train_end(*args, **kwargs)
        self._set_training(False)

    def _set_training(self, training=True):
        """skorch's mode switch, skipped for a module or criterion already in
        that mode: skorch calls it at every step, and ``Module.train`` walks
        every submodule (a tenth of a small network's step time).
        ``Module.train`` always sets a whole tree, so the root's flag tells
        the mode of the tree that this net last set."""
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def notify(self, method_name, **cb_kwargs):
        """skorch's ``notify``, except that the per-step hooks skip the
        callbacks that do not override skorch's no-op ones: skorch calls
        every callback three times per step."""
        if method_name not in ("on_batch_begin", "on_batch_end", "on_grad_computed"):
            return super().notify(method_name, **cb_kwargs)
        getattr(self, method_name)(self, **cb_kwargs)
        no_op = getattr(Callback, method_name)
        for _, cb in self.callbacks_:
            method = getattr(cb, method_name)
            if getattr(method, "__func__", None) is not no_op:
                method(self, **cb_kwargs)

    def train_step(self, batch, **fit_params):
        step = super().train_step(batch, **fit_params)
        if self.weight_average_ is not None:
            self.weight_average_.update(self.module_)
        return step

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        average = getattr(self, "weight_average_", None)
        if average is not None and iterator is not None:
            # train the raw weights, validate the average (left in the module
            # until the next training epoch, for the epoch-end callbacks)
            if training:
                average.restore(self.module_)
            else:
                average.apply(self.module_)
        if training and iterator is not None:
            seed = epoch_seed(self.seed, len(self.history))
            if hasattr(iterator, "reseed"):  # BatchIterator, StreamIterator
                iterator.reseed(seed)
            self.generator_.manual_seed(seed + 1)
            if self.uses_global_rng_:
                seed_global_rng(seed, torch.device(self.device))
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
        if is_static(strategy):  # lambda = 1: the applied weights are the base ones
            loss = (base * losses).sum()
            loss.backward()
            return {"loss": loss, "y_pred": y_pred, "task_losses": losses.detach(),
                    "task_counts": counts}
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


class WeightAverage:
    """An exponential moving average of a module's weights along a run.

    ``update`` after every optimiser step moves the average towards the
    module's state by ``1 - d`` with ``d = min(decay, (1 + t) / (10 + t))``
    at step ``t`` (TensorFlow's warm-up, so the random initial weights fade
    within the first steps); ``apply`` puts the average in the module,
    keeping the raw weights, and ``restore`` puts those back. Parameters
    and floating buffers are averaged, except the task-weighting strategy's
    state (``task_weighting.*``), which follows the run.

    Parameters
    ----------
    module : torch.nn.Module
    decay : float in (0, 1)
    """

    def __init__(self, module, decay):
        self.decay = decay
        self.steps = 0
        self.average = {k: v.detach().clone() for k, v in module.state_dict().items()}
        self.raw = None

    @staticmethod
    def averaged(key, value):
        return value.is_floating_point() and not key.startswith("task_weighting.")

    @torch.no_grad()
    def update(self, module):
        self.steps += 1
        weight = 1 - min(self.decay, (1 + self.steps) / (10 + self.steps))
        for key, value in module.state_dict().items():
            if self.averaged(key, value):
                self.average[key].lerp_(value, weight)
            else:
                self.average[key].copy_(value)

    def apply(self, module):
        if self.raw is None:
            self.raw = {k: v.detach().clone() for k, v in module.state_dict().items()}
            module.load_state_dict(self.average)

    def restore(self, module):
        if self.raw is not None:
            module.load_state_dict(self.raw)
            self.raw = None


def is_static(strategy):
    """Whether ``strategy`` applies the base weights as they are (``lambda =
    1`` for every batch): :class:`~sklearn_mtl.weighting.StaticWeighting`,
    or a subclass that keeps its weights and objective. Its training steps
    skip the strategy's per-batch bookkeeping."""
    cls = type(strategy)
    return (isinstance(strategy, StaticWeighting) and strategy.gradients is None
            and cls.weights is StaticWeighting.weights
            and cls.objective is StaticWeighting.objective
            and cls.penalty is StaticWeighting.penalty)


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
