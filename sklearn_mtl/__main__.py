"""``python -m sklearn_mtl compare ...``: see :func:`sklearn_mtl._cli.main`."""

import sys

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
