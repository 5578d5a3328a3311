"""The compare command's feature columns: the checks before any training (row
identifiers, constant columns, copies of a label), and their preprocessing."""

import re

import numpy as np

MIN_ROWS = 20
"""Below this many rows, a column of distinct values is no evidence of a row
identifier (two random integers are usually distinct), nor a column that
matches a label of a copy of it."""


INDEX_NAMES = re.compile(
    r"^(|unnamed: ?\d+|\.\.\.1|rownames?|row[._ ]?names?|row[._ ]?id|row|id|index|idx)$",
    re.IGNORECASE,
)
"""Names that tools give to an exported row index: pandas' ``Unnamed: 0`` for
an empty header, R's ``rownames``, readr's ``...1``, plain ``id`` or
``index``. A name alone is not enough (``species_id`` is a category): the
values must also be distinct integers or texts on every row."""


def _is_text(column):
    dtype = column.dtype
    if not (dtype.kind == "O" or str(dtype) in ("str", "string", "category")):
        return False
    return bool(column.astype(object).map(type).eq(str).all())


def _integers(column):
    """The values as int64 when they are all whole numbers, else None."""
    if column.dtype.kind not in "iuf":
        return None
    values = column.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values) & (values == np.round(values))):
        return None
    return values.astype(np.int64)


def row_id_reason(column):
    """Why the column is a row identifier, or None when it is not one.

    A row identifier is a text (or categorical) column with a distinct value
    on every row, a run of consecutive integers (1, 2, ..., n in any order of
    the rows, also stored as floats), or a column named as an exported index
    (:data:`INDEX_NAMES`) with a distinct integer or text on every row. A
    numeric measurement whose values happen to be distinct (an income in
    whole dollars) is not one. Below :data:`MIN_ROWS` rows only the index
    name counts as evidence.
    """
    if column.isna().any() or not column.is_unique or len(column) < 2:
        return None
    text, integers = _is_text(column), _integers(column)
    if len(column) >= MIN_ROWS:
        if text:
            return "a distinct text value on every row"
        if integers is not None and integers.max() - integers.min() == len(column) - 1:
            return (f"the integers {integers.min()} to {integers.max()}, each once, in any "
                    "order of the rows")
    if INDEX_NAMES.match(str(column.name).strip()) and (text or integers is not None):
        return f"an index column: named {column.name!r}, with a distinct value on every row"
    return None


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


def _recodes_target(column, target):
    """Whether a feature is a continuous target in other units: numbers whose
    ranks match the target's exactly (``logwage`` next to ``wage``), on
    enough rows known for both."""
    both = column.notna() & target.notna()
    if both.sum() < max(MIN_ROWS, 0.5 * target.notna().sum()) or column.dtype.kind not in "iuf":
        return False
    feature, values = column[both].astype(float), target[both].astype(float)
    if feature.nunique() < 3:
        return False
    return bool(abs(feature.rank().corr(values.rank())) > 1 - 1e-9)


def screen_features(X, Y, keep=(), kinds=None):
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
    kinds : dict of str to str, default=None
        Each task's kind; None means classification tasks. A feature copies
        a classification task's label when it is the label under another
        coding, and a regression task's target when it is the target in
        other (monotone) units.

    Returns
    -------
    X : DataFrame
        Without the row identifiers and the label copies (a new frame).
    warnings : list of str
        One line per finding, naming the columns.
    """
    reasons = {c: row_id_reason(X[c]) for c in X.columns if c not in keep}
    ids = [c for c, reason in reasons.items() if reason is not None]
    kinds = kinds or {}
    copies = {
        c: t for c in X.columns if c not in keep and c not in ids
        for t in Y.columns
        if (_recodes_target if kinds.get(t) == "regression" else _copies_label)(X[c], Y[t])
    }
    constant = [c for c in X.columns if X[c].nunique(dropna=False) <= 1]
    found = []
    for c in ids:
        found.append(
            f"dropped column {c}: a row identifier ({reasons[c]}), which would leak the row "
            f"order into the model; --keep-column {c} keeps it"
        )
    for c, t in copies.items():
        found.append(
            f"dropped column {c}: it copies the "
            + (f"target of task {t} (the same values in other units)"
               if kinds.get(t) == "regression" else f"label of task {t} (one value per class)")
            + f"; --keep-column {c} keeps it"
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
