"""Reading audio (transcribe.audio) and features in chunks: streaming changes nothing."""

from __future__ import annotations

import warnings

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


def test_a_very_quiet_recording_is_raised_and_said_so_and_a_usual_one_is_left_alone() -> None:
    from transcribe.audio import samples
    from transcribe.errors import TranscribeWarning
    from transcribe.types import Audio

    rng = np.random.default_rng(0)
    x = (0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.float32)  # loud parts at -6 dBFS
    usual = Audio(samples=x * np.float32(10 ** (-14 / 20)), sr=16000)  # -20 dBFS: untouched
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert audio.raise_quiet(usual, "take.wav") is usual
    quiet = Audio(samples=x * np.float32(10 ** (-39 / 20)), sr=16000)  # -45 dBFS: raised to -20
    with pytest.warns(TranscribeWarning, match=r"take\.wav: the recording is very quiet .* -45 dBFS.* raised by 25 dB"):
        raised = audio.raise_quiet(quiet, "take.wav")
    assert abs(samples.loud_level_dbfs(raised.samples) - samples.RAISED_DBFS) < 0.01
    hiss = Audio(samples=rng.normal(0, 1e-5, 16000).astype(np.float32), sr=16000)  # about -86 dBFS
    with pytest.warns(TranscribeWarning):
        lifted = audio.raise_quiet(hiss, "hiss.wav")
    assert abs(samples.loud_level_dbfs(lifted.samples) - samples.loud_level_dbfs(hiss.samples) - samples.MAX_RAISE_DB) < 0.01
    silence = Audio(samples=np.zeros(16000, dtype=np.float32), sr=16000)
    assert audio.raise_quiet(silence, "silence.wav") is silence


def test_a_melody_recorded_50_db_down_gives_the_notes_it_gives_at_a_usual_level() -> None:
    import transcribe

    y = render(melody([(67, 1), (69, 1), (71, 2), (72, 1), (74, 1), (76, 2)], bpm=100))
    loud = transcribe.transcribe(y, sr=44100)
    with pytest.warns(transcribe.TranscribeWarning, match="very quiet"):
        faint = transcribe.transcribe(y * 10 ** (-50 / 20), sr=44100)
    assert len(loud.notes) == 6
    assert [n.midi for n in faint.notes] == [n.midi for n in loud.notes]
    assert np.allclose([n.onset_s for n in faint.notes], [n.onset_s for n in loud.notes], atol=0.02)
