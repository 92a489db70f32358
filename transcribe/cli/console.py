"""Talking to the user (the only printing in the package, with the web app) and stopping cleanly on a signal."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    pass


#: Signals that stop a run cleanly; the exit status is 128 + the signal's number.
STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


def _printable(msg: str) -> str:
    """A message as one printable line: control characters (a newline in a file name) escaped,
    and a name's bytes shown as UTF-8 where they are (whatever the locale decoded them as)."""
    msg = msg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in msg)


def _print(msg: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr closed (a hung-up terminal): nothing to tell
        print(_printable(msg), file=sys.stderr)


def _err(msg: str) -> None:
    _print(f"transcribe: error: {msg}")


def _say(msg: str) -> None:
    _print(msg)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


class Stopped(KeyboardInterrupt):
    """A stop signal (SIGINT, SIGTERM, SIGHUP) arrived. A subclass, not KeyboardInterrupt itself:
    CPython marks a bare KeyboardInterrupt that escapes an ``exec`` of source text (a dataclass
    being defined while a module imports) as unhandled, and then ends the process by SIGINT
    even though the CLI caught it (seen as exit -2 after a clean "stopped by SIGTERM")."""


class Stop:
    """Turns SIGINT, SIGTERM and SIGHUP into one KeyboardInterrupt; remembers which came first.

    A second signal while the first is being handled is ignored (the run is already stopping).
    """

    def __init__(self) -> None:
        self.signum = 0
        self._old: dict[int, object] = {}

    def __enter__(self) -> Stop:
        if threading.current_thread() is threading.main_thread():
            for s in STOP_SIGNALS:
                self._old[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for s, old in self._old.items():
            signal.signal(s, old)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum:
            return
        self.signum = signum
        raise Stopped

    @property
    def status(self) -> int:
        return 128 + (self.signum or signal.SIGINT)
