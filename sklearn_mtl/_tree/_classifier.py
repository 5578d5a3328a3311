"""SharedTreeClassifier: one decision tree whose splits serve every task."""

from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSharedTrees, apply_tree
from ._leaves import counted_node_proba, leaf_proba

_ESTIMATORS = {
    "classifier": (DecisionTreeClassifier, "gini"),
    "regressor": (DecisionTreeRegressor, "squared_error"),
}


class SharedTreeClassifier(BaseSharedTrees):
    """A decision tree shared by all tasks, split on the weighted Gini impurity.

    Every split minimises the weighted multi-task impurity

        I = sum_j w_j * Gini_j / sum_j w_j

    of its children, where ``w_j`` comes from ``task_weights``; every leaf
    holds the class probabilities of every task. The weighting is exact, not
    approximate: the tree is grown by scikit-learn's own builder, either as a
    multi-output ``DecisionTreeClassifier`` (when the positive weights are
    equal and no label is missing) or as a multi-output
    ``DecisionTreeRegressor`` on one-hot labels with task j's block scaled by
    ``sqrt(w_j)`` (the summed variance of one-hot columns is the Gini
    impurity). Only the ratios of the weights matter, except through
    ``min_impurity_decrease`` and ``ccp_alpha``, which are in units of ``I``.
    A task of weight 0 does not shape the tree but still gets leaf
    probabilities.

    Missing labels (NaN, None, pd.NA) are handled in two ways. In the split
    criterion, a sample unlabelled for task j counts as the task's training
    class prior (a soft one-hot row), so it pulls no split towards any class.
    In the leaves, task j's probabilities are the class frequencies of the
    samples labelled for task j; a leaf that no such sample reaches takes
    those of its closest ancestor that one reaches. A missing label is never
    predicted.

    Parameters
    ----------
    task_weights : array-like of shape (n_tasks,), dict or Series, default=None
        Non-negative weight ``w_j`` of each task's Gini impurity in the split
        criterion; None weighs all tasks 1. A dict or a pandas Series maps
        task names (see ``task_names_``) to weights, and the tasks it leaves
        out keep weight 1.
    splitter : {"best", "random"}, default="best"
        "best" searches every threshold of the candidate features, "random"
        draws one threshold per feature (an extremely randomised tree).
    max_depth : int, default=None
        Maximum depth of the tree; None grows until the leaves are pure or
        smaller than ``min_samples_split``.
    min_samples_split : int or float, default=2
        Minimum number (or fraction, if a float) of samples a node needs to
        be split.
    min_samples_leaf : int or float, default=1
        Minimum number (or fraction, if a float) of samples in each leaf.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in each leaf.
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Number (or fraction, if a float) of features drawn as candidates at
        each split; None uses all features.
    max_leaf_nodes : int, default=None
        Grow best-first with at most this many leaves; None for unlimited.
    min_impurity_decrease : float, default=0.0
        A node is split only if the split decreases the weighted impurity
        ``I``, weighted by the node's fraction of the samples, by at least
        this much.
    ccp_alpha : float, default=0.0
        Complexity parameter of minimal cost-complexity pruning, in units of
        ``I``; 0 prunes nothing.
    random_state : int, RandomState instance or None, default=None
        Seeds the random choices of the builder (feature order, candidate
        features, random thresholds).

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
    estimator_ : DecisionTreeClassifier or DecisionTreeRegressor
        The fitted scikit-learn tree. Its splits are this tree's splits; its
        values are those of the encoded targets, not the class probabilities
        (use ``predict_proba``).
    tree_ : sklearn.tree._tree.Tree
        The tree structure, ``estimator_.tree_``.
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Normalised total decrease of the weighted impurity per feature.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X is a DataFrame with string columns.

    See Also
    --------
    SharedForestClassifier : A random forest of shared trees.
    sklearn.tree.DecisionTreeClassifier : The single-task (or equal-weight
        multi-output) tree.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_mtl import SharedTreeClassifier
    >>> X, digit = load_digits(return_X_y=True)
    >>> Y = np.column_stack([digit, digit % 2, digit >= 5])
    >>> clf = SharedTreeClassifier(task_weights=[1, 2, 2], max_depth=8,
    ...                            random_state=0).fit(X, Y)
    >>> clf.predict(X[:3])
    array([[0, 0, 0],
           [1, 1, 0],
           [2, 0, 0]])
    >>> [p.shape for p in clf.predict_proba(X[:3])]
    [(3, 10), (3, 2), (3, 2)]
    >>> clf.get_depth()
    8
    """

    _parameter_constraints: dict = {
        **BaseSharedTrees._parameter_constraints,
        "splitter": [StrOptions({"best", "random"})],
    }

    def __init__(
        self,
        *,
        task_weights=None,
        splitter="best",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        ccp_alpha=0.0,
        random_state=None,
    ):
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
        self.random_state = random_state

    def _make_estimator(self, route, min_impurity_decrease=0.0, ccp_alpha=0.0):
        cls, criterion = _ESTIMATORS[route]
        return cls(
            criterion=criterion,
            splitter=self.splitter,
            random_state=self.random_state,
            **self._tree_params(min_impurity_decrease, ccp_alpha),
        )

    def _fit_node_proba(self, X, targets, encoded, sample_weight):
        self._counted = None
        if not targets.from_value.all():
            self._counted = counted_node_proba(
                self.estimator_.tree_, targets, encoded, self.estimator_.apply(X),
                sample_weight,
            )

    def _predict_node_proba(self, X):
        return leaf_proba(
            self.estimator_.tree_,
            apply_tree(self.estimator_, X),
            self._targets,
            self._counted,
            self._class_slices,
        )

    @property
    def tree_(self):
        """The fitted tree structure, ``estimator_.tree_``."""
        check_is_fitted(self)
        return self.estimator_.tree_

    def get_depth(self):
        """Depth of the tree (the longest path from the root to a leaf).

        Returns
        -------
        depth : int
        """
        check_is_fitted(self)
        return self.estimator_.get_depth()

    def get_n_leaves(self):
        """Number of leaves of the tree.

        Returns
        -------
        n_leaves : int
        """
        check_is_fitted(self)
        return self.estimator_.get_n_leaves()
