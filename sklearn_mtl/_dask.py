"""Predictions over dask collections, block by block.

``predict`` and ``predict_proba`` of every multi-task estimator hand a dask
array or DataFrame here: the fitted estimator is applied to each block (a
NumPy array or pandas DataFrame, validated as any in-memory X) and the
results form a lazy dask array with X's row chunks. Nothing is computed
until the caller computes it, and no block is ever concatenated with
another, so X may be larger than memory. Each row's prediction depends only
on that row, so the blocks' results equal the in-memory predictions.

dask is imported only when such a collection arrives.
"""

import numpy as np


def is_dask_collection(X):
    """Whether ``X`` is a dask array, DataFrame or Series (without importing
    dask for anything else)."""
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr")


def dask_predict(estimator, X, width, dtype):
    """``estimator.predict`` over the blocks of ``X``: a dask array of shape
    ``(n_samples,)`` (``width=None``) or ``(n_samples, width)``."""
    return map_row_blocks(X, estimator.predict, width, dtype)


def dask_predict_proba(estimator, X, n_classes, dtype, one_task):
    """``estimator.predict_proba`` over the blocks of ``X``: one dask array
    per task (a single array for ``one_task``), all from one pass over the
    blocks (the tasks' probabilities are columns of one blockwise result)."""
    def block_proba(block):
        proba = estimator.predict_proba(block)
        return proba if one_task else np.concatenate(proba, axis=1)

    stacked = map_row_blocks(X, block_proba, int(sum(n_classes)), dtype)
    if one_task:
        return stacked
    bounds = np.cumsum([0, *n_classes])
    return [stacked[:, start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]


def map_row_blocks(X, fn, width, dtype):
    """``fn`` applied to each row block of the dask collection ``X``.

    A dask array is rechunked to one chunk along every axis but the first
    (a block holds whole rows) and mapped with ``map_blocks``; a dask
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
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
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
