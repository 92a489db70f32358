"""Stop signals while the command starts: before :func:`transcribe.cli.main` takes them over,
Ctrl-C, SIGTERM or SIGHUP exit at once with 128 + the signal's number, not with a traceback
of an import cut short. Installed when imported by the ``transcribe`` command (or ``python -m
transcribe``), never by a program that imports the package."""

from __future__ import annotations

import atexit
import os
import signal
import sys


def _exit_at_once(signum: int, frame: object) -> None:
    os._exit(128 + signum)  # nothing is started yet: nothing to clean up


def _stop_signals() -> list[signal.Signals]:
    return [getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]


def _ignore_from_now_on() -> None:
    """At exit, the work is done or cleaned up: a late signal (a second Ctrl-C) must not turn the
    exit status into death by signal while the interpreter shuts down (it resets its handlers)."""
    for s in _stop_signals():
        signal.signal(s, signal.SIG_IGN)


def install() -> None:
    """Exit at once on a stop signal (main() replaces these handlers with its own, and gives these back)."""
    for s in _stop_signals():
        signal.signal(s, _exit_at_once)
    atexit.register(_ignore_from_now_on)


if os.path.basename(sys.argv[0]) == "transcribe":
    install()
