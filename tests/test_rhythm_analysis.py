"""Written rhythm on the tatum grid (transcribe/rhythm/analysis.py)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
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


def test_a_last_note_a_sixteenth_past_the_bar_line_ends_at_it() -> None:
    # A final note from the last sixteenth of a bar, held an eighth, opened a bar of a tied
    # sixteenth and rests (rendered r002's last F#4, printed a sixteenth). Louder downbeats
    # every three quarters put the bar lines at 0, 3, 6 and 9.
    notes = [Note(float(i), i + 0.6, 60 + i % 5) for i in range(9)] + [Note(8.75, 9.2, 62)]
    accent_db = np.array([-14.0 if i % 3 == 0 else -20.0 for i in range(9)] + [-20.0])
    rh = rhythm.analyze(tuple(notes), tempo_bpm=60.0, time_signature="3/4", accent_db=accent_db)
    assert rh.pickup_q == 0
    assert rh.onsets_q[-1] == Fraction(35, 4)  # the third bar's last sixteenth
    assert rh.onsets_q[-1] + rh.durations_q[-1] == 9  # ends on its bar line, not in a fourth bar
