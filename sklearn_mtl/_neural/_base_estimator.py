"""What a neural multi-task estimator does with its parameters: validate
the data, build or continue the skorch net, train it, and predict without
changing it. :class:`MultiTaskClassifier` adds the parameters, their
constraints and the documentation."""

import numpy as np
import torch
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._base import MultiTaskClassifierMixin
from .._dask import is_dask_collection
from .._labels import declare_classes, resolve_task_weights, same_classes
from ..weighting._aliases import resolve_weighting
from ._build import build_network
from ._distributed import data_parallel
from ._net import MultiTaskNet
from ._random import seeded_global_rng
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

# Parameters that shape the network: a warm start cannot change them.
NETWORK_PARAMS = ("hidden_layer_sizes", "activation", "dropout", "batch_norm",
                  "head_hidden_size", "module", "num_embeddings", "n_bins", "binning",
                  "d_embedding", "architecture", "n_experts", "n_members", "device")


class BaseMultiTaskNetwork(MultiTaskClassifierMixin):
    """fit, partial_fit, load_params and predict of a network estimator.

    Thread safety: after any fit the module stays in evaluation mode (train
    mode is set only inside training steps), so ``predict`` and
    ``predict_proba`` only read the fitted model and may run in many threads
    at once. Fits in threads draw their random numbers from their own
    generators (see :mod:`._random`).
    """

    _proba_dtype = np.float32  # the network computes in float32

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network on all tasks at once.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or dask array or DataFrame
            Training inputs; with a custom ``module``, any array of shape
            ``(n_samples, ...)`` it accepts (e.g. images ``(n, 1, 8, 8)``).
            Dask collections (X and y both) are streamed block by block,
            never computed whole: each epoch visits the row blocks in a new
            order and shuffles rows across a few blocks at a time, the
            network is built from a bounded sample of the training blocks
            and early stopping holds out whole blocks (see the user guide,
            "Beyond one machine").
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
        X = self._validate_X(X, reset=not continuing)
        previous = self._classes_list if continuing else None
        encoded = self._fit_targets(y, n_samples=X.shape[0], previous_classes=previous)
        return self._train(X, encoded, continuing, epochs=self.max_epochs)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch on a batch of data, as ``MLPClassifier`` does.

        The first call builds the network; later calls continue training it
        and need the same features and tasks, with labels among
        ``classes_`` (a batch may lack classes or labels of a task).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs of this batch.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            Labels of this batch; NaN, None or pd.NA where unlabelled.
        classes : array-like or list of array-like, default=None
            Every class of each task (one array-like for a 1D ``y``), for
            streams whose first batch lacks some classes. Only needed on the
            first call; None takes the classes of the first batch.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        if is_dask_collection(X) or is_dask_collection(y):
            raise TypeError(
                "partial_fit takes in-memory batches; for dask collections use fit, "
                "which streams them, or dask_ml.wrappers.Incremental, which calls "
                "partial_fit on each block."
            )
        continuing = hasattr(self, "net_")
        X = self._validate_X(X, reset=not continuing)
        classes = _classes_per_task(y, classes)
        if not continuing:
            encoded = self._fit_targets(y, n_samples=X.shape[0], classes=classes)
        else:
            encoded = self._continued_targets(y, X.shape[0])
            if classes is not None and not same_classes(
                declare_classes(encoded, classes).classes, self._classes_list
            ):
                raise ValueError(
                    "classes must be the classes of the first call to partial_fit, "
                    f"{[c.tolist() for c in self._classes_list]}; got {classes!r}."
                )
        return self._train(X, encoded, continuing, epochs=1)

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
        X = self._validate_X(X, reset=True)
        encoded = self._fit_targets(y, n_samples=X.shape[0])
        self._train(X, encoded, continuing=False, epochs=0)
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
    def _train(self, X, encoded, continuing, epochs, stream=None):
        """Build (or rewire) the net and train it ``epochs`` epochs on X and
        ``encoded``; or, with ``stream`` (a dask fit, see :mod:`._stream`), on
        the stream's blocks, X and ``encoded`` being the sample of training
        rows the network is built from."""
        base_weights = resolve_task_weights(self.task_weights, encoded.task_names)
        strategy = resolve_weighting(self.weighting)
        parallel = data_parallel(self.accelerator)  # None in a plain fit
        if parallel is not None:
            parallel.check_strategy(strategy)
        device = resolve_device(self.device) if parallel is None else parallel.device
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=3)
        init_seed, shuffle_seed, split_seed = seeds if parallel is None else parallel.agree(seeds)
        n_rows = X.shape[0] if stream is None else len(stream)
        params = net_params(self, n_rows, split_seed)
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
                with seeded_global_rng(init_seed, device):
                    network = build_network(self, X_t, [len(c) for c in encoded.classes],
                                            strategy, base_weights, _head_order(self, encoded),
                                            codes=encoded.codes)
                net = MultiTaskNet(
                    module=network, task_weights=base_weights, weighting=strategy,
                    task_names=[str(t) for t in encoded.task_names], seed=int(shuffle_seed),
                    **fixed_net_params(device), **params,
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
            if parallel is not None:
                parallel.start_together(net.module_)
            if epochs:
                split = params["train_split"]
                n_train = n_rows - (split.n_valid(n_rows) if split else 0)
                check_batch_norm(net.module_, n_train, params["batch_size"])
                data = (X_t, torch.from_numpy(encoded.codes)) if stream is None else (stream,)
                net.partial_fit(*data, epochs=epochs)
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

    def _validate_X(self, X, reset):
        return self._validate_X_data(
            X,
            reset=reset,
            dtype=np.float32,
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
            return X.astype(np.float32, copy=False)
        check_is_fitted(self)
        return self._validate_X(X, reset=False)

    def _predict_proba_tasks(self, X):
        """Probabilities per task; reads the module (in evaluation mode since
        fit) and never changes it or X."""
        module = self.net_.module_
        device = next(module.parameters()).device
        copy_input = self.module is not None  # a user module may work in place
        chunks = []
        with torch.inference_mode(), limited_torch_threads():
            for start in range(0, X.shape[0], _PREDICT_CHUNK):
                xb = torch.from_numpy(X[start:start + _PREDICT_CHUNK])
                xb = xb.to(device, copy=copy_input)
                chunks.append(module(xb).softmax(-1).cpu())
        proba = (chunks[0] if len(chunks) == 1 else torch.cat(chunks)).numpy()
        if not np.isfinite(proba).all():
            raise ValueError(
                "The network produced non-finite probabilities for this X: its values "
                "are probably far larger than those seen in training (scale X as for "
                "fit), or the loaded parameters are not finite."
            )
        return [proba[:, j, :k] for j, k in enumerate(map(len, self._classes_list))]

    def __getstate__(self):
        # an Accelerator belongs to the processes it was made in: the pickled
        # model is a plain one, predicting (or training on) in any process
        return {**super().__getstate__(), "accelerator": None}

    @property
    def history_(self):
        """skorch's history of the fit (per-epoch losses, per task too)."""
        check_is_fitted(self)
        return self.net_.history


def _head_order(estimator, encoded):
    """Named tasks get their heads in the order of their names (so the network
    does not depend on the order of the columns); unnamed ones in column order."""
    if not getattr(estimator, "_tasks_by_name", False):
        return None
    return np.argsort(np.asarray(encoded.task_names, dtype=str), kind="stable")


def _classes_per_task(y, classes):
    """``classes`` in the per-task form: scikit-learn's flat form
    ``classes=[0, 1]`` is the classes of a 1D ``y``'s single task."""
    flat = (isinstance(classes, (list, tuple, np.ndarray)) and len(classes) > 0
            and all(np.ndim(c) == 0 for c in classes))
    if not flat:
        return classes
    if np.ndim(y) == 1:
        return [list(classes)]
    raise ValueError(
        "classes must hold one array-like of classes per task for a 2D y, e.g. "
        f"[[0, 1], [0, 1, 2]]; got the flat list {list(classes)!r}, scikit-learn's "
        "form for a 1D y."
    )


def _same_value(a, b):
    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except (TypeError, ValueError):
        return a == b
