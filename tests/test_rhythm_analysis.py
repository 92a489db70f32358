"""Written rhythm on the tatum grid (transcribe/rhythm/analysis.py)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from transcribe import rhythm
from transcribe.types import Note


@pytest.mark.parametrize(("held_s", "beats"), [(2.7, 3), (2.2, 2), (1.3, 1), (5.3, 5)])
def test_the_last_note_held_past_its_beat_is_written_in_whole_beats(held_s: float, beats: int) -> None:
    # A final note let go 2.7 beats after it started was written as a half tied to a dotted eighth.
    notes = [Note(float(i), i + 0.9, 60 + i % 5) for i in range(7)]
    notes.append(Note(7.0, 7.0 + held_s, 60))
    rh = rhythm.analyze(tuple(notes), tempo_bpm=60.0, time_signature="4/4")
    assert rh.durations_q[:-1] == (Fraction(1),) * 7
    assert rh.durations_q[-1] == beats


def test_a_lone_held_tone_is_written_in_whole_beats() -> None:
    rh = rhythm.analyze((Note(0.0, 7.944, 69),))
    assert rh.durations_q[-1].denominator == 1
