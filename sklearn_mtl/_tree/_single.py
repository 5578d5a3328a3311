"""One shared tree: scikit-learn's tree of the route, its node values."""

from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSharedTrees, apply_tree
from ._leaves import counted_node_values, leaf_values
from ._masked import MaskedTreeRegressor

_ESTIMATORS = {
    "classifier": (DecisionTreeClassifier, "gini"),
    "regressor": (DecisionTreeRegressor, "squared_error"),
    "masked": (MaskedTreeRegressor, "squared_error"),
}


class BaseSharedTree(BaseSharedTrees):
    """A single shared tree, grown by one scikit-learn tree."""

    _parameter_constraints: dict = {
        **BaseSharedTrees._parameter_constraints,
        "splitter": [StrOptions({"best", "random"})],
    }

    def _make_estimator(self, route, min_impurity_decrease=0.0, ccp_alpha=0.0):
        cls, criterion = _ESTIMATORS[route]
        return cls(
            criterion=criterion,
            splitter=self.splitter,
            random_state=self.random_state,
            **self._tree_params(min_impurity_decrease, ccp_alpha),
        )

    def _fit_node_values(self, X, targets, encoded, sample_weight):
        self._counted = None
        if not targets.from_value.all():
            self._counted = counted_node_values(
                self.estimator_.tree_, targets, lambda j: self._task_rows(encoded, j),
                self.estimator_.apply(X), sample_weight,
            )

    def _predict_node_values(self, X):
        return leaf_values(
            self.estimator_.tree_,
            apply_tree(self.estimator_, X),
            self._targets,
            self._counted,
            self._slices,
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
