"""The compare command's feature columns: the checks before any training (row
identifiers, constant columns, copies of a label), and their preprocessing."""

import numpy as np

MIN_ROWS = 20
"""Below this many rows, a column of distinct values is no evidence of a row
identifier (two random integers are usually distinct), nor a column that
matches a label of a copy of it."""


def _is_row_id(column):
    """Distinct integers or strings on every row, or a run of consecutive
    integers (1, 2, 3, ...) even when stored as floats."""
    if len(column) < MIN_ROWS or column.isna().any():
        return False
    kind = column.dtype.kind
    if kind in "iu" or (kind == "O" and column.map(type).eq(str).all()):
        if column.is_unique:
            return True
    if kind in "iuf":
        values = column.to_numpy(dtype=np.float64)
        steps = np.diff(values)
        return bool(np.all(values == np.round(values)) and
                    (np.all(steps == 1) or np.all(steps == -1)))
    return False


def _copies_label(column, label):
    """Whether the column is the label under another coding (one value per
    class and one class per value) on the rows where both are known, and
    those cover at least half the labelled rows and MIN_ROWS."""
    both = column.notna() & label.notna()
    if both.sum() < max(MIN_ROWS, 0.5 * label.notna().sum()):
        return False
    feature, target = column[both], label[both]
    if feature.nunique() != target.nunique():
        return False
    return bool(
        feature.groupby(target).nunique().max() == 1
        and target.groupby(feature).nunique().max() == 1
    )


def screen_features(X, Y, keep=()):
    """The feature columns fit for training, and what was found.

    Parameters
    ----------
    X : DataFrame
        The feature columns.
    Y : DataFrame
        The task columns.
    keep : collection of str, default=()
        Columns to keep even if they look like row identifiers or label
        copies (``--keep-column``).

    Returns
    -------
    X : DataFrame
        Without the row identifiers and the label copies (a new frame).
    warnings : list of str
        One line per finding, naming the columns.
    """
    ids = [c for c in X.columns if c not in keep and _is_row_id(X[c])]
    copies = {
        c: t for c in X.columns if c not in keep and c not in ids
        for t in Y.columns if _copies_label(X[c], Y[t])
    }
    constant = [c for c in X.columns if X[c].nunique(dropna=False) <= 1]
    found = []
    if ids:
        found.append(
            f"dropped column(s) {', '.join(map(str, ids))}: they look like row identifiers "
            "(a distinct integer or string on every row, or a run 1, 2, 3, ...), which would "
            "leak the row order into the model; --keep-column NAME keeps one"
        )
    for c, t in copies.items():
        found.append(
            f"dropped column {c}: it copies the label of task {t} (one value per class); "
            "--keep-column NAME keeps it"
        )
    if constant:
        found.append(
            f"column(s) {', '.join(map(str, constant))} hold a single value (or none): "
            "they carry no information"
        )
    return X.drop(columns=ids + list(copies)), found


def _as_strings(X):
    """Categories as strings, an empty cell as the category "missing" (a CSV
    column of booleans with empty cells would otherwise mix types)."""
    X = X.astype(object)
    return X.where(X.notna(), "missing").astype(str)


def make_preprocessor(X):
    """Impute and scale numeric columns, one-hot encode the others (an empty
    cell is a category of its own).

    Parameters
    ----------
    X : DataFrame
        The feature columns.

    Returns
    -------
    preprocessor : ColumnTransformer
        Producing a dense float array.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    numeric = [c for c in X.columns if X[c].dtype.kind in "iuf"]
    other = [c for c in X.columns if c not in numeric]
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
             numeric),
            (
                "categorical",
                make_pipeline(
                    FunctionTransformer(_as_strings, feature_names_out="one-to-one"),
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist", max_categories=30,
                        sparse_output=False,
                    ),
                ),
                other,
            ),
        ],
        sparse_threshold=0.0,
    )
