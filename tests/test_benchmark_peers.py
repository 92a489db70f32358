"""The benchmark's peers that run in this environment, on synthetic tones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from benchmarks.datasets import Item, Reference
from benchmarks.systems import run_swift_notes
from tests.synth import SR, render


def test_swift_notes_peer_finds_the_notes(tmp_path: Path) -> None:
    truth = [(0.3, 0.8, 60), (0.85, 1.35, 64), (1.4, 2.2, 67)]
    path = tmp_path / "three.wav"
    sf.write(path, render(truth, vibrato_cents=20.0, noise_db=30.0, seed=0), SR, subtype="PCM_16", format="WAV")
    pred = run_swift_notes(Item("synthetic", "three", path, (Reference("", tuple(truth)),)))
    assert pred.error is None
    assert [int(m) for _, _, m in pred.notes] == [60, 64, 67]
    onsets = np.array([on for on, _, _ in pred.notes])
    assert np.all(np.abs(onsets - np.array([t[0] for t in truth])) < 0.05)
    assert pred.track is not None and len(pred.track[0]) == len(pred.track[1])


def test_swift_notes_peer_reports_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.wav"
    path.write_bytes(b"not audio")
    pred = run_swift_notes(Item("synthetic", "broken", path, ()))
    assert pred.error is not None and pred.notes == []


def test_oracle_timing_names_each_labelled_note_by_its_sung_pitch(tmp_path: Path) -> None:
    """The ceilings script reads the tracker's pitch inside each label's own boundaries:
    a melody sung 30 cents flat reads 30 cents flat (to 10 cents), and a note with no
    pitch (a gap the label wrongly covers) gives NaN."""
    from benchmarks.ceilings import note_pitches, sung_track

    truth = [(0.3, 0.8, 60), (0.85, 1.35, 64), (1.4, 2.2, 67)]
    flat = [(on, off, m - 0.3) for on, off, m in truth]
    path = tmp_path / "flat.wav"
    sf.write(path, render(flat, vibrato_cents=20.0, noise_db=30.0, seed=1), SR, subtype="PCM_16", format="WAV")
    labels = (*truth, (2.6, 3.0, 70))  # nothing sounds after 2.2 s
    got = note_pitches(sung_track(Item("synthetic", "flat", path, ())), Reference("", labels))
    assert np.all(np.abs(got[:3] - np.array([m for _, _, m in flat])) < 0.1)
    assert np.isnan(got[3])
