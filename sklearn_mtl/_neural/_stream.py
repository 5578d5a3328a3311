"""Fitting a network on dask collections, block by block: data larger than
memory.

``fit(X, y)`` with a dask array or DataFrame ``X`` and ``y`` comes here, and
nothing is ever computed whole:

1. the row blocks of X and y are paired (an array is rechunked to the other
   collection's row blocks);
2. a random ``validation_fraction`` of the blocks is held out for early
   stopping (whole blocks: a block is read whole or not at all);
3. one survey pass over the blocks fits the tasks on the whole target
   (:class:`~sklearn_mtl._tasks.TargetSurvey`: the classes of each
   classification task, the exact mean and standard deviation of each
   regression target, the kinds the inference rule gives the whole
   columns), checks every block as ``fit`` checks an in-memory X and y,
   and keeps a bounded sample
   of at most :data:`SAMPLE_ROWS` training rows (as many from each training
   block), from which the input normalisation and the network are learned:
   the normaliser's statistics, the numeric embeddings' bins, and whatever
   else the builder learns from the training rows;
4. every epoch, :class:`StreamIterator` visits the training blocks in a new
   random order, loads them a window of about :data:`WINDOW_ROWS` rows at a
   time (dask computes the next window in a background thread while the
   current one trains) and shuffles the rows within each window, so that a
   batch mixes rows of several blocks; the held-out blocks are read in
   order for the validation loss.

The memory used is two windows, the sample and the network, whatever the
number of rows. dask is imported only by a dask fit.
"""

import concurrent.futures
import math

import numpy as np
import torch
from sklearn.utils import check_random_state

from .._base import MultiTaskClassifierMixin
from .._labels import same_classes
from .._tasks import TargetSurvey
from ._feed import BlockHoldout, n_labelled, training_rows
from ._normalize import fit_normalizer, normalize

SAMPLE_ROWS = 65536
"""Most rows of the sample the network is built from (embedding bins)."""
WINDOW_ROWS = 262144
"""Rows loaded and shuffled together: consecutive blocks of the epoch's
random block order are gathered until the window holds at least this many."""


def fit_stream(estimator, X, y):
    """``estimator.fit(X, y)`` for dask collections ``X`` and ``y``."""
    if estimator.accelerator is not None:
        raise ValueError(
            "A dask fit runs in one process: it does not combine with accelerator yet. "
            "Set accelerator=None, or give each process in-memory arrays."
        )
    continuing = estimator.warm_start and hasattr(estimator, "net_")
    pairs = row_blocks(X, y)
    n_blocks = len(pairs)
    rng = np.random.RandomState(check_random_state(estimator.random_state)
                                .randint(np.iinfo(np.int32).max))
    valid = np.zeros(n_blocks, dtype=bool)
    if estimator.early_stopping:
        if n_blocks < 2:
            raise ValueError(
                "early_stopping on a dask X holds out whole row blocks, and X has "
                f"{n_blocks} block: rechunk X into more row blocks or set "
                "early_stopping=False."
            )
        n_valid = min(max(1, round(estimator.validation_fraction * n_blocks)), n_blocks - 1)
        valid[rng.permutation(n_blocks)[:n_valid]] = True
    survey = _survey(estimator, pairs, ~valid, rng, continuing, _known_rows(y))
    targets = _sample_targets(estimator, survey, continuing)
    if not continuing:  # the input normalisation, learned from the sample too
        kind = estimator.input_normalization if estimator.module is None else None
        estimator.input_normalizer_ = fit_normalizer(survey.X_sample, kind)
    X_sample = normalize(estimator.input_normalizer_, survey.X_sample)
    lengths = survey.lengths
    blocks = [b for b in range(n_blocks) if lengths[b] > 0]
    stream = BlockStream(pairs, lengths, _block_reader(estimator), blocks)
    if estimator.early_stopping:
        held_out = [b for b in blocks if valid[b]]
        if not held_out or len(held_out) == len(blocks):
            raise ValueError(
                "early_stopping on a dask X needs rows in both the held-out and the "
                "training blocks; the held-out blocks are empty. Rechunk X or set "
                "early_stopping=False."
            )
        stream.holdout = BlockHoldout(held_out, sum(lengths[b] for b in held_out))
    return estimator._train(X_sample, targets, continuing,
                            epochs=estimator.max_epochs,
                            early_stopping=estimator.early_stopping, stream=stream)


def _sample_targets(estimator, survey, continuing):
    """The ``(tasks, matrix)`` of the sample's rows, the estimator's tasks
    fitted on the whole target (a new fit) or checked against it (a
    continued one, as in memory)."""
    n = len(survey.X_sample)
    if not isinstance(estimator, MultiTaskClassifierMixin):
        tasks = None if continuing else survey.targets.task_set()
        return estimator._network_targets(survey.y_sample, n, continuing, tasks=tasks)
    classes = [task.classes_ for task in survey.targets.task_set()]
    if continuing:
        if not same_classes(estimator._classes_list, classes):
            raise ValueError(
                "Continued training (warm_start) requires y to have the same tasks and "
                f"classes as the previous fit; got {[c.tolist() for c in classes]} "
                f"instead of {[c.tolist() for c in estimator._classes_list]}."
            )
        encoded = estimator._continued_targets(survey.y_sample, n)
    else:
        encoded = estimator._fit_targets(survey.y_sample, n_samples=n, classes=classes)
    return estimator._as_network_targets(encoded)


