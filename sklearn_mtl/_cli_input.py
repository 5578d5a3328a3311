"""Reading the compare command's CSV."""

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
