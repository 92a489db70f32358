"""Melodic form: where a melody's opening comes back.

A tune played twice, or a verse sung again, starts over with its opening
figure; within a tune, the opening phrase often returns after a cadence. Both
the key (a tune ends on its tonic just before it starts again) and the meter
(the opening comes back in the same place in the bar, a whole number of bars
later) can read this, so the search lives here, on the pitches alone; each of
those stages runs it on its own notes (a few hundred notes: well under a millisecond).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Notes of the opening figure that must come back, pitch for pitch, to mark a return.
RETURN_NOTES = 4


@dataclass(frozen=True)
class Returns:
    """Where the opening comes back.

    Attributes:
        start: Index of the opening's first note (0, or 1 when the melody's
            first note is not part of the figure that returns).
        hits: Indices of the first note of each return, shape (r,), sorted;
            empty when the opening never comes back.
    """

    start: int
    hits: np.ndarray


def opening_returns(midis: np.ndarray, *, figure_notes: int = RETURN_NOTES) -> Returns:
    """Find where the first ``figure_notes`` pitches of a melody come back.

    The opening is the first ``figure_notes`` pitches, or the ones after the
    first note if those never come back (a first note a transcription got
    wrong, or a note before the tune starts). A return may not overlap the
    opening.

    Args:
        midis: MIDI numbers of the notes in order, shape (n,); not modified.
        figure_notes: Length of the opening figure in notes.

    Returns:
        The opening's start and the returns (see :class:`Returns`).
    """
    midis = np.asarray(midis)
    m = figure_notes
    for start in (0, 1):
        if len(midis) < start + 2 * m:
            break
        windows = np.lib.stride_tricks.sliding_window_view(midis, m)
        hits = np.flatnonzero((windows[start + m :] == midis[start : start + m]).all(axis=1)) + start + m
        if hits.size:
            return Returns(start, hits)
    return Returns(0, np.zeros(0, dtype=np.int64))
