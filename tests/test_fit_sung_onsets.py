"""The sung-onset fit's inputs (benchmarks.fit_sung_onsets.Item): saved and read back unchanged, targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks import fit_sung_onsets
from transcribe.types import FrameArrays


def test_an_item_reads_back_what_was_saved(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 50
    midi = np.where(rng.random(n) < 0.8, 60.0 + rng.normal(size=n), np.nan)
    frames = FrameArrays(np.arange(n) * 0.016, midi, rng.random(n), np.zeros(n), np.zeros(n), np.zeros(n), np.isfinite(midi))
    item = fit_sung_onsets.Item("rec1", frames, rng.normal(size=(n, 5)), np.array([[0.1, 0.5, 60.2]]))
    item.save(tmp_path)
    (back,) = fit_sung_onsets.read_items(tmp_path)
    assert back.name == "rec1"
    assert np.array_equal(back.x, item.x) and np.array_equal(back.labels, item.labels)
    assert np.array_equal(back.frames.midi, midi, equal_nan=True)
    assert np.array_equal(back.frames.voiced, frames.voiced) and np.array_equal(back.frames.times_s, frames.times_s)


def test_targets_peak_at_the_label_and_fall_off_beside_it() -> None:
    times = np.arange(40) * 0.016
    y, near = fit_sung_onsets._targets(times, np.array([20 * 0.016]))
    assert y[20] == 1.0
    assert list(y[20 - len(fit_sung_onsets.SIDE_TARGETS) : 20]) == list(fit_sung_onsets.SIDE_TARGETS[::-1])
    assert y[:15].sum() == 0.0 and near[25] == 5
