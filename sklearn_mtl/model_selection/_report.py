"""Text tables and the optional pandas / matplotlib imports of the results."""


def format_table(header, rows):
    """Left-aligned first column, right-aligned others, two-space gaps."""
    table = [list(map(str, header))] + [list(map(str, row)) for row in rows]
    widths = [max(len(row[k]) for row in table) for k in range(len(header))]
    lines = []
    for row in table:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def percent(value):
    """A relative gain as a signed percentage, e.g. ``+1.25%``."""
    return f"{100 * value:+.2f}%"


def require_pandas():
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


class PlotMixin:
    """``plot(ax=None)`` for the result objects: the matplotlib import, the
    figure, and the subclass's ``_draw(ax)``."""

    def plot(self, ax=None):
        """Draw the result with matplotlib (``pip install sklearn-mtl[plot]``).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        ax : matplotlib Axes
        """
        plt = require_pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=self._figsize())
        self._draw(ax)
        return ax
