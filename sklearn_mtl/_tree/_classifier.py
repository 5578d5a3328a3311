"""The shared classifiers: one tree, or a forest, split on the weighted Gini impurity."""

from ._docs import FOREST, TREE, document, make_init
from ._forest import BaseSharedForest
from ._kinds import SharedTreesClassifierMixin
from ._single import BaseSharedTree


class SharedTreeClassifier(SharedTreesClassifierMixin, BaseSharedTree):
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

    Missing labels (NaN, None, pd.NA) count for nothing. In the split
    criterion, a sample unlabelled for task j takes no part in task j's Gini
    impurity: each task's term is the Gini impurity of its labelled samples
    in the node, weighted by their number. Such a tree (a criterion task
    with a missing label) is grown on the scaled one-hot blocks by a builder
    of this package (numpy; slower than scikit-learn's, see
    :class:`SharedTreeRegressor`); its ``estimator_`` is a
    ``DecisionTreeRegressor`` all the same.
    In the leaves, task j's probabilities are the class frequencies of the
    samples labelled for task j; a leaf that no such sample reaches takes
    those of its closest ancestor that one reaches. A missing label is never
    predicted.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}
    estimator_ : DecisionTreeClassifier or DecisionTreeRegressor
        The fitted scikit-learn tree. Its splits are this tree's splits; its
        values are those of the encoded targets, not the class probabilities
        (use ``predict_proba``).
    tree_ : sklearn.tree._tree.Tree
        The tree structure, ``estimator_.tree_``.
    feature_importances_ : ndarray of shape (`n_features_in_`,)
        Normalised total decrease of the weighted impurity per feature.
    {input_attributes}

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

    __init__ = make_init(TREE)


class SharedForestClassifier(SharedTreesClassifierMixin, BaseSharedForest):
    """Forest of shared trees, split on the weighted Gini impurity.

    Each tree is a :class:`SharedTreeClassifier` grown on a bootstrap sample
    with ``max_features`` candidate features per split, so the default is
    Breiman's random forest; ``splitter="random"`` (usually with
    ``bootstrap=False``) gives extremely randomised trees (Geurts et al.,
    2006). ``predict_proba`` averages the trees' per-task probabilities.
    Every split minimises the weighted multi-task impurity
    ``I = sum_j w_j * Gini_j / sum_j w_j`` exactly, and missing labels are
    treated as in :class:`SharedTreeClassifier` (left out of their task's
    Gini impurity in the criterion and of its leaf probabilities).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}
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
    {input_attributes}

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

    __init__ = make_init(FOREST, n_positional=1, max_features="sqrt")


document(SharedTreeClassifier, "classification", TREE)
document(SharedForestClassifier, "classification", FOREST)
