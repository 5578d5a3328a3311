"""Predictions over dask collections, block by block.

``predict`` and ``predict_proba`` of every multi-task estimator hand a dask
array or DataFrame here: the fitted estimator is applied to each block (a
NumPy array or pandas DataFrame, validated as any in-memory X) and the
results form a lazy dask array with X's row chunks. Nothing is computed
until the caller computes it, and no block is ever concatenated with
another, so X may be larger than memory. Each row's prediction depends only
on that row, so the blocks' results equal the in-memory predictions (a
network's blocks are cut where its in-memory predict cuts its forward
passes: float32 products depend on the number of rows; a DataFrame's
partitions are kept, so there a network's outputs may differ from the
in-memory ones in the last float32 digit).

dask is imported only when such a collection arrives.
"""

import numpy as np


def is_dask_collection(X):
    """Whether ``X`` is a dask array, DataFrame or Series (without importing
    dask for anything else)."""
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr")


def dask_predict(estimator, X, empty):
    """``estimator.predict`` over the blocks of ``X``: a dask array shaped and
    typed as ``empty``, the estimator's decoded predictions of no row
    (``(0,)`` or ``(0, n_tasks)``)."""
    width = None if empty.ndim == 1 else empty.shape[1]
    return map_row_blocks(X, estimator.predict, width, empty.dtype, _rows(estimator))


def dask_predict_proba(estimator, X, n_classes, dtype, one_task):
    """``estimator.predict_proba`` over the blocks of ``X``: one dask array
    per task (a single array for ``one_task``), all from one pass over the
    blocks (the tasks' probabilities are columns of one blockwise result);
    an estimator whose ``predict_proba`` gives a dict by task name gets the
    arrays in the dict's order."""
    def block_proba(block):
        proba = estimator.predict_proba(block)
        if one_task:
            return proba
        return np.concatenate(list(proba.values() if isinstance(proba, dict) else proba),
                              axis=1)

    stacked = map_row_blocks(X, block_proba, int(sum(n_classes)), dtype, _rows(estimator))
    if one_task:
        return stacked
    bounds = np.cumsum([0, *n_classes])
    return [stacked[:, start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]


def _rows(estimator):
    """The rows of the estimator's forward passes in predict (None: any)."""
    return getattr(estimator, "_predict_rows", None)


def map_row_blocks(X, fn, width, dtype, rows=None):
    """``fn`` applied to each row block of the dask collection ``X``.

    A dask array is rechunked to one chunk along every axis but the first
    (a block holds whole rows), and to blocks of ``rows`` rows when given
    (a network's predict chunk: its results then equal the in-memory
    predictions bit for bit), and mapped with ``map_blocks``; a dask
    DataFrame's partitions stay pandas DataFrames (feature names are kept),
    and the result's row counts are unknown until computed, as for any
    partition-wise dask result.
    """
    import dask.array as da  # the caller passed a dask collection: dask is there
    shape = () if width is None else (width,)
    meta = np.empty((0, *shape), dtype=dtype)
    if isinstance(X, da.Array):
        if X.ndim < 2:
            raise ValueError(
                f"X must be a 2D dask array of shape (n_samples, n_features); got a "
                f"{X.ndim}D dask array of shape {X.shape}."
            )
        X = X.rechunk({0: rows or X.chunks[0], **{axis: -1 for axis in range(1, X.ndim)}})
        return X.map_blocks(
            _checked_block, fn, width=width, out_dtype=dtype, dtype=dtype, meta=meta,
            chunks=(X.chunks[0], *[(w,) for w in shape]),
            drop_axis=list(range(1 + len(shape), X.ndim)),
        )
    if not hasattr(X, "to_delayed"):
        raise TypeError(
            f"X must be a dask array or DataFrame; got {type(X).__module__}."
            f"{type(X).__name__}."
        )
    from dask import delayed

    return da.concatenate([
        da.from_delayed(delayed(_checked_block)(part, fn, width, dtype),
                        shape=(np.nan, *shape), meta=meta)
        for part in X.to_delayed()
    ])


def _checked_block(block, fn, width, out_dtype):
    out = np.asarray(fn(block))
    expected = (len(block),) if width is None else (len(block), width)
    if out.shape != expected:  # the estimator's output and the graph's must agree
        raise RuntimeError(f"a block's result has shape {out.shape}, expected {expected}.")
    return out.astype(out_dtype, copy=False)
