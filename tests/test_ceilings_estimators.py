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
