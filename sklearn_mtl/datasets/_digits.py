"""scikit-learn's bundled digits, with several natural tasks per image."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

TASKS = {
    "digit": lambda d: d,
    "odd": lambda d: d % 2 == 1,
    "large": lambda d: d >= 5,
    "prime": lambda d: np.isin(d, [2, 3, 5, 7]),
}
"""The tasks of :func:`load_digits_tasks`, computed from the digit."""


@validate_params(
    {"return_X_y": ["boolean"], "as_frame": ["boolean"], "images": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_digits_tasks(*, return_X_y=False, as_frame=False, images=False):
    """Load the digits with four tasks: the digit and three properties of it.

    The 1797 8x8 images of scikit-learn's bundled digits (nothing is
    downloaded), with pixel values scaled to [0, 1], and the tasks

    - ``digit``: the digit, 0-9;
    - ``odd``: whether it is odd;
    - ``large``: whether it is at least 5;
    - ``prime``: whether it is 2, 3, 5 or 7.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X, Y)`` instead of a Bunch.
    as_frame : bool, default=False
        X and Y as DataFrames (columns ``pixel_<row>_<col>`` and the task
        names; the properties are bool columns).
    images : bool, default=False
        X of shape (n_samples, 1, 8, 8), for convolutional trunks. Not
        compatible with ``as_frame``.

    Returns
    -------
    data : Bunch
        ``data`` (X), ``target`` (Y), ``task_names``, ``feature_names``,
        ``frame`` (X and Y side by side when ``as_frame``, else None) and
        ``DESCR``. With ``return_X_y``, the tuple ``(X, Y)``.

    Examples
    --------
    >>> from sklearn_mtl.datasets import load_digits_tasks
    >>> X, Y = load_digits_tasks(return_X_y=True)
    >>> X.shape, Y.shape
    ((1797, 64), (1797, 4))
    >>> Y[:3]
    array([[0, 0, 0, 0],
           [1, 1, 0, 0],
           [2, 0, 0, 1]])
    >>> load_digits_tasks(images=True).data.shape
    (1797, 1, 8, 8)
    """
    if as_frame and images:
        raise ValueError("as_frame=True and images=True are not compatible: a frame is 2D.")
    digits = load_digits()
    digit = digits.target
    task_names = list(TASKS)
    columns = [make(digit) for make in TASKS.values()]
    feature_names = [f"pixel_{i // 8}_{i % 8}" for i in range(64)]
    X = digits.images[:, None] / 16.0 if images else digits.data / 16.0
    frame = None
    if as_frame:
        import pandas as pd

        X = pd.DataFrame(X, columns=feature_names)
        Y = pd.DataFrame(dict(zip(task_names, columns)))
        frame = pd.concat([X, Y], axis=1)
    else:
        Y = np.column_stack(columns).astype(np.int64)
    if return_X_y:
        return X, Y
    return Bunch(
        data=X,
        target=Y,
        task_names=task_names,
        feature_names=feature_names,
        frame=frame,
        DESCR=(
            "scikit-learn's digits (1797 8x8 images, pixels scaled to [0, 1]) "
            "with the tasks: " + ", ".join(task_names) + "."
        ),
    )
