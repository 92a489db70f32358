"""Reading audio (transcribe.audio) and features in chunks: streaming changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from tests.synth import melody, render
from transcribe import audio
from transcribe.features import onset_strength


def test_reading_in_blocks_and_features_in_chunks_change_nothing(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are streamed in blocks (resampled as they come) and frame features are
    computed in chunks, for bounded memory; neither may change a sample or a value:
    small blocks and chunks must give exactly what the defaults give."""
    import soundfile as sf

    from transcribe import features

    rng = np.random.default_rng(5)
    x = render(melody([(60, 1.0), (64, 0.5), (67, 0.5), (72, 2.0)], bpm=120), sr=44100)
    stereo = np.stack([x, 0.5 * x + 0.01 * rng.standard_normal(len(x)).astype(np.float32)], axis=1)
    path = tmp_path / "tune.wav"
    sf.write(path, stereo, 44100, subtype="FLOAT", format="WAV")

    def read_and_measure() -> tuple[np.ndarray, ...]:
        a = audio.load(path, sr=16000)
        times = np.arange(len(a.samples) // 256) * 256 / 16000
        return a.samples, onset_strength(a.samples, a.sr, times), features.loudness_db(a.samples, a.sr, times)

    default = read_and_measure()
    assert len(stereo) < audio.decode.BLOCK_FRAMES and len(default[1]) > 4 * 37  # one block and chunk by default, several below
    monkeypatch.setattr(audio.decode, "BLOCK_FRAMES", 10_007)
    monkeypatch.setattr(features, "CHUNK_FRAMES", 37)
    small = read_and_measure()
    assert len(small[0]) == len(default[0]) > 0
    for a, b in zip(small, default):
        np.testing.assert_array_equal(a, b)
