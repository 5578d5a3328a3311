"""The masked per-task losses, one per kind of task.

``TASK_LOSSES[kind]`` gives the losses of the tasks of one kind, as sums
over the observed entries of a batch and their counts; :class:`TaskLoss`
combines them for the tasks of a network, in column order:

* classification: cross-entropy over the labelled samples (codes ``-1``
  where unlabelled), with optional label smoothing in training;
* regression: squared error (or Huber, ``delta=1``) between the first output
  of the task's head and the standardised target, over the observed samples
  (``NaN`` where missing). Targets are standardised by their
  :class:`~sklearn_mtl._tasks.RegressionTask`, so a task's loss and weight
  mean the same whatever its units.
"""

import torch
from torch import nn
from torch.nn import functional as F

REGRESSION_LOSSES = ("squared_error", "huber")
"""The values of ``regression_loss``."""


def cross_entropy_sums(outputs, y, label_smoothing=0.0):
    """Summed cross-entropy and label counts of each classification task.

    Parameters
    ----------
    outputs : Tensor of shape (n, n_tasks, width) or (n, k, n_tasks, width)
        Logits; padded classes hold ``-inf``. With a member axis (the ``k``
        members of a TabM ensemble), a sample's loss is the mean of its
        members' cross-entropies.
    y : Tensor of shape (n, n_tasks)
        Class codes, ``-1`` where a sample is unlabelled (any dtype).
    label_smoothing : float, default=0.0
        ``eps``: the target puts ``1 - eps`` on the label and spreads
        ``eps`` evenly over the task's own classes (not its padded ones),
        so the loss is ``(1 - eps) * nll + eps * mean_c(-log p_c)``.

    Returns
    -------
    sums, counts : Tensors of shape (n_tasks,)
    """
    y = y.long()
    if label_smoothing:
        nll = cross_entropy_sums(outputs, y)[0]
        return ((1 - label_smoothing) * nll
                + label_smoothing * _uniform_cross_entropy_sums(outputs, y)), (y >= 0).sum(dim=0)
    # cross_entropy over the classes of a (n, width, n_tasks) view: torch's
    # fused per-position kernel, ~2.5x faster at 32 tasks than a log_softmax
    # along a short last axis followed by a gather
    if outputs.dim() == 4:  # (n, k, n_tasks, C): the mean of the k members' losses
        members = y.unsqueeze(1).expand(-1, outputs.shape[1], -1)
        nll = F.cross_entropy(outputs.permute(0, 3, 1, 2), members, ignore_index=-1,
                              reduction="none").mean(dim=1)
    else:
        nll = F.cross_entropy(outputs.transpose(1, 2), y, ignore_index=-1, reduction="none")
    return nll.sum(dim=0), (y >= 0).sum(dim=0)


def _uniform_cross_entropy_sums(outputs, y):
    """Summed cross-entropy to the uniform distribution over each task's own
    classes (its finite logits), over the labelled samples: the smoothing
    term of :func:`cross_entropy_sums`. torch's ``label_smoothing`` would
    spread the target over the padded classes too, whose ``-inf`` logits
    make it infinite."""
    real = torch.isfinite(outputs)
    neg_log_p = torch.where(real, -outputs.log_softmax(dim=-1), 0.0)
    uniform = neg_log_p.sum(dim=-1) / real.sum(dim=-1).clamp(min=1)
    if uniform.dim() == 3:  # (n, k, n_tasks): the mean over the members
        uniform = uniform.mean(dim=1)
    return torch.where(y >= 0, uniform, 0.0).sum(dim=0)


def regression_sums(outputs, y, regression_loss="squared_error"):
    """Summed squared error (or Huber loss) and counts of each regression task.

    Parameters
    ----------
    outputs : Tensor of shape (n, n_tasks, width) or (n, k, n_tasks, width)
        Head outputs; the prediction of a task is its first output. With a
        member axis, a sample's loss is the mean of its members' losses.
    y : Tensor of shape (n, n_tasks), float
        Standardised targets, ``NaN`` where missing.
    regression_loss : {"squared_error", "huber"}, default="squared_error"

    Returns
    -------
    sums, counts : Tensors of shape (n_tasks,)
    """
    pred = outputs[..., 0]
    observed = y == y  # not NaN
    # one host sync: most batches miss no target, and masking costs a tenth of a small step
    complete = bool(observed.all())
    target = (y if complete else torch.nan_to_num(y, nan=0.0)).to(pred.dtype)
    if pred.dim() == 3:  # (n, k, n_tasks)
        target = target.unsqueeze(1).expand_as(pred)
    if regression_loss == "huber":
        errors = F.huber_loss(pred, target, reduction="none", delta=1.0)
    else:
        errors = (pred - target).square()
    if pred.dim() == 3:
        errors = errors.mean(dim=1)
    if complete:
        return errors.sum(dim=0), torch.full((y.shape[1],), y.shape[0], device=y.device)
    errors = torch.where(observed, errors, 0.0)
    return errors.sum(dim=0), observed.sum(dim=0)


