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


def test_partials_put_a_held_tone_at_its_harmonics_and_a_burst_between_them() -> None:
    from transcribe.features import partials_db

    sr = 16000
    y = tone(69, 1.0, sr=sr)  # A4 = 440 Hz with harmonics
    burst = y.copy()
    rng = np.random.default_rng(0)
    burst[8000:8160] += 0.3 * rng.standard_normal(160)  # 10 ms of broadband noise at 0.5 s
    times = np.arange(0.1, 0.9, 0.016)
    f0 = np.full(len(times), 440.0)
    f0[::7] = np.nan  # unvoiced frames take their neighbours' pitch
    at, between = partials_db(y, sr, times, f0)
    assert np.all(at - between > 20.0)
    at_b, between_b = partials_db(burst, sr, times, f0)
    near = np.abs(times - 0.505) < 0.01
    assert between_b[near].max() - np.median(between_b[~near]) > 15.0
    assert np.abs(at_b[times < 0.4] - at[times < 0.4]).max() < 1e-6  # untouched before the burst
    # No pitch anywhere: nothing to measure.
    none_at, none_between = partials_db(y, sr, times, np.full(len(times), np.nan))
    assert np.all(none_at == -140.0) and np.all(none_between == -140.0)
