"""The shared regressors: one tree, or a forest, split on the weighted
variance of the standardised targets."""

from ._docs import FOREST, TREE, document, make_init
from ._forest import BaseSharedForest
from ._kinds import SharedTreesRegressorMixin
from ._single import BaseSharedTree


class SharedTreeRegressor(SharedTreesRegressorMixin, BaseSharedTree):
    """A regression tree shared by all tasks, split on the weighted variance.

    Each task's target is standardised in ``fit`` (``(y - loc_) / scale_``),
    so that its weight means the same whatever its units. Every split
    minimises the weighted multi-task impurity

        I = sum_j w_j * Var_j / sum_j w_j

    of its children, where ``Var_j`` is the variance of task j's
    standardised target in the node and ``w_j`` comes from ``task_weights``;
    every leaf holds the mean of every task's target. The weighting is
    exact. Without missing targets the tree is grown by scikit-learn's own
    builder, as a multi-output ``DecisionTreeRegressor(criterion=
    "squared_error")`` on the standardised targets with task j's column
    scaled by ``sqrt(w_j)``; with equal weights it *is* scikit-learn's
    multi-output regression tree on the standardised targets. Only the
    ratios of the weights matter, except through ``min_impurity_decrease``
    and ``ccp_alpha``, which are in units of ``I``. A task of weight 0 does
    not shape the tree but still gets leaf values.

    Missing targets (NaN, None, pd.NA) count for nothing. In the split
    criterion, ``Var_j`` is the weighted variance of the task's observed
    targets in the node: a sample missing task j takes no part in task j's
    term. Such a tree is grown by a builder of this package (numpy, about
    3 to 12 times slower than scikit-learn's Cython one, the more so the
    deeper the tree) that places and draws splits as scikit-learn's does; its
    ``estimator_`` is a ``DecisionTreeRegressor`` all the same. A sparse X
    is made dense for it. In the leaves, task j's value is the weighted
    mean target of the samples observed for task j; a leaf that no such
    sample reaches takes that of its closest ancestor that one reaches. A
    missing target is never predicted.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}
    estimator_ : DecisionTreeRegressor
        The fitted scikit-learn tree (with missing targets, a subclass grown
        by the masked builder). Its splits are this tree's splits; its
        values are those of the scaled standardised targets, not the
        predictions (use ``predict``).
    tree_ : sklearn.tree._tree.Tree
        The tree structure, ``estimator_.tree_``.
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Normalised total decrease of the weighted impurity per feature.
    {input_attributes}

    See Also
    --------
    SharedForestRegressor : A random forest of shared regression trees.
    SharedTreeClassifier : The shared tree of classification tasks.
    sklearn.tree.DecisionTreeRegressor : The single-task (or equal-weight
        multi-output) regression tree.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mtl import SharedTreeRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4))
    >>> Y = np.column_stack([X[:, 0] + X[:, 1], 1000 * X[:, 0]])
    >>> Y[::5, 1] = np.nan  # a missing target counts for nothing
    >>> reg = SharedTreeRegressor(task_weights=[1, 3], max_depth=6,
    ...                           random_state=0).fit(X, Y)
    >>> reg.predict(X[:2]).shape
    (2, 2)
    >>> round(reg.score(X, Y), 2)
    0.99
    """

    __init__ = make_init(TREE)


class SharedForestRegressor(SharedTreesRegressorMixin, BaseSharedForest):
    """Forest of shared regression trees, split on the weighted variance.

    Each tree is a :class:`SharedTreeRegressor` grown on a bootstrap sample
    with ``max_features`` candidate features per split (all of them by
    default, as scikit-learn's ``RandomForestRegressor``);
    ``splitter="random"`` (usually with ``bootstrap=False``) gives extremely
    randomised trees (Geurts et al., 2006). ``predict`` averages the trees'
    predictions. Every split minimises the weighted multi-task impurity
    ``I = sum_j w_j * Var_j / sum_j w_j`` of the standardised targets
    exactly, and missing targets count for nothing, as in
    :class:`SharedTreeRegressor` (left out of each task's variance and of
    its leaf values). With equal weights and no missing target it is
    scikit-learn's multi-output random forest on the standardised targets.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}
    estimator_ : RandomForestRegressor or ExtraTreesRegressor
        The fitted scikit-learn forest. Its trees' splits are this forest's
        splits; their values are those of the scaled standardised targets
        (use ``predict``).
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Normalised total decrease of the weighted impurity per feature,
        averaged over the trees.
    oob_score_ : float
        Mean over tasks of the R² of the out-of-bag predictions, over the
        observed targets of the samples that some tree left out. Only with
        ``oob_score``.
    oob_prediction_ : ndarray of shape (n_samples,) or (n_samples, `n_tasks_`)
        Out-of-bag predictions in the targets' units; NaN for a sample that
        every tree drew. Only with ``oob_score``.
    {input_attributes}

    See Also
    --------
    SharedTreeRegressor : A single shared regression tree.
    SharedForestClassifier : The shared forest of classification tasks.
    sklearn.ensemble.RandomForestRegressor : The single-task (or
        equal-weight multi-output) forest.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_mtl import SharedForestRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4))
    >>> Y = np.column_stack([X[:, 0] + X[:, 1], 1000 * X[:, 0]])
    >>> reg = SharedForestRegressor(n_estimators=20, oob_score=True,
    ...                             random_state=0).fit(X, Y)
    >>> reg.predict(X[:2]).shape
    (2, 2)
    >>> reg.oob_score_ > 0.8
    True
    """

    __init__ = make_init(FOREST, n_positional=1, max_features=1.0)


document(SharedTreeRegressor, "regression", TREE)
document(SharedForestRegressor, "regression", FOREST)
