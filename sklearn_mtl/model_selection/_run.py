"""Progress and warnings of a run of many cross-validation fits.

A run shows its progress on stderr (a bar on a terminal, plain lines
otherwise) and emits each distinct warning of its fits once, however many
folds raise it and whichever joblib worker they ran in. Several runs (the
models of ``compare --model all``) can share one progress, with the time
left across all of them.
"""

import contextlib
import contextvars
import sys
import threading
import time
import warnings

_SHARED = contextvars.ContextVar("shared_progress", default=None)


def call_capturing_warnings(func, *args, **kwargs):
    """Call ``func`` (in a joblib worker); return ``(value, warnings)``.

    In the main thread of a process (a sequential run, or a worker of a
    process-based backend such as loky) the warnings are recorded here and
    returned as ``(category, message, filename, lineno)`` tuples, so that the
    parent process can emit them. In a thread of the threading backend they
    are left to the process-wide handler, which :class:`FitRun` records:
    ``warnings.catch_warnings`` is not thread-safe.
    """
    if threading.current_thread() is not threading.main_thread():
        return func(*args, **kwargs), []
    with warnings.catch_warnings(record=True) as caught:
        value = func(*args, **kwargs)
    return value, [_as_tuple(w) for w in caught]


def _as_tuple(w):
    return (w.category, str(w.message), w.filename, w.lineno)


def _duration(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Progress of ``total`` fits on a stream: a bar redrawn in place on a
    terminal, otherwise a plain line at every tenth of the run.

    Parameters
    ----------
    total : int
        Number of fits.
    label : str
        What runs, at the start of each line.
    stream : file, default=None
        Where to write; None is ``sys.stderr`` at the time of the call.
    """

    width = 24

    def __init__(self, total, *, label, stream=None):
        self.total = total
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self._start = time.perf_counter()
        self._decile = 0

    def _line(self):
        if 0 < self.done < self.total:
            elapsed = time.perf_counter() - self._start
            left = f", about {_duration(elapsed / self.done * (self.total - self.done))} left"
        elif self.done == self.total:
            left = f" in {_duration(time.perf_counter() - self._start)}"
        else:
            left = ", starting"
        return f"{self.label}: {self.done}/{self.total} fits{left}"

    def _write(self, text, end):
        self.stream.write(text + end)
        self.stream.flush()

    def start(self):
        """Show the first line, before the first fit."""
        self._start = time.perf_counter()
        self._draw(force=True)

    def update(self, n=1):
        """Count ``n`` finished fits."""
        self.done = min(self.done + n, self.total)
        self._draw(force=self.done == self.total)

    def _draw(self, force=False):
        if self.tty:
            filled = self.width * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (self.width - filled)
            end = "\n" if self.done == self.total else ""
            self._write(f"\r[{bar}] {self._line()}\x1b[K", end)
            return
        decile = 10 * self.done // max(self.total, 1)
        if force or decile > self._decile:
            self._decile = decile
            self._write(self._line(), "\n")


@contextlib.contextmanager
def shared_progress(total, *, label, stream=None):
    """One :class:`Progress` of ``total`` fits for every run inside the
    block that shows its progress, instead of one per run that restarts at 0.

    Parameters
    ----------
    total : int
        Number of fits of all the runs together.
    label : str
        What runs, at the start of each line.
    stream : file, default=None
        Where to write; None is ``sys.stderr``.
    """
    progress = Progress(total, label=label, stream=stream)
    progress.start()
    token = _SHARED.set(progress)
    try:
        yield progress
    finally:
        _SHARED.reset(token)


class FitRun:
    """A run of fits: its progress and its warnings.

    Use it as a context manager around the fits; pass the ``(value,
    warnings)`` of each :func:`call_capturing_warnings` to :meth:`fit_done`.
    On exit, each distinct warning (by category and message) of the run is
    emitted once, after the progress is finished.

    Parameters
    ----------
    n_fits : int
        Number of fits of the run.
    progress : bool, default=False
        Show the progress on stderr (counted in the :func:`shared_progress`
        around the run, if any).
    label : str, default="fits"
        Prefix of the progress lines.
    """

    def __init__(self, n_fits, *, progress=False, label="fits"):
        shared = _SHARED.get()
        self._owns_progress = progress and shared is None
        self.progress = shared if progress and shared is not None else (
            Progress(n_fits, label=label) if progress else None
        )
        self._records = []

    def __enter__(self):
        self._catcher = warnings.catch_warnings(record=True)
        self._caught = self._catcher.__enter__()
        if self._owns_progress:
            self.progress.start()
        return self

    def fit_done(self, records):
        """Count one finished fit and keep its warnings."""
        self._records.extend(records)
        if self.progress is not None:
            self.progress.update()

    def __exit__(self, *exc_info):
        self._catcher.__exit__(*exc_info)
        seen = set()
        for category, message, filename, lineno in self._records + [
            _as_tuple(w) for w in self._caught
        ]:
            if (category, message) not in seen:
                seen.add((category, message))
                warnings.warn_explicit(message, category, filename, lineno)
        return False
