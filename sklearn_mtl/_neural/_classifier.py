"""MultiTaskClassifier: hard parameter sharing trained through skorch."""

import copy
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import EarlyStopping
from torch import nn

from .._base import MultiTaskClassifierMixin
from .._labels import declare_classes, resolve_task_weights, same_classes
from ..weighting import WEIGHTINGS, StaticWeighting, WeightingStrategy
from ..weighting._aliases import resolve_weighting
from ._mmoe import MMoETrunk
from ._modules import ACTIVATIONS, MLPTrunk, MultiTaskNetwork
from ._net import BatchIterator, HoldoutSplit, MultiTaskNet, TensorDataset
from ._threads import limited_torch_threads

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

_PREDICT_CHUNK = 16384


def _resolve_device(device):
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device must name a torch device such as 'cpu' or 'cuda'; got {device!r}."
        ) from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={str(device)!r} was requested but CUDA is not available on "
            "this machine; use device='cpu'."
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device={str(device)!r} was requested but MPS is not available.")
    return device


class MultiTaskClassifier(MultiTaskClassifierMixin, BaseEstimator):
    """Multi-task neural network classifier with a shared trunk and one head
    per task.

    Hard parameter sharing (Caruana, 1997): every task's head sits on the
    same trunk, and the network minimises ``L = sum_j w_j * L_j`` where
    ``L_j`` is the mean cross-entropy of task j over the samples labelled for
    task j and ``w_j`` comes from ``task_weights``. Missing labels (NaN, None,
    pd.NA) are masked out of their task's loss. Training runs through a
    skorch net (``net_``), so skorch callbacks work as usual.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Units of each hidden layer of the default MLP trunk; ``()`` gives no
        hidden layer (linear heads on the raw features). Ignored when
        ``module`` is given.
    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Activation of the trunk's hidden layers and of the heads' hidden layer.
    dropout : float, default=0.0
        Dropout probability after each hidden layer of the MLP trunk.
    batch_norm : bool, default=False
        Whether to batch-normalise each hidden layer of the MLP trunk.
    head_hidden_size : int, default=None
        Units of a hidden layer inside every task head (the classic
        ``Dense(32)`` per task); None for linear heads.
    module : torch.nn.Module class, instance or callable, default=None
        A trunk of your own, e.g. a small CNN. A class or callable is called
        with no argument (use ``functools.partial`` for arguments); an
        instance is deep-copied, never trained in place. Its output, of shape
        ``(n, ...)``, is flattened to ``(n, d)`` and the heads are built on
        ``d`` features. X may then have any number of dimensions. With
        ``architecture="mmoe"`` it is the expert: a class or callable is
        called once per expert, an instance is deep-copied once per expert
        and each copy re-initialised (``reset_parameters()`` of its layers).
    architecture : {"hard", "mmoe"}, default="hard"
        "hard": hard parameter sharing, one trunk feeding every head.
        "mmoe": multi-gate mixture of experts (Ma et al., KDD 2018):
        ``n_experts`` trunks (each built from ``hidden_layer_sizes``,
        ``activation``, ``dropout`` and ``batch_norm``, or from ``module``)
        shared by all tasks, and per task a softmax gate on the input that
        mixes the experts' features before the task's head.
    n_experts : int, default=4
        Number of experts when ``architecture="mmoe"``; ignored otherwise.
    task_weights : array-like of shape (n_tasks,) or dict, default=None
        Non-negative base weight ``w_j`` of each task's loss; None weighs all
        tasks 1. A dict maps task names (see ``task_names_``) to weights, and
        the tasks it leaves out keep weight 1. A zero weight removes the
        task's influence on the network, whatever the ``weighting``.
    weighting : str or WeightingStrategy, default="static"
        How the task losses are balanced during training, an object from
        :mod:`sklearn_mtl.weighting` or its alias: "static" (the fixed
        ``task_weights``), "uncertainty", "dwa", "gradnorm", "pcgrad",
        "mgda" or "rlw". A strategy produces weights ``lambda_j`` per batch
        and the network minimises ``sum_j w_j * lambda_j * L_j``: the base
        weights multiply what the strategy produces. Strategy parameters
        are tunable as ``weighting__<name>`` once an object is passed. The
        validation loss of early stopping is always ``sum_j w_j * L_j``.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
            default="adam"
        Optimizer of all the network's parameters.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        Weight decay (L2 penalty) passed to the optimizer.
    max_epochs : int, default=100
        Number of passes over the training data (fewer with early stopping).
    batch_size : int, default=200
        Size of the minibatches, clipped to the number of samples.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training rows and stop when
        the validation loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, restoring the best weights (as
        ``MLPClassifier`` does).
    validation_fraction : float, default=0.1
        Fraction of the rows held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Minimum improvement of the validation loss that resets the patience.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks (``EarlyStopping``, ``Checkpoint``,
        ``LRScheduler``, ``ProgressBar``, ...) or ``(name, callback)`` pairs.
        They are deep-copied at fit, never modified in place.
    device : str or torch.device, default="cpu"
        Where to train and predict, e.g. "cuda".
    warm_start : bool, default=False
        Whether a new ``fit`` continues training the fitted network (same
        tasks and classes required) instead of starting afresh.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. The global torch random state is left untouched.
    verbose : int, default=0
        Print skorch's per-epoch log when positive.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Classes of each task; a plain array for a 1D training target.
    n_classes_ : int or list of int
        Number of classes of each task.
    n_tasks_ : int
        Number of tasks.
    task_names_ : ndarray of str, shape (`n_tasks_`,)
        Column names of a DataFrame target, else ``task_0``, ``task_1``, ...
    task_weights_ : ndarray of shape (`n_tasks_`,)
        The task weights applied in the last training epoch,
        ``w_j * lambda_j`` averaged over its batches; the fixed
        ``task_weights`` under static weighting. The weights of every epoch
        are in ``history_[:, "task_weights"]``.
    weighting_ : WeightingStrategy
        The validated strategy used (a clone of ``weighting``). Its learned
        state is ``net_.module_.task_weighting``.
    n_features_in_ : int
        Number of features (the size of axis 1) seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X is a DataFrame with string columns.
    net_ : skorch.NeuralNet
        The fitted skorch net; ``net_.module_`` is the torch network.
    history_ : skorch.History
        skorch's record of every epoch, including the per-task losses
        ``train_loss_<task>`` (and ``valid_loss_<task>`` with early stopping)
        and the applied ``task_weights``.
    n_iter_ : int
        Number of epochs run.

    Notes
    -----
    The network computes in float32: ``predict_proba`` returns float32
    arrays (as ``MLPClassifier`` does for float32 input), whose rows sum to 1
    up to float32 rounding (~1e-7).

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The single-task network.
    sklearn.multioutput.MultiOutputClassifier : One independent model per task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_mtl import MultiTaskClassifier
    >>> X, digit = load_digits(return_X_y=True)
    >>> X = X / 16.0
    >>> Y = np.column_stack([digit, digit % 2, digit >= 5])
    >>> clf = MultiTaskClassifier(hidden_layer_sizes=(64,), max_epochs=20,
    ...                           lr=0.01, random_state=0).fit(X, Y)
    >>> clf.predict(X[:3])
    array([[0, 0, 0],
           [1, 1, 0],
           [2, 0, 0]])
    >>> [p.shape for p in clf.predict_proba(X[:3])]
    [(3, 10), (3, 2), (3, 2)]
    >>> clf.score(X, Y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "head_hidden_size": [None, Interval(Integral, 1, None, closed="left")],
        "module": [None, callable],
        "architecture": [StrOptions({"hard", "mmoe"})],
        "n_experts": [Interval(Integral, 1, None, closed="left")],
        "task_weights": [None, "array-like", dict],
        "weighting": [StrOptions(set(WEIGHTINGS)), WeightingStrategy],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "callbacks": [None, list],
        "device": [str, torch.device],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        head_hidden_size=None,
        module=None,
        architecture="hard",
        n_experts=4,
        task_weights=None,
        weighting="static",
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        max_epochs=100,
        batch_size=200,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        device="cpu",
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.head_hidden_size = head_hidden_size
        self.module = module
        self.architecture = architecture
        self.n_experts = n_experts
        self.task_weights = task_weights
        self.weighting = weighting
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.device = device
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network on all tasks at once.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; with a custom ``module``, any array of shape
            ``(n_samples, ...)`` it accepts (e.g. images ``(n, 1, 8, 8)``).
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            The label matrix Y: one column of labels per task; NaN, None or pd.NA where a sample is
            not labelled for a task.

        Returns
        -------
        self : MultiTaskClassifier
            The fitted estimator.
        """
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
        self : MultiTaskClassifier
            The estimator, trained one more epoch.
        """
        continuing = hasattr(self, "net_")
        X = self._validate_X(X, reset=not continuing)
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
        self : MultiTaskClassifier
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

    def _train(self, X, encoded, continuing, epochs):
        """Set up (or reuse) the net and train it ``epochs`` epochs."""
        base_weights = resolve_task_weights(self.task_weights, encoded.task_names)
        strategy = resolve_weighting(self.weighting)
        if continuing and type(strategy) is not type(self.weighting_):
            raise ValueError(
                "Continued training (warm_start) requires the same weighting strategy; "
                f"got {type(strategy).__name__} after {type(self.weighting_).__name__}."
            )
        device = _resolve_device(self.device)
        hidden = self._check_hidden_layer_sizes()

        rng = check_random_state(self.random_state)
        init_seed, shuffle_seed, split_seed = rng.randint(np.iinfo(np.int32).max, size=3)

        X_t = torch.from_numpy(X)
        y_t = torch.from_numpy(encoded.codes)
        fork_devices = [device.index or 0] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=fork_devices), limited_torch_threads():
            torch.manual_seed(int(init_seed))
            if continuing:
                net = self.net_
                net.set_params(task_weights=base_weights)
                net._weights_tensor = None
                if net.weighting is not None:
                    net.weighting = strategy
            else:
                network = self._build_network(X_t, encoded, hidden, strategy, base_weights)
                net = self._build_net(network, encoded, device, shuffle_seed, split_seed,
                                      strategy, base_weights)
                net.initialize()
            if epochs:
                net.partial_fit(X_t, y_t, epochs=epochs)
        self.net_ = net
        self.weighting_ = strategy
        self._set_fitted_state(base_weights)
        return self

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

    def _check_hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0
                   for s in sizes):
            raise ValueError(
                "hidden_layer_sizes must be positive integers; got "
                f"{self.hidden_layer_sizes!r}."
            )
        return sizes

    def _make_trunk(self, n_features, hidden, reinitialise=False):
        if self.module is None:
            return MLPTrunk(n_features, hidden, self.activation, self.dropout,
                            self.batch_norm)
        if isinstance(self.module, nn.Module):
            trunk = copy.deepcopy(self.module)
            if reinitialise:
                for layer in trunk.modules():
                    if hasattr(layer, "reset_parameters"):
                        layer.reset_parameters()
        else:
            trunk = self.module()
        if not isinstance(trunk, nn.Module):
            raise TypeError(
                "module must be a torch.nn.Module instance, or a class or callable "
                f"returning one; calling it returned {type(trunk).__name__}."
            )
        return trunk

    def _build_network(self, X_t, encoded, hidden, strategy, base_weights):
        n_tasks = len(encoded.classes)
        mmoe = self.architecture == "mmoe"
        if mmoe:
            if self.module is None and not hidden:
                raise ValueError(
                    "architecture='mmoe' needs experts with at least one hidden layer; "
                    "got hidden_layer_sizes=(). Set hidden_layer_sizes or module."
                )
            experts = [self._make_trunk(X_t.shape[1], hidden, reinitialise=True)
                       for _ in range(self.n_experts)]
            n_features_out = self._probe_trunk(experts[0], X_t)
            trunk = MMoETrunk(experts, int(np.prod(X_t.shape[1:])), n_tasks)
        else:
            trunk = self._make_trunk(X_t.shape[1], hidden)
            n_features_out = self._probe_trunk(trunk, X_t)
        network = MultiTaskNetwork(
            trunk,
            n_features_out,
            [len(c) for c in encoded.classes],
            head_hidden_size=self.head_hidden_size,
            activation=self.activation,
            per_task_features=mmoe,
        )
        if type(strategy) is not StaticWeighting:
            network.task_weighting = strategy.initialize(
                n_tasks, torch.as_tensor(base_weights, dtype=torch.float32)
            )
        return network

    def _probe_trunk(self, trunk, X_t):
        """Run the trunk on two rows to learn its output size."""
        if isinstance(trunk, MLPTrunk):
            return trunk.n_features_out
        was_training = trunk.training
        trunk.eval()
        try:
            with torch.no_grad():
                out = trunk(X_t[:2])
        except Exception as exc:
            raise ValueError(
                f"module failed on a batch of X with shape {tuple(X_t[:2].shape)}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        finally:
            trunk.train(was_training)
        if not isinstance(out, torch.Tensor):
            raise TypeError(
                "module must return a torch.Tensor of shape (n_samples, ...); got "
                f"{type(out).__name__}."
            )
        if out.dim() < 2 or out.shape[0] != X_t[:2].shape[0]:
            raise ValueError(
                "module must return a tensor of shape (n_samples, n_features_out); "
                f"for {X_t[:2].shape[0]} input rows it returned shape "
                f"{tuple(out.shape)}."
            )
        return int(np.prod(out.shape[1:]))

    def _build_net(self, network, encoded, device, shuffle_seed, split_seed, strategy,
                   base_weights):
        optimizer = self.optimizer
        if isinstance(optimizer, str):
            optimizer = OPTIMIZERS[optimizer]
        callbacks = copy.deepcopy(list(self.callbacks or []))
        train_split = None
        if self.early_stopping:
            if encoded.codes.shape[0] < 2:
                raise ValueError("early_stopping=True needs at least 2 samples.")
            train_split = HoldoutSplit(self.validation_fraction, int(split_seed))
            callbacks.append((
                "early_stopping",
                EarlyStopping(
                    monitor="valid_loss",
                    patience=self.n_iter_no_change,
                    threshold=self.tol,
                    threshold_mode="abs",
                    load_best=True,
                ),
            ))
        kwargs = {}
        if self.weight_decay:
            kwargs["optimizer__weight_decay"] = self.weight_decay
        return MultiTaskNet(
            module=network,
            criterion=nn.CrossEntropyLoss,
            optimizer=optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_valid=BatchIterator,
            dataset=TensorDataset,
            train_split=train_split,
            callbacks=callbacks,
            warm_start=True,
            verbose=self.verbose,
            device=str(device),
            task_weights=base_weights,
            task_names=[str(t) for t in encoded.task_names],
            weighting=None if type(strategy) is StaticWeighting else strategy,
            seed=int(shuffle_seed),
            **kwargs,
        )

    # -------------------------------------------------------------- predict
    def _validate_predict_X(self, X):
        check_is_fitted(self)
        return self._validate_X(X, reset=False)

    def _predict_proba_tasks(self, X):
        module = self.net_.module_
        device = next(module.parameters()).device
        was_training = module.training
        module.eval()
        chunks = []
        try:
            with torch.inference_mode(), limited_torch_threads():
                for start in range(0, X.shape[0], _PREDICT_CHUNK):
                    xb = torch.from_numpy(X[start:start + _PREDICT_CHUNK]).to(device)
                    chunks.append(module(xb).softmax(-1).cpu())
        finally:
            module.train(was_training)
        proba = (chunks[0] if len(chunks) == 1 else torch.cat(chunks)).numpy()
        return [proba[:, j, :k] for j, k in enumerate(map(len, self._classes_list))]

    @property
    def history_(self):
        """skorch's history of the fit (per-epoch losses, per task too)."""
        check_is_fitted(self)
        return self.net_.history

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
