"""The masked multi-task cross-entropy."""

import torch


def masked_task_losses(logits, y):
    """Per-task mean cross-entropy over the labelled samples of a batch.

    Parameters
    ----------
    logits : Tensor of shape (n, n_tasks, max_classes) or (n, k, n_tasks, max_classes)
        Output of :class:`MultiTaskNetwork`; padded classes hold ``-inf``.
        With a member axis (the ``k`` members of a TabM ensemble), a
        sample's loss is the mean of its members' cross-entropies.
    y : Tensor of shape (n, n_tasks), integer
        Class codes, ``-1`` where a sample is unlabelled for a task.

    Returns
    -------
    losses : Tensor of shape (n_tasks,)
        ``L_j``, the mean cross-entropy of task j over its labelled samples;
        exactly 0 for a task with no labelled sample in the batch.
    counts : Tensor of shape (n_tasks,)
        Number of labelled samples of each task in the batch.
    """
    labelled = y >= 0
    log_proba = torch.log_softmax(logits, dim=-1)
    codes = y.clamp(min=0).unsqueeze(-1)
    if logits.dim() == 4:
        codes = codes.unsqueeze(1).expand(-1, logits.shape[1], -1, -1)
        picked = log_proba.gather(-1, codes).squeeze(-1).mean(dim=1)
    else:
        picked = log_proba.gather(-1, codes).squeeze(-1)
    nll = torch.where(labelled, -picked, torch.zeros_like(picked))
    counts = labelled.sum(dim=0)
    losses = nll.sum(dim=0) / counts.clamp(min=1).to(nll.dtype)
    return losses, counts
