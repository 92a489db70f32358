"""The per-note pitch estimators the ceilings script compares (``benchmarks.ceilings.ESTIMATORS``)."""

from __future__ import annotations

import numpy as np

from benchmarks.ceilings import ESTIMATORS


def test_steady_and_mode_read_the_held_pitch_past_a_long_scoop() -> None:
    """A note scooped up from 4.8 semitones below over 12 frames, then held 10 frames at 60.3 with a
    little seeded jitter: the plain median falls in the scoop, the steady median and the
    histogram's mode read the held pitch."""
    rng = np.random.default_rng(0)
    scoop = np.linspace(55.5, 59.9, 12)
    held = 60.3 + rng.normal(0.0, 0.03, 10)
    midi = np.concatenate([scoop, held])
    conf = np.ones_like(midi)
    assert abs(ESTIMATORS["median"](midi, conf) - 60.3) > 0.3
    assert abs(ESTIMATORS["steady"](midi, conf) - 60.3) < 0.05
    assert abs(ESTIMATORS["mode"](midi, conf) - 60.3) < 0.05


def test_confidence_weighted_median_follows_the_confident_frames() -> None:
    midi = np.array([60.0, 60.0, 60.0, 62.0, 62.0])
    assert ESTIMATORS["median"](midi, np.ones(5)) == 60.0
    assert ESTIMATORS["confidence-weighted"](midi, np.array([0.1, 0.1, 0.1, 0.9, 0.9])) == 62.0


def test_bin_above_moves_the_median_up_to_the_next_spectrum_bin() -> None:
    """``bin-above`` reads the labels' convention: a note sung between two bins of the 44100/8192 Hz
    grid is read at the upper one (at 130 Hz that is up to 0.7 semitone higher); a pitch on a bin
    stays there."""
    from benchmarks.ceilings import LABEL_BIN_HZ

    def midi_of(hz: float) -> float:
        return 69.0 + 12.0 * np.log2(hz / 440.0)

    conf = np.ones(3)
    between = np.full(3, midi_of(24.2 * LABEL_BIN_HZ))
    on_bin = np.full(3, midi_of(29.0 * LABEL_BIN_HZ))
    assert abs(ESTIMATORS["bin-above"](between, conf) - midi_of(25.0 * LABEL_BIN_HZ)) < 1e-9
    assert abs(ESTIMATORS["bin-above"](on_bin, conf) - midi_of(29.0 * LABEL_BIN_HZ)) < 1e-6
    assert ESTIMATORS["bin-above"](between, conf) - ESTIMATORS["median"](between, conf) > 0.4
