"""What a neural multi-task estimator does with its parameters, whatever
the kinds of its tasks: validate the data, build or continue the skorch net,
train it, and compute each task's outputs without changing it. The
estimators (:class:`MultiTaskClassifier`, :class:`MultiTaskRegressor`,
:class:`MultiTaskEstimator`) add the target handling of their kinds, and
their parameters come from :mod:`._params`."""

import contextlib

import numpy as np
import torch
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._dask import is_dask_collection
from .._labels import resolve_task_weights
from ..weighting._aliases import resolve_weighting
from ._build import build_network
from ._callbacks import check_fitted
from ._distributed import data_parallel
from ._feed import target_matrix, training_rows
from ._net import MultiTaskNet
from ._normalize import fit_normalizer, normalize, warn_collapsed_columns
from ._random import seeded_global_rng
from ._spec import NETWORK_PARAMS, HeadSpec, NetworkSpec
from ._stream import fit_stream
from ._threads import limited_torch_threads
from ._wiring import (
    check_batch_norm,
    check_optimizer,
    fixed_net_params,
    net_params,
    resolve_device,
)

_PREDICT_CHUNK = 16384


class BaseMultiTaskNetwork:
    """fit, load_params and the per-task outputs of a network estimator.

    A subclass implements ``_network_targets(y, n_samples, continuing)``,
    which encodes the target and returns ``(tasks, matrix)``: the fitted
    :class:`~sklearn_mtl._tasks.TaskSet` and the target matrix the loss
    reads (int64 class codes when every task is a classification task,
    float32 otherwise: class codes and standardised values, see
    :func:`target_matrix`).

    Thread safety: after any fit the module stays in evaluation mode (train
    mode is set only inside training steps), so ``predict`` and
    ``predict_proba`` only read the fitted model and may run in many threads
    at once. Fits in threads draw their random numbers from their own
    generators (see :mod:`._random`).
    """

    _proba_dtype = np.float32  # the network computes in float32
    # rows per forward pass in predict; dask predictions cut their blocks there,
    # as float32 products depend on the rows: the results are the in-memory ones
    _predict_rows = _PREDICT_CHUNK

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network on all tasks at once.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or dask array or DataFrame
            Training inputs; with a custom ``module``, any array of shape
            ``(n_samples, ...)`` it accepts (e.g. images ``(n, 1, 8, 8)``).
            Dask collections (X and y both) are streamed block by block,
            never computed whole: one pass fits the tasks on every block,
            each epoch visits the blocks in a new order, shuffling rows
            across a few at a time, the network is built from a bounded
            sample and early stopping holds out whole blocks (see the user
            guide, "Beyond one machine").
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            The label matrix Y: one column of labels per task; NaN, None or
            pd.NA where a sample is not labelled for a task.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if is_dask_collection(X) or is_dask_collection(y):
            return fit_stream(self, X, y)
        continuing = self.warm_start and hasattr(self, "net_")
        X = self._network_X(X, reset=not continuing)
        targets = self._network_targets(y, X.shape[0], continuing)
        return self._train(X, targets, continuing, epochs=self.max_epochs,
                           early_stopping=self.early_stopping)

    def load_params(self, X, y, **kwargs):
        """Restore a network saved with skorch's ``save_params`` or a
        ``Checkpoint`` callback.

        The network is built for ``X`` and ``y`` exactly as ``fit`` builds it
        (same parameters, features, tasks and classes as when it was saved),
        without training, and the saved state is loaded into it. With the
        optimizer state and history restored too, ``warm_start=True`` and
        ``fit`` resume an interrupted training where it stopped.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the features of the saved network (its training data).
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            Labels with the tasks and classes of the saved network.
        **kwargs
            Passed to :meth:`skorch.NeuralNet.load_params`: ``f_params``,
            ``f_optimizer``, ``f_criterion``, ``f_history`` or
            ``checkpoint``.

        Returns
        -------
        self : object
            The estimator with the saved network, fitted for prediction.
        """
        self._validate_params()
        X = self._network_X(X, reset=True)
        self._train(X, self._network_targets(y, X.shape[0], False), continuing=False,
                    epochs=0, early_stopping=self.early_stopping)
        try:
            self.net_.load_params(**kwargs)
        except RuntimeError as exc:  # torch's state-dict mismatch
            raise ValueError(
                "The saved parameters do not fit the network built from these "
                "parameters, X and y (features, tasks and classes must match the "
                f"saved network): {exc}"
            ) from exc
        self._set_fitted_state(self.task_weights_)
        return self

    # ------------------------------------------------------------ training
    def _train(self, X, targets, continuing, epochs, early_stopping, stream=None):
        """Build (or rewire) the net and train it ``epochs`` epochs on the
        ``(tasks, matrix)`` of :meth:`_network_targets`, holding out
        ``validation_fraction`` of the rows when ``early_stopping`` (``fit``
        only: ``partial_fit`` trains on every row); or, with ``stream`` (a
        dask fit, see :mod:`._stream`), on the stream's blocks, X and
        ``targets`` being the sample of training rows the network is built
        from."""
        tasks, matrix = targets
        base_weights = resolve_task_weights(self.task_weights, self.task_names_)
        strategy = resolve_weighting(self.weighting)
        parallel = data_parallel(self.accelerator)  # None in a plain fit
        if parallel is not None:
            parallel.check_strategy(strategy)
        device = resolve_device(self.device) if parallel is None else parallel.device
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=3)
        init_seed, shuffle_seed, split_seed = seeds if parallel is None else parallel.agree(seeds)
        # built from every row (bins, layers), trained on the rows with a target
        train_rows, n_rows = ((slice(None), len(stream)) if stream is not None
                              else training_rows(matrix, tasks.kinds))
        params = net_params(self, n_rows, split_seed, early_stopping, device)
        if stream is not None:
            params.update(stream.net_params())
        if parallel is not None:
            params = parallel.net_params(params)
        X_t = torch.from_numpy(X)
        with limited_torch_threads():
            if continuing:
                self._check_same_network(strategy)
                net = self.net_.rewire(task_weights=base_weights, weighting=strategy,
                                       **params)
            else:
                heads = HeadSpec.of(tasks, _head_order(self))
                with seeded_global_rng(init_seed, device):
                    network = build_network(NetworkSpec.of(self), heads, X_t, strategy,
                                            base_weights, targets=matrix)
                net = MultiTaskNet(
                    module=network, task_weights=base_weights, weighting=strategy,
                    task_names=[str(t) for t in self.task_names_], seed=int(shuffle_seed),
                    task_kinds=list(heads.kinds), **fixed_net_params(device), **params,
                )
                try:
                    net.initialize()
                except TypeError as exc:
                    if "weight_decay" not in str(exc):
                        raise
                    raise TypeError(
                        f"optimizer {self.optimizer!r} does not take weight_decay; set "
                        f"weight_decay=0.0 (the default is 1e-4) to use it: {exc}"
                    ) from exc
                check_optimizer(net)
                self._network_params = {name: getattr(self, name) for name in NETWORK_PARAMS}
                self._heads = heads
            if parallel is not None:
                parallel.start_together(net.module_)
            if epochs:
                split = params["train_split"]
                n_train = n_rows - (split.n_valid(n_rows) if split else 0)
                check_batch_norm(net.module_, n_train, params["batch_size"])
                data = ((X_t[train_rows], torch.from_numpy(matrix[train_rows]))
                        if stream is None else (stream,))
                with contextlib.nullcontext() if parallel is None else parallel.autocast():
                    net.partial_fit(*data, epochs=epochs)
                check_fitted(net)
        self.net_ = net
        self.weighting_ = strategy
        self._set_fitted_state(base_weights)
        return self

    def _check_same_network(self, strategy):
        """Refuse a warm start whose parameters need another network."""
        if type(strategy) is not type(self.weighting_):
            raise ValueError(
                "Continued training (warm_start) requires the same weighting strategy; "
                f"got {type(strategy).__name__} after {type(self.weighting_).__name__}."
            )
        for name, before in self._network_params.items():
            now = getattr(self, name)
            same = now is before or (name != "module" and _same_value(now, before))
            if not same:
                raise ValueError(
                    f"Continued training (warm_start) cannot change {name} (from "
                    f"{before!r} to {now!r}): it shapes the network. Set "
                    "warm_start=False to train a new network."
                )

    def _set_fitted_state(self, base_weights):
        """``task_weights_`` (the last epoch's applied weights) and ``n_iter_``."""
        history = self.net_.history
        last = history[-1, "task_weights"] if len(history) else base_weights
        self.task_weights_ = np.asarray(last, dtype=np.float64)
        self.n_iter_ = len(history)

    def _network_X(self, X, reset):
        """X validated and normalised: the network's float32 input. A new fit
        (``reset``) learns ``input_normalizer_`` from these rows in float64;
        continued training reuses it."""
        X = self._validate_X(X, reset=reset)
        if not reset:
            return normalize(self.input_normalizer_, X)
        kind = self.input_normalization if self.module is None else None
        self.input_normalizer_ = fit_normalizer(X, kind)
        X_net = normalize(self.input_normalizer_, X)
        warn_collapsed_columns(X, X_net, getattr(self, "feature_names_in_", None))
        return X_net

    def _validate_X(self, X, reset):
        # The built-in trunk's input is normalised in float64 before the cast.
        return self._validate_X_data(
            X,
            reset=reset,
            dtype=np.float32 if self.module is not None else (np.float64, np.float32),
            allow_nd=self.module is not None,
            ensure_min_samples=1,
        )

    # ----------------------------------------------------------- predict
    def _validate_predict_X(self, X):
        """``validate_data``'s checks, done directly for a plain float array
        (the common one-row case, where ``validate_data`` costs more than
        the forward pass): same feature count, no feature names expected,
        finite values; anything else goes through ``validate_data``."""
        if (type(X) is np.ndarray and X.dtype in (np.float32, np.float64) and X.ndim == 2
                and X.shape[0] > 0 and "net_" in self.__dict__
                and X.shape[1] == self.n_features_in_
                and not hasattr(self, "feature_names_in_") and np.isfinite(X).all()):
            return normalize(self.input_normalizer_, X)
        check_is_fitted(self)
        return normalize(self.input_normalizer_, self._validate_X(X, reset=False))

    def _head_spec(self):
        """The heads of the fitted network (estimators pickled before the
        task kinds had only classification heads)."""
        heads = getattr(self, "_heads", None)
        if heads is None:
            widths = tuple(len(c) for c in self._classes_list)
            heads = HeadSpec(widths, ("classification",) * len(widths))
        return heads

    def _task_outputs(self, X):
        """Each task's output for a validated ``X``: class probabilities
        ``(n, n_classes)`` of a classification task, the standardised
        prediction ``(n,)`` of a regression task. Reads the module (in
        evaluation mode since fit) and never changes it or X."""
        module = self.net_.module_
        device = next(module.parameters()).device
        copy_input = self.module is not None  # a user module may work in place
        chunks = []
        with torch.inference_mode(), limited_torch_threads():
            for start in range(0, X.shape[0], self._predict_rows):
                xb = torch.from_numpy(X[start:start + self._predict_rows])
                xb = xb.to(device, copy=copy_input)
                chunks.append(module(xb).cpu())
            outputs = chunks[0] if len(chunks) == 1 else torch.cat(chunks)
            heads = self._head_spec()
            proba = (outputs.softmax(-1).numpy() if "classification" in heads.kinds
                     else None)
        per_task = [proba[:, j, :width] if kind == "classification" else
                    outputs[:, j, 0].numpy()
                    for j, (width, kind) in enumerate(zip(heads.widths, heads.kinds))]
        if not all(np.isfinite(out).all() for out in per_task):
            raise ValueError(
                "The network produced non-finite probabilities or values for this X: its "
                "values are probably far larger than those seen in training (scale X as for "
                "fit), or the loaded parameters are not finite."
            )
        return per_task

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags

    def __getstate__(self):
        # an Accelerator belongs to the processes it was made in: the pickled
        # model is a plain one, predicting (or training on) in any process
        return {**super().__getstate__(), "accelerator": None}

    @property
    def history_(self):
        """skorch's history of the fit (per-epoch losses, per task too)."""
        check_is_fitted(self)
        return self.net_.history