def _block_targets(estimator, yb, n_rows):
    """A block's target matrix, encoded with the fitted tasks (a block may
    lack some classes)."""
    if isinstance(estimator, MultiTaskClassifierMixin):
        return estimator._continued_targets(yb, n_rows).codes
    return estimator._network_targets(yb, n_rows, continuing=True)[1]


def _known_rows(y):
    """The rows of ``y`` when dask knows them without computing (else None)."""
    rows = y.shape[0] if hasattr(y, "chunks") else float("nan")
    return None if math.isnan(rows) else int(rows)


def row_blocks(X, y):
    """The row blocks of X and y as pairs of dask ``Delayed`` objects."""
    import dask.array as da

    for name, value in (("X", X), ("y", y)):
        if not (isinstance(value, da.Array) or hasattr(value, "to_delayed")):
            raise TypeError(
                "A dask fit needs X and y both as dask arrays, DataFrames or Series; "
                f"got {name} of type {type(value).__module__}.{type(value).__name__}."
            )
    if isinstance(X, da.Array) and X.ndim != 2:
        raise ValueError(f"X must be a 2D dask array; got shape {X.shape}.")
    if isinstance(X, da.Array) and isinstance(y, da.Array):
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"X and y have {X.shape[0]} and {y.shape[0]} rows.")
        y = y.rechunk({0: X.chunks[0]})
    elif isinstance(X, da.Array):
        X = X.rechunk({0: _partition_lengths(y)})
    elif isinstance(y, da.Array):
        y = y.rechunk({0: _partition_lengths(X)})
    x_blocks, y_blocks = _delayed_blocks(X), _delayed_blocks(y)
    if len(x_blocks) != len(y_blocks):
        raise ValueError(
            f"X and y have {len(x_blocks)} and {len(y_blocks)} partitions; give them "
            "the same partitions (e.g. columns of one DataFrame)."
        )
    return list(zip(x_blocks, y_blocks))


def _partition_lengths(frame):
    return tuple(int(n) for n in frame.map_partitions(len).compute())


def _delayed_blocks(data):
    import dask.array as da

    if isinstance(data, da.Array):
        data = data.rechunk({axis: -1 for axis in range(1, data.ndim)})
        return list(data.to_delayed().ravel())
    return list(data.to_delayed())


def _load(pairs):
    """Compute a list of (X block, y block) pairs at once (shared graph parts,
    such as a y derived from X, are computed once)."""
    import dask

    return dask.compute(*pairs)


def _prefetched(items, load):
    """``load(item)`` for each item, the next one computed in a background
    thread while the current one is used."""
    if not items:
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(load, items[0])
        for nxt in items[1:]:
            result = future.result()
            future = pool.submit(load, nxt)
            yield result
        yield future.result()


class _Survey:
    """What the survey pass learned: block lengths, the target's tasks
    (a :class:`~sklearn_mtl._tasks.TargetSurvey`) and the sample."""

    def __init__(self, lengths, targets, X_sample, y_sample):
        self.lengths = lengths
        self.targets = targets
        self.X_sample = X_sample
        self.y_sample = y_sample


def _survey(estimator, pairs, training, rng, continuing, n_rows=None):
    """One pass over every block: lengths, the tasks, the bounded sample."""
    per_block = math.ceil(SAMPLE_ROWS / max(1, int(training.sum())))
    lengths, xs, ys = [0] * len(pairs), [], []
    classifier = isinstance(estimator, MultiTaskClassifierMixin)
    targets = TargetSurvey("classification" if classifier else estimator._task_kinds(),
                           n_rows=n_rows)
    first = not continuing
    for b, loaded in enumerate(_prefetched([[p] for p in pairs], _load)):
        (xb, yb), = loaded
        n = len(xb)
        if n == 0:
            continue
        xb = estimator._validate_X(xb, reset=first)
        first = False
        if continuing:
            yb = estimator._align_tasks(yb)
        if continuing and not classifier:  # checked against the fitted tasks, as in memory
            _block_targets(estimator, yb, n)
        else:  # (a continued classifier's classes are compared after the pass)
            targets.update(yb)
        lengths[b] = n_labelled(yb)  # the rows trained on; the sample takes any
        if training[b]:
            rows = np.sort(rng.choice(n, min(per_block, n), replace=False))
            xs.append(xb[rows])
            ys.append(yb.iloc[rows] if hasattr(yb, "iloc") else yb[rows])
    if not xs:
        raise ValueError("X has no rows in its training blocks.")
    return _Survey(lengths, targets, np.concatenate(xs), _concat_rows(ys))


def _concat_rows(parts):
    if hasattr(parts[0], "iloc"):
        import pandas as pd

        return pd.concat(parts)
    return np.concatenate(parts)


