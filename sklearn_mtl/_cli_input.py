"""Reading the compare command's CSV, and the checks of its columns before any
training: row identifiers, constant columns and copies of a label."""

import numpy as np

MIN_ROWS = 20
"""Below this many rows, a column of distinct values is no evidence of a row
identifier (two random integers are usually distinct), nor a column that
matches a label of a copy of it."""


class CSVError(ValueError):
    """A CSV that cannot be used; the message names the file and the fault."""


def read_csv(path):
    """The CSV as a DataFrame; a header that repeats a column name is refused
    (pandas would rename the copy ``a.1`` and keep it as a feature)."""
    import pandas as pd

    try:
        header = pd.read_csv(path, header=None, nrows=1, dtype=str).iloc[0]
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise CSVError(f"{path} is empty.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CSVError(f"{path} could not be read as CSV: {exc}") from None
    names = [name for name in header if isinstance(name, str)]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise CSVError(
            f"{path} has a header that repeats the column name(s) {', '.join(repeated)}; "
            "each column needs its own name."
        )
    if frame.shape[0] == 0:
        raise CSVError(f"{path} has a header but no rows.")
    return frame


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


def check_columns(X, Y, keep=()):
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
