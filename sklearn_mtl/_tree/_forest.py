"""A forest of shared trees: scikit-learn's forest of the route, the trees'
node values, their average and the out-of-bag estimate."""

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

from ._base import BaseSharedTrees, apply_tree
from ._leaves import counted_node_values, leaf_values
from ._masked import MaskedTreeRegressor

_CRITERIA = {"classifier": "gini", "regressor": "squared_error", "masked": "squared_error"}


class BaseSharedForest(BaseSharedTrees):
    """A forest of shared trees, grown by one scikit-learn forest."""

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
        ("best", "masked"): RandomForestRegressor,
        ("random", "masked"): ExtraTreesRegressor,
    }

    def _check_params(self):
        if self.oob_score and not self.bootstrap:
            raise ValueError("oob_score=True requires bootstrap=True.")
        if self.max_samples is not None and not self.bootstrap:
            raise ValueError(
                "max_samples can only be set with bootstrap=True; got "
                f"max_samples={self.max_samples!r} and bootstrap=False."
            )

    def _make_estimator(self, route, min_impurity_decrease=0.0, ccp_alpha=0.0):
        forest = self._estimators[self.splitter, route](
            n_estimators=self.n_estimators,
            criterion=_CRITERIA[route],
            bootstrap=self.bootstrap,
            max_samples=self.max_samples,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
            verbose=self.verbose,
            **self._tree_params(min_impurity_decrease, ccp_alpha),
        )
        if route == "masked":
            # the forest copies its growth parameters onto clones of this tree
            # and passes each its bootstrap counts as sample weights
            forest.estimator = MaskedTreeRegressor(splitter=self.splitter)
        return forest

    def _fit_node_values(self, X, targets, encoded, sample_weight):
        forest = self.estimator_
        counting = not targets.from_value.all()
        self._counted = [None] * len(forest.estimators_)
        if not (counting or self.oob_score):
            return
        leaves = forest.apply(X)
        n_samples = X.shape[0]
        if sample_weight is None:
            sample_weight = np.ones(n_samples)
        oob_sum = np.zeros((n_samples, self._slices[-1].stop))
        n_oob = np.zeros(n_samples, dtype=np.intp)
        for t, (tree, drawn) in enumerate(zip(forest.estimators_, forest.estimators_samples_)):
            in_bag = np.bincount(drawn, minlength=n_samples)
            if counting:
                self._counted[t] = counted_node_values(
                    tree.tree_, targets, lambda j: self._task_rows(encoded, j), leaves[:, t],
                    in_bag * sample_weight,
                )
            if self.oob_score:
                oob = np.flatnonzero(in_bag == 0)
                oob_sum[oob] += leaf_values(
                    tree.tree_, leaves[oob, t], targets, self._counted[t], self._slices
                )
                n_oob[oob] += 1
        if self.oob_score:
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
                self._set_oob_score(oob_sum / n_oob[:, np.newaxis], covered, encoded)

    def _predict_node_values(self, X):
        values = np.zeros((X.shape[0], self._slices[-1].stop))
        lock = threading.Lock()
        Parallel(n_jobs=self.n_jobs, require="sharedmem")(
            delayed(self._add_tree_values)(tree, counted, X, values, lock)
            for tree, counted in zip(self.estimator_.estimators_, self._counted)
        )
        values /= len(self._counted)
        return values

    def _add_tree_values(self, tree, counted, X, out, lock):
        """Add one tree's leaf values of the rows of X to ``out``."""
        values = leaf_values(
            tree.tree_, apply_tree(tree, X), self._targets, counted, self._slices
        )
        with lock:
            out += values
