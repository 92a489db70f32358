"""The sung-onset fit's inputs (benchmarks.fit_sung_onsets.Item): saved and read back unchanged, targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks import fit_sung_onsets, sung_cv
from benchmarks.datasets import find_shared
from transcribe.notes import network, sung
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


SHARED = find_shared()
SSVD_DEV = SHARED / "data" / "singing" / "ssvd-dev" if SHARED is not None else None


@pytest.mark.skipif(SSVD_DEV is None or not (SSVD_DEV / "1198.flac").exists(), reason="../shared/data/singing/ssvd-dev is absent")
def test_the_cross_validation_scores_the_notes_the_voice_path_keeps(tmp_path: Path) -> None:
    """``model_notes`` (what ``sung_cv --method model`` scores) with the shipped model gives the
    pipeline's notes of a take that opens with an unsure sound (ssvd-dev 1198): its stray first
    note is dropped in both."""
    rec = sung_cv.load(SSVD_DEV / "1198.flac", sung_cv.read_labels(SSVD_DEV / "1198.txt"), cache=tmp_path)
    model = sung.load_model()
    scored = fit_sung_onsets.model_notes(fit_sung_onsets.item_of(rec), model)
    shipped = sung_cv.default_notes(rec)
    assert np.allclose(scored, shipped)
    item = fit_sung_onsets.item_of(rec)
    p_on, p_off = network.probability(item.x, model.onset), network.probability(item.x, model.offset)
    every = sung.read_notes(item.frames, p_on, p_off, model, min_note_s=0.07)
    assert len(every) > len(scored)  # the floor dropped something here
