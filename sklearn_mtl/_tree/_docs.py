"""The numpydoc entries of the shared trees' parameters, written once.

Each estimator's docstring names the parameters it takes
(``{parameters:name,name,...}``) and :func:`document` fills them in, so the
four estimators describe a parameter in the same words.
"""

import inspect
import re

from .._params import make_init as store_init

_WHAT = {
    "classification": "Gini impurity",
    "regression": "variance of the standardised target",
}

PARAMETERS = {
    "n_estimators": """\
n_estimators : int, default=100
    Number of trees.""",
    "task_weights": """\
task_weights : array-like of shape (n_tasks,), dict or Series, default=None
    Non-negative weight ``w_j`` of each task's {what} in the split
    criterion; None weighs all tasks 1. A dict or a pandas Series maps
    task names (see ``task_names_``) to weights, and the tasks it leaves
    out keep weight 1.""",
    "splitter": """\
splitter : {{"best", "random"}}, default="best"
    "best" searches every threshold of the candidate features, "random"
    draws one threshold per feature (extremely randomised trees; a forest
    is then grown by scikit-learn's ``ExtraTrees*``).""",
    "max_depth": """\
max_depth : int, default=None
    Maximum depth of each tree; None grows until the leaves are pure or
    smaller than ``min_samples_split``.""",
    "min_samples_split": """\
min_samples_split : int or float, default=2
    Minimum number (or fraction, if a float) of samples a node needs to
    be split.""",
    "min_samples_leaf": """\
min_samples_leaf : int or float, default=1
    Minimum number (or fraction, if a float) of samples in each leaf.""",
    "min_weight_fraction_leaf": """\
min_weight_fraction_leaf : float, default=0.0
    Minimum fraction of the total sample weight in each leaf.""",
    "max_features": """\
max_features : int, float, {{"sqrt", "log2"}} or None, default={default}
    Number (or fraction, if a float) of features drawn as candidates at
    each split; None uses all features.""",
    "max_leaf_nodes": """\
max_leaf_nodes : int, default=None
    Grow each tree best-first with at most this many leaves; None for
    unlimited.""",
    "min_impurity_decrease": """\
min_impurity_decrease : float, default=0.0
    A node is split only if the split decreases the weighted impurity
    ``I``, weighted by the node's fraction of the samples, by at least
    this much.""",
    "ccp_alpha": """\
ccp_alpha : float, default=0.0
    Complexity parameter of minimal cost-complexity pruning of each tree,
    in units of ``I``; 0 prunes nothing.""",
    "bootstrap": """\
bootstrap : bool, default=True
    Whether each tree is grown on a bootstrap sample (else on all
    samples).""",
    "max_samples": """\
max_samples : int or float, default=None
    With ``bootstrap``, the number (or multiple of ``n_samples``, if a
    float) of samples drawn for each tree; None draws ``n_samples``.""",
    "oob_score": """\
oob_score : bool, default=False
    Whether to estimate the generalisation score from the out-of-bag
    samples (needs ``bootstrap=True``); see ``oob_score_``.""",
    "n_jobs": """\
n_jobs : int, default=None
    Number of threads that grow and apply the trees; -1 uses all cores.""",
    "random_state": """\
random_state : int, RandomState instance or None, default=None
    Seeds the random choices of the builder(s): bootstrap samples,
    feature order, candidate features, random thresholds.""",
    "verbose": """\
verbose : int, default=0
    Verbosity of the tree building.""",
}

DEFAULTS = {
    "n_estimators": 100, "splitter": "best", "min_samples_split": 2, "min_samples_leaf": 1,
    "min_weight_fraction_leaf": 0.0, "min_impurity_decrease": 0.0, "ccp_alpha": 0.0,
    "bootstrap": True, "oob_score": False, "verbose": 0,
}
"""Defaults of the parameters whose default is not None."""

ATTRIBUTES = {
    "classes_": """\
classes_ : ndarray or list of ndarray
    Classes of each task; a plain array for a 1D training target.""",
    "n_classes_": """\
n_classes_ : int or list of int
    Number of classes of each task.""",
    "loc_": """\
loc_ : ndarray of shape (`n_tasks_`,)
    Mean of each task's observed training targets.""",
    "scale_": """\
scale_ : ndarray of shape (`n_tasks_`,)
    Their standard deviation (1 for a constant task); the trees are grown
    on ``(y - loc_) / scale_``.""",
    "n_tasks_": """\
n_tasks_ : int
    Number of tasks.""",
    "task_names_": """\
task_names_ : ndarray of str, shape (`n_tasks_`,)
    Column names of a DataFrame target, else ``task_0``, ``task_1``, ...""",
    "task_weights_": """\
task_weights_ : ndarray of shape (`n_tasks_`,)
    The task weights used in training.""",
    "n_features_in_": """\
n_features_in_ : int
    Number of features seen during fit.""",
    "feature_names_in_": """\
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of the features, when X is a DataFrame with string columns.""",
}
"""Attributes entries shared by the estimators: ``{attributes}`` gets the
kind's and the tasks', ``{input_attributes}`` those of X."""

_KIND_ATTRIBUTES = {"classification": ("classes_", "n_classes_"), "regression": ("loc_", "scale_")}

TREE = (
    "task_weights", "splitter", "max_depth", "min_samples_split", "min_samples_leaf",
    "min_weight_fraction_leaf", "max_features", "max_leaf_nodes", "min_impurity_decrease",
    "ccp_alpha", "random_state",
)
"""The parameters of a single shared tree, in signature order."""

FOREST = (
    "n_estimators", *TREE[:-1], "bootstrap", "max_samples", "oob_score", "n_jobs",
    "random_state", "verbose",
)
"""The parameters of a shared forest, in signature order."""


def document(cls, kind, names):
    """Fill ``cls.__doc__``'s ``{parameters}`` with the entries of ``names``
    (defaults read from the signature), ``{attributes}`` and
    ``{input_attributes}`` with the shared :data:`ATTRIBUTES`; return ``cls``."""
    defaults = {
        name: p.default for name, p in inspect.signature(cls.__init__).parameters.items()
    }
    entries = {
        "parameters": [
            PARAMETERS[name].format(
                what=_WHAT[kind], default=repr(defaults[name]).replace("'", '"')
            )
            for name in names
        ],
        "attributes": [
            ATTRIBUTES[name]
            for name in (*_KIND_ATTRIBUTES[kind], "n_tasks_", "task_names_", "task_weights_")
        ],
        "input_attributes": [ATTRIBUTES["n_features_in_"], ATTRIBUTES["feature_names_in_"]],
    }
    doc = cls.__doc__
    for placeholder, texts in entries.items():
        indent = re.search(r"\n( *)\{" + placeholder + r"\}", doc).group(1)
        text = "\n".join(texts).replace("\n", "\n" + indent)
        doc = doc.replace("{" + placeholder + "}", text)
    cls.__doc__ = doc
    return cls


def make_init(names, n_positional=0, **defaults):
    """The ``__init__`` that stores the parameters ``names`` (the first
    ``n_positional`` positional), defaults from ``defaults``, else
    :data:`DEFAULTS`, else None."""
    params = [(name, defaults.get(name, DEFAULTS.get(name))) for name in names]
    return store_init(params, n_positional=n_positional)
