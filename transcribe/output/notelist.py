"""The note list as CSV: one row per written note, for spreadsheets and scripts.

Columns (:data:`COLUMNS`):

``onset_s``, ``offset_s``
    When the note sounds in the recording, in seconds.
``midi``
    MIDI note number (60 is middle C), after the tuning offset is removed.
``name``
    Spelled name with octave in the score's key, e.g. ``F#4`` or ``Bb3``.
``cents``
    How far the sung pitch lies from ``midi``, in cents (-50 to +50).
``confidence``
    Mean voicing confidence of the note's frames, 0 to 1.
``measure``, ``beat``
    Where the note is written: measure number (0 is a pickup measure) and
    beat in the meter's beat unit, 1-based (1.5 is the "and" of beat 1).
``duration_q``
    Written length in quarter notes (1 is a quarter note, 1.5 a dotted
    quarter, 0.333333 a triplet eighth), tied parts summed.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

from ..types import WrittenNote
from .files import write_bytes_atomic

COLUMNS: tuple[str, ...] = ("onset_s", "offset_s", "midi", "name", "cents", "confidence", "measure", "beat", "duration_q")


def _num(x: float, digits: int) -> str:
    """A number with at most ``digits`` decimals and no trailing zeros (``1.5``, ``2``)."""
    text = f"{float(x):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def rows(written: Iterable[WrittenNote]) -> list[list[str]]:
    """The CSV rows (without the header) of written notes, in time order."""
    return [
        [
            _num(w.onset_s, 3),
            _num(w.offset_s, 3),
            str(int(w.midi)),
            w.name,
            _num(w.cents, 1),
            _num(w.confidence, 3),
            str(int(w.measure)),
            _num(w.beat, 4),
            _num(w.duration_q, 6),
        ]
        for w in written
    ]


def to_csv(written: Iterable[WrittenNote]) -> bytes:
    """The note list as UTF-8 CSV bytes with a header row (:data:`COLUMNS`)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(written))
    return buf.getvalue().encode("utf-8")


def write_csv(path: str | os.PathLike[str], written: Iterable[WrittenNote], *, force: bool = False) -> Path:
    """Write the note list atomically; refuses to overwrite unless ``force``."""
    return write_bytes_atomic(path, to_csv(written), force=force)
