"""Notes the pitch tracker heard an octave too high, moved down by the spectrum's evidence.

A tracker that locks onto a note's second harmonic reads it an octave up, often with high
confidence, for the whole note. The spectrum tells: a note at ``f`` has energy at ``f, 2f,
3f...`` and none half-way between them, while a note at ``f / 2`` read as ``f`` has its odd
harmonics (``f / 2, 3f / 2, 5f / 2``) between those of ``f``. A note moves down an octave
when the level at those odd half-harmonics, over the middle of the note, reaches the level at
the harmonics of ``f`` (:data:`HALF_OVER_DB`).

On the varied set (seed 5) and the hall check set (seed 7) together, 29 of 5315 notes were an
octave too high: 15 of them reach 0 dB and no right note does (the right notes' 99th
percentile is -7 dB, the wrong ones' median +13 dB).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from ..types import Note
from ..units import midi_to_hz

#: The level at a note's odd half-harmonics minus the level at its harmonics (dB) from which
#: the note is an octave lower.
HALF_OVER_DB = 0.0
#: Frames measured per note, spread over its middle half (away from the attack and the
#: previous note's reverb, and from the release).
POINTS = 5

#: ``harmonic_db(times_s, pitches)``: for each ``(f0_hz, exclude_f0_hz)`` of ``pitches``, the
#: level (dB) at the harmonics of ``f0_hz`` (those of ``exclude_f0_hz`` left out) at each time,
#: ``None`` when none is usable (:func:`transcribe.features.harmonic_levels_db`).
HarmonicLevel = Callable[[np.ndarray, Sequence[tuple[float, "float | None"]]], "list[np.ndarray | None]"]


def fold_down_octave_errors(
    notes: tuple[Note, ...], harmonic_db: HarmonicLevel, *, tuning_cents: float, fmin_hz: float
) -> tuple[Note, ...]:
    """The notes, each one the spectrum shows an octave lower (:data:`HALF_OVER_DB`) moved
    down 12 semitones; times unchanged. A note whose lower octave is under ``fmin_hz`` stays."""
    out = []
    for note in notes:
        f0 = midi_to_hz(note.midi + tuning_cents / 100.0)
        if f0 / 2.0 >= fmin_hz and half_over_db(note, f0, harmonic_db) >= HALF_OVER_DB:
            note = replace(note, midi=note.midi - 12)
        out.append(note)
    return tuple(out)


def half_over_db(note: Note, f0_hz: float, harmonic_db: HarmonicLevel) -> float:
    """Median level at the odd harmonics of ``f0_hz / 2`` minus that at the harmonics of
    ``f0_hz`` over the middle half of ``note`` (dB); -inf when either is not measurable."""
    quarter = 0.25 * note.duration_s
    times = np.linspace(note.onset_s + quarter, note.offset_s - quarter, POINTS)
    at, between = harmonic_db(times, ((f0_hz, None), (f0_hz / 2.0, f0_hz)))
    if at is None or between is None:
        return -np.inf
    return float(np.median(between) - np.median(at))
