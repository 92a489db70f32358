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
    ours = swift.model_frames(x, fmin_hz=50.0, fmax_hz=2000.0)
    theirs = SwiftF0(spin=False).detect(x, swift.SAMPLE_RATE, fmin=50.0, fmax=2000.0)
    voiced = theirs.confidence > 0.5
    assert voiced.mean() > 0.9
    cents = 1200.0 * np.abs(np.log2(ours[1][voiced] / theirs.pitch_hz[voiced]))
    assert cents.max() < 0.01
    np.testing.assert_allclose(ours[2], theirs.confidence, atol=1e-4)


def _whistle(hz: float, dur_s: float, *, sr: int = 16000, seed: int = 0) -> np.ndarray:
    """A whistled note: a sine with a slight vibrato, a 30 ms attack and faint breath noise."""
    t = np.arange(int(dur_s * sr)) / sr
    phase = 2 * np.pi * np.cumsum(hz * (1 + 0.004 * np.sin(2 * np.pi * 5 * t))) / sr
    env = np.minimum(1.0, np.minimum(t / 0.03, (dur_s - t) / 0.05)).clip(0, 1)
    return (0.3 * env * np.sin(phase) + 0.003 * np.random.default_rng(seed).standard_normal(len(t))).astype(np.float32)


@pytest.mark.parametrize("freq", [1975.5, 2349.3, 3135.9])  # B6, D7, G7: whistled, a piccolo's
def test_swift_reads_a_pitch_above_its_model_from_the_audio_an_octave_down(freq: float) -> None:
    from transcribe.pitch import swift

    clip = audio.from_array(_whistle(freq, 1.0), 16000, target_sr=16000)
    track = pitch.estimate(clip, backend="swift", fmin_hz=50.0, fmax_hz=4000.0)
    steady = (track.times_s > 0.2) & (track.times_s < 0.8)
    direct = pitch.estimate(clip, backend="swift", fmin_hz=50.0, fmax_hz=swift.TOP_HZ)  # the model alone
    assert np.mean(direct.confidence[steady] > 0.5) < 0.5
    assert np.all(track.confidence[steady] > 0.8)
    assert np.all(np.abs(_cents(track.f0_hz[steady], freq)) < 25.0)


def test_reading_above_leaves_a_confident_lower_pitch_alone() -> None:
    """A bright tone whose power lies mostly above 1.7 kHz (harmonics 2 and 3 of 1 kHz) is read
    at its own pitch, as without the octave-down reading, not at a harmonic."""
    from transcribe.pitch import swift

    sr = 16000
    t = np.arange(sr) / sr
    y = (0.1 * np.sin(2 * np.pi * 1000 * t) + 0.3 * np.sin(2 * np.pi * 2000 * t) + 0.3 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)
    clip = audio.from_array(y, sr, target_sr=sr)
    with_above = pitch.estimate(clip, backend="swift", fmin_hz=50.0, fmax_hz=4000.0)
    below_only = pitch.estimate(clip, backend="swift", fmin_hz=50.0, fmax_hz=swift.TOP_HZ)
    steady = (with_above.times_s > 0.2) & (with_above.times_s < 0.8)
    assert np.all(np.abs(_cents(with_above.f0_hz[steady], 1000.0)) < 25.0)
    np.testing.assert_array_equal(with_above.f0_hz[steady], below_only.f0_hz[steady])


@pytest.mark.parametrize("midi", [28, 29, 30, 31])  # E1-G1: a bass guitar's and a double bass's lowest
def test_swift_reads_a_pitch_below_its_model_from_the_audio_an_octave_up(midi: int) -> None:
    from transcribe.pitch import swift

    freq = 440.0 * 2.0 ** ((midi - 69) / 12.0)
    clip = audio.from_array(tone(midi, 1.5, sr=16000), 16000, target_sr=16000)
    track = pitch.estimate(clip, backend="swift", fmin_hz=30.0, fmax_hz=2000.0)
    steady = (track.times_s > 0.3) & (track.times_s < 1.2)
    direct = pitch.estimate(clip, backend="swift", fmin_hz=swift.BOTTOM_HZ, fmax_hz=2000.0)  # the model alone
    assert np.mean((direct.confidence[steady] > 0.5) & (np.abs(_cents(direct.f0_hz[steady], freq)) < 25.0)) < 0.5
    assert np.all(track.confidence[steady] > 0.8)
    assert np.all(np.abs(_cents(track.f0_hz[steady], freq)) < 25.0)


@pytest.mark.parametrize("midi", [33, 36, 40, 45])  # A1 (a bass's open A), C2 (a cello's C), E2, A2
def test_reading_below_leaves_a_pitch_inside_the_range_alone(midi: int) -> None:
    from transcribe.pitch import swift

    clip = audio.from_array(tone(midi, 1.5, sr=16000), 16000, target_sr=16000)
    with_below = pitch.estimate(clip, backend="swift", fmin_hz=30.0, fmax_hz=2000.0)
    direct = pitch.estimate(clip, backend="swift", fmin_hz=swift.BOTTOM_HZ, fmax_hz=2000.0)
    np.testing.assert_array_equal(with_below.f0_hz, direct.f0_hz)
    np.testing.assert_array_equal(with_below.confidence, direct.confidence)


