"""The pitch backends (transcribe.pitch): tones read within cents; SwiftF0's own frames."""

from __future__ import annotations

import numpy as np
import pytest

from tests.synth import tone
from transcribe import audio, pitch


def _cents(hz: np.ndarray, ref_hz: float) -> np.ndarray:
    return 1200.0 * np.log2(hz / ref_hz)


@pytest.mark.parametrize("backend", ["swift", "pyin"])
@pytest.mark.parametrize("freq", [110.0, 220.0, 440.0, 880.0])
def test_backend_reads_tone_within_cents(backend: str, freq: float) -> None:
    midi = 69 + 12 * np.log2(freq / 440.0)
    y = tone(midi, 1.0, sr=16000)
    track = pitch.estimate(audio.from_array(y, 16000, target_sr=16000), backend=backend, fmin_hz=50.0, fmax_hz=2000.0)
    steady = (track.times_s > 0.2) & (track.times_s < 0.8)
    assert np.all(track.confidence[steady] > 0.5)
    assert abs(float(np.median(_cents(track.f0_hz[steady], freq)))) < 15.0


def test_swift_backend_gives_swift_f0_own_pitches() -> None:
    """The backend builds SwiftF0's ONNX session itself (basic graph optimizations) and
    calls it on 10-second segments with the model's context on each side: its frames
    must be the ones SwiftF0's own detector gives on the whole signal, to a hundredth of a cent."""
    from swift_f0 import SwiftF0

    from transcribe.pitch import swift

    rng = np.random.default_rng(3)
    t = np.arange(25 * swift.SAMPLE_RATE) / swift.SAMPLE_RATE
    assert len(t) // 256 > 2 * swift.SEGMENT_FRAMES  # three segments
    hz = 220.0 * 2.0 ** (np.sin(2 * np.pi * 0.5 * t) / 12.0)  # a slow one-semitone swing
    x = (0.3 * np.sin(2 * np.pi * np.cumsum(hz) / swift.SAMPLE_RATE) + 0.01 * rng.standard_normal(len(t))).astype(np.float32)
    ours = swift.estimate(x, fmin_hz=50.0, fmax_hz=2000.0)
    theirs = SwiftF0(spin=False).detect(x, swift.SAMPLE_RATE, fmin=50.0, fmax=2000.0)
    voiced = theirs.confidence > 0.5
    assert voiced.mean() > 0.9
    cents = 1200.0 * np.abs(np.log2(ours[1][voiced] / theirs.pitch_hz[voiced]))
    assert cents.max() < 0.01
    np.testing.assert_allclose(ours[2], theirs.confidence, atol=1e-4)
