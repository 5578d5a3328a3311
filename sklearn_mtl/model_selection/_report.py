"""Text tables and plotting of the results."""

from .._optional import require_pandas, require_pyplot

__all__ = [
    "PlotMixin", "format_table", "interval", "percent", "require_pandas", "require_pyplot",
    "set_wrapped_title",
]


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


def interval(low, high, *, between=", ", brackets="[]"):
    """A relative interval as text, ``[+1.00%, +2.00%]``; ``no variation``
    when it has zero width (every split gave the same difference), which a
    pair of equal bounds would misread as certainty."""
    if low == high:
        return "no variation"
    return f"{brackets[0]}{percent(low)}{between}{percent(high)}{brackets[1]}"


def set_wrapped_title(ax, text, fontsize):
    """Set the axes' title with each line wrapped to the axes' width, so that
    it neither is clipped nor runs into the next panel."""
    import textwrap

    figure_width = ax.figure.get_figwidth() * 72 * ax.get_position().width  # points
    columns = max(int(figure_width / (0.55 * fontsize)), 20)
    lines = [wrapped for line in text.split("\n")
             for wrapped in textwrap.wrap(line, columns) or [""]]
    ax.set_title("\n".join(lines), fontsize=fontsize)


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
