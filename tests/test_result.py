"""The one-line report of a transcription (transcribe/result.py)."""

from fractions import Fraction

import pytest

from transcribe.result import pickup_words


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
