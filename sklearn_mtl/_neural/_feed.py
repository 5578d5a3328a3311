"""The batch feed of the skorch net: the target matrix and its labelled rows,
whole-tensor dataset, batch iterator, validation hold-out and the per-epoch
seeds."""

import numpy as np
import torch

from .._targets import as_2d_target, missing_mask


def target_matrix(tasks, encoded):
    """The target matrix the loss reads: int64 class codes (``-1``
    unlabelled) when every task is a classification task, else float32 with
    class codes and standardised values (NaN missing) side by side."""
    if all(kind == "classification" for kind in tasks.kinds):
        return np.column_stack(encoded).astype(np.int64, copy=False)
    return np.column_stack([np.asarray(e, dtype=np.float32) for e in encoded])


def training_rows(matrix, kinds):
    """The rows of a :func:`target_matrix` (tasks of ``kinds``) to train on,
    and their number: those with at least one target (a class code other
    than ``-1``, a value other than NaN), or all of them when every row, or
    none, has one. A row without any target carries no loss."""
    classes = np.array([kind == "classification" for kind in kinds])
    observed = np.where(classes, matrix >= 0, ~np.isnan(matrix.astype(np.float64, copy=False)))
    labelled = observed.any(axis=1)
    if labelled.all() or not labelled.any():
        return slice(None), matrix.shape[0]
    return labelled, int(labelled.sum())


def n_labelled(yb):
    """Rows of a raw target (a dask fit's block) with at least one target:
    those trained on, as :func:`training_rows` keeps them."""
    columns, _, _ = as_2d_target(yb, "y")
    return int((~np.column_stack([missing_mask(c) for c in columns]).all(axis=1)).sum())


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

    When shuffling, each pass draws its permutation from the iterator's own
    ``torch.Generator`` (never torch's global random state), which
    :class:`MultiTaskNet` reseeds with :meth:`reseed` at the start of every
    training epoch from its ``seed`` and the epoch number: the order of epoch
    ``k`` does not depend on how many ``fit`` calls led to it.

    A trailing batch of a single row is merged into the previous batch when
    training, so that batch normalisation always sees at least two rows.
    With ``shard=(rank, n_processes)`` (data-parallel training, see
    :mod:`._distributed`), a training pass covers the process's equal share
    of the permutation, which every process draws alike; the
    ``n_rows % n_processes`` rows left over change with every epoch.
    Shuffled batches are gathered copies, so a module with in-place
    operations never writes into the caller's arrays.
    """

    def __init__(self, dataset, batch_size, shuffle=False, shard=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.shard = shard
        self.generator = torch.Generator()

    def reseed(self, seed):
        """Seed the shuffling of the next pass."""
        self.generator.manual_seed(int(seed))

    def _n_rows(self):
        """Rows of a pass: this process's equal share with ``shard``."""
        n = len(self.dataset)
        return n if self.shard is None or not self.shuffle else n // self.shard[1]

    def _bounds(self):
        n = self._n_rows()
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
        perm = torch.randperm(len(self.dataset), generator=self.generator)
        if self.shard is not None:  # the same permutation on every process
            rank, n = self.shard[0], self._n_rows()
            perm = perm[rank * n:(rank + 1) * n]
        for start, stop in self._bounds():
            idx = perm[start:stop]
            yield X.index_select(0, idx), (None if y is None else y.index_select(0, idx))


def epoch_seed(seed, epoch):
    """The seed of training epoch ``epoch`` (1-based) of a net seeded with
    ``seed``: a pure function, so an interrupted run resumed from a
    checkpoint replays exactly the epochs it missed."""
    return int(np.random.SeedSequence([int(seed), int(epoch)]).generate_state(1)[0])


class HoldoutSplit:
    """skorch ``train_split`` holding out a random fraction for validation."""

    def __init__(self, fraction, seed):
        self.fraction = fraction
        self.seed = seed

    def n_valid(self, n):
        """Number of rows held out of ``n``."""
        return min(max(1, int(round(self.fraction * n))), n - 1)

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = self.n_valid(n)
        perm = np.random.RandomState(self.seed).permutation(n)
        return dataset.subset(np.sort(perm[n_valid:])), dataset.subset(np.sort(perm[:n_valid]))


class BlockHoldout:
    """skorch ``train_split`` of a dask fit: the given blocks are held out."""

    def __init__(self, blocks, n_rows):
        self.blocks = list(blocks)
        self.n_rows = n_rows

    def n_valid(self, n):
        """Rows held out (whatever ``n``, the stream's row count)."""
        return self.n_rows

    def __call__(self, dataset, y=None, **fit_params):
        held = set(self.blocks)
        return (dataset.subset([b for b in dataset.blocks if b not in held]),
                dataset.subset(self.blocks))
