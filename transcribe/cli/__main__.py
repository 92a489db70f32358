"""``python -m transcribe.cli`` runs the command-line tool (as ``python -m transcribe`` does)."""

import sys

from .command import main

sys.exit(main())
