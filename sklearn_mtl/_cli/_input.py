"""Reading the compare command's CSV: its separator, its missing values."""

import csv

SEPARATORS = ",;\t|"
"""The separators that are detected when ``--sep`` is not given."""

DEFAULT_NA = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})
"""The strings pandas reads as missing by default. In a feature column they
still mark a missing value (R writes ``NA`` in a numeric column); in a task
column only an empty cell does, so that a class named ``None`` or ``NA``
stays a class."""


class CSVError(ValueError):
    """A CSV that cannot be used; the message names the file and the fault."""


def sniff_separator(path):
    """The separator of the CSV's first lines among :data:`SEPARATORS`; a
    comma when none can be told."""
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        sample = "".join(line for _, line in zip(range(20), f))
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        return ","


def read_csv(path, *, sep=None, na_values=()):
    """The CSV as a DataFrame, in which only an empty cell (and any of
    ``na_values``) is missing; a header that repeats a column name is
    refused (pandas would rename the copy ``a.1`` and keep it as a feature).

    Parameters
    ----------
    path : str
        The CSV file.
    sep : str, default=None
        Its separator; None detects it (:func:`sniff_separator`).
    na_values : collection of str, default=()
        Cell values that also mark a missing value (``--na-values``).
    """
    import pandas as pd

    try:
        sep = sniff_separator(path) if sep is None else sep
        options = dict(sep=sep, keep_default_na=False, na_values=["", *na_values])
        header = pd.read_csv(path, header=None, nrows=1, dtype=str, **options).iloc[0]
        frame = pd.read_csv(path, **options)
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


def features_with_missing(X):
    """The feature columns with pandas' default missing-value strings
    (:data:`DEFAULT_NA`) as missing values, and a column that is numeric but
    for them read as numbers (a new frame)."""
    import pandas as pd

    X = X.copy()
    for c in X.columns:
        if X[c].dtype.kind in "biuf":
            continue
        column = X[c].astype(object)
        if not column.dropna().map(type).eq(str).all():
            continue  # booleans with empty cells, as pandas read them
        column = column.where(~column.isin(DEFAULT_NA))
        numbers = pd.to_numeric(column, errors="coerce")
        X[c] = numbers if numbers.notna().sum() == column.notna().sum() else column
    return X