def test_a_reading_beyond_the_range_is_taken_only_as_long_as_a_note() -> None:
    """A 2.5 kHz tone of 300 ms is read; one of 40 ms (a bright tone's harmonic a moment as the
    note changes, a click's ring) is not: its frames keep the first reading."""
    sr = 16000
    silence = np.zeros(int(0.3 * sr), dtype=np.float32)
    for dur_s, read in ((0.3, True), (0.04, False)):
        t = np.arange(int(dur_s * sr)) / sr
        burst = (0.3 * np.sin(2 * np.pi * 2500.0 * t) * np.minimum(1.0, np.minimum(t, dur_s - t) / 0.005)).astype(np.float32)
        clip = audio.from_array(np.concatenate([silence, burst, silence]), sr, target_sr=sr)
        track = pitch.estimate(clip, backend="swift", fmin_hz=50.0, fmax_hz=4000.0)
        inside = (track.times_s > 0.3) & (track.times_s < 0.3 + dur_s)
        near = np.abs(_cents(track.f0_hz[inside], 2500.0)) < 25.0
        assert (near & (track.confidence[inside] > 0.7)).any() == read


def _sine(hz: float, dur_s: float, *, sr: int) -> np.ndarray:
    """A pure sinusoid with a 10 ms attack and a 20 ms release."""
    t = np.arange(int(round(dur_s * sr))) / sr
    env = np.minimum(1.0, t / 0.01) * np.minimum(1.0, (dur_s - t) / 0.02).clip(0, 1)
    return (0.2 * env * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_pure_tone_share_tells_a_sine_from_a_harmonic_tone() -> None:
    from transcribe.pitch import swift

    sr = swift.SAMPLE_RATE
    lead = np.zeros(sr // 4, dtype=np.float32)

    def share(signal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.concatenate([lead, signal, lead])
        got = swift.pure_tone_share(x, np.full(len(x) // 256, 261.63))
        return got[(len(lead) + 512) // 256 + 1 : (len(lead) + len(signal) - 512) // 256 - 1], got[: (len(lead) - 512) // 256]

    sine_body, sine_before = share(_sine(261.63, 0.4, sr=sr))
    assert sine_body.min() > 0.999  # all of a sine's power lies at its pitch
    assert sine_before.max() == 0.0  # silence: no power, share 0
    harmonic_body, _ = share(tone(60, 0.4, sr=sr))
    assert harmonic_body.max() < 0.9  # a tone's partials hold much of it
    assert swift.pure_tone_share(np.zeros(4096), np.full(16, np.nan)).max() == 0.0  # no pitch: 0


def test_swift_confidence_of_a_harmonic_tone_is_the_model_own() -> None:
    """The pure-tone floor leaves a tone with partials as SwiftF0 reads it."""
    from swift_f0 import SwiftF0

    from transcribe.pitch import swift

    sr = swift.SAMPLE_RATE
    x = np.concatenate([tone(m, 0.3, sr=sr) for m in (55, 60, 64, 67, 72)])
    ours = swift.estimate(x, fmin_hz=50.0, fmax_hz=2000.0)
    theirs = SwiftF0(spin=False).detect(x, sr, fmin=50.0, fmax=2000.0)
    np.testing.assert_allclose(ours[2], theirs.confidence, atol=1e-4)


@pytest.mark.parametrize("tonic_hz", [196.0, 261.63, 329.63])  # G3, C4, E4: SwiftF0 is unsure of a sine there
def test_a_sine_melody_keeps_every_note(tonic_hz: float) -> None:
    """A tone generator's melody (pure sines): SwiftF0 reads their pitch right but at confidence
    0.35-0.8, under the gate; before the pure-tone floor a G3 scale kept 2 of its 9 notes, a C4
    scale 5 and an E4 scale 7."""
    import transcribe

    sr = 22050
    steps = (0, 2, 4, 5, 7, 5, 4, 2, 0)
    x = np.concatenate([np.concatenate([_sine(tonic_hz * 2.0 ** (k / 12.0), 0.45, sr=sr), np.zeros(sr // 20, np.float32)]) for k in steps])
    got = transcribe.transcribe(x, sr=sr)
    tonic = round(69 + 12 * np.log2(tonic_hz / 440.0))
    assert [n.midi for n in got.notes] == [tonic + k for k in steps]


def test_a_nearly_pure_voice_keeps_the_model_confidence() -> None:
    """A voice can end a note on "oo" nearly as pure as a sine (99.1-99.7 % of its power at its
    f0 on ssvd-scores takes); the floor leaves such a tone to the model: taken sure, those frames
    had lengthened sung notes' tails and moved a take's time signature."""
    from transcribe.pitch import swift

    sr = swift.SAMPLE_RATE
    t = np.arange(int(0.5 * sr)) / sr
    x = (0.2 * np.sin(2 * np.pi * 330.0 * t) + 0.012 * np.sin(2 * np.pi * 660.0 * t)).astype(np.float32)  # 99.6 % at 330 Hz
    _, f0_hz, model = swift.model_frames(x, fmin_hz=50.0, fmax_hz=2000.0)
    inside = slice(4, len(model) - 4)
    assert 0.99 < np.median(swift.pure_tone_share(x, f0_hz)[inside]) < swift.PURE_TONE_SHARE
    assert (model[inside] < swift.PURE_TONE_CONFIDENCE).any()  # the model is unsure of some frames
    _, _, ours = swift.estimate(x, fmin_hz=50.0, fmax_hz=2000.0)
    np.testing.assert_allclose(ours, model)
