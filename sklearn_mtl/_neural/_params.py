"""The parameters of the neural estimators, defined once.

Every parameter of :class:`MultiTaskClassifier`, :class:`MultiTaskRegressor`
and :class:`MultiTaskEstimator` is one :class:`~._derive.Param` here: its default, its
``_parameter_constraints`` entry, its numpydoc entry and whether it shapes
the network (a warm start cannot change those). The estimators' ``__init__``
(which only stores the parameters), their ``_parameter_constraints``, the
Parameters section of their docstrings and the list of network-shaping
parameters are all derived from these lists (by :mod:`._derive`), so a
parameter is added in one place for all three.
"""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ..weighting import WEIGHTINGS, WeightingStrategy
from ._callbacks import LR_SCHEDULES
from ._derive import Param, _alternatives, _options
from ._embeddings import BINNINGS, NUM_EMBEDDINGS
from ._loss import REGRESSION_LOSSES
from ._modules import ACTIVATIONS
from ._normalize import INPUT_NORMALIZATIONS
from ._wiring import OPTIMIZERS

ARCHITECTURES = ("hard", "mmoe", "tabm")


_POSITIVE = Interval(Integral, 1, None, closed="left")

SHARED_PARAMS = (
    Param("hidden_layer_sizes", (128, 64), ["array-like", _POSITIVE], network=True, doc="""\
hidden_layer_sizes : array-like of int, default=(128, 64)
    Units of each hidden layer of the default MLP trunk; ``()`` gives no
    hidden layer (linear heads on the raw features). Ignored when
    ``module`` is given.
"""),
    Param("activation", "relu", [StrOptions(set(ACTIVATIONS))], network=True, doc=f"""\
activation : {_options(ACTIVATIONS)}, default="relu"
    Activation of the trunk's hidden layers and of the heads' hidden layer.
"""),
    Param("dropout", 0.1, [Interval(Real, 0, 1, closed="left")], network=True, doc="""\
dropout : float, default=0.1
    Dropout probability after each hidden layer of the MLP trunk.
"""),
    Param("batch_norm", False, ["boolean"], network=True, doc="""\
batch_norm : bool, default=False
    Whether to batch-normalise each hidden layer of the MLP trunk.
"""),
    Param("head_hidden_size", None, [None, _POSITIVE], network=True, doc="""\
head_hidden_size : int, default=None
    Units of a hidden layer inside every task head (the classic
    ``Dense(32)`` per task); None for linear heads.
"""),
    Param("module", None, [None, callable], network=True, doc="""\
module : torch.nn.Module class, instance or callable, default=None
    A trunk of your own, e.g. a small CNN. A class or callable is called
    with no argument (use ``functools.partial`` for arguments); an
    instance is deep-copied, never trained in place. Its output, of shape
    ``(n, ...)``, is flattened to ``(n, d)`` and the heads are built on
    ``d`` features. X may then have any number of dimensions. With
    ``architecture="mmoe"`` it is the expert: a class or callable is
    called once per expert, an instance is deep-copied once per expert
    and each copy re-initialised (``reset_parameters()`` of its layers).
"""),
    Param("input_normalization", "robust", [None, StrOptions(set(INPUT_NORMALIZATIONS))],
          network=True, doc=f"""\
input_normalization : {_options(INPUT_NORMALIZATIONS)} or None, default="robust"
    Per-column normalisation the network learns in ``fit`` from the
    training rows, in float64 before the float32 cast, and applies to
    every X it sees (stored as ``input_normalizer_``), so raw columns in
    any units or offset work as they do with gradient boosting.
    "robust" (RealMLP): ``(x - median) / IQR`` (half the range when the
    IQR is 0), then smooth clipping ``x / sqrt(1 + (x / 3) ** 2)``.
    "quantile" (TabM's reference): a ``QuantileTransformer`` to a normal
    distribution, fitted with tiny tie-breaking noise. None: X enters
    the network as given (scale it yourself). Both maps are monotone
    and unit-free, so a scaler of your own in front (``StandardScaler``
    in a Pipeline) changes nothing but rounding; it is not needed.
    Continued training (``warm_start``, ``partial_fit``) reuses the
    normaliser of the first fit. Not used with ``module``. A column that
    varies in the training rows but is constant in the network's input
    is named in a warning.
"""),
    Param("num_embeddings", "piecewise_linear", [None, StrOptions(set(NUM_EMBEDDINGS))],
          network=True, doc=f"""\
num_embeddings : {_options(NUM_EMBEDDINGS)} or None, default="piecewise_linear"
    Numeric embeddings before the built-in trunk (Gorishniy et al.,
    2022): each column with more than two distinct training values
    becomes ``d_embedding`` numbers, its piecewise-linear encoding over
    ``n_bins`` bins (learned from the normalised rows of the call that
    builds the network) or ``cos``/``sin`` of trained frequencies
    ("periodic"), then a per-column linear map. Other
    columns (constant, binary, one-hot) pass through. None: a plain MLP,
    which on the benchmarks' tables of 333-6,000 rows was as accurate on
    average, more accurate with sparse labels, and cheaper to fit.
    Not used with ``module``.
"""),
    Param("n_bins", 48, [Interval(Integral, 2, None, closed="left")], network=True, doc="""\
n_bins : int, default=48
    Most bins per column (fewer for columns with fewer distinct values).
"""),
    Param("binning", "quantile", [StrOptions(set(BINNINGS))], network=True, doc=f"""\
binning : {_options(BINNINGS)}, default="quantile"
    Bin edges at quantiles of the column, or at the split thresholds
    of one decision tree per task on the column (a classification tree
    for a classification task, a regression tree for a regression task;
    pooled, thinned to ``n_bins + 1`` edges).
"""),
    Param("d_embedding", 16, [_POSITIVE], network=True, doc="""\
d_embedding : int, default=16
    Size of each embedded column's vector.
"""),
    Param("architecture", "hard", [StrOptions(set(ARCHITECTURES))], network=True, doc=f"""\
architecture : {_options(ARCHITECTURES)}, default="hard"
    "hard": hard parameter sharing, one trunk feeding every head.
    "mmoe": multi-gate mixture of experts (Ma et al., KDD 2018):
    ``n_experts`` trunks (each built from ``hidden_layer_sizes``,
    ``activation``, ``dropout`` and ``batch_norm``, or from ``module``)
    shared by all tasks, and per task a softmax gate on the input that
    mixes the experts' features before the task's head.
    "tabm": TabM (Gorishniy et al., ICLR 2025), ``n_members`` MLPs
    sharing their weight matrices (BatchEnsemble), each with its own
    task heads; training minimises the mean of the members' losses and
    a prediction averages their class probabilities (classification)
    or their predicted values (regression). No ``module`` nor
    ``batch_norm``.
"""),
    Param("n_experts", 4, [_POSITIVE], network=True, doc="""\
n_experts : int, default=4
    Number of experts when ``architecture="mmoe"``; ignored otherwise.
"""),
    Param("n_members", 32, [_POSITIVE], network=True, doc="""\
n_members : int, default=32
    Number of members ``k`` when ``architecture="tabm"``; ignored
    otherwise. The cost of a training step grows about linearly with it.
"""),
    Param("task_weights", None, [None, "array-like", dict], doc="""\
task_weights : array-like of shape (n_tasks,) or dict, default=None
    Non-negative base weight ``w_j`` of each task's loss; None weighs all
    tasks 1. A dict maps task names (see ``task_names_``) to weights, and
    the tasks it leaves out keep weight 1. A zero weight removes the
    task's influence on the network, whatever the ``weighting``.
"""),
    Param("weighting", "static", [StrOptions(set(WEIGHTINGS)), WeightingStrategy], doc=f"""\
weighting : str or WeightingStrategy, default="static"
    How the task losses are balanced during training, an object from
    :mod:`sklearn_mtl.weighting` or its alias: {_alternatives(WEIGHTINGS)}
    ("static": the fixed ``task_weights``). A strategy produces weights
    ``lambda_j`` per batch and the network minimises
    ``sum_j w_j * lambda_j * L_j``: the base weights multiply what the
    strategy produces. Strategy parameters are tunable as
    ``weighting__<name>`` once an object is passed. The validation loss of
    early stopping is always ``sum_j w_j * L_j``.
"""),
    Param("optimizer", "adam", [StrOptions(set(OPTIMIZERS)), callable], doc=f"""\
optimizer : {_options(OPTIMIZERS)} or torch optimizer class, default="adam"
    Optimizer of all the network's parameters. "adam" and "adamw" use
    torch's fused implementation on the CPU (torch >= 2.4) and on CUDA (the
    same update in one kernel for every parameter); a class is used as
    given.
"""),
    Param("lr", 1e-3, [Interval(Real, 0, None, closed="neither")], doc="""\
lr : float, default=1e-3
    Learning rate.
"""),
    Param("weight_decay", 1e-4, [Interval(Real, 0, None, closed="left")], doc="""\
weight_decay : float, default=1e-4
    Weight decay (L2 penalty) passed to the optimizer.
"""),
    Param("lr_schedule", None, [None, StrOptions(set(LR_SCHEDULES))], doc=f"""\
lr_schedule : {_options(LR_SCHEDULES)} or None, default=None
    How the learning rate moves from ``lr`` over the epochs of a ``fit``
    (skorch's ``LRScheduler`` with torch's schedulers); None keeps ``lr``.
    "plateau": halve it whenever the loss early stopping watches (the
    validation loss; the training loss without early stopping) has not
    improved by ``tol`` for ``n_iter_no_change // 2`` epochs (at least
    1), so that a stalling run first anneals, then stops. "cosine": from
    ``lr`` down to 0 along half a cosine over ``max_epochs`` epochs
    (early stopping may end the run before it has decayed much). Each
    ``fit``, a warm start's too, starts the schedule afresh from ``lr``;
    ``partial_fit`` trains one epoch per call, at ``lr``. The rate of every
    epoch is in ``history_[:, "event_lr"]``.
"""),
    Param("max_epochs", 200, [_POSITIVE], doc="""\
max_epochs : int, default=200
    Number of passes over the training data (fewer with early stopping).
"""),
    Param("batch_size", "auto", [_POSITIVE, StrOptions({"auto"})], doc="""\
batch_size : int or "auto", default="auto"
    Rows per minibatch (clipped to the rows); "auto": ``n_samples // 10``
    within [32, 200], so that small data still take ~10 steps per epoch.
"""),
    Param("early_stopping", True, ["boolean"], doc="""\
early_stopping : bool, default=True
    Hold out ``validation_fraction`` of the training rows and stop when
    the validation loss has not improved by ``tol`` for
    ``n_iter_no_change`` epochs, restoring the best weights (as
    scikit-learn's ``MLPClassifier`` and ``MLPRegressor`` do), in ``fit``
    only: ``partial_fit`` trains on every row it is given. A single
    training row cannot be split: it trains for ``max_epochs`` without
    early stopping.
"""),
    Param("validation_fraction", 0.1, [Interval(Real, 0, 1, closed="neither")], doc="""\
validation_fraction : float, default=0.1
    Fraction of the rows held out when ``early_stopping=True``.
"""),
    Param("n_iter_no_change", 10, [_POSITIVE], doc="""\
n_iter_no_change : int, default=10
    Patience of early stopping, in epochs.
"""),
    Param("tol", 1e-4, [Interval(Real, 0, None, closed="left")], doc="""\
tol : float, default=1e-4
    Minimum improvement of the validation loss that resets the patience.
"""),
    Param("average_weights", 0.0, [Interval(Real, 0, 1, closed="left")], doc="""\
average_weights : float, default=0.0
    Decay ``d`` of an exponential moving average of the network's weights
    along the run (Polyak averaging), updated after every optimiser step
    (with ``min(d, (1 + t) / (10 + t))`` at step ``t``, so the initial
    weights fade fast); 0 turns it off. Training moves the raw weights;
    validation, and so early stopping, judges the averaged ones, and the
    fitted network keeps the average (of the best epoch with early
    stopping). ``d = 0.9`` averages over about the last 10 steps, about an
    epoch with the "auto" batch size.
"""),
    Param("callbacks", None, [None, list], doc="""\
callbacks : list of skorch callbacks, default=None
    Extra skorch callbacks (``EarlyStopping``, ``Checkpoint``,
    ``LRScheduler``, ``ProgressBar``, ...) or ``(name, callback)`` pairs.
    They are deep-copied at fit, never modified in place.
"""),
    Param("device", "cpu", [str, torch.device], network=True, doc="""\
device : str or torch.device, default="cpu"
    Where to train and predict, e.g. "cuda". Ignored with an
    ``accelerator``, which names each process's device.
"""),
    Param("accelerator", None, [None, HasMethods(["wait_for_everyone"])], doc="""\
accelerator : accelerate.Accelerator, default=None
    Data-parallel training when the script runs on several processes
    (``accelerate launch`` or ``torchrun``; skorch's name for it): every
    process calls ``fit`` on the same X and y and trains on its share of
    each epoch (``batch_size`` rows per process and step); gradients are
    averaged and per-task losses summed across processes, so the model,
    the history, the weighting and early stopping agree on every rank.
    Strategies combining per-task gradients (``gradnorm``, ``pcgrad``,
    ``mgda``) are refused on several processes. The accelerator is not
    pickled: an unpickled model has ``accelerator=None``. See the user
    guide, "Beyond one machine".
"""),
    Param("warm_start", False, ["boolean"], doc="""\
warm_start : bool, default=False
    Whether a new ``fit`` continues training the fitted network (same
    tasks, and same classes for classification tasks, required) instead
    of starting afresh; regression targets keep the standardisation of
    the first fit. The training settings changed since (``lr``,
    ``optimizer``, ``weight_decay``, ``batch_size``, ``max_epochs``,
    ``task_weights``, early stopping, ``average_weights``,
    ``label_smoothing``, ``lr_schedule``, ``callbacks``, ``verbose``) apply to
    the continued training, and the callbacks start afresh as new copies
    of ``callbacks``; the network, its weighting state and the optimizer
    state are kept (a new ``optimizer`` class starts a fresh optimizer).
    Changing a parameter that shapes the network ({network_params}) or the
    weighting strategy's class raises a ValueError naming it.
"""),
    Param("random_state", None, ["random_state"], doc="""\
random_state : int, RandomState instance or None, default=None
    Seeds weight initialisation, shuffling, dropout and the validation
    split. The global torch random state is left untouched.
"""),
    Param("verbose", 0, ["verbose"], doc="""\
verbose : int, default=0
    Print skorch's per-epoch log when positive.
"""),
)
"""The parameters every neural estimator has, in signature order."""

