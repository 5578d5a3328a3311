"""SharedForestClassifier: random forest (or extremely randomised trees) of shared trees."""

import threading
import warnings

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.parallel import Parallel, delayed

from .._accuracy import mean_task_accuracy
from .._labels import MISSING
from ._base import BaseSharedTrees, apply_tree
from ._leaves import counted_node_proba, leaf_proba

_CRITERIA = {"classifier": "gini", "regressor": "squared_error"}

class SharedForestClassifier(BaseSharedTrees):
    """Forest of shared trees, split on the weighted Gini impurity.

    Each tree is a :class:`SharedTreeClassifier` grown on a bootstrap sample
    with ``max_features`` candidate features per split, so the default is
    Breiman's random forest; ``splitter="random"`` (usually with
    ``bootstrap=False``) gives extremely randomised trees (Geurts et al.,
    2006). ``predict_proba`` averages the trees' per-task probabilities.
    Every split minimises the weighted multi-task impurity
    ``I = sum_j w_j * Gini_j / sum_j w_j`` exactly, and missing labels are
    treated as in :class:`SharedTreeClassifier` (the class prior in the
    criterion, left out of the leaf probabilities).

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    task_weights : array-like of shape (n_tasks,), dict or Series, default=None
        Non-negative weight ``w_j`` of each task's Gini impurity in the split
        criterion; None weighs all tasks 1. A dict or a pandas Series maps
        task names (see ``task_names_``) to weights, and the tasks it leaves
        out keep weight 1.
    splitter : {"best", "random"}, default="best"
        "best" searches every threshold of the candidate features (random
        forest), "random" draws one threshold per feature (extremely
        randomised trees, grown by scikit-learn's ``ExtraTrees*``).
    max_depth : int, default=None
        Maximum depth of each tree; None grows until the leaves are pure or
        smaller than ``min_samples_split``.
    min_samples_split : int or float, default=2
        Minimum number (or fraction, if a float) of samples a node needs to
        be split.
    min_samples_leaf : int or float, default=1
        Minimum number (or fraction, if a float) of samples in each leaf.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in each leaf.
    max_features : int, float, {"sqrt", "log2"} or None, default="sqrt"
        Number (or fraction, if a float) of features drawn as candidates at
        each split; None uses all features.
    max_leaf_nodes : int, default=None
        Grow each tree best-first with at most this many leaves.
    min_impurity_decrease : float, default=0.0
        A node is split only if the split decreases the weighted impurity
        ``I``, weighted by the node's fraction of the samples, by at least
        this much.
    ccp_alpha : float, default=0.0
        Complexity parameter of minimal cost-complexity pruning of each
        tree, in units of ``I``.
    bootstrap : bool, default=True
        Whether each tree is grown on a bootstrap sample (else on all
        samples).
    max_samples : int or float, default=None
        With ``bootstrap``, the number (or multiple of ``n_samples``, if a
        float) of samples drawn for each tree; None draws ``n_samples``.
    oob_score : bool, default=False
        Whether to estimate the generalisation score from the out-of-bag
        samples (needs ``bootstrap=True``); see ``oob_score_``.
    n_jobs : int, default=None
        Number of threads that grow and apply the trees; -1 uses all cores.
    random_state : int, RandomState instance or None, default=None
        Seeds the bootstrap samples and the builders' random choices.
    verbose : int, default=0
        Verbosity of the tree building.

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
        The task weights used in training.
    estimator_ : RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier \
            or ExtraTreesRegressor
        The fitted scikit-learn forest. Its trees' splits are this forest's
        splits; their values are those of the encoded targets, not the
        class probabilities (use ``predict_proba``).
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Normalised total decrease of the weighted impurity per feature,
        averaged over the trees.
    oob_score_ : float
        Mean per-task accuracy of the out-of-bag predictions, over the
        labelled samples that some tree left out. Only with ``oob_score``.
    oob_decision_function_ : ndarray or list of ndarray
        Out-of-bag class probabilities of each task, shape
        (n_samples, n_classes_j); NaN for a sample that every tree drew.
        Only with ``oob_score``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X is a DataFrame with string columns.

    See Also
    --------
    SharedTreeClassifier : A single shared tree.
    sklearn.ensemble.RandomForestClassifier : The single-task (or
        equal-weight multi-output) forest.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_mtl import SharedForestClassifier
    >>> X, digit = load_digits(return_X_y=True)
    >>> Y = np.column_stack([digit, digit % 2, digit >= 5])
    >>> clf = SharedForestClassifier(n_estimators=20, task_weights=[1, 2, 2],
    ...                              oob_score=True, random_state=0).fit(X, Y)
    >>> clf.predict(X[:3])
    array([[0, 0, 0],
           [1, 1, 0],
           [2, 0, 0]])
    >>> clf.oob_score_ > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseSharedTrees._parameter_constraints,
        **{
            name: RandomForestClassifier._parameter_constraints[name]
            for name in ("n_estimators", "bootstrap", "max_samples", "n_jobs", "verbose")
        },
        "splitter": [StrOptions({"best", "random"})],
        "oob_score": ["boolean"],
    }
    _estimators = {
        ("best", "classifier"): RandomForestClassifier,
        ("best", "regressor"): RandomForestRegressor,
        ("random", "classifier"): ExtraTreesClassifier,
        ("random", "regressor"): ExtraTreesRegressor,
    }

    def __init__(
        self,
        n_estimators=100,
        *,
        task_weights=None,
        splitter="best",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        ccp_alpha=0.0,
        bootstrap=True,
        max_samples=None,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.n_estimators = n_estimators
        self.task_weights = task_weights
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha
        self.bootstrap = bootstrap
        self.max_samples = max_samples
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self):
        if self.oob_score and not self.bootstrap:
            raise ValueError("oob_score=True requires bootstrap=True.")
        if self.max_samples is not None and not self.bootstrap:
            raise ValueError(
                "max_samples can only be set with bootstrap=True; got "
                f"max_samples={self.max_samples!r} and bootstrap=False."
            )

    def _make_estimator(self, route, min_impurity_decrease=0.0, ccp_alpha=0.0):
        return self._estimators[self.splitter, route](
            n_estimators=self.n_estimators,
            criterion=_CRITERIA[route],
            bootstrap=self.bootstrap,
            max_samples=self.max_samples,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
            verbose=self.verbose,
            **self._tree_params(min_impurity_decrease, ccp_alpha),
        )

    def _fit_node_proba(self, X, targets, encoded, sample_weight):
        forest = self.estimator_
        counting = not targets.from_value.all()
        self._counted = [None] * len(forest.estimators_)
        if not (counting or self.oob_score):
            return
        leaves = forest.apply(X)
        n_samples = X.shape[0]
        if sample_weight is None:
            sample_weight = np.ones(n_samples)
        oob_sum = np.zeros((n_samples, self._class_slices[-1].stop))
        n_oob = np.zeros(n_samples, dtype=np.intp)
        for t, (tree, drawn) in enumerate(zip(forest.estimators_, forest.estimators_samples_)):
            in_bag = np.bincount(drawn, minlength=n_samples)
            if counting:
                self._counted[t] = counted_node_proba(
                    tree.tree_, targets, encoded, leaves[:, t], in_bag * sample_weight
                )
            if self.oob_score:
                oob = np.flatnonzero(in_bag == 0)
                oob_sum[oob] += leaf_proba(
                    tree.tree_, leaves[oob, t], targets, self._counted[t], self._class_slices
                )
                n_oob[oob] += 1
        if self.oob_score:
            self._set_oob_score(oob_sum, n_oob, encoded)

    def _set_oob_score(self, oob_sum, n_oob, encoded):
        covered = n_oob > 0
        if not covered.all():
            warnings.warn(
                f"{np.sum(~covered)} sample(s) were drawn by every tree and have "
                "no out-of-bag prediction; they are left out of oob_score_. Use "
                "more trees for a reliable estimate.",
                UserWarning,
                stacklevel=4,
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            proba = oob_sum / n_oob[:, np.newaxis]
        per_task = self._per_task(proba)
        pred = np.stack([p.argmax(axis=1) for p in per_task], axis=1)
        true = np.where(covered[:, np.newaxis], encoded.codes, MISSING)
        self.oob_score_ = mean_task_accuracy(true, pred)
        self.oob_decision_function_ = per_task if isinstance(self.classes_, list) else per_task[0]

    def _predict_node_proba(self, X):
        proba = np.zeros((X.shape[0], self._class_slices[-1].stop))
        lock = threading.Lock()
        Parallel(n_jobs=self.n_jobs, require="sharedmem")(
            delayed(self._add_tree_proba)(tree, counted, X, proba, lock)
            for tree, counted in zip(self.estimator_.estimators_, self._counted)
        )
        proba /= len(self._counted)
        return proba

    def _add_tree_proba(self, tree, counted, X, out, lock):
        """Add one tree's probabilities of the rows of X to ``out``."""
        proba = leaf_proba(
            tree.tree_, apply_tree(tree, X), self._targets, counted, self._class_slices
        )
        with lock:
            out += proba
