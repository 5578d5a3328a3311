"""The optional dependencies (pandas, matplotlib), imported on demand with an
error that says how to install them. Package-internal: any subpackage, and the
command line, may import these."""


def require_pandas():
    """pandas, or an ImportError saying how to install it."""
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is a test dependency
        raise ImportError("to_frame() requires pandas: pip install pandas") from exc
    return pd


def require_pyplot():
    """matplotlib.pyplot, or an ImportError saying how to install the extra."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "plot() requires matplotlib, an optional dependency of sklearn-mtl: "
            "pip install sklearn-mtl[plot]"
        ) from exc
    return plt
