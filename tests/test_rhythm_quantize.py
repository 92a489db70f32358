"""Onsets snapped to the beat's grid (transcribe.rhythm.quantize)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from transcribe.rhythm.quantize import quantize_positions


def test_a_lone_onset_off_the_beat_is_no_triplet() -> None:
    # A long note, then one onset a third of the way into a later beat (a real sax phrase:
    # 14.327 beats) and the next on a downbeat. Written as a triplet it tied the long note
    # to a triplet eighth and filled the beat with triplet rests; alone in its beat it is
    # a sixteenth's place.
    r = np.array([12.0, 14.327, 16.0])
    assert quantize_positions(r, compound=False).tolist() == [12.0, 14.25, 16.0]


def test_a_beat_of_triplets_stays_triplets() -> None:
    r = np.array([0.0, 1.0, 1.34, 1.65, 2.0])
    out = quantize_positions(r, compound=False)
    assert np.allclose(out, [0.0, 1.0, 4 / 3, 5 / 3, 2.0])


def test_two_onsets_in_a_beat_may_be_a_triplet_figure() -> None:
    # A triplet quarter and eighth (swing): on the beat and two thirds into it.
    r = np.array([0.0, 0.66, 1.0, 1.67, 2.0])
    out = quantize_positions(r, compound=False)
    assert np.allclose(out, [0.0, 2 / 3, 1.0, 5 / 3, 2.0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=0.99), min_size=1, max_size=12), st.booleans())
def test_a_beat_with_one_onset_is_on_the_plain_or_finer_grid(fracs: list[float], compound: bool) -> None:
    # One onset per beat, in beats 0, 1, 2, ...: each lands on the beat's own subdivision
    # (sixteenths in a simple beat, sixths in a compound one), never on the other division.
    r = np.arange(len(fracs)) + np.minimum(np.array(fracs), 0.87)
    out = quantize_positions(r, compound=compound)
    fine = 6 if compound else 4
    for x in out:
        assert (Fraction(float(x)).limit_denominator(12) * fine).denominator == 1
