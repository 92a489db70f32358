"""Frame features (transcribe.features)."""

from __future__ import annotations

import numpy as np

from tests.synth import tone


def test_harmonic_energy_follows_the_pitch_it_is_asked_about() -> None:
    from transcribe.features import harmonic_energy_db

    y = tone(69, 1.0, sr=16000)  # A4 = 440 Hz
    times = np.array([0.5])
    at_a = harmonic_energy_db(y, 16000, times, f0_hz=440.0)
    at_bb = harmonic_energy_db(y, 16000, times, f0_hz=466.16)
    assert at_a is not None and at_bb is not None
    assert at_a[0] - at_bb[0] > 20.0
    # Every harmonic of A4 is one of A3's: nothing is left to measure.
    assert harmonic_energy_db(y, 16000, times, f0_hz=440.0, exclude_f0_hz=220.0) is None
