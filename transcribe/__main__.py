"""``python -m transcribe`` runs the command-line tool."""

import sys

from . import _early

_early.install()

from .cli import main  # noqa: E402 - after the stop handlers

sys.exit(main())
