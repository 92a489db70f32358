"""Frame features (transcribe.features)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize("f0_hz", [55.0, 130.8, 440.0, 1046.5, 1900.0])
def test_harmonic_levels_sum_the_bins_within_the_band_of_each_harmonic(f0_hz: float) -> None:
    """The levels are the power of the bins within ``band_cents`` of each harmonic, those near a
    harmonic of the excluded pitch left out: a reference computed bin by bin."""
    from transcribe.features import _frames, _window_len, harmonic_levels_db
    from transcribe.units import cents_between

    sr, win_s, times = 16000, 0.128, np.array([0.3, 0.5, 0.7])
    y = np.random.default_rng(3).standard_normal(sr).astype(np.float32)
    got_all, got_ex = harmonic_levels_db(y, sr, times, ((f0_hz, None), (f0_hz, 2.0 * f0_hz)), win_s=win_s)
    win = _window_len(win_s, sr)
    freqs = np.maximum(np.fft.rfftfreq(win, 1.0 / sr), 1.0)
    power = np.abs(np.fft.rfft(_frames(y, np.round(times * sr).astype(np.int64), win) * np.hanning(win), axis=1)) ** 2
    for got, keep in ((got_all, lambda h: True), (got_ex, lambda h: h % 2 == 1)):
        band = np.zeros(len(freqs), dtype=bool)
        for h in range(1, 6):
            if h * f0_hz <= 0.45 * sr and keep(h):
                band |= np.abs(cents_between(freqs, h * f0_hz)) < 40.0
        assert got is not None
        np.testing.assert_allclose(got, 10.0 * np.log10(power[:, band].sum(axis=1) + 1e-12), rtol=0, atol=1e-6)


def test_spectral_peaks_find_both_tones_of_a_double_stop() -> None:
    from transcribe.features import spectral_peaks

    sr = 16000
    t = np.arange(sr) / sr
    y = 0.3 * np.sin(2 * np.pi * 293.66 * t) + 0.2 * np.sin(2 * np.pi * 440.0 * t)
    ((freqs, power), (none, _)) = spectral_peaks(np.append(y, np.zeros(sr)), sr, np.array([0.5, 1.8]))
    assert abs(freqs[0] - 293.66) < 2.0 and abs(freqs[1] - 440.0) < 2.0  # strongest first
    assert power[0] > power[1]
    assert len(none) == 0  # silence: no peaks


def test_share_above_tells_a_whistle_from_a_low_tone_and_silence() -> None:
    from transcribe.features import share_above

    sr = 16000
    t = np.arange(sr) / sr
    times = np.array([0.25, 0.5, 0.75])
    whistle = share_above(0.3 * np.sin(2 * np.pi * 2500.0 * t), sr, times, edge_hz=1700.0)
    low = share_above(tone(69, 1.0, sr=sr), sr, times, edge_hz=1700.0)  # 440 Hz, harmonics at 1/0.6^k
    assert np.all(whistle > 0.99)
    assert np.all(low < 0.1)
    assert np.all(share_above(np.zeros(sr), sr, times, edge_hz=1700.0) == 0.0)


@given(
    level=st.lists(st.floats(-80.0, 0.0, allow_nan=False, allow_infinity=False), min_size=1, max_size=40),
    side=st.integers(1, 6),
)
@settings(max_examples=60, deadline=None)
def test_below_sides_is_the_drop_under_the_loudest_neighbour_on_each_side(level: list[float], side: int) -> None:
    """Against a direct reading: each frame's level under the loudest of up to ``side`` frames before
    it and after it, -inf where no frame lies on that side."""
    from transcribe.features import below_sides_db

    x = np.array(level)
    before, after = below_sides_db(x, side)
    for i in range(len(x)):
        left, right = x[max(0, i - side) : i], x[i + 1 : i + 1 + side]
        assert before[i] == (left.max() - x[i] if len(left) else -np.inf)
        assert after[i] == (right.max() - x[i] if len(right) else -np.inf)


def test_band_levels_db_puts_a_tone_in_the_band_of_the_given_edges_that_holds_it() -> None:
    from transcribe.features import band_levels_db

    sr = 16000
    sine = 0.5 * np.sin(2 * np.pi * 1000.0 * np.arange(sr) / sr)
    edges = (100.0, 500.0, 900.0, 1100.0, 4000.0)
    level = band_levels_db(sine, sr, np.array([0.5]), edges_hz=edges)
    assert level.shape == (1, 4)
    assert int(np.argmax(level[0])) == 2  # 900-1100 Hz
    assert level[0, 2] - max(level[0, 0], level[0, 1], level[0, 3]) > 30.0
