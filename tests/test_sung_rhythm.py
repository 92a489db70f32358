"""A voice's rhythm is written in simple values (issue 23): the fitted grid penalties."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from transcribe import rhythm
from transcribe.types import Note

#: Quarters, eighths, a dotted quarter and halves in 2/4, twice (quarter notes).
BEATS = [1, 0.5, 0.5, 1, 1, 0.5, 0.5, 1, 2, 1, 0.5, 0.5, 1, 1, 1.5, 0.5, 2] * 2


def _sung(jitter_s: float, seed: int) -> tuple[Note, ...]:
    """The rhythm at 100 BPM with every onset early or late by up to ``jitter_s`` (seeded)."""
    rng = np.random.default_rng(seed)
    t, q, out = 0.3, 0.6, []
    for b in BEATS:
        out.append(Note(t + rng.uniform(-jitter_s, jitter_s), t + b * q - 0.05, 60))
        t += b * q
    return tuple(out)


def test_loose_sung_onsets_are_written_in_the_printed_simple_values() -> None:
    notes = _sung(0.08, seed=0)
    voice = rhythm.analyze(notes, grid_penalties=rhythm.SungRhythm.load().grid_penalties)
    assert list(voice.durations_q) == [Fraction(b).limit_denominator(4) for b in BEATS]
    # An instrument's penalties read the same onsets as sixteenths here and there.
    instrument = rhythm.analyze(notes)
    assert list(instrument.durations_q) != list(voice.durations_q)


def test_sung_penalties_are_package_data_and_dearer_than_an_instruments() -> None:
    fine, other = rhythm.SungRhythm.load().grid_penalties
    assert fine > rhythm.FINE_PENALTY and other > rhythm.OTHER_PENALTY