def refuse_dask_partial_fit(X, y):
    """``partial_fit`` takes in-memory batches only."""
    if is_dask_collection(X) or is_dask_collection(y):
        raise TypeError(
            "partial_fit takes in-memory batches; for dask collections use fit, "
            "which streams them, or dask_ml.wrappers.Incremental, which calls "
            "partial_fit on each block."
        )


def _head_order(estimator):
    """Named tasks get their heads in the order of their names (so the network
    does not depend on the order of the columns); unnamed ones in column order."""
    if not getattr(estimator, "_tasks_by_name", False):
        return None
    return np.argsort(np.asarray(estimator.task_names_, dtype=str), kind="stable")


def _same_value(a, b):
    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except (TypeError, ValueError):
        return a == b


class TaskKindsNetwork(BaseMultiTaskNetwork):
    """A network estimator whose tasks come from a :class:`TaskSet` of any
    kinds (:class:`~sklearn_mtl._base_tasks.TaskKindsMixin` fits them)."""

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """Train for one epoch on a batch of data.

        The first call builds the network and fits the tasks on its batch:
        the classes of each classification task, and the mean and standard
        deviation that standardise each regression target. Later calls
        continue training and need the same features and tasks, with labels
        among the classes of the first batch (a batch may lack some).

        Every row of the batch is trained on: early stopping (and its
        ``validation_fraction`` hold-out) applies to ``fit`` only, as in
        scikit-learn's ``partial_fit`` of ``MLPClassifier``/``MLPRegressor``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs of this batch.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            Targets of this batch; NaN, None or pd.NA where missing.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        refuse_dask_partial_fit(X, y)
        continuing = hasattr(self, "net_")
        X = self._network_X(X, reset=not continuing)
        return self._train(X, self._network_targets(y, X.shape[0], continuing), continuing,
                           epochs=1, early_stopping=False)

    def _network_targets(self, y, n_samples, continuing, tasks=None):
        tasks, encoded = self._fit_targets(y, n_samples, continuing, tasks)
        return tasks, target_matrix(tasks, encoded)

    def _predict_tasks(self, X):
        """Encoded predictions per task: class codes, standardised values."""
        return [out.argmax(axis=1) if kind == "classification" else out
                for out, kind in zip(self._task_outputs(X), self._task_set.kinds)]

    def _predict_proba_tasks(self, X):
        """``{name: probabilities}`` of the classification tasks."""
        return {task.name: out for task, out in zip(self._task_set, self._task_outputs(X))
                if task.kind == "classification"}
