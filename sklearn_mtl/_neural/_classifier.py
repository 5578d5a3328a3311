"""MultiTaskClassifier: its parameters, their constraints and its
documentation. What it does with them is in :mod:`._base_estimator`."""

from numbers import Integral, Real

import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ..weighting import WEIGHTINGS, WeightingStrategy
from ._base_estimator import BaseMultiTaskNetwork
from ._embeddings import BINNINGS, NUM_EMBEDDINGS
from ._modules import ACTIVATIONS
from ._wiring import OPTIMIZERS


class MultiTaskClassifier(BaseMultiTaskNetwork, BaseEstimator):
    """Multi-task neural network classifier with a shared trunk and one head
    per task.

    Hard parameter sharing (Caruana, 1997): every task's head sits on the
    same trunk, and the network minimises ``L = sum_j w_j * L_j`` where
    ``L_j`` is the mean cross-entropy of task j over the samples labelled for
    task j and ``w_j`` comes from ``task_weights``. Missing labels (NaN, None,
    pd.NA) are masked out of their task's loss. Training runs through a
    skorch net (``net_``), so skorch callbacks work as usual.

    The defaults are a tabular recipe (numeric embeddings, a 128-64 trunk,
    dropout, weight decay, early stopping); the plain MLP of earlier
    versions is ``MultiTaskClassifier((100,), num_embeddings=None, dropout=0.0,
    weight_decay=0.0, max_epochs=100, batch_size=200, early_stopping=False)``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(128, 64)
        Units of each hidden layer of the default MLP trunk; ``()`` gives no
        hidden layer (linear heads on the raw features). Ignored when
        ``module`` is given.
    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Activation of the trunk's hidden layers and of the heads' hidden layer.
    dropout : float, default=0.1
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
    num_embeddings : {"piecewise_linear", "periodic"} or None, \
            default="piecewise_linear"
        Numeric embeddings before the built-in trunk (Gorishniy et al.,
        2022): each column with more than two distinct training values
        becomes ``d_embedding`` numbers, its piecewise-linear encoding over
        ``n_bins`` bins (learned from the rows of the call that builds the
        network) or ``cos``/``sin`` of trained frequencies ("periodic";
        expects standardised columns), then a per-column linear map. Other
        columns (constant, binary, one-hot) pass through. None: a plain MLP.
        Not used with ``module``.
    n_bins : int, default=48
        Most bins per column (fewer for columns with fewer distinct values).
    binning : {"quantile", "tree"}, default="quantile"
        Bin edges at quantiles of the column, or at the split thresholds
        of one decision tree per task on the column (pooled, thinned to
        ``n_bins + 1`` edges).
    d_embedding : int, default=16
        Size of each embedded column's vector.
    architecture : {"hard", "mmoe", "tabm"}, default="hard"
        "hard": hard parameter sharing, one trunk feeding every head.
        "mmoe": multi-gate mixture of experts (Ma et al., KDD 2018):
        ``n_experts`` trunks (each built from ``hidden_layer_sizes``,
        ``activation``, ``dropout`` and ``batch_norm``, or from ``module``)
        shared by all tasks, and per task a softmax gate on the input that
        mixes the experts' features before the task's head.
        "tabm": TabM (Gorishniy et al., ICLR 2025), ``n_members`` MLPs
        sharing their weight matrices (BatchEnsemble), each with its own
        task heads; training minimises the mean of the members' losses and
        ``predict_proba`` averages their probabilities. No ``module`` nor
        ``batch_norm``.
    n_experts : int, default=4
        Number of experts when ``architecture="mmoe"``; ignored otherwise.
    n_members : int, default=32
        Number of members ``k`` when ``architecture="tabm"``; ignored
        otherwise. The cost of a training step grows about linearly with it.
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
    weight_decay : float, default=1e-4
        Weight decay (L2 penalty) passed to the optimizer.
    max_epochs : int, default=200
        Number of passes over the training data (fewer with early stopping).
    batch_size : int or "auto", default="auto"
        Rows per minibatch (clipped to the rows); "auto": ``n_samples // 10``
        within [32, 200], so that small data still take ~10 steps per epoch.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the training rows and stop when
        the validation loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, restoring the best weights (as
        ``MLPClassifier`` does). A single training row cannot be split:
        it trains for ``max_epochs`` without early stopping.
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
        Where to train and predict, e.g. "cuda". Ignored with an
        ``accelerator``, which names each process's device.
    accelerator : accelerate.Accelerator, default=None
        Data-parallel training when the script runs on several processes
        (``accelerate launch`` or ``torchrun``; skorch's name for it): every
        process calls ``fit`` on the same X and y and trains on its share of
        each epoch (``batch_size`` rows per process and step); gradients and
        per-task losses are averaged across processes, so the model, the
        history, the weighting and early stopping agree on every rank.
        Strategies combining per-task gradients (``gradnorm``, ``pcgrad``,
        ``mgda``) are refused on several processes. The accelerator is not
        pickled: an unpickled model has ``accelerator=None``. See the user
        guide, "Beyond one machine".
    warm_start : bool, default=False
        Whether a new ``fit`` continues training the fitted network (same
        tasks and classes required) instead of starting afresh. The
        training settings changed since (``lr``, ``optimizer``,
        ``weight_decay``, ``batch_size``, ``max_epochs``, ``task_weights``,
        early stopping, ``callbacks``, ``verbose``) apply to the continued
        training, and the callbacks start afresh as new copies of
        ``callbacks``; the network, its weighting state and the optimizer
        state are kept (a new ``optimizer`` class starts a fresh optimizer).
        Changing a parameter that shapes the network (``hidden_layer_sizes``,
        ``activation``, ``dropout``, ``batch_norm``, ``head_hidden_size``,
        ``module``, the embedding parameters, ``architecture``,
        ``n_experts``, ``n_members``, ``device``) or the
        weighting strategy's class raises a ValueError naming it.
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
        "num_embeddings": [None, StrOptions(set(NUM_EMBEDDINGS))],
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "binning": [StrOptions(set(BINNINGS))],
        "d_embedding": [Interval(Integral, 1, None, closed="left")],
        "architecture": [StrOptions({"hard", "mmoe", "tabm"})],
        "n_experts": [Interval(Integral, 1, None, closed="left")],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "task_weights": [None, "array-like", dict],
        "weighting": [StrOptions(set(WEIGHTINGS)), WeightingStrategy],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "callbacks": [None, list],
        "device": [str, torch.device],
        "accelerator": [None, HasMethods(["wait_for_everyone"])],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(128, 64),
        *,
        activation="relu",
        dropout=0.1,
        batch_norm=False,
        head_hidden_size=None,
        module=None,
        num_embeddings="piecewise_linear",
        n_bins=48,
        binning="quantile",
        d_embedding=16,
        architecture="hard",
        n_experts=4,
        n_members=32,
        task_weights=None,
        weighting="static",
        optimizer="adam",
        lr=1e-3,
        weight_decay=1e-4,
        max_epochs=200,
        batch_size="auto",
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        device="cpu",
        accelerator=None,
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
        self.num_embeddings = num_embeddings
        self.n_bins = n_bins
        self.binning = binning
        self.d_embedding = d_embedding
        self.architecture = architecture
        self.n_experts = n_experts
        self.n_members = n_members
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
        self.accelerator = accelerator
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