REGRESSION_LOSS = Param(
    "regression_loss", "squared_error", [StrOptions(set(REGRESSION_LOSSES))], doc=f"""\
regression_loss : {_options(REGRESSION_LOSSES)}, default="squared_error"
    Loss of each regression task, on its standardised target: the squared
    error, or the Huber loss with ``delta=1`` (one standard deviation of
    the target), which is less sensitive to outliers.
""")

LABEL_SMOOTHING = Param("label_smoothing", 0.0, [Interval(Real, 0, 1, closed="left")], doc="""\
label_smoothing : float, default=0.0
    Label smoothing ``eps`` of each classification task's training loss:
    the target puts ``1 - eps`` on the label and spreads ``eps`` evenly
    over the task's classes (Szegedy et al., 2016). The validation loss of
    early stopping stays the plain cross-entropy. 0 turns it off.
""")

TASK_KINDS = Param("task_kinds", None, [None, StrOptions({"classification", "regression"}),
                                        dict], doc="""\
task_kinds : dict, {"classification", "regression"} or None, default=None
    The kind of each task. None infers every column's kind with
    :func:`~sklearn_mtl.infer_task_kind` (non-numeric or few distinct
    integer values: classification; non-integer floats or many distinct
    values: regression); a dict ``{task name: kind}`` sets the kinds of
    the tasks it names and infers the others; a kind sets every task's.
    The kinds used are in ``task_kinds_``.
""")
