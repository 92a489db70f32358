"""The notes-found-by-interval count of ``benchmarks/note_lengths.py`` and the COnP matching it
reads (``benchmarks.metrics.found_refs``), without audio."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import metrics, note_lengths


def test_found_matches_onset_and_pitch_only() -> None:
    ref = [(0.0, 0.1, 60), (0.1, 0.2, 62), (0.2, 0.6, 64)]
    est = [(0.01, 0.5, 60.0), (0.18, 0.3, 62.0), (0.22, 0.25, 64.0)]
    # The first matches (offset ignored), the second starts 80 ms late, the third matches.
    assert metrics.found_refs(ref, est).tolist() == [True, False, True]
    assert metrics.found_refs(ref, []).tolist() == [False, False, False]
    assert note_lengths.intervals_s([]).shape == (0,)


def test_recall_by_band_counts_each_note_once_and_the_last_as_long() -> None:
    ref = [(0.0, 0.05, 60), (0.07, 0.15, 62), (0.18, 0.4, 64), (0.5, 0.9, 65)]
    ioi = note_lengths.intervals_s(ref)
    assert ioi[:3] == pytest.approx([0.07, 0.11, 0.32]) and np.isinf(ioi[3])
    # In the order given, whatever it is.
    shuffled = note_lengths.intervals_s([ref[2], ref[0], ref[3], ref[1]])
    assert shuffled[[0, 1, 3]] == pytest.approx([0.32, 0.07, 0.11]) and np.isinf(shuffled[2])
    bands = note_lengths.recall_by_band(ioi, np.array([False, True, True, False]))
    assert sum(n for n, _ in bands) == len(ref)
    by_edge = dict(zip(note_lengths.EDGES_S[:-1], bands))
    assert by_edge[0.0] == (1, 0.0) and by_edge[0.10] == (1, 1.0) and by_edge[0.30] == (2, 0.5)
    assert np.isnan(by_edge[0.15][1])
