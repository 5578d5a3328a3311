"""Data-parallel training over several processes, through Hugging Face
``accelerate`` (``MultiTaskClassifier(accelerator=Accelerator())``).

The script is started by ``accelerate launch`` or ``torchrun`` on several
processes (GPUs, or CPU processes on the gloo backend, on one or several
machines); every process runs the same ``fit`` on the same X and y.
``accelerate`` sets up the process group and names each process's device.
Then:

* the processes agree on the seeds of rank 0 (initialisation, hold-out
  split, shuffling) and start from rank 0's parameters;
* each training epoch, every process draws the same permutation of the
  training rows and trains on its own equal share of it (``batch_size``
  rows per step and process: the global batch is ``batch_size`` times the
  number of processes);
* after each backward pass the gradients are averaged across processes in
  one all-reduce (what ``DistributedDataParallel`` does, without wrapping
  the module, so that the fitted module stays a plain one that pickles and
  predicts in a single process), so the parameters stay identical;
* the epoch's per-task loss sums, label counts and applied task weights are
  summed across processes at the end of the epoch (by
  :class:`._callbacks.TaskLossRecorder`), so the per-task history, the
  weighting strategies' epoch updates and everything derived from them
  agree on every rank; the validation rows are not split (every process
  scores all of them), so early stopping decides the same on every rank.
  skorch's own ``train_loss`` is each process's mean over its batches.

Strategies that combine per-task gradients (``gradnorm``, ``pcgrad``,
``mgda``) are refused with more than one process. The accelerator's mixed
precision (``Accelerator(mixed_precision="bf16")``) applies to the training
and validation passes, in one process too; ``predict`` stays in float32.
"""

import torch
from skorch.callbacks import Callback


class DataParallel:
    """What a fit needs to know of the processes it runs in.

    Parameters
    ----------
    accelerator : accelerate.Accelerator
        Its ``num_processes``, ``process_index`` and ``device``.
    """

    def __init__(self, accelerator):
        self.accelerator = accelerator
        self.world_size = int(accelerator.num_processes)
        self.rank = int(accelerator.process_index)
        device = torch.device(accelerator.device)
        # "cpu:0" would be saved with the model, which torch cannot load back
        self.device = torch.device("cpu") if device.type == "cpu" else device

    @property
    def distributed(self):
        """Whether more than one process trains."""
        return self.world_size > 1

    def check_strategy(self, strategy):
        """Refuse a strategy that needs per-task gradients (several processes)."""
        if self.distributed and strategy.gradients is not None:
            raise ValueError(
                f"weighting={type(strategy).__name__} combines per-task gradients, which "
                f"data-parallel training over {self.world_size} processes does not "
                "compute (each process only all-reduces the gradient of its total loss). "
                "Use a loss-based strategy ('static', 'uncertainty', 'dwa', 'rlw') or "
                "train in one process."
            )

    def agree(self, seeds):
        """Rank 0's ``seeds`` on every process."""
        if not self.distributed:
            return seeds
        shared = torch.as_tensor(seeds, dtype=torch.int64, device=self._comm_device)
        torch.distributed.broadcast(shared, src=0)
        return shared.cpu().numpy()

    def net_params(self, params):
        """``params`` of the net, with each process's share of every epoch and
        the synchronisation callback when several processes train."""
        if self.distributed:
            params["iterator_train__shard"] = (self.rank, self.world_size)
            params["callbacks"] = [*params["callbacks"], ("rank_sync", RankSync())]
        return params

    def start_together(self, module):
        """Rank 0's parameters and buffers on every process."""
        if not self.distributed:
            return
        with torch.no_grad():
            for tensor in [*module.parameters(), *module.buffers()]:
                torch.distributed.broadcast(tensor.data, src=0)

    def autocast(self):
        """The accelerator's mixed precision (``mixed_precision="bf16"`` or
        ``"fp16"``) around the training passes; a no-op without it."""
        return self.accelerator.autocast()

    @property
    def _comm_device(self):
        return self.device if torch.distributed.get_backend() == "nccl" else torch.device("cpu")


def data_parallel(accelerator):
    """The :class:`DataParallel` of an ``accelerator``, or None without one."""
    return None if accelerator is None else DataParallel(accelerator)


class RankSync(Callback):
    """Average the gradients across processes, in one all-reduce before the
    optimizer steps. (:class:`TaskLossRecorder` pools the epoch's per-task
    sums itself when the net trains on a shard.)"""

    def on_grad_computed(self, net, named_parameters, training=None, **kwargs):
        if not training or not torch.distributed.is_initialized():
            return
        grads = [p.grad for _, p in named_parameters if p.grad is not None]
        flat = sum_over_processes(torch.cat([g.reshape(-1) for g in grads]))
        flat /= torch.distributed.get_world_size()
        offset = 0
        for g in grads:
            g.copy_(flat[offset:offset + g.numel()].view_as(g))
            offset += g.numel()


def sum_over_processes(tensor):
    """The sum of ``tensor`` over the processes (through the CPU on gloo); a
    copy of it outside a process group."""
    tensor = tensor.detach().clone()
    if not torch.distributed.is_initialized():
        return tensor
    device = tensor.device
    if torch.distributed.get_backend() != "nccl":
        tensor = tensor.cpu()
    torch.distributed.all_reduce(tensor)
    return tensor.to(device)
