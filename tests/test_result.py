"""The one-line report of a transcription (transcribe/result.py)."""

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

import transcribe
from transcribe.result import pickup_words, report_line


@pytest.mark.parametrize(
    ("pickup_q", "words"),
    [
        (Fraction(0), ""),
        (Fraction(1, 2), " with an eighth-note pickup"),
        (Fraction(1), " with a quarter-note pickup"),
        (Fraction(3, 2), " with a dotted-quarter pickup"),
        (Fraction(5, 4), " with a pickup of 1.25 quarters"),
        (Fraction(7, 2), " with a pickup of 3.5 quarters"),
    ],
)
def test_the_pickup_is_said_in_note_values_or_in_quarters(pickup_q: Fraction, words: str) -> None:
    # A length like 5/4 used to read "a 5/4 quarter pickup", a time signature to a musician.
    assert pickup_words(pickup_q) == words


@pytest.mark.parametrize(
    ("cents", "words"), [(-0.3, "tuning +0 cents"), (0.4, "tuning +0 cents"), (-12.6, "tuning -13 cents"), (38.4, "tuning +38 cents")]
)
def test_the_tuning_is_said_in_whole_cents_without_a_minus_zero(cents: float, words: str) -> None:
    # An A440 sine measured 0.3 cents flat was reported "tuning -0 cents".
    sr = 16000
    tone = (0.3 * np.sin(2 * np.pi * 440.0 * np.arange(sr) / sr)).astype(np.float32)
    result = dataclasses.replace(transcribe.transcribe(tone, sr=sr, tuning="performance"), tuning_cents=cents, measured_tuning_cents=cents)
    assert result.tuning_summary == words


def test_one_held_tone_is_reported_as_one_note_not_one_notes() -> None:
    sr = 16000
    tone = (0.3 * np.sin(2 * np.pi * 440.0 * np.arange(3 * sr) / sr)).astype(np.float32)
    result = transcribe.transcribe(tone, sr=sr)
    assert len(result.notes) == 1
    line = report_line(result)
    assert ", 1 note, " in line
    assert "notes" not in line
