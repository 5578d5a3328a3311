"""Fitting and prediction shared by every shared tree and forest, of any kind.

An estimator combines three parts: a kind mixin (``_kinds.py``: the targets,
the criterion's encoding, the leaf rows, the predictions), a structure
(``_single.py`` one tree, ``_forest.py`` a forest: the scikit-learn
estimator, the node values, their averaging) and this base (parameters,
``fit``, ``apply``, ``decision_path``, feature importances, tags).
"""

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, _fit_context
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import get_tags
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from .._labels import resolve_task_weights
from ._leaves import output_slices

TREE_PARAMS = (
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "max_leaf_nodes",
    "min_impurity_decrease",
    "ccp_alpha",
)
"""Growth parameters that every shared tree passes on to scikit-learn."""

ROUTES = ("classifier", "regressor")


def apply_tree(tree, X):
    """Leaf of every row of an already validated X in one fitted sklearn tree.

    Dense X goes straight to the Cython tree; validating it a second time
    would cost as much as the traversal of a small tree.
    """
    if sparse.issparse(X):
        return tree.apply(X)
    return tree.tree_.apply(X)


class BaseSharedTrees(BaseEstimator):
    """Trees whose splits minimise ``sum_j w_j * I_j / sum_j w_j``.

    The kind mixin fits the targets (``_fit_targets``), encodes them for
    the criterion (``_criterion_targets``), gives each task's leaf rows
    (``_task_rows``) and widths (``_output_widths``). The structure builds
    the scikit-learn estimator of a route (``_make_estimator``) and turns
    the fitted estimator into per-node values (``_fit_node_values``) and
    back into values of new samples (``_predict_node_values``).
    """

    _parameter_constraints: dict = {
        **{
            name: DecisionTreeClassifier._parameter_constraints[name]
            for name in (*TREE_PARAMS, "random_state")
        },
        "task_weights": [None, "array-like", dict],
    }

    def _make_estimator(self, route, min_impurity_decrease=0.0, ccp_alpha=0.0):
        """The unfitted scikit-learn estimator of ``route``."""
        raise NotImplementedError

    def _tree_params(self, min_impurity_decrease, ccp_alpha):
        """Growth parameters for scikit-learn, impurity ones already scaled."""
        params = {name: getattr(self, name) for name in TREE_PARAMS}
        params.update(min_impurity_decrease=min_impurity_decrease, ccp_alpha=ccp_alpha)
        return params

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Grow the shared tree(s) on all tasks at once.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs; NaN marks a missing feature value.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            The targets: one column per task; NaN, None or pd.NA where a sample's
            target is missing for a task.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; None weighs all samples equally.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        X = self._validate_X(X, reset=True)
        encoded = self._fit_targets(y, n_samples=X.shape[0])
        self.task_weights_ = resolve_task_weights(self.task_weights, self.task_names_)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        targets = self._criterion_targets(encoded, sample_weight)
        estimator = self._make_estimator(
            targets.route,
            min_impurity_decrease=max(
                self.min_impurity_decrease * targets.impurity_scale, targets.impurity_floor
            ),
            ccp_alpha=self.ccp_alpha * targets.impurity_scale,
        )
        self.estimator_ = estimator.fit(X, targets.y, sample_weight=sample_weight)
        self._slices = output_slices(self._output_widths())
        self._targets = targets._replace(y=None)
        self._fit_node_values(X, targets, encoded, sample_weight)
        return self

    def _check_params(self):
        """Check parameters that depend on each other (before any fitting)."""

    def _fit_node_values(self, X, targets, encoded, sample_weight):
        raise NotImplementedError

    def _predict_node_values(self, X):
        """Leaf values of all tasks side by side, shape (n_samples, sum of widths)."""
        raise NotImplementedError

    def _validate_X(self, X, reset):
        return self._validate_X_data(
            X,
            reset=reset,
            dtype=np.float32,
            accept_sparse="csc" if reset else "csr",
            ensure_all_finite="allow-nan" if self._allow_nan() else True,
        )

    def _per_task(self, values):
        """Split side-by-side leaf values into one array per task."""
        return [values[:, columns] for columns in self._slices]

    def apply(self, X):
        """Index of the leaf that each sample ends up in, in every tree.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        leaves : ndarray of shape (n_samples,) or (n_samples, n_estimators)
            Leaf indices (node ids of ``estimator_``'s tree(s)).
        """
        return self.estimator_.apply(self._validate_predict_X(X))

    def decision_path(self, X):
        """Decision path of every sample, as scikit-learn's estimator returns it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        indicator : sparse matrix of shape (n_samples, n_nodes)
            Non-zero where a sample goes through a node. A forest also returns
            ``n_nodes_ptr``, the columns where each tree's nodes start.
        """
        return self.estimator_.decision_path(self._validate_predict_X(X))

    @property
    def feature_importances_(self):
        """Impurity-based importance of each feature, shape (`n_features_in_`,).

        The normalised total decrease of the weighted impurity brought by
        the splits on each feature (the importance of a scikit-learn tree
        with a single task).
        """
        check_is_fitted(self)
        return self.estimator_.feature_importances_

    def _allow_nan(self):
        return all(
            get_tags(self._make_estimator(route)).input_tags.allow_nan for route in ROUTES
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = self._allow_nan()
        return tags
