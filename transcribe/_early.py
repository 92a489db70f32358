"""Stop signals while the command starts: before :func:`transcribe.cli.main` takes them over,
Ctrl-C, SIGTERM or SIGHUP exit at once with 128 + the signal's number, not with a traceback
of an import cut short. Installed when imported by the ``transcribe`` command (or ``python -m
transcribe``), never by a program that imports the package."""

from __future__ import annotations

import os
import signal
import sys


def _exit_at_once(signum: int, frame: object) -> None:
    os._exit(128 + signum)  # nothing is started yet: nothing to clean up


def install() -> None:
    """Exit at once on a stop signal (main() replaces these handlers with its own)."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _exit_at_once)


if os.path.basename(sys.argv[0]) == "transcribe":
    install()