TASK_LOSSES = {"classification": cross_entropy_sums, "regression": regression_sums}
"""The loss of each kind of task: ``(outputs, y) -> (sums, counts)`` per task."""


class TaskLoss:
    """The per-task mean losses of a network whose tasks have ``kinds``.

    Parameters
    ----------
    kinds : sequence of str
        The kind of each task, in column order.
    regression_loss : {"squared_error", "huber"}, default="squared_error"
        Loss of the regression tasks.
    label_smoothing : float, default=0.0
        Label smoothing of the classification tasks' cross-entropy (see
        :func:`cross_entropy_sums`), applied only when called with
        ``training=True``: validation losses stay the plain log loss.

    Calling it on ``(outputs, y)`` (the network's outputs and a target
    batch of shape ``(n, n_tasks)``: class codes, standardised values, or
    both as floats for mixed kinds) returns ``(losses, counts)``:
    ``losses[j]`` is task j's mean loss over its observed samples (exactly 0
    with none), ``counts[j]`` their number.
    """

    def __init__(self, kinds, regression_loss="squared_error", label_smoothing=0.0):
        self.kinds = list(kinds)
        self.regression_loss = regression_loss
        self.label_smoothing = label_smoothing
        self.groups = {kind: [j for j, k in enumerate(self.kinds) if k == kind]
                       for kind in TASK_LOSSES}
        self.single = next((kind for kind, cols in self.groups.items()
                            if len(cols) == len(self.kinds)), None)
        self._index = {}

    def _sums(self, kind, outputs, y, training):
        if kind == "regression":
            return regression_sums(outputs, y, self.regression_loss)
        return cross_entropy_sums(outputs, y, self.label_smoothing if training else 0.0)

    def __call__(self, outputs, y, training=False):
        if self.single is not None:
            sums, counts = self._sums(self.single, outputs, y, training)
        else:
            n_tasks = len(self.kinds)
            sums = outputs.new_zeros(n_tasks)
            counts = torch.zeros(n_tasks, dtype=torch.long, device=outputs.device)
            for kind, cols in self.groups.items():
                if not cols:
                    continue
                index = self._columns(kind, cols, outputs.device)
                kind_sums, kind_counts = self._sums(
                    kind, outputs.index_select(-2, index), y.index_select(1, index), training)
                sums = sums.index_copy(0, index, kind_sums.to(sums.dtype))
                counts = counts.index_copy(0, index, kind_counts)
        return sums / counts.clamp(min=1).to(sums.dtype), counts

    def _columns(self, kind, cols, device):
        key = (kind, str(device))
        if key not in self._index:
            self._index[key] = torch.tensor(cols, dtype=torch.long, device=device)
        return self._index[key]

    def __getstate__(self):
        return {**self.__dict__, "_index": {}}

    def __setstate__(self, state):
        self.__dict__.update({"label_smoothing": 0.0, **state})  # older pickles lack it


class TaskCriterion(nn.Module):
    """The net's skorch criterion: :class:`TaskLoss` as a module, so that
    ``criterion_`` is the loss the net trains on (and checkpoints, which
    save a criterion's state, work). It returns the per-task losses and
    counts; the net weights and sums them. Label smoothing applies in
    training mode only (skorch sets the criterion's mode with the
    module's)."""

    def __init__(self, kinds, regression_loss="squared_error", label_smoothing=0.0):
        super().__init__()
        self.task_loss = TaskLoss(kinds, regression_loss, label_smoothing)

    def forward(self, outputs, y):
        return self.task_loss(outputs, y, training=self.training)


def masked_task_losses(outputs, y):
    """Per-task mean cross-entropy over the labelled samples of a batch
    (every task a classification task); see :class:`TaskLoss`."""
    return TaskLoss(["classification"] * y.shape[1])(outputs, y)
