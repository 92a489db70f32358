"""The CLI's helper process that makes MusicXML and MIDI, and the background import of music21."""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import multiprocessing
import os
import signal
import sys
import threading
from typing import Any

from ..types import Rhythm, WrittenNote
from .midi import to_midi
from .score import build_score, to_musicxml


def import_in_background() -> threading.Thread:
    """Start importing music21 in a daemon thread, and return the thread (join it before exit).

    music21's import takes ~0.35 s, nearly all of it Python holding the GIL,
    while the pitch model's ONNX inference runs without the GIL and leaves part
    of a second core idle: started before the transcription, the import is
    done by the time the score is built (a 3-minute song: ~0.2 s less wall time).
    A missing music21 is left for the score's own import to report.
    """

    thread = threading.Thread(target=_load_music21, name="music21-import", daemon=True)
    thread.start()
    return thread


def _load_music21() -> None:
    """Import music21 ahead of use; a missing music21 is left for the score's own import to report."""
    with contextlib.suppress(ImportError):
        importlib.import_module("music21")


class Engraver:
    """A helper process that makes the MusicXML and MIDI of transcriptions (the CLI's).

    music21's import is ~0.3 s of pure Python. In a thread of the CLI's own
    process it holds the GIL against the main thread's reading and the pitch
    model's Python glue; in a helper process forked at start-up it only shares
    the cores, and the CLI's process never loads music21. A 3-minute song on
    2 cores: 0.13 s less end to end than the thread (medians of eight
    alternating runs, 1.56 s -> 1.43 s), with the same bytes. (Starting the
    helper at the lowest CPU priority, so that it ran only on what the model
    leaves idle, made no measurable difference.)
    Linux only (:meth:`available`): the helper is forked, not spawned, so it
    starts in milliseconds.

    :meth:`render` returns ``None`` when the helper cannot serve (it failed or
    died); the caller then builds the score itself, which reports the error.
    """

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, theirs = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(theirs, self._conn, os.getpid()), name="transcribe-engraver", daemon=True)
        self._proc.start()
        theirs.close()
        self._busy = False  # a request is out (Ctrl-C can leave one unanswered)

    @staticmethod
    def available() -> bool:
        """Whether this platform can fork the helper (Linux)."""
        return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()

    def render(
        self,
        written: tuple[WrittenNote, ...],
        rhythm: Rhythm,
        *,
        key: str,
        title: str,
        composer: str | None = None,
        midi_timing: str = "recording",
    ) -> tuple[bytes, bytes] | None:
        """``(musicxml, midi)`` bytes, equal to :func:`to_musicxml` of :func:`build_score` and
        :func:`to_midi` on the same arguments; ``None`` if the helper could not make them."""
        if self._conn.closed:
            return None
        try:
            self._busy = True
            self._conn.send((written, rhythm, key, title, composer, midi_timing))
            got: tuple[bytes, bytes] | None = self._conn.recv()
            self._busy = False
        except (EOFError, OSError):  # the helper died: the caller builds the score itself
            self.close()
            return None
        return got

    def close(self) -> None:
        """Stop the helper and wait for it (at once if it is still working on an unwanted answer)."""
        if self._busy and self._proc.is_alive():
            self._proc.kill()
        if not self._conn.closed:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._conn.close()
        self._proc.join(timeout=5)
        if self._proc.is_alive():  # pragma: no cover - a helper stuck in an import
            self._proc.kill()
            self._proc.join()


def _die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when its parent dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(0)


#: prctl option: the signal a process gets when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def _serve(conn: Any, parents_end: Any = None, parent_pid: int = 0) -> None:
    """The helper's loop: import music21, then serve requests until ``None`` or end-of-file.

    It lets go of everything it inherited that would keep others waiting: the pipe's other
    end (else it never sees end-of-file), and the caller's stdin, stdout and stderr (else
    ``transcribe ... | tee log`` waits for it); and it dies with its parent.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the CLI's process to handle
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_DFL)  # not the CLI's handlers, inherited through the fork
    if parents_end is not None:
        parents_end.close()
    if parent_pid:
        _die_with_parent(parent_pid)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    _load_music21()  # without music21 each request answers None, and the caller reports it
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        written, rhythm, key, title, composer, midi_timing = request
        try:
            answer: tuple[bytes, bytes] | None = (
                to_musicxml(build_score(written, rhythm, key=key, title=title, composer=composer)),
                to_midi(written, rhythm, key=key, title=title, timing=midi_timing),
            )
        except Exception:  # any failure: the caller builds the score itself, which reports it
            answer = None
        conn.send(answer)
