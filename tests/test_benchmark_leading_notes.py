"""What ``python -m benchmarks.leading_notes`` counts: strays and real notes a confidence floor drops."""

from __future__ import annotations

import numpy as np

from benchmarks.leading_notes import dropped
from transcribe.types import Note


def test_a_dropped_note_is_real_when_it_overlaps_a_label_and_a_stray_otherwise() -> None:
    notes = (
        Note(0.1, 0.5, 48, 0.0, 0.6),  # before the labels: a stray
        Note(0.9, 1.2, 60, 0.0, 0.7),  # overlaps the first label: real
        Note(1.2, 1.6, 62, 0.0, 0.95),  # the first sure note: kept
        Note(1.7, 1.9, 64, 0.0, 0.5),  # unsure but after it: kept
    )
    labels = np.array([[1.0, 1.2, 60.0], [1.2, 1.6, 62.0], [1.7, 1.9, 64.0]])
    strays, real, gone = dropped(notes, labels, 0.9)
    assert (strays, real) == (1, 1)
    assert gone == list(notes[:2])
    assert dropped(notes, labels, 0.0) == (0, 0, [])