def _block_reader(estimator):
    """A fitted estimator's reading of one (X block, y block): the checked
    float32 rows and the target matrix of the fitted tasks, as tensors."""
    kinds = (None if isinstance(estimator, MultiTaskClassifierMixin)
             else estimator._task_set.kinds)

    def read(xb, yb):
        X = normalize(estimator.input_normalizer_, estimator._validate_X(xb, reset=False))
        matrix = _block_targets(estimator, yb, X.shape[0])
        rows, _ = training_rows(matrix, kinds or ["classification"] * matrix.shape[1])
        if not isinstance(rows, slice):  # as in memory: rows without a target carry no loss
            X, matrix = X[rows], matrix[rows]
        return torch.from_numpy(np.ascontiguousarray(X)), torch.from_numpy(matrix)
    return read


class BlockStream(torch.utils.data.Dataset):
    """The row blocks of a dask fit, as the dataset of the skorch net.

    Rows are not read one by one: :class:`StreamIterator` reads whole blocks.
    ``holdout`` is the :class:`BlockHoldout` of early stopping, or None.
    """

    def __init__(self, pairs, lengths, read, blocks, holdout=None):
        self.pairs = pairs
        self.lengths = lengths
        self.read = read
        self.blocks = list(blocks)
        self.holdout = holdout

    def __len__(self):
        return sum(self.lengths[b] for b in self.blocks)

    def __getitem__(self, i):
        raise TypeError("a BlockStream is read by whole blocks (StreamIterator), not by row")

    def subset(self, blocks):
        """The stream of ``blocks`` only."""
        return BlockStream(self.pairs, self.lengths, self.read, blocks)

    def net_params(self):
        """The skorch settings of a fit on this stream."""
        return dict(train_split=self.holdout, iterator_train=StreamIterator,
                    iterator_valid=StreamIterator)

    def windows(self, order):
        """The blocks in ``order``, gathered into windows of at least
        :data:`WINDOW_ROWS` rows: (X, codes) tensors, the next window loaded
        in the background."""
        groups, current, rows = [], [], 0
        for b in order:
            current.append(b)
            rows += self.lengths[b]
            if rows >= WINDOW_ROWS:
                groups.append(current)
                current, rows = [], 0
        if current:
            groups.append(current)
        yield from _prefetched(groups, self._read_window)

    def _read_window(self, blocks):
        parts = [self.read(xb, yb) for xb, yb in _load([self.pairs[b] for b in blocks])]
        if len(parts) == 1:  # a block may be a view of the user's array: copy it
            return parts[0][0].clone(), parts[0][1]
        return torch.cat([X for X, _ in parts]), torch.cat([c for _, c in parts])


class StreamIterator:
    """Batches of a :class:`BlockStream`, a window of blocks at a time.

    When shuffling, each pass draws a random block order and a permutation
    of each window's rows from the iterator's own ``torch.Generator``
    (reseeded every epoch by the net, as :class:`._feed.BatchIterator`),
    and each batch gathers its rows through the permutation (the window is
    not copied whole); rows left over at the end of a window start the next
    window's first batch, so every batch but the last of a pass has
    ``batch_size`` rows.
    A last batch of a single row is merged into the previous one when
    training (batch normalisation needs two rows).
    """

    def __init__(self, dataset, batch_size, shuffle=False, shard=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.shard = shard  # always None: a dask fit runs in one process
        self.generator = torch.Generator()

    def reseed(self, seed):
        """Seed the shuffling of the next pass."""
        self.generator.manual_seed(int(seed))

    def __iter__(self):
        blocks = self.dataset.blocks
        if self.shuffle:
            blocks = [blocks[i] for i in torch.randperm(len(blocks), generator=self.generator)]
        batches = self._batches(self.dataset.windows(blocks))
        if not self.shuffle:
            yield from batches
            return
        held = None
        for batch in batches:
            if held is not None and len(batch[0]) == 1:  # the pass's last batch
                batch = (torch.cat([held[0], batch[0]]), torch.cat([held[1], batch[1]]))
                held = None
            if held is not None:
                yield held
            held = batch
        if held is not None:
            yield held

    def _batches(self, windows):
        """Batches of ``batch_size`` rows across the windows; when shuffling,
        each batch gathers its rows (a copy) through the window's permutation."""
        size, rest = self.batch_size, None
        for X, codes in windows:
            order = torch.randperm(len(X), generator=self.generator) if self.shuffle else None

            def rows(a, b, X=X, codes=codes, order=order):
                if order is None:
                    return X[a:b], codes[a:b]
                return X.index_select(0, order[a:b]), codes.index_select(0, order[a:b])

            start = 0
            if rest is not None:  # the last window's leftover rows come first
                start = min(size - len(rest[0]), len(X))
                head = rows(0, start)
                rest = (torch.cat([rest[0], head[0]]), torch.cat([rest[1], head[1]]))
                if len(rest[0]) < size:
                    continue
                yield rest
                rest = None
            stop = start + (len(X) - start) // size * size
            for a in range(start, stop, size):
                yield rows(a, a + size)
            if stop < len(X):
                rest = rows(stop, len(X))
        if rest is not None:
            yield rest
