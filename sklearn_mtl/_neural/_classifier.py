"""MultiTaskClassifier: the neural estimator whose tasks are all
classification tasks. Its parameters are in :mod:`._params`, what it does
with them in :mod:`._base_estimator`."""

import numpy as np
from sklearn.base import BaseEstimator, _fit_context

from .._base import MultiTaskClassifierMixin
from .._labels import classification_tasks, declare_classes, same_classes
from ._base_estimator import BaseMultiTaskNetwork, refuse_dask_partial_fit
from ._derive import document, make_init, parameter_constraints
from ._feed import target_matrix
from ._params import LABEL_SMOOTHING, SHARED_PARAMS

PARAMS = (*SHARED_PARAMS, LABEL_SMOOTHING)

_DOC = """Multi-task neural network classifier with a shared trunk and one head
    per task.

    Hard parameter sharing (Caruana, 1997): every task's head sits on the
    same trunk, and the network minimises ``L = sum_j w_j * L_j`` where
    ``L_j`` is the mean cross-entropy of task j over the samples labelled for
    task j and ``w_j`` comes from ``task_weights``. Missing labels (NaN, None,
    pd.NA) are masked out of their task's loss. Training runs through a
    skorch net (``net_``), so skorch callbacks work as usual.

    The defaults are a tabular recipe (input normalisation, numeric
    embeddings, a 128-64 trunk, dropout, weight decay, early stopping); the
    plain MLP of earlier versions is ``MultiTaskClassifier((100,),
    input_normalization=None, num_embeddings=None, dropout=0.0,
    weight_decay=0.0, max_epochs=100, batch_size=200, early_stopping=False)``.

    Parameters
    ----------
    {parameters}

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
    {network_attributes}

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


class MultiTaskClassifier(BaseMultiTaskNetwork, MultiTaskClassifierMixin, BaseEstimator):
    __doc__ = document(_DOC, PARAMS)

    _parameter_constraints: dict = parameter_constraints(PARAMS)
    __init__ = make_init(PARAMS)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch on a batch of data, as ``MLPClassifier`` does.

        The first call builds the network; later calls continue training it
        and need the same features and tasks, with labels among
        ``classes_`` (a batch may lack classes or labels of a task).

        Every row of the batch is trained on: early stopping (and its
        ``validation_fraction`` hold-out) applies to ``fit`` only, as in
        ``MLPClassifier.partial_fit``. To stop a stream early, score a
        validation set of your own between calls.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs of this batch.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks), or DataFrame
            Labels of this batch; NaN, None or pd.NA where unlabelled.
        classes : array-like or list of array-like, default=None
            Every class of each task (one array-like for a 1D ``y``), for
            streams whose first batch lacks some classes. Only needed on the
            first call; None takes the classes of the first batch.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        refuse_dask_partial_fit(X, y)
        continuing = hasattr(self, "net_")
        X = self._network_X(X, reset=not continuing)
        classes = _classes_per_task(y, classes)
        if not continuing:
            encoded = self._fit_targets(y, n_samples=X.shape[0], classes=classes)
        else:
            encoded = self._continued_targets(y, X.shape[0])
            if classes is not None and not same_classes(
                declare_classes(encoded, classes).classes, self._classes_list
            ):
                raise ValueError(
                    "classes must be the classes of the first call to partial_fit, "
                    f"{[c.tolist() for c in self._classes_list]}; got {classes!r}."
                )
        return self._train(X, self._as_network_targets(encoded), continuing, epochs=1,
                           early_stopping=False)

    def _network_targets(self, y, n_samples, continuing):
        previous = self._classes_list if continuing else None
        encoded = self._fit_targets(y, n_samples=n_samples, previous_classes=previous)
        return self._as_network_targets(encoded)

    @staticmethod
    def _as_network_targets(encoded):
        tasks = classification_tasks(encoded.classes, encoded.task_names, encoded.is_1d)
        return tasks, target_matrix(tasks, list(encoded.codes.T))

    def _predict_proba_tasks(self, X):
        """Probabilities per task of a validated X."""
        return self._task_outputs(X)



def _classes_per_task(y, classes):
    """``classes`` in the per-task form: scikit-learn's flat form
    ``classes=[0, 1]`` is the classes of a 1D ``y``'s single task."""
    flat = (isinstance(classes, (list, tuple, np.ndarray)) and len(classes) > 0
            and all(np.ndim(c) == 0 for c in classes))
    if not flat:
        return classes
    if np.ndim(y) == 1:
        return [list(classes)]
    raise ValueError(
        "classes must hold one array-like of classes per task for a 2D y, e.g. "
        f"[[0, 1], [0, 1, 2]]; got the flat list {list(classes)!r}, scikit-learn's "
        "form for a 1D y."
    )
