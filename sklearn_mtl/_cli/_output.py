"""The compare command's outputs: their paths checked before any work, and
files written whole or not at all."""

import os
import tempfile

from .._optional import require_pyplot


def check_output(path, option, extensions):
    """Refuse an output path whose folder is missing or read-only, or whose
    extension is not one of ``extensions``, before any work is done: a
    temporary file is created in the folder and removed."""
    folder = os.path.dirname(os.path.abspath(path))
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext not in extensions:
        raise ValueError(
            f"{option} {path}: the file name must end in one of "
            f"{', '.join('.' + e for e in sorted(extensions))}."
        )
    if not os.path.isdir(folder):
        raise ValueError(f"{option} {path}: the folder {folder} does not exist.")
    if os.path.isdir(path) or not os.access(folder, os.W_OK):
        raise ValueError(f"{option} {path}: cannot write there.")
    try:  # permissions do not tell everything (/proc, a read-only mount): try it
        fd, tmp = tempfile.mkstemp(prefix=".sklearn-mtl-check.", dir=folder)
    except OSError as exc:
        raise ValueError(f"{option} {path}: cannot write there ({exc.strerror}).") from None
    os.close(fd)
    os.remove(tmp)


def write_atomically(path, write):
    """``write(tmp_path)``, then rename: no half-written file at ``path``."""
    folder, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=os.path.splitext(name)[1], dir=folder)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def plot_formats():
    require_pyplot()
    from matplotlib.backend_bases import FigureCanvasBase

    return set(FigureCanvasBase.get_supported_filetypes())


def plot_figure(results):
    """One panel per model, each title wrapped to its panel's width."""
    from ..model_selection._report import set_wrapped_title

    os.environ.setdefault("MPLBACKEND", "Agg")
    plt = require_pyplot()
    fig, axes = plt.subplots(
        1, len(results), figsize=(7.5 * len(results), 4.8), squeeze=False
    )
    for ax, (name, result) in zip(axes[0], results.items()):
        result.plot(ax=ax)
        set_wrapped_title(ax, f"{name}: {ax.get_title()}", 10)
    fig.tight_layout()
    return fig


def save_plot(results, path):
    """Write the figure of :func:`plot_figure` whole to ``path``."""
    plt = require_pyplot()
    fig = plot_figure(results)
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=110, format=ext))
    plt.close(fig)
