"""The onset-lag measurement (benchmarks/onset_lag.py): signed errors, ours minus the label."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from benchmarks import onset_lag
from benchmarks.datasets import Item, Reference
from tests.synth import ODE_TO_JOY, SR, melody, render


def _item(path: Path, notes: list[tuple[float, float, int]], label_shift_s: float) -> Item:
    refs = (Reference("", tuple((on + label_shift_s, off, m) for on, off, m in notes)),)
    return Item("synth", path.stem, path, refs, truth={"instrument": "synth", "notes": []})


def test_signed_error_follows_the_labels(tmp_path: Path) -> None:
    notes = melody(ODE_TO_JOY[:8], bpm=100)
    path = tmp_path / "ode.wav"
    sf.write(path, render(notes), SR)
    on_time = onset_lag.item_rows(_item(path, notes, 0.0))
    late_labels = onset_lag.item_rows(_item(path, notes, 0.03))
    assert len(on_time) == len(notes) == len(late_labels)
    shipped = np.array([r["shipped"] for r in on_time])
    assert np.isfinite(shipped).all()
    assert abs(float(np.median(shipped))) < 20.0
    # Labels 30 ms later: our (unchanged) onsets read 30 ms early.
    moved = np.array([r["shipped"] for r in late_labels])
    np.testing.assert_allclose(moved, shipped - 30.0, atol=1e-6)
    assert all(np.isfinite(r["arrival"]) for r in on_time)
    table = onset_lag.table(late_labels, "instrument")
    assert "| synth synth | 8 | 8 |" in table
