"""Unsure sounds before a take's first sure note (transcribe.notes.cleanup.drop_unsure_lead)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.datasets import find_shared
from transcribe.notes.cleanup import drop_unsure_lead
from transcribe.types import Note

SHARED = find_shared()
SINGING = SHARED / "data" / "singing" if SHARED is not None else None


def _take(confidences: list[float]) -> tuple[Note, ...]:
    return tuple(Note(0.5 * i, 0.5 * i + 0.4, 60 + i % 5, 0.0, c) for i, c in enumerate(confidences))


def test_the_unsure_notes_before_the_first_sure_one_are_dropped_and_later_unsure_ones_kept() -> None:
    notes = _take([0.6, 0.7, 0.95, 0.5, 0.9])
    assert drop_unsure_lead(notes, min_confidence=0.85) == notes[2:]


def test_a_take_that_is_unsure_throughout_keeps_every_note() -> None:
    notes = _take([0.6, 0.7, 0.8])
    assert drop_unsure_lead(notes, min_confidence=0.85) == notes


def test_a_floor_of_zero_keeps_every_note() -> None:
    notes = _take([0.1, 0.95])
    assert drop_unsure_lead(notes, min_confidence=0.0) == notes
    assert drop_unsure_lead((), min_confidence=0.85) == ()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), max_size=12), st.floats(0.0, 1.0))
def test_what_is_kept_is_the_take_from_its_first_sure_note(confidences: list[float], floor: float) -> None:
    notes = _take(confidences)
    kept = drop_unsure_lead(notes, min_confidence=floor)
    assert kept == notes[len(notes) - len(kept) :]  # a suffix: nothing reordered, nothing after the lead lost
    gone = notes[: len(notes) - len(kept)]
    if any(c >= floor for c in confidences):
        assert kept[0].confidence >= floor
        assert all(n.confidence < floor for n in gone)
    else:
        assert kept == notes


@pytest.mark.skipif(SINGING is None or not SINGING.is_dir(), reason="../shared/data/singing is absent (sung recordings)")
def test_a_hum_before_the_sung_melody_is_not_written() -> None:
    """ssvd-scores 102819: E3 and C3 sounds from 0.48 s before the first labelled note at 2.31 s
    (they made a pickup and a bar of sixteenths out of it); the melody's first note stays."""
    import transcribe

    result = transcribe.transcribe(SINGING / "ssvd-scores" / "recordings" / "102819.flac")
    onsets = np.array([n.onset_s for n in result.notes])
    assert onsets.min() > 2.2, onsets[:5]
    assert abs(onsets.min() - 2.31) < 0.05
